#!/usr/bin/env bash
# The Windows installer under Wine, headless, in a throw-away prefix: run by `scripts/windows.sh installer`.
# $1: the installer (.exe); $2: the version it must install.
#
# Proven here, as the current user with no administrator rights:
#   1. a silent install (/S, with /LOGIN: the optional login entry) puts presently-app.exe, presently.exe,
#      presently-emulator.exe, LICENSE.txt and uninstall.exe in %LOCALAPPDATA%\Programs\Presently, the Start-menu
#      entry Presently.lnk, the uninstaller under HKCU\...\Uninstall\Presently, the login entry under HKCU\...\Run
#      and launch-at-login = true in the settings;
#   2. the installed presently.exe runs (`--version` names the version);
#   3. the uninstaller, silent, leaves nothing of it: no file or folder the install made (compared with the prefix
#      before), no registry value or key naming Presently (HKCU exported before and after). The user's settings
#      folder (%APPDATA%\Presently: settings.toml, where the login option wrote its setting, and its lock file) is
#      the one thing kept, on purpose (installer/windows/presently.nsi says why), and checked to be the only one.
set -euo pipefail
source "$(dirname "$0")/wine-lib.sh"

installer=$1
version=$2
fail() {
  echo "installer-run: FAILED: $*" >&2
  exit 1
}

wine_prefix_start
trap wine_prefix_stop EXIT
w() { wine "$@" 2>/dev/null | tr -d '\r'; }
known() { w cmd /c echo "%$1%"; }
roaming=$(realpath "$(winepath -u "$(known APPDATA)" 2>/dev/null)")
local_=$(realpath "$(winepath -u "$(known LOCALAPPDATA)" 2>/dev/null)")
[ -d "$roaming" ] && [ -d "$local_" ] || fail "no AppData folders"

# Everything on C: but Windows' own folder and the temporary files, and everything in HKCU, as text.
files() { (cd "$WINEPREFIX/drive_c" && find . -path ./windows -prune -o -path '*/Temp' -prune -o -print | sort); }
registry() { # $1: file
  w reg export HKCU "$(winepath -w "$1")" /y >/dev/null
  iconv -f UTF-16 -t UTF-8 "$1" | tr -d '\r' | grep -i presently || true
}
files >"$WINE_DIR/files.before"
registry "$WINE_DIR/before.reg" >"$WINE_DIR/registry.before"
[ ! -s "$WINE_DIR/registry.before" ] || fail "the fresh prefix already names Presently: $(cat "$WINE_DIR/registry.before")"

# 1. Install.
cp "$installer" "$WINE_DIR/installer.exe"
(cd "$WINE_DIR" && wine installer.exe /S /LOGIN >/dev/null 2>&1) || fail "the silent install exited with $?"
wineserver --wait
dir="$local_/Programs/Presently"
for f in presently-app.exe presently.exe presently-emulator.exe LICENSE.txt uninstall.exe; do
  [ -f "$dir/$f" ] || fail "$f is not in %LOCALAPPDATA%\\Programs\\Presently ($(ls "$dir" 2>&1 | tr '\n' ' '))"
done
echo "installer-run: installed in %LOCALAPPDATA%\\Programs\\Presently: $(ls "$dir" | tr '\n' ' ')"
shortcut="$roaming/Microsoft/Windows/Start Menu/Programs/Presently.lnk"
[ -f "$shortcut" ] || fail "no Start-menu entry ($(find "$roaming/Microsoft" -name '*.lnk' 2>&1 | tr '\n' ' '))"
grep -aq 'presently-app.exe' "$shortcut" || fail "the Start-menu entry does not start presently-app.exe"
echo "installer-run: the Start-menu entry Presently.lnk starts presently-app.exe"
key='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Presently'
value() { w reg query "$1" /v "$2" | awk -v v="$2" '$1 == v { $1 = ""; $2 = ""; sub(/^ +/, ""); print }'; }
[ "$(value "$key" DisplayName)" = Presently ] || fail "no DisplayName under $key"
[ "$(value "$key" DisplayVersion)" = "$version" ] || fail "DisplayVersion is not $version"
uninstall=$(value "$key" QuietUninstallString)
[[ "$uninstall" == *'\Programs\Presently\uninstall.exe" /S' ]] || fail "QuietUninstallString: $uninstall"
echo "installer-run: registered under $key (version $version): $uninstall"
run=$(value 'HKCU\Software\Microsoft\Windows\CurrentVersion\Run' Presently)
[[ "$run" == *'\Programs\Presently\presently-app.exe" --autostart' ]] || fail "login entry: '$run'"
echo "installer-run: the login entry: $run"
# The export sees what the install wrote (so an empty export after uninstalling means something).
installed_reg=$(registry "$WINE_DIR/installed.reg")
grep -q 'CurrentVersion\\Uninstall\\Presently\]' <<<"$installed_reg" || fail "HKCU's export does not show the install"
grep -q '^"Presently"=' <<<"$installed_reg" || fail "HKCU's export does not show the login entry"

# 2. The installed programs run.
installed=$(winepath -w "$dir")
said=$(w "$installed\\presently.exe" --version) || fail "the installed presently.exe --version"
[[ "$said" == *"$version"* ]] || fail "presently.exe --version said: $said"
setting=$(w "$installed\\presently.exe" config get launch-at-login) || fail "config get launch-at-login"
[[ "$setting" == *true* ]] || fail "the login option did not set launch-at-login: $setting"
echo "installer-run: the installed presently.exe --version: $said; launch-at-login: true"

# 3. Uninstall, as Settings > Apps would (silently), and wait for its copy in %TEMP% to end.
program=${uninstall#\"}
program=${program%%\"*}
(cd "$WINE_DIR" && wine "$program" /S >/dev/null 2>&1) || fail "the silent uninstall failed"
wineserver --wait
files >"$WINE_DIR/files.after"
registry "$WINE_DIR/after.reg" >"$WINE_DIR/registry.after"
left=$(comm -13 "$WINE_DIR/files.before" "$WINE_DIR/files.after")
settings=".${roaming#"$(realpath "$WINEPREFIX/drive_c")"}/Presently"
grep -qx "$settings/settings.toml" <<<"$left" || fail "the settings file is not where the test expects it: $left"
others=$(grep -vx -e "$settings" -e "$settings/.*" <<<"$left" || true)
[ -z "$others" ] || fail "left behind after uninstalling: $(tr '\n' ' ' <<<"$others")"
[ ! -s "$WINE_DIR/registry.after" ] || fail "registry entries left: $(cat "$WINE_DIR/registry.after")"
echo "installer-run: uninstalled: no file, folder or registry entry left but the user's settings file"
echo "installer-run: passed"
