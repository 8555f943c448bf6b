// The text face: the popup process's mark chooses the desktop's sans-serif, and nothing else does.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

import { chooseFontFamily } from "../fonts";

test("the desktop mark makes the page name WebKit's sans-serif alone", () => {
  const root = document.createElement("html");
  chooseFontFamily({ __PRESENTLY_DESKTOP_SANS__: true }, root);
  expect(root.dataset.font).toBe("desktop-sans");
});

test("without the mark, or with anything but true, the cross-platform list stays", () => {
  for (const win of [{}, { __PRESENTLY_DESKTOP_SANS__: "yes" }, { __PRESENTLY_DESKTOP_SANS__: 1 }]) {
    const root = document.createElement("html");
    chooseFontFamily(win, root);
    expect(root.dataset.font).toBeUndefined();
  }
});

test("the stylesheet answers the mark with one generic family, and keeps system-ui first otherwise", () => {
  const css = readFileSync(join(import.meta.dirname, "../style.css"), "utf8");
  expect(css).toMatch(/:root\[data-font="desktop-sans"\]\s*\{\s*font-family:\s*sans-serif;\s*\}/);
  expect(css).toMatch(/:root\s*\{[^}]*font-family:\s*system-ui,/);
});

test("the mark is the one the popup process sets", () => {
  const rust = readFileSync(join(import.meta.dirname, "../../../src-tauri/src/desktop_font.rs"), "utf8");
  expect(rust).toContain('"window.__PRESENTLY_DESKTOP_SANS__ = true;"');
});
