// What app.test.mjs and tour.mjs both do to the real app: start the tray process in demo mode and learn where its
// emulator and IPC are, put a popup process under WebDriver (tauri-driver starts it with the command line the tray
// itself uses, src-tauri/src/launcher.rs), and read or click the popup.

import path from "node:path";

import { Fatal, freePort, listening, searchClass, sh, startProcess, waitFor } from "./harness.mjs";
import { Session } from "./webdriver.mjs";

export const REPO =
  process.env.E2E_REPO ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
export const APP = process.env.E2E_APP ?? path.join(REPO, "target", "debug", "presently-app");
const TAURI_DRIVER = process.env.E2E_TAURI_DRIVER ?? "tauri-driver";

const stripAnsi = (text) => text.replace(/\x1b\[[0-9;]*m/g, "");

/**
 * Starts `presently-app --demo` (process name `name`) with `browser` as its $BROWSER, and waits until it says
 * where its emulator is and serves its IPC. Returns the process, the emulator's base URL and the IPC socket.
 */
export async function startDemoApp(name, browser) {
  const app = startProcess(name, APP, ["--demo"], { env: { BROWSER: browser, NO_COLOR: "1" } });
  const log = () => {
    const code = app.exitCode ?? app.signalCode;
    if (code !== null) throw new Fatal(`the tray process exited (${code}):\n${app.output()}`);
    return stripAnsi(app.output());
  };
  const line = await waitFor("the demo to say where its emulator is", () =>
    /what colleagues see is at (http:\/\/127\.0\.0\.1:\d+)\//.exec(log()),
  );
  const running = await waitFor("the tray process to serve its IPC", () =>
    /Presently is running.*ipc=(\S+)/.exec(log()),
  );
  return { app, emulator: line[1], socket: running[1] };
}

/**
 * Starts tauri-driver (process name `name`) and, through it, the popup process the tray would start for the IPC
 * at `socket`. Returns the driver process, its URL and the WebDriver session.
 */
export async function startPopupSession(name, socket) {
  const port = await freePort();
  const nativePort = await freePort();
  const driver = startProcess(name, TAURI_DRIVER, ["--port", String(port), "--native-port", String(nativePort)]);
  const driverUrl = `http://127.0.0.1:${port}`;
  // tauri-driver forwards to WebKitWebDriver, which it starts: both must listen.
  await waitFor("WebKitWebDriver to listen", () => listening(nativePort));
  await waitFor("tauri-driver to listen", () => fetch(`${driverUrl}/status`).then((r) => r.ok));
  // The command line src-tauri/src/launcher.rs gives the popup (Launcher::popup_args without a tray rectangle).
  const session = await Session.start(driverUrl, APP, ["--popup", "--ipc", socket]);
  return { driver, driverUrl, session };
}

/** The text of the popup element matching `selector`, or null. */
export async function popupText(session, selector = "body") {
  const script = "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;";
  return session.execute(script, selector);
}

/** Clicks the popup element matching `selector`, waiting for it to exist first. */
export async function clickInPopup(session, selector) {
  const element = await waitFor(`${selector} in the popup`, () => session.find(selector), { timeoutMs: 10_000 });
  await session.click(element);
}

/** The popup's window if it is on screen (titled "Presently", tauri.conf.json), else null. */
export async function popupWindow() {
  for (const w of await searchClass("^presently-app$", { onlyVisible: true })) {
    if ((await sh("xdotool", "getwindowname", w).catch(() => "")) === "Presently") return w;
  }
  return null;
}
