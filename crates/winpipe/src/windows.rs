//! Win32 calls, each wrapped so that callers stay safe code.
#![allow(unsafe_code)]

use std::ffi::{OsStr, c_void};
use std::io;
use std::os::windows::ffi::OsStrExt as _;
use std::os::windows::io::AsRawHandle as _;
use std::ptr;

use tokio::net::windows::named_pipe::{NamedPipeClient, NamedPipeServer, ServerOptions};
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, LocalFree};
use windows_sys::Win32::Security::Authorization::{
    ConvertSecurityDescriptorToStringSecurityDescriptorW, ConvertSidToStringSidW,
    ConvertStringSecurityDescriptorToSecurityDescriptorW, GetSecurityInfo, SDDL_REVISION_1, SE_KERNEL_OBJECT,
};
use windows_sys::Win32::Security::{
    DACL_SECURITY_INFORMATION, GetTokenInformation, PSECURITY_DESCRIPTOR, SECURITY_ATTRIBUTES, TOKEN_QUERY,
    TOKEN_USER, TokenUser,
};
use windows_sys::Win32::System::Pipes::GetNamedPipeServerProcessId;
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, OpenProcess, OpenProcessToken, PROCESS_QUERY_LIMITED_INFORMATION,
};

/// The current user's SID as a string (`S-1-5-21-…`).
pub fn current_user_sid() -> io::Result<String> {
    // SAFETY: GetCurrentProcess returns a pseudo handle that needs no closing.
    token_user_sid(unsafe { GetCurrentProcess() })
}

/// The SID of the user whose process serves the pipe `client` is connected to.
pub fn server_owner_sid(client: &NamedPipeClient) -> io::Result<String> {
    let mut pid = 0u32;
    // SAFETY: the handle is the client's open pipe handle; `pid` is a valid out pointer.
    if unsafe { GetNamedPipeServerProcessId(client.as_raw_handle(), &mut pid) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: plain call; the returned handle is checked and closed below.
    let process = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
    if process.is_null() {
        return Err(io::Error::last_os_error());
    }
    let sid = token_user_sid(process);
    // SAFETY: `process` is a handle we opened and own.
    unsafe { CloseHandle(process) };
    sid
}

/// The user SID in the access token of `process`.
fn token_user_sid(process: HANDLE) -> io::Result<String> {
    let mut token: HANDLE = ptr::null_mut();
    // SAFETY: `process` is a valid process handle; `token` is a valid out pointer.
    if unsafe { OpenProcessToken(process, TOKEN_QUERY, &mut token) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let mut needed = 0u32;
    // SAFETY: a size query with no buffer, as documented; fails with ERROR_INSUFFICIENT_BUFFER and sets `needed`.
    unsafe { GetTokenInformation(token, TokenUser, ptr::null_mut(), 0, &mut needed) };
    // u64 words keep the buffer aligned for TOKEN_USER.
    let mut buffer = vec![0u64; (needed as usize).div_ceil(8).max(1)];
    // SAFETY: the buffer holds at least `needed` bytes.
    let ok = unsafe {
        GetTokenInformation(
            token,
            TokenUser,
            buffer.as_mut_ptr().cast::<c_void>(),
            needed,
            &mut needed,
        )
    };
    let result = if ok == 0 {
        Err(io::Error::last_os_error())
    } else {
        // SAFETY: on success the buffer starts with a TOKEN_USER whose SID points into the buffer.
        let sid = unsafe { (*buffer.as_ptr().cast::<TOKEN_USER>()).User.Sid };
        sid_string(sid)
    };
    // SAFETY: `token` is a handle we opened and own.
    unsafe { CloseHandle(token) };
    result
}

fn sid_string(sid: *mut c_void) -> io::Result<String> {
    let mut text: *mut u16 = ptr::null_mut();
    // SAFETY: `sid` is a valid SID; the string is allocated by the system and freed below with LocalFree.
    if unsafe { ConvertSidToStringSidW(sid, &mut text) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `text` is a NUL-terminated wide string allocated by the call above.
    let s = unsafe { take_wide(text) };
    Ok(s)
}

/// Reads a NUL-terminated wide string allocated with LocalAlloc and frees it.
unsafe fn take_wide(text: *mut u16) -> String {
    let mut len = 0;
    // SAFETY (caller): `text` is NUL-terminated.
    while unsafe { *text.add(len) } != 0 {
        len += 1;
    }
    // SAFETY (caller): `len` wide characters precede the NUL.
    let s = String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(text, len) });
    // SAFETY (caller): allocated with LocalAlloc by the system.
    unsafe { LocalFree(text.cast::<c_void>()) };
    s
}

fn wide(s: &OsStr) -> Vec<u16> {
    s.encode_wide().chain(std::iter::once(0)).collect()
}

/// Creates a pipe instance named `name` with `options`, whose DACL grants full access to the current user and
/// SYSTEM and to nobody else (`P`: not inherited from a parent).
pub fn create_server(options: &ServerOptions, name: &OsStr) -> io::Result<NamedPipeServer> {
    let sddl = format!("D:P(A;;GA;;;{})(A;;GA;;;SY)", current_user_sid()?);
    let mut descriptor: PSECURITY_DESCRIPTOR = ptr::null_mut();
    // SAFETY: `sddl` is a NUL-terminated wide string; `descriptor` is a valid out pointer, freed below.
    let ok = unsafe {
        ConvertStringSecurityDescriptorToSecurityDescriptorW(
            wide(OsStr::new(&sddl)).as_ptr(),
            SDDL_REVISION_1,
            &mut descriptor,
            ptr::null_mut(),
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    let mut attributes = SECURITY_ATTRIBUTES {
        nLength: u32::try_from(std::mem::size_of::<SECURITY_ATTRIBUTES>()).unwrap_or(u32::MAX),
        lpSecurityDescriptor: descriptor,
        bInheritHandle: 0,
    };
    // SAFETY: `attributes` is a valid SECURITY_ATTRIBUTES that lives across the call, as tokio requires.
    let server =
        unsafe { options.create_with_security_attributes_raw(name, (&raw mut attributes).cast::<c_void>()) };
    // SAFETY: allocated by ConvertStringSecurityDescriptorToSecurityDescriptorW; the pipe keeps its own copy.
    unsafe { LocalFree(descriptor) };
    server
}

/// The DACL of the pipe `server` as SDDL (`D:P(A;;FA;;;S-1-5-…)(A;;FA;;;SY)`): what [`create_server`] set, read
/// back from the system.
pub fn pipe_dacl(server: &NamedPipeServer) -> io::Result<String> {
    let mut descriptor: PSECURITY_DESCRIPTOR = ptr::null_mut();
    // SAFETY: the handle is the server's open pipe; out pointers we do not need are null, as documented.
    let status = unsafe {
        GetSecurityInfo(
            server.as_raw_handle(),
            SE_KERNEL_OBJECT,
            DACL_SECURITY_INFORMATION,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            &mut descriptor,
        )
    };
    if status != 0 {
        return Err(io::Error::from_raw_os_error(
            i32::try_from(status).unwrap_or(i32::MAX),
        ));
    }
    let mut text: *mut u16 = ptr::null_mut();
    // SAFETY: `descriptor` came from GetSecurityInfo; `text` is freed by take_wide.
    let ok = unsafe {
        ConvertSecurityDescriptorToStringSecurityDescriptorW(
            descriptor,
            SDDL_REVISION_1,
            DACL_SECURITY_INFORMATION,
            &mut text,
            ptr::null_mut(),
        )
    };
    let result = if ok == 0 {
        Err(io::Error::last_os_error())
    } else {
        // SAFETY: a NUL-terminated wide string allocated by the call above.
        Ok(unsafe { take_wide(text) })
    };
    // SAFETY: allocated by GetSecurityInfo.
    unsafe { LocalFree(descriptor) };
    result
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn unique(name: &str) -> std::ffi::OsString {
        format!(r"\\.\pipe\presently-winpipe-test-{name}-{}", std::process::id()).into()
    }

    #[tokio::test]
    async fn the_pipe_admits_its_user_and_system_and_nobody_else() {
        let name = unique("dacl");
        let server = create_server(ServerOptions::new().first_pipe_instance(true), &name).unwrap();
        let me = current_user_sid().unwrap();
        assert!(me.starts_with("S-1-5-"), "{me}");
        // Windows maps the generic right we ask for (GA) to the pipe's own full access (FA) when it creates the
        // pipe; Wine keeps GA as given. Either way: protected, two entries, the user and SYSTEM.
        let dacl = pipe_dacl(&server).unwrap().replace(";;FA;;;", ";;GA;;;");
        assert_eq!(dacl, format!("D:P(A;;GA;;;{me})(A;;GA;;;SY)"));
    }

    #[tokio::test]
    async fn a_client_learns_which_user_serves_the_pipe() {
        let name = unique("owner");
        let _server = create_server(&ServerOptions::new(), &name).unwrap();
        let client = tokio::net::windows::named_pipe::ClientOptions::new()
            .open(&name)
            .unwrap();
        assert_eq!(server_owner_sid(&client).unwrap(), current_user_sid().unwrap());
    }
}
