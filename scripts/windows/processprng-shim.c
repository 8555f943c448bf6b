/*
 * Test fixture for running Windows builds under Wine 8; NEVER shipped with Presently.
 *
 * Rust's standard library (1.78 and later) gets random bytes from ProcessPrng in bcryptprimitives.dll, which
 * Windows 10 and 11 have and Wine 8 does not, so every Rust executable fails to start under Wine 8. This DLL
 * provides that one export over RtlGenRandom (advapi32's SystemFunction036), which Wine does implement. The test
 * scripts put it into their throw-away Wine prefix only (scripts/windows/wine-lib.sh).
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Same contract as Windows': fills the buffer and always returns TRUE. RtlGenRandom takes at most 4 GiB a call. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
    if (!SystemFunction036(data, chunk)) {
      return FALSE;
    }
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
