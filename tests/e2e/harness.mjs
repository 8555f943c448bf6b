// The end-to-end harness: registers tests and runs them in order, starts the processes they need (each in a
// process group of its own, so everything it spawns ends with it), waits for conditions, and reads the screen.
// No test framework: `node tests/e2e/app.test.mjs` inside scripts/gui-session.sh, through scripts/e2e.sh.

import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Where logs and results of this run go (scripts/e2e.sh makes it; it outlives the virtual desktop). */
export const OUT = process.env.E2E_OUT ?? fs.mkdtempSync("/tmp/presently-e2e-");

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------
// Tests

const tests = [];

/**
 * Registers a test. `needs` names earlier tests whose success this one builds on: when one of them failed,
 * this one fails at once ("not run") instead of timing out against an app in an unknown state.
 */
export function test(name, fn, { needs = [], timeoutMs = 60_000 } = {}) {
  tests.push({ name, fn, needs, timeoutMs });
}

/** Runs every registered test in order, then `cleanup`; writes `results.json` and returns the failure count. */
export async function runTests(cleanup) {
  const outcome = new Map();
  const results = [];
  for (const t of tests) {
    const started = Date.now();
    const missing = t.needs.filter((n) => outcome.get(n) !== true);
    let error = null;
    if (missing.length > 0) {
      error = new Error(`not run: it needs ${missing.map((n) => `"${n}"`).join(", ")}`);
    } else {
      let timer;
      try {
        await Promise.race([
          t.fn(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs / 1000} s`)), t.timeoutMs);
          }),
        ]);
      } catch (e) {
        error = e;
      } finally {
        clearTimeout(timer);
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    outcome.set(t.name, error === null);
    results.push({ name: t.name, ok: error === null, error: error ? String(error.stack ?? error) : null });
    if (error === null) {
      console.log(`ok    ${t.name} (${seconds} s)`);
    } else {
      const detail = String(error.stack ?? error).replaceAll("\n", "\n      ");
      console.log(`FAIL  ${t.name} (${seconds} s)\n      ${detail}`);
    }
  }
  if (cleanup) {
    try {
      await cleanup();
    } catch (e) {
      results.push({ name: "clean-up", ok: false, error: String(e.stack ?? e) });
      console.log(`FAIL  clean-up\n      ${e}`);
    }
  }
  fs.writeFileSync(path.join(OUT, "results.json"), JSON.stringify(results, null, 2));
  return results.filter((r) => !r.ok).length;
}

/** An error that ends a `waitFor` at once (the thing waited for can no longer happen). */
export class Fatal extends Error {}

/**
 * Waits until `probe()` returns a truthy value (returned), polling every `everyMs`; fails with `what`. A probe
 * that throws is tried again, unless it throws `Fatal`.
 */
export async function waitFor(what, probe, { timeoutMs = 15_000, everyMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  let lastError;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      lastError = undefined;
      if (last) return last;
    } catch (e) {
      if (e instanceof Fatal) throw e;
      lastError = e;
    }
    await sleep(everyMs);
  }
  const seen = lastError ? `last error: ${lastError.message ?? lastError}` : `last seen: ${JSON.stringify(last)}`;
  throw new Error(`waited ${timeoutMs / 1000} s for ${what}; ${seen}`);
}

// ---------------------------------------------------------------------------------------------------------
// Processes

const started = [];

/**
 * Starts `command` in a process group of its own, its output in `OUT/<name>.log`. Returns the child with
 * `exited` (a promise of the exit code) and `output()` (the log so far).
 */
export function startProcess(name, command, args, { env = {} } = {}) {
  const log = path.join(OUT, `${name}.log`);
  const fd = fs.openSync(log, "a");
  const child = spawn(command, args, {
    detached: true,
    stdio: ["ignore", fd, fd],
    env: { ...process.env, ...env },
  });
  fs.closeSync(fd);
  child.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  child.output = () => fs.readFileSync(log, "utf8");
  child.label = name;
  started.push(child);
  return child;
}

/** Whether the process group of `child` still has a member. */
function groupAlive(child) {
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Ends every process group started here: SIGTERM, then SIGKILL for what is still there after 3 s. */
export async function stopAll() {
  for (const child of started.reverse()) {
    if (!groupAlive(child)) continue;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // gone in between
    }
    const deadline = Date.now() + 3000;
    while (groupAlive(child) && Date.now() < deadline) await sleep(50);
    if (groupAlive(child)) {
      console.log(`      (${child.label} ignored SIGTERM; killing its process group)`);
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone in between
      }
    }
  }
  started.length = 0;
}

/** A free TCP port on the loopback (for tauri-driver and its WebKitWebDriver). */
export async function freePort() {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export async function listening(port) {
  const net = await import("node:net");
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Live processes (not zombies, not this one) whose environment carries `E2E_RUN_ID=<id>` (this run's, by
 * default) and whose command line matches `pattern`, as "pid command line".
 */
export function processesOfThisRun(pattern, id = process.env.E2E_RUN_ID) {
  if (!id) throw new Error("E2E_RUN_ID is not set: run the tests through scripts/e2e.sh");
  const marker = `E2E_RUN_ID=${id}`;
  const found = [];
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      if (status.slice(status.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      if (!environ.includes(marker)) continue;
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      if (pattern.test(cmdline)) found.push(`${pid} ${cmdline}`);
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// HTTP

/** JSON from `url` (loopback only), failing on a non-2xx answer. */
export async function getJson(url) {
  assertLoopback(url);
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** POSTs `body` as JSON to `url` (loopback only); the answer's JSON (null when empty), failing on a non-2xx. */
export async function postJson(url, body) {
  assertLoopback(url);
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url}: HTTP ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export function assertLoopback(url) {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) throw new Error(`refusing to contact ${url}`);
}

// ---------------------------------------------------------------------------------------------------------
// The screen (X11 under Xvfb)

/** Runs a command; its stdout (trimmed). */
export async function sh(command, ...args) {
  const { stdout } = await run(command, args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** `xdotool getwindowgeometry --shell` as numbers: {x, y, width, height}. */
export async function windowGeometry(window) {
  const shell = await sh("xdotool", "getwindowgeometry", "--shell", String(window));
  const value = (key) => Number(new RegExp(`^${key}=(-?\\d+)$`, "m").exec(shell)?.[1]);
  return { x: value("X"), y: value("Y"), width: value("WIDTH"), height: value("HEIGHT") };
}

/** Windows whose WM_CLASS matches `pattern` (xdotool search), as ids; empty when none. */
export async function searchClass(pattern, { onlyVisible = false } = {}) {
  try {
    const args = ["search", ...(onlyVisible ? ["--onlyvisible"] : []), "--class", pattern];
    return (await sh("xdotool", ...args)).split("\n").filter(Boolean);
  } catch {
    return []; // xdotool exits 1 when nothing matches
  }
}

/** Takes a screenshot of the whole screen into `file` (ImageMagick's `import -window root`). */
export async function screenshot(file) {
  await sh("import", "-window", "root", file);
  return file;
}

/** Crops `rect` of `image` into `out` (PNG, metadata stripped so the file is reproducible). */
export async function crop(image, rect, out) {
  await sh("convert", image, "-crop", `${rect.width}x${rect.height}+${rect.x}+${rect.y}`, "+repage", "-strip", out);
  return out;
}

/** The pixels of `rect` in `image`: [[r, g, b], ...] row by row. */
export async function pixels(image, rect) {
  const { stdout } = await run(
    "convert",
    [image, "-crop", `${rect.width}x${rect.height}+${rect.x}+${rect.y}`, "+repage", "-depth", "8", "rgb:-"],
    { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 },
  );
  const out = [];
  for (let i = 0; i + 2 < stdout.length; i += 3) out.push([stdout[i], stdout[i + 1], stdout[i + 2]]);
  return out;
}

/** `#RRGGBB` → [r, g, b]. */
export function rgb(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a colour: ${hex}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

export function hex([r, g, b]) {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

/** The share of `pixels` within `tolerance` (per channel) of `colour`. */
export function shareNear(list, colour, tolerance = 24) {
  const near = list.filter((p) => p.every((c, i) => Math.abs(c - colour[i]) <= tolerance)).length;
  return list.length === 0 ? 0 : near / list.length;
}

/** The most frequent colours of `pixels`, most frequent first: [{colour: "#rrggbb", share}]. */
export function commonColours(list, count = 4) {
  const tally = new Map();
  for (const p of list) tally.set(hex(p), (tally.get(hex(p)) ?? 0) + 1);
  return [...tally.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([colour, n]) => ({ colour, share: Number((n / list.length).toFixed(3)) }));
}
