#!/usr/bin/env bash
# Generates every icon from the source SVGs in icons/src (never edit the PNGs by hand):
#   icons/tray/<state>.png, <state>@2x.png   tray icons, 32 and 64 px: the six statuses, signed-out, problem, syncing
#   icons/tray-template/<state>.png, @2x     the same states as macOS menu-bar templates (black + alpha, tinted by
#                                            the system; src-tauri/src/tray.rs uses them with icon_as_template)
#   icons/32x32.png 128x128.png 128x128@2x.png icon.png icon.ico icon.icns   app icons (tauri.conf.json bundle.icon)
#   icons/preview.png                          every tray icon at 16, 24 and 32 px on a light and a dark panel, then
#                                              the templates on a light panel
# Needs rsvg-convert (librsvg2-bin) and ImageMagick (convert), both in scripts/setup.sh.
#   scripts/icons.sh           regenerate in place
#   scripts/icons.sh --check   regenerate into a temporary folder and fail if a committed file differs
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"

for tool in rsvg-convert convert python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "icons: $tool is missing (run scripts/setup.sh)" >&2; exit 1; }
done

check=0
[ "${1:-}" = "--check" ] && check=1
if [ "$check" -eq 1 ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
else
  out=icons
fi
mkdir -p "$out/tray" "$out/tray-template"

# PNGs without time stamps, so regenerating unchanged sources changes no file.
png() { # svg size output
  rsvg-convert --width "$2" --height "$2" --keep-aspect-ratio "$1" -o "$3.tmp.png"
  convert "$3.tmp.png" -strip -define png:exclude-chunks=date,time "PNG32:$3"
  rm -f "$3.tmp.png"
}

states=()
for svg in icons/src/tray/*.svg; do
  name=$(basename "$svg" .svg)
  states+=("$name")
  png "$svg" 32 "$out/tray/$name.png"
  png "$svg" 64 "$out/tray/$name@2x.png"
done
for name in "${states[@]}"; do
  svg=icons/src/tray-template/$name.svg
  [ -f "$svg" ] || { echo "icons: $svg is missing (every tray state needs a macOS template)" >&2; exit 1; }
  png "$svg" 32 "$out/tray-template/$name.png"
  png "$svg" 64 "$out/tray-template/$name@2x.png"
done

app=icons/src/app.svg
png "$app" 32 "$out/32x32.png"
png "$app" 128 "$out/128x128.png"
png "$app" 256 "$out/128x128@2x.png"
png "$app" 512 "$out/icon.png"

# Windows: one .ico with the sizes Explorer and the taskbar ask for.
ico_parts=()
for s in 16 24 32 48 64 256; do
  png "$app" "$s" "$out/.ico-$s.png"
  ico_parts+=("$out/.ico-$s.png")
done
convert "${ico_parts[@]}" "$out/icon.ico"
rm -f "${ico_parts[@]}"

# macOS: an .icns is a header and PNG entries tagged with their size (ic07 = 128 ... ic10 = 1024).
for s in 32 64 128 256 512 1024; do png "$app" "$s" "$out/.icns-$s.png"; done
python3 - "$out" <<'PY'
import struct, sys, os
out = sys.argv[1]
entries = [(b"ic11", 32), (b"ic12", 64), (b"ic07", 128), (b"ic13", 256), (b"ic08", 256),
           (b"ic14", 512), (b"ic09", 512), (b"ic10", 1024)]
body = b""
for tag, size in entries:
    data = open(os.path.join(out, f".icns-{size}.png"), "rb").read()
    body += tag + struct.pack(">I", len(data) + 8) + data
open(os.path.join(out, "icon.icns"), "wb").write(b"icns" + struct.pack(">I", len(body) + 8) + body)
PY
rm -f "$out"/.icns-*.png

# The preview: each state at 16, 24 and 32 px, on a light panel row and a dark panel row.
preview_row() { # background [source folder]
  local cells=() src=${2:-tray}
  for name in "${states[@]}"; do
    for s in 16 24 32; do
      rsvg-convert --width "$s" --height "$s" "icons/src/$src/$name.svg" -o "$out/.cell-$name-$s.png"
      cells+=("$out/.cell-$name-$s.png")
    done
  done
  convert -background "$1" "${cells[@]}" -gravity center -extent 40x40 +append "$out/.row-$src-$1.png"
  rm -f "${cells[@]}"
}
preview_row '#f3f3f3'
preview_row '#202020'
preview_row '#f3f3f3' tray-template
convert "$out/.row-tray-#f3f3f3.png" "$out/.row-tray-#202020.png" "$out/.row-tray-template-#f3f3f3.png" -append -strip \
  -define png:exclude-chunks=date,time "$out/preview.png"
rm -f "$out"/.row-*.png

if [ "$check" -eq 1 ]; then
  status=0
  while IFS= read -r f; do
    rel=${f#"$out"/}
    if ! cmp -s "$f" "icons/$rel"; then
      echo "icons: icons/$rel is out of date (run scripts/icons.sh)"
      status=1
    fi
  done < <(find "$out" -type f)
  [ "$status" -eq 0 ] && echo "icons up to date: ${#states[@]} tray states"
  exit "$status"
fi
say "Icons generated: ${#states[@]} tray states (${states[*]}), app icons, icons/preview.png"
