#!/usr/bin/env bash
# Builds Presently's installable package for this platform with Tauri's CLI (`npm run tauri build`): the popup UI
# (vite), the release binary with the UI embedded, then the bundle, which also carries the `presently` CLI and
# the emulator `presently-app --demo` runs (tauri.linux.conf.json: deb.files, built by beforeBundleCommand). On Linux that is one .deb and nothing else
# (tauri.linux.conf.json: bundle.targets = ["deb"]; an AppImage would download linuxdeploy). Name, id, version,
# icons, licence, description and category come from tauri.conf.json and Cargo.toml, nowhere else.
#   scripts/package.sh           build, then print the package's control data and contents
#   scripts/package.sh --check   also prove it works: dependencies satisfiable (dpkg --dry-run), unpacked into a
#                                scratch root, `presently-app --version`/`--help` run, and the unpacked app started
#                                briefly in demo mode on a throw-away desktop (scripts/gui-session.sh): its tray
#                                icon docks and its IPC answers.
# On Windows and macOS run `npm run tauri build` there (see the README); this script is for Linux.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"

if [ "${1:-}" = "--inside" ]; then
  # The running part of --check, on the virtual desktop: $2 is the unpacked root.
  root=$2
  app="$root/usr/bin/presently-app"
  export PRESENTLY_DATA_DIR="$GUI_SESSION_DIR/data" BROWSER=true
  "$app" --demo >"$GUI_SESSION_DIR/app.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  socket="$XDG_RUNTIME_DIR/presently/keeper-demo.sock"
  for _ in $(seq 150); do [ -S "$socket" ] && break; sleep 0.1; done
  [ -S "$socket" ] || { echo "package: the unpacked app did not serve its IPC"; cat "$GUI_SESSION_DIR/app.log"; exit 1; }
  icon=""
  for _ in $(seq 100); do
    icon=$(xdotool search --class "tray-icon tray app" 2>/dev/null | head -1 || true)
    [ -n "$icon" ] && break
    sleep 0.1
  done
  [ -n "$icon" ] || { echo "package: the tray icon did not dock"; cat "$GUI_SESSION_DIR/app.log"; exit 1; }
  # A second launch of the packaged binary hands over to the first (one instance) and ends.
  second=$("$app" --demo set busy --for 30m)
  echo "second launch: $second"
  [[ "$second" == "Presently is running: Busy"* ]] || { echo "package: the second launch did not hand over"; exit 1; }
  kill -0 "$pid" || { echo "package: the app ended"; cat "$GUI_SESSION_DIR/app.log"; exit 1; }
  echo "package: the unpacked app runs: IPC at $socket, tray icon window $icon"
  exit 0
fi

check=0
[ "${1:-}" = "--check" ] && check=1

bash scripts/setup.sh
say "Building the package (npm run tauri build)"
npm run --silent tauri build

case "$(uname -s)" in
  Linux) ;;
  *) say "Built: see target/release/bundle/"; exit 0 ;;
esac

version=$(python3 -c 'import json,sys; m=json.load(sys.stdin); print(next(p["version"] for p in m["packages"] if p["name"]=="presently-app"))' \
  < <(cargo metadata --format-version 1 --no-deps))
deb=$(ls target/release/bundle/deb/Presently_"${version}"_*.deb)
say "Package: $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"
others=$(find target/release/bundle -mindepth 1 -maxdepth 1 -type d ! -name deb -newer "$deb" 2>/dev/null || true)
[ -z "$others" ] || echo "package: note: other bundles were also built: $others"

[ "$check" -eq 1 ] || exit 0

say "Checking the package"
dpkg --dry-run -i "$deb" >/dev/null || { echo "package: its dependencies are not satisfiable here"; exit 1; }
echo "dependencies: satisfiable ($(dpkg-deb --field "$deb" Depends))"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
"$root/usr/bin/presently-app" --version
"$root/usr/bin/presently-app" --help | head -3
grep -q '^Exec=presently-app' "$root/usr/share/applications/Presently.desktop" \
  || { echo "package: the menu entry does not start presently-app"; exit 1; }
bash scripts/gui-session.sh bash "$0" --inside "$root"
say "Package checked: $deb"
