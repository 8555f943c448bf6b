#!/usr/bin/env bash
# Presently's Windows folders under Wine, with Windows' own known folders (no PRESENTLY_DATA_DIR or
# PRESENTLY_CONFIG): run by `scripts/windows.sh test`. $1: the folder of the built .exe files.
#
# Proven here:
#   1. a first sign-in keeps its files in %LOCALAPPDATA%\Presently and a setting in %APPDATA%\Presently;
#   2. a user of an earlier version, whose files are in %APPDATA%\presently\Presently\{data,config}, is moved
#      to those folders at the next start, once: still signed in (the moved token file opens with the key in the
#      Credential Manager), the setting kept, and the earlier folders gone;
#   3. a second start changes nothing.
set -euo pipefail
source "$(dirname "$0")/wine-lib.sh"

bin=$1
WINE_RUN=folders-run
fail() { wine_run_fail "$@"; }

wine_start_with_emulator "$bin"

# The known folders as Windows names them, and where they are on this side.
known() { wine cmd /c echo "%$1%" 2>/dev/null | tr -d '\r'; }
roaming=$(winepath -u "$(known APPDATA)" 2>/dev/null)
local_=$(winepath -u "$(known LOCALAPPDATA)" 2>/dev/null)
[ -d "$roaming" ] && [ -d "$local_" ] || fail "no AppData folders ($roaming, $local_)"
echo "folders-run: %APPDATA% is $roaming, %LOCALAPPDATA% is $local_"
# Wine, like Windows, does not tell names apart by case; this side does.
find_i() { find "$1" -maxdepth "$2" -ipath "$3" | sort; }

cli() { (cd "$bin" && wine presently.exe "$@" 2>>"$WINE_DIR/cli.log" | tr -d '\r'); }
BROWSER="curl -fsSL" cli login >"$WINE_DIR/login.log" || fail "presently.exe login"
cli config set tray-time-left false >/dev/null || fail "presently.exe config set"

# 1. A fresh install: the new folders, the name once.
[ -f "$local_/Presently/tokens.enc" ] || fail "no %LOCALAPPDATA%\\Presently\\tokens.enc: $(find "$local_" -maxdepth 3)"
[ -f "$roaming/Presently/settings.toml" ] || fail "no %APPDATA%\\Presently\\settings.toml: $(find "$roaming" -maxdepth 3)"
[ -z "$(find_i "$roaming" 3 "$roaming/presently/presently")" ] || fail "%APPDATA%\\presently\\Presently was made"
echo "folders-run: a first sign-in writes %LOCALAPPDATA%\\Presently\\tokens.enc and %APPDATA%\\Presently\\settings.toml"

# 2. The same user as an earlier version left them: every file under %APPDATA%\presently\Presently, as that
# version made the folders (lower-case "presently" first), and neither new folder there.
stash=$(mktemp -d "$WINE_DIR/stash.XXXX")
mv "$local_/Presently" "$stash/data"
mv "$roaming/Presently" "$stash/config"
mkdir -p "$roaming/presently/Presently"
mv "$stash/data" "$roaming/presently/Presently/data"
mv "$stash/config" "$roaming/presently/Presently/config"
moved_files=$(cd "$roaming/presently/Presently" && find . -type f | sort)
echo "folders-run: the earlier layout holds: $(tr '\n' ' ' <<<"$moved_files")"

who=$(cli whoami) || fail "whoami after the move: $(tail -5 "$WINE_DIR/cli.log")"
echo "folders-run: whoami after the move: $who"
setting=$(cli config get tray-time-left) || fail "config get after the move"
[[ "$setting" == *false* ]] || fail "the setting was not kept: $setting"
[ -f "$local_/Presently/tokens.enc" ] || fail "tokens.enc did not move to %LOCALAPPDATA%\\Presently"
settings=$(find_i "$roaming" 2 "$roaming/presently/settings.toml")
[ -n "$settings" ] || fail "settings.toml did not move to %APPDATA%\\Presently: $(find "$roaming" -maxdepth 4)"
[ -z "$(find_i "$roaming" 3 "$roaming/presently/presently")" ] ||
  fail "the earlier folder is left: $(find "$roaming/presently" -maxdepth 3)"
for f in $moved_files; do
  case "$f" in
    ./data/*) [ -e "$local_/Presently/${f#./data/}" ] || fail "$f did not move" ;;
    ./config/*) [ -n "$(find_i "$roaming" 2 "$roaming/presently/${f#./config/}")" ] || fail "$f did not move" ;;
  esac
done
echo "folders-run: moved once to %LOCALAPPDATA%\\Presently and %APPDATA%\\Presently, still signed in, setting kept"

# 3. The next start finds nothing to move and changes nothing.
before=$(cd "$local_/Presently" && find . -type f -exec md5sum {} + | sort)
cli whoami >/dev/null || fail "whoami at the next start"
after=$(cd "$local_/Presently" && find . -type f -exec md5sum {} + | sort)
[ "$before" = "$after" ] || fail "the next start changed the data folder"
echo "folders-run: passed"
