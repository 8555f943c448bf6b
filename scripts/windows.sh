#!/usr/bin/env bash
# Windows, built and run here: the x86_64-pc-windows-gnu executables linked with Debian's MinGW-w64, and run under
# Wine 8 in a throw-away prefix (scripts/windows/wine-lib.sh).
#   scripts/windows.sh build [--release]   presently.exe, presently-app.exe (popup UI embedded, as `tauri build`
#                                           does: the custom-protocol feature), presently-emulator.exe, each with
#                                           the app's icon and version resource (checked); prints sizes. Without
#                                           --release, the test suites are compiled in the same cargo run.
#   scripts/windows.sh test                 the Rust test suites of winpipe, model, graph, auth, core, cli, testkit, run
#                                           under Wine (as cargo's runner would); prints `N passed, 0 failed` and
#                                           every test that did not run, by name and reason. Then Presently's folders under
#                                           Wine's own known folders (scripts/windows/folders-run.sh).
#   scripts/windows.sh installer [--release] the NSIS installer (installer/windows/presently.nsi) of the built .exe
#                                           files, made with makensis; prints its size; then installs it silently
#                                           under Wine, runs it and uninstalls it (scripts/windows/installer-run.sh).
#   scripts/windows.sh tray [--screenshots] the built app under Wine's virtual desktop on a virtual X display
#                                           (scripts/windows/tray-run.sh says what it proves and what it cannot);
#                                           --screenshots copies its pictures to docs/images/.
#   scripts/windows.sh all                  build, installer, test, tray (what `npm test` runs).
#
# The profile. Everything here builds with Cargo.toml's `ci` profile (unoptimised, no debug info, stripped, debug
# assertions on), in one cargo run (compile_ci): the executables and the test suites share it, so every dependency
# compiles once for Windows. Two profiles (dev for the tests, release for the executables) compiled every dependency
# twice, the shipped release profile's fat LTO alone takes minutes to link the app, and separate cargo runs resolve
# features differently and compile many crates again; `npm test` has a 45-minute budget on a 2-core machine.
# `build --release` builds what ships (the `release` profile: fat LTO, opt-level "s") when wanted.
# Output: target/x86_64-pc-windows-gnu/{ci,release}/*.exe and Presently-<version>-x64-installer.exe beside them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/windows/wine-lib.sh"
cd "$(repo_root)"

PROFILE=ci
SUITES="target/$WINDOWS_TARGET/$PROFILE/wine-suites.tsv"
TEST_CRATES=(presently-winpipe presently-wintray presently-model presently-graph presently-auth presently-core presently-cli presently-testkit)

need_target() {
  rustup target list --installed | grep -qx "$WINDOWS_TARGET" || rustup target add "$WINDOWS_TARGET"
  command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || {
    echo "windows: x86_64-w64-mingw32-gcc is missing (run scripts/setup.sh)" >&2
    exit 1
  }
}

# The `ci` build: ONE cargo run compiles the three executables (each package's integration tests make cargo link
# its binaries) and the test suites of TEST_CRATES. Cargo resolves features once per run, over the packages it is
# given: the three runs this replaced (the CLI and emulator, the app, the tests) each resolved them differently
# and compiled about 150 of the same crates again, and running the CLI's tests on their own compiled more. The
# price is that the emulator's and the app's own test suites are compiled too (not run: they run on Linux).
# The suites to run under Wine are listed in $SUITES (package, target, kind, package folder, executable).
compile_ci() {
  need_target
  ensure_ui_built
  local packages=() c
  for c in "${TEST_CRATES[@]}" presently-emulator presently-app; do packages+=(-p "$c"); done
  say "Windows: compiling presently.exe, presently-app.exe (UI embedded), presently-emulator.exe and the tests ($PROFILE)"
  mkdir -p "target/$WINDOWS_TARGET/$PROFILE"
  cargo test --locked --target "$WINDOWS_TARGET" --profile "$PROFILE" "${packages[@]}" \
    --features presently-app/custom-protocol --no-run --message-format=json-render-diagnostics |
    python3 -c '
import json, sys
wanted = set(sys.argv[1:])
for line in sys.stdin:
    if not line.startswith("{"):
        continue
    m = json.loads(line)
    if m.get("reason") != "compiler-artifact" or not m.get("executable") or not m["profile"]["test"]:
        continue
    # "path+file:///…/crates/cli#presently-cli@0.1.0", or "…/name#0.1.0" when the folder has the package name.
    url, _, frag = m["package_id"].partition("#")
    name = frag.split("@")[0] if "@" in frag else url.rstrip("/").rsplit("/", 1)[-1]
    if name in wanted:
        folder = m["manifest_path"].rsplit("/", 1)[0]
        print("\t".join([name, m["target"]["name"], m["target"]["kind"][0], folder, m["executable"]]))
' "${TEST_CRATES[@]}" >"$SUITES"
  [ -s "$SUITES" ] || { echo "windows: no test suites were built" >&2; exit 1; }
}

human() { numfmt --to=iec-i --suffix=B --format='%.1f' "$1"; }

# True when the PE file $1 carries a version resource (VS_VERSION_INFO, UTF-16) naming version $2, and an icon.
has_resources() {
  python3 - "$1" "$2" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
version = sys.argv[2]
need = {"VS_VERSION_INFO": "VS_VERSION_INFO".encode("utf-16-le"),
        "FileVersion " + version: version.encode("utf-16-le")}
missing = [name for name, needle in need.items() if needle not in data]
# The resource directory's top level lists the types; RT_GROUP_ICON is 14.
pe = struct.unpack_from("<I", data, 0x3C)[0]
sections = struct.unpack_from("<H", data, pe + 6)[0]
opt = struct.unpack_from("<H", data, pe + 20)[0]
rva_rsrc = struct.unpack_from("<I", data, pe + 24 + 112 + 2 * 8)[0]  # PE32+: data directory 2 = resources
types = []
for i in range(sections):
    off = pe + 24 + opt + 40 * i
    va, raw_size, raw_ptr = struct.unpack_from("<I", data, off + 12)[0], *struct.unpack_from("<II", data, off + 16)
    if va <= rva_rsrc < va + raw_size:
        base = raw_ptr + (rva_rsrc - va)
        named, ids = struct.unpack_from("<HH", data, base + 12)
        for e in range(named + ids):
            types.append(struct.unpack_from("<I", data, base + 16 + 8 * e)[0])
if 14 not in types:
    missing.append("icon (RT_GROUP_ICON)")
if missing:
    print("missing: " + ", ".join(missing))
    sys.exit(1)
print("icon and version " + version)
EOF
}

build() {
  local dir=$PROFILE
  [ "${1:-}" = "--release" ] && dir=release
  local start=$SECONDS
  if [ "$dir" = release ]; then
    need_target
    ensure_ui_built
    say "Windows: linking presently.exe, presently-app.exe (UI embedded) and presently-emulator.exe ($dir)"
    # Two runs, so that the app's dependencies get no features from the CLI's or the emulator's, as shipped.
    cargo build --locked --target "$WINDOWS_TARGET" --profile release -p presently-cli -p presently-emulator
    cargo build --locked --target "$WINDOWS_TARGET" --profile release \
      -p presently-app --bin presently-app --features custom-protocol
  else
    compile_ci
  fi
  local out="target/$WINDOWS_TARGET/$dir" version
  version=$(app_version)
  for exe in presently.exe presently-app.exe presently-emulator.exe; do
    [ -f "$out/$exe" ] || { echo "windows: $out/$exe was not built" >&2; exit 1; }
    printf '  %-24s %10s\n' "$exe" "$(human "$(stat -c %s "$out/$exe")")"
  done
  for exe in presently.exe presently-app.exe presently-emulator.exe; do
    printf '  %-24s ' "$exe"
    has_resources "$out/$exe" "$version"
  done
  echo "windows: built in $((SECONDS - start)) s"
}

app_version() {
  cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="presently-app"))'
}

# The installer of the built executables, then its run under Wine.
installer() {
  local dir=$PROFILE
  [ "${1:-}" = "--release" ] && dir=release
  local out="target/$WINDOWS_TARGET/$dir" version start=$SECONDS
  need_exes "$out"
  command -v makensis >/dev/null 2>&1 || { echo "windows: makensis is missing (run scripts/setup.sh)" >&2; exit 1; }
  version=$(app_version)
  local setup="$out/Presently-$version-x64-installer.exe"
  say "Windows: the installer ($setup, makensis $(makensis -VERSION))"
  makensis -V2 -DVERSION="$version" -DBIN="$(pwd)/$out" -DROOT="$(pwd)" -DOUTFILE="$(pwd)/$setup" \
    installer/windows/presently.nsi
  printf '  %-36s %10s\n' "$(basename "$setup")" "$(human "$(stat -c %s "$setup")")"
  say "Windows: installing, running and uninstalling it under Wine"
  bash scripts/windows/installer-run.sh "$(pwd)/$setup" "$version"
  echo "windows: installer built and checked in $((SECONDS - start)) s"
}

# The test suites under Wine. Each test executable runs through `wine` (run_suites); each one's output goes
# to the log, which is then summed up. A test that did not run is either #[ignore]d (libtest prints it) or says
# "NOT RUN: <name>: <why>" on stderr (the credential-store tests when no store answers; here one must answer:
# PRESENTLY_REQUIRE_KEYRING=1 makes a missing Credential Manager a failure).
test_under_wine() {
  local start=$SECONDS
  compile_ci
  say "Windows: running the test suites under $(wine --version) in a throw-away prefix"
  wine_prefix_start
  trap wine_prefix_stop EXIT
  # One wineserver for all the suites (wine_prefix_stop ends it): by itself it exits a moment after its last
  # client, and a suite started in that moment failed at once ("wine client error:0: recvmsg: Connection reset
  # by peer"), seen twice in 31 suites.
  wineserver --persistent
  local log="$WINE_DIR/test.log" status=0
  export PRESENTLY_REQUIRE_KEYRING=1
  run_suites "$log" || status=$?
  summarize "$log" || status=1
  wine_prefix_stop
  trap - EXIT
  local out="target/$WINDOWS_TARGET/$PROFILE"
  need_exes "$out"
  say "Windows: Presently's folders under Wine's known folders (%LOCALAPPDATA%, %APPDATA%)"
  bash scripts/windows/folders-run.sh "$(pwd)/$out" || status=1
  echo "windows: tests took $((SECONDS - start)) s"
  return "$status"
}

# Runs each suite of $SUITES under Wine, from its package's folder, as `cargo test` would (cargo would compile
# again first: see compile_ci). The CLI's tests run the real `presently.exe`, whose key entry in the Credential
# Manager ("Presently") is one per Windows user, as it should be: tests that sign in and out side by side would
# replace each other's key, so they run one after the other.
run_suites() { # log
  local status=0 package name kind folder exe args out="$WINE_DIR/suite.out"
  while IFS=$'\t' read -r package name kind folder exe; do
    args=()
    [ "$package" = presently-cli ] && args=(--test-threads=1)
    # Into a file, not a pipe: Wine's services (winedevice.exe) inherit the output and live as long as the
    # wineserver, so a pipe would not end before the prefix does.
    echo "     Running $package $kind $name ($exe)" | tee -a "$1"
    local passed=yes
    (cd "$folder" && wine "$exe" "${args[@]}" </dev/null >"$out" 2>&1) || passed=""
    tee -a "$1" <"$out"
    if [ -z "$passed" ]; then
      echo "error: test failed: $package $kind $name" | tee -a "$1"
      status=1
    fi
  done <"$SUITES"
  return "$status"
}

summarize() {
  python3 - "$1" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
passed = failed = ignored = 0
for m in re.finditer(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored", text):
    passed += int(m.group(1)); failed += int(m.group(2)); ignored += int(m.group(3))
skipped = re.findall(r"^test (\S+) \.\.\. ignored(?:, (.*))?$", text, re.M)
not_run = re.findall(r"^NOT RUN: (\S+): (.*)$", text, re.M)
binaries_failed = re.findall(r"^error: test failed: (.*)$", text, re.M)
print()
print(f"Windows tests under Wine: {passed} passed, {failed} failed, {ignored + len(not_run)} not run")
for name, why in skipped:
    print(f"  skipped {name}: {why or 'ignored (no reason given)'}")
for name, why in not_run:
    print(f"  skipped {name}: {why}")
for b in binaries_failed:
    print(f"  FAILED test binary: {b}")
sys.exit(1 if failed or binaries_failed or passed == 0 else 0)
EOF
}

need_exes() {
  for exe in presently.exe presently-app.exe presently-emulator.exe; do
    [ -f "$1/$exe" ] || { echo "windows: $1/$exe is missing (scripts/windows.sh build)" >&2; exit 1; }
  done
}

tray() {
  local out="target/$WINDOWS_TARGET/$PROFILE" shots=""
  [ "${1:-}" = "--screenshots" ] && shots="$(pwd)/docs/images"
  need_exes "$out"
  say "Windows: the tray app under Wine's virtual desktop"
  local start=$SECONDS
  bash scripts/gui-session.sh bash scripts/windows/tray-run.sh "$(pwd)/$out" $shots
  echo "windows: tray run took $((SECONDS - start)) s"
}

case "${1:-all}" in
  build) build "${2:-}" ;;
  test) test_under_wine ;;
  installer) installer "${2:-}" ;;
  tray) tray "${2:-}" ;;
  all)
    build
    installer
    test_under_wine
    tray
    ;;
  *)
    echo "usage: scripts/windows.sh [build [--release]|installer [--release]|test|tray [--screenshots]|all]" >&2
    exit 2
    ;;
esac
