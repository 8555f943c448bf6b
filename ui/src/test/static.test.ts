// Rules about the source itself: one file talks to Tauri, nothing builds HTML from strings, no inline styles.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const src = join(import.meta.dirname, "..") + "/";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** The app's own code: what ships (tests and the dev-only preview excluded). */
const shipped = files(src)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
  .filter((f) => !f.includes("/test/") && !f.includes("/preview/"));

test("ipc.ts is the only shipped file that imports @tauri-apps/api", () => {
  expect(shipped.length).toBeGreaterThan(5);
  const importers = shipped.filter((f) => /from\s+["']@tauri-apps\/api/.test(readFileSync(f, "utf8")));
  expect(importers.map((f) => f.slice(src.length))).toEqual(["ipc.ts"]);
});

test("no shipped file parses HTML or sets inline styles (the CSP is default-src 'self')", () => {
  for (const file of shipped) {
    const code = readFileSync(file, "utf8");
    expect(code, file).not.toMatch(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/);
    expect(code, file).not.toMatch(/setAttribute\(\s*["']style["']|\.style\./);
  }
});

test("index.html has no inline script or style and loads nothing from outside", () => {
  const html = readFileSync(join(src, "../index.html"), "utf8");
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/<style|style=/);
  expect(html).not.toMatch(/https?:\/\//);
});
