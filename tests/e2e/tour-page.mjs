// Writes docs/tour.md from the tour's index.json (tests/e2e/tour.mjs): one line per screen, its light and dark
// pictures side by side, in the order they were taken.
//   node tests/e2e/tour-page.mjs docs/images/tour/index.json docs/tour.md

import fs from "node:fs";

const [index, page] = process.argv.slice(2);
const pictures = JSON.parse(fs.readFileSync(index, "utf8"));
const img = (file, alt) =>
  `<img src="images/tour/${file}" alt="${alt.replaceAll('"', "&quot;")}" width="${file.startsWith("tray-") ? 460 : 300}">`;
const lines = [
  "# A tour of every screen",
  "",
  "Every screen of the popup, light and dark, and the tray menu in each state, as the real app in demo mode shows",
  "them on a virtual desktop. `bash scripts/tour.sh` takes them again (tests/e2e/tour.mjs); `npm test` runs a",
  "quick tour (the first screens, about 30 s) to check that they can be reached and are not blank, without",
  "changing these files. The dark pictures switch on the page's own dark colours; WebKitGTK draws a drop-down",
  "list in the desktop's theme, which is light on the virtual desktop, so the Cloud list stays light there.",
  "",
];
for (const { file, what } of pictures) {
  if (file.endsWith("-dark.png")) continue;
  const dark = pictures.find((p) => p.file === file.replace(/-light\.png$/, "-dark.png") && p.file !== file);
  const shown = dark ? `${img(file, what)} ${img(dark.file, dark.what)}` : img(file, what);
  lines.push(`**${what}**<br>${shown}`, "");
}
fs.writeFileSync(page, lines.join("\n"));
console.log(`Wrote ${page}: ${pictures.length} pictures`);
