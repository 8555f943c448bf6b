// End-to-end tests of the real tray app (`presently-app --demo`) on a virtual desktop with a real panel: the popup
// driven through WebDriver (tauri-driver + WebKitWebDriver), the tray icon read off the screen and its menu
// clicked with xdotool, and Microsoft 365's side read from the emulator the demo runs inside the app.
//
// Run through `bash scripts/e2e.sh` (it builds the app with the popup UI embedded and runs this file inside
// scripts/gui-session.sh). Environment: E2E_APP (the app binary), E2E_OUT (logs, results), E2E_RUN_ID (marks
// every process of this run, so the clean-up check finds exactly ours), E2E_REPO (the repository).
//
// How the popup is put under WebDriver: tauri-driver starts the binary it is given and drives the webview of
// that process. The popup is its own process, `presently-app --popup --ipc <socket>`, which the tray process
// normally spawns with exactly these arguments (src-tauri/src/launcher.rs). So the test starts the tray process
// itself, and has tauri-driver start the popup process with the same command line the tray would use, pointed
// at the tray process's IPC socket. The popup under test is the real popup, talking to the real tray process;
// only its parent differs. No test hook in the app, and the tray process still never hosts a webview. The
// launcher's own spawn is tested too: "Open Presently" in the tray menu must start the same command line.
//
// Sign-in goes through the emulator's real pages, not its auto-approval: the app opens them with the system
// browser, which honours $BROWSER; the test's "browser" records the URL and the test clicks through the pages
// over HTTP (account picker, consent) and follows the redirect to the app's loopback listener, as a person
// would (signin-page.mjs). So the browser half of the PKCE sign-in is exercised, not skipped.
//
// The tray: tint2 docks the icon window Tauri creates (XEmbed) inside its panel; the test finds that window
// among tint2's descendants, reads its rectangle, and compares the screen's pixels there with the colour of the
// expected icon's SVG source. Its menu is opened by clicking the icon with xdotool, and items are found on the
// screen (check boxes and label lines, tray.mjs) and clicked with the pointer.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

import {
  OUT,
  crop,
  getJson,
  postJson,
  processesOfThisRun,
  runTests,
  screenshot,
  searchClass,
  sh,
  sleep,
  stopAll,
  test,
  waitFor,
  windowGeometry,
} from "./harness.mjs";
import {
  APP,
  REPO,
  clickInPopup,
  popupText,
  popupWindow,
  startDemoApp,
  startPopupSession,
} from "./popup-app.mjs";
import { openedUrls, recordingBrowser, signInThroughPages } from "./signin-page.mjs";
import {
  clickMenuItem,
  closeTrayMenu,
  dockedIcon,
  iconColour,
  menuLabelRows,
  openTrayMenu,
  trayMenuItems,
  waitForIconColour,
} from "./tray.mjs";
import { ipcCall, settled, snapshot } from "./keeper.mjs";
import { Session } from "./webdriver.mjs";

/** The default client id (contract §6), which is also the sessionId of Presently's presence session (contract §2). */
const CLIENT_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
/** A seeded user other than the account picker's first, so the test really picks. */
const USER = "megan.bowen@contoso.onmicrosoft.com";

const urlsFile = path.join(OUT, "browser-urls.txt");
const screenFile = path.join(OUT, "screen.png");
/** Where the README images go; scripts/e2e.sh copies them to docs/images when every test passed. */
const images = process.env.E2E_IMAGES ?? path.join(OUT, "images");

/** What the tests learn along the way. */
const run = { app: null, emulator: null, socket: null, driver: null, driverUrl: null, session: null, oid: null };

/** Waits until the keeper has nothing in flight, before opening the tray menu (see keeper.mjs, `settled`). */
async function keeperSettled() {
  return waitFor("the keeper to settle (idle, its last change read back)", () => settled(run.socket));
}

async function presence() {
  return getJson(`${run.emulator}/_emulator/users/${run.oid}/presence`);
}

const ourSession = (p) => p.sessions.find((s) => s.sessionId === CLIENT_ID);

/** Asserts the emulator shows the pin `availability`/`activity` for about an hour, set by Presently. */
function assertPinnedForAnHour(p, availability, activity) {
  assert.ok(p.pin, `no pin: ${JSON.stringify(p)}`);
  assert.equal(p.pin.availability, availability);
  assert.equal(p.pin.activity, activity);
  assert.equal(p.pin.setBy, CLIENT_ID, "the pin was set by Presently's client id");
  const seconds = (Date.parse(p.pin.expiresAt) - Date.parse(p.pin.setAt)) / 1000;
  assert.ok(Math.abs(seconds - 3600) <= 5, `the pin lasts ${seconds} s, not about an hour`);
  assert.ok(ourSession(p), `Presently's session (sessionId ${CLIENT_ID}) is not alive: ${JSON.stringify(p.sessions)}`);
  assert.deepEqual(p.effective, { availability, activity }, "colleagues see the pin");
}

// ---------------------------------------------------------------------------------------------------------

const STARTS = "the tray app starts in demo mode and its icon docks in tint2's system tray, signed out";
test(STARTS, async () => {
  // The desktop first: a window manager (openbox) and the panel (tint2), as scripts/gui-session.sh promises.
  assert.match(await sh("xprop", "-root", "_NET_SUPPORTING_WM_CHECK"), /window id/, "a window manager runs");
  assert.ok((await searchClass("^tint2$")).length > 0, "the tint2 panel runs");
  const browser = recordingBrowser(OUT, urlsFile);
  Object.assign(run, await startDemoApp("app", browser));
  assert.ok(fs.existsSync(run.socket), `no IPC socket at ${run.socket}`);
  // The colleagues page went to the browser at start.
  await waitFor("the colleagues page in the browser", () => openedUrls(urlsFile).includes(`${run.emulator}/`));

  const docked = await waitFor("the tray icon to dock in tint2", dockedIcon).catch(async (e) => {
    await screenshot(screenFile);
    const windows = await sh("xwininfo", "-root", "-tree").catch((x) => String(x));
    fs.writeFileSync(path.join(OUT, "windows.txt"), windows);
    throw new Error(`${e.message} (screen and window tree in ${OUT})`);
  });
  // tint2 puts its systray at the right end of the panel, left of the clock.
  const { iconRect, panelRect } = docked;
  assert.ok(iconRect.x > panelRect.x + panelRect.width / 2, "the icon is in the panel's right half");
  const seen = await waitForIconColour(screenFile, iconColour(REPO, "signed-out"));
  console.log(`      icon at ${JSON.stringify(seen.iconRect)}: ${seen.share * 100}% signed-out grey`);
});

const WELCOME = "the popup process, started as the tray starts it and driven by WebDriver, shows the welcome screen";
test(
  WELCOME,
  async () => {
    Object.assign(run, await startPopupSession("tauri-driver", run.socket));
    assert.equal(await run.session.title(), "Presently");
    // The page says "Starting…" until the first state arrives over the IPC, then the welcome screen.
    await waitFor("the welcome screen", async () => /Sign in with Microsoft/.test((await popupText(run.session, "body")) ?? ""));
    assert.ok(await run.session.find('[data-command="sign-in-browser"]'), "the welcome screen offers browser sign-in");
    // On the Linux desktop the popup process marks the page before its scripts run, and the page names WebKit's
    // sans-serif (the desktop's font) alone instead of the slow cross-platform list (src-tauri/src/desktop_font.rs).
    const font = await run.session.execute(
      "return [document.documentElement.dataset.font ?? null, getComputedStyle(document.body).fontFamily];",
    );
    assert.deepEqual(font, ["desktop-sans", "sans-serif"], "the popup uses the desktop's sans-serif");
  },
  { needs: [STARTS] },
);

const SIGNED_IN = "signing in from the welcome screen goes through the emulator's sign-in page to the main page";
test(
  SIGNED_IN,
  async () => {
    const before = openedUrls(urlsFile).length;
    await clickInPopup(run.session, '[data-command="sign-in-browser"]');
    const authorize = await waitFor("the sign-in page to open in the browser", () =>
      openedUrls(urlsFile)
        .slice(before)
        .find((u) => u.startsWith(`${run.emulator}/`) && u.includes("/oauth2/v2.0/authorize?")),
    );
    const { oid, redirect } = await signInThroughPages(authorize, USER);
    run.oid = oid;
    assert.match(redirect, /^http:\/\/(localhost|127\.0\.0\.1):\d+\//, "the app listens on the loopback");
    await waitFor("the main page with the six statuses", () => run.session.find('[data-status="busy"]'));
    const footer = await waitFor("the account in the footer", async () => {
      const text = await popupText(run.session, ".account");
      return text && text.includes(USER) ? text : null;
    });
    console.log(`      popup footer: ${footer.replaceAll("\n", " / ")}`);
  },
  { needs: [WELCOME] },
);

const BUSY = "Busy for 1 hour from the popup pins Busy in Microsoft 365 for an hour, with Presently's session";
test(
  BUSY,
  async () => {
    await clickInPopup(run.session, 'label[for="duration-1h"]');
    assert.equal(await run.session.execute('return document.getElementById("duration-1h").checked'), true);
    await clickInPopup(run.session, '[data-status="busy"]');
    const p = await waitFor("the emulator to show the Busy pin and Presently's session", async () => {
      const p = await presence();
      return p.pin?.availability === "Busy" && ourSession(p) ? p : null;
    });
    assertPinnedForAnHour(p, "Busy", "Busy");
    const headline = await waitFor("the popup to say Busy", async () => {
      const text = await popupText(run.session, "#now-headline");
      return text?.startsWith("Busy") ? text : null;
    });
    console.log(`      popup: "${headline}"; pin until ${p.pin.expiresAt}`);
  },
  { needs: [SIGNED_IN] },
);

test(
  "the tray icon follows the popup's choice: it shows Busy's colour",
  async () => {
    await waitForIconColour(screenFile, iconColour(REPO, "busy"));
  },
  { needs: [BUSY] },
);

test(
  "the popup on screen shows Busy for 1 hour (popup-e2e.png)",
  async () => {
    const rect = await windowGeometry(await waitFor("the popup window on screen", popupWindow));
    const driven = await run.session.windowRect();
    assert.deepEqual(
      rect,
      { x: driven.x, y: driven.y, width: driven.width, height: driven.height },
      "the window on screen is the one WebDriver drives",
    );
    // From the screen rather than WebDriver's screenshot command, which WebKitWebDriver never answers under Xvfb
    // here (it timed out after 60 s): this is also what a person sees, window manager and all.
    await sleep(300); // the last frame is painted
    await screenshot(screenFile);
    const out = path.join(images, "popup-e2e.png");
    fs.mkdirSync(images, { recursive: true });
    await crop(screenFile, rect, out);
    const colours = Number(await sh("identify", "-format", "%k", out));
    assert.ok(colours > 50, `the popup screenshot has only ${colours} colours: is it blank?`);
    console.log(`      ${out}: ${rect.width}x${rect.height}, ${colours} colours`);
  },
  { needs: [BUSY] },
);

const MESSAGE = "a status message typed in the popup shows under the name and ends with the Busy hour";
test(
  MESSAGE,
  async () => {
    const field = await waitFor("the message field", () => run.session.find("#status-message"));
    await run.session.type(field, "Back at 3");
    await clickInPopup(run.session, '[data-command="set-message"]');
    const p = await waitFor("the emulator to show the status message", async () => {
      const p = await presence();
      return p.statusMessage?.content === "Back at 3" ? p : null;
    });
    // "Clear the message when the status ends" is on by default: the message ends with the pin, so Graph removes
    // it by itself and nothing is re-sent (crates/core/src/keeper/task.rs).
    const apart = Math.abs(Date.parse(p.statusMessage.expiresAt) - Date.parse(p.pin.expiresAt)) / 1000;
    assert.ok(apart <= 5, `the message ends ${apart} s away from the Busy hour's end: ${JSON.stringify(p)}`);
    const shown = await waitFor("the popup to show the message with its Clear button", async () => {
      const text = await popupText(run.session, '[data-slot="message-now"]');
      return text?.includes("Back at 3") ? text : null;
    });
    assert.ok(await run.session.find('[data-command="clear-message"]'), "the message can be cleared");
    console.log(`      popup: "${shown.replaceAll("\n", " / ")}"; message until ${p.statusMessage.expiresAt}`);
  },
  { needs: [BUSY] },
);

const AUTOMATIC = "Back to automatic from the popup removes the pin and Presently's session";
test(
  AUTOMATIC,
  async () => {
    await clickInPopup(run.session, '[data-command="back-to-automatic"]');
    const p = await waitFor("the emulator to show neither pin nor Presently's session", async () => {
      const p = await presence();
      return !p.pin && !ourSession(p) ? p : null;
    });
    assert.equal(p.pin, null);
    await waitFor("the popup to say Automatic", async () => (await popupText(run.session, "#now-headline")) === "Automatic");
  },
  { needs: [BUSY] },
);

test(
  "back to automatic also clears the message set with the status",
  async () => {
    await waitFor("the emulator to show no status message", async () => !(await presence()).statusMessage);
    await waitFor("the popup to show no message", async () => {
      const text = (await popupText(run.session, '[data-slot="message-now"]')) ?? "";
      return !text.includes("Back at 3");
    });
  },
  { needs: [MESSAGE, AUTOMATIC] },
);

const POPUP_ENDS = "ending the WebDriver session ends the popup process while the tray app keeps running";
test(
  POPUP_ENDS,
  async () => {
    await run.session.end();
    run.session = null;
    await waitFor("the popup process to end", () => processesOfThisRun(/presently-app --popup/).length === 0, {
      timeoutMs: 10_000,
    });
    assert.equal(run.app.exitCode, null, "the tray process is still running");
    await waitFor("the tray icon in the panel", dockedIcon, { timeoutMs: 5000 });
  },
  { needs: [WELCOME] },
);

const MENU = "clicking the tray icon opens its menu, and clicking Be right back pins it for an hour";
test(
  MENU,
  async () => {
    await keeperSettled();
    const menu = await openTrayMenu();
    const items = await trayMenuItems(screenFile, menu);
    await clickMenuItem(screenFile, menu, items.brb, path.join(OUT, "menu-click-brb.png"));
    const p = await waitFor("the emulator to show the Be right back pin", async () => {
      const p = await presence();
      return p.pin?.availability === "BeRightBack" && ourSession(p) ? p : null;
    });
    // The menu starts with "For: 1 hour" (the hotkey duration of the default settings).
    assertPinnedForAnHour(p, "BeRightBack", "BeRightBack");
    console.log(`      pin until ${p.pin.expiresAt}`);
  },
  { needs: [SIGNED_IN, POPUP_ENDS] },
);

test(
  "the tray icon shows Be right back's colour",
  async () => {
    await waitForIconColour(screenFile, iconColour(REPO, "brb"));
  },
  { needs: [MENU] },
);

test(
  "the open tray menu shows the choice (tray-menu.png)",
  async () => {
    await keeperSettled();
    const menu = await openTrayMenu();
    await trayMenuItems(screenFile, menu); // takes the screenshot, once the items are drawn
    // The panel's corner with the menu above the icon.
    const { panelRect } = await dockedIcon();
    const width = 460;
    const height = Math.min(panelRect.y + panelRect.height, menu.height + panelRect.height + 60);
    const rect = {
      x: panelRect.x + panelRect.width - width,
      y: panelRect.y + panelRect.height - height,
      width,
      height,
    };
    const out = path.join(images, "tray-menu.png");
    fs.mkdirSync(images, { recursive: true });
    await crop(screenFile, rect, out);
    await closeTrayMenu();
    console.log(`      ${out}: ${rect.width}x${rect.height}`);
  },
  { needs: [MENU] },
);

test(
  "a status message shows in the tray menu, and its Clear message item clears it",
  async () => {
    // Set as `presently message` does through a running keeper (crates/cli/src/commands/message.rs).
    await ipcCall(run.socket, { op: "setMessage", text: "On a train, slow replies", origin: "cli" });
    await waitFor("the emulator to show the status message", async () =>
      (await presence()).statusMessage?.content === "On a train, slow replies" ? true : null,
    );
    await keeperSettled();
    const menu = await openTrayMenu();
    const items = await trayMenuItems(screenFile, menu);
    await crop(screenFile, menu, path.join(OUT, "tray-menu-message.png"));
    // The menu (src-tauri/src/tray.rs): the status line and the message line above the statuses, then For,
    // Back to automatic and Clear message below them.
    const labels = await menuLabelRows(screenFile, menu);
    const above = labels.filter((y) => y < items.available - items.pitch / 2);
    assert.equal(above.length, 2, `lines above the statuses: ${above} (the status line and the message line)`);
    const offline = labels.findIndex((y) => Math.abs(y - items.offline) <= 4);
    await clickMenuItem(screenFile, menu, labels[offline + 3], path.join(OUT, "menu-click-clear-message.png"));
    await waitFor("the emulator to show no status message", async () => !(await presence()).statusMessage);
    const p = await presence();
    assert.equal(p.pin?.availability, "BeRightBack", "clearing the message leaves the status alone");
  },
  { needs: [MENU] },
);

const LOOKED = "opening the popup with a reading over a minute old reads Graph once and shows a status set in Teams";
test(
  LOOKED,
  async () => {
    const before = await keeperSettled();
    assert.equal(before.intent?.status, "brb", `the keeper keeps Be right back: ${JSON.stringify(before.intent)}`);
    // The user picks Do not disturb in the Teams app, which runs (its session is what lets a pin show once
    // Presently steps back, contract §3). Presently cannot know until it reads Graph.
    const teams = `${run.emulator}/_emulator/users/${run.oid}/teams`;
    await postJson(teams, { availability: "Available", activity: "Available" });
    await postJson(`${teams}/status`, {
      availability: "DoNotDisturb",
      activity: "DoNotDisturb",
    });
    // A reading under a minute old is shown as it is (crates/core/src/keeper/plan.rs, FRESH_FOR): wait until the
    // keeper's last one is older than that. Nothing else makes it read meanwhile (its next check is 30 min away).
    const readAt = Date.parse(before.reported.at);
    await sleep(Math.max(0, readAt + 61_000 - Date.now()));
    const { lastSeq } = await getJson(`${run.emulator}/_emulator/log?limit=1`);
    const stale = await snapshot(run.socket);
    assert.equal(stale.reported.at, before.reported.at, "the keeper read Graph before the popup opened");
    assert.equal(stale.intent?.status, "brb", "the keeper noticed Teams' choice before the popup opened");

    // Opened with the tray's command line, the popup asks the keeper to look (src-tauri/src/popup.rs, `show`).
    run.session = await Session.start(run.driverUrl, APP, ["--popup", "--ipc", run.socket]);
    try {
      await popupShowsTeamsChoiceAfterOneRead(lastSeq);
    } finally {
      await run.session.end();
      run.session = null;
      await waitFor("the popup process to end", () => processesOfThisRun(/presently-app --popup/).length === 0, {
        timeoutMs: 10_000,
      });
    }
  },
  { needs: [MENU, POPUP_ENDS], timeoutMs: 120_000 },
);

/** The popup, opened over a stale reading, shows Teams' Do not disturb after one read, and nothing was written. */
async function popupShowsTeamsChoiceAfterOneRead(lastSeq) {
  const headline = await waitFor("the popup to show Do not disturb, read from Graph", async () => {
    const text = await popupText(run.session, "#now-headline");
    return text?.startsWith("Do not disturb") ? text : null;
  });
  const after = await snapshot(run.socket);
  assert.equal(after.intent?.status, "dnd", `Teams' choice adopted: ${JSON.stringify(after.intent)}`);
  assert.equal(after.intent?.origin, "teams", "the intent says where it was made");
  // A moment for any further read to show in the emulator's log: there must be none.
  await sleep(2000);
  const reads = await getJson(`${run.emulator}/_emulator/log?after=${lastSeq ?? 0}&kind=getPresence`);
  assert.equal(reads.entries.length, 1, `getPresence calls: ${JSON.stringify(reads.entries)}`);
  const p = await presence();
  assert.deepEqual(
    p.effective,
    { availability: "DoNotDisturb", activity: "DoNotDisturb" },
    "colleagues still see Teams' choice: nothing overwrote it",
  );
  console.log(`      popup: "${headline}" after one getPresence`);
}

test(
  "the popup's Network settings save a proxy to the user's settings and say it applies at the next start",
  async () => {
    run.session = await Session.start(run.driverUrl, APP, ["--popup", "--ipc", run.socket]);
    try {
      await clickInPopup(run.session, '[data-command="open-settings"]');
      const field = await waitFor("the proxy field", () => run.session.find("#setting-proxy"));
      await run.session.clear(field);
      await run.session.type(field, "http://127.0.0.1:3128");
      await clickInPopup(run.session, '[data-command="save-settings"]');
      const view = await waitFor("the keeper's settings to have the proxy", async () => {
        const v = await ipcCall(run.socket, { op: "settingsView" });
        return v.proxy?.value === "http://127.0.0.1:3128" ? v : null;
      });
      assert.equal(view.proxy.source.kind, "user", `saved to the user's file: ${JSON.stringify(view.proxy)}`);
      const group = await popupText(run.session, "fieldset:has(#setting-proxy)");
      assert.match(group, /apply the next time Presently starts/, "the Network group says when it applies");
      // Back to the computer's setting, as the user would after trying.
      await run.session.clear(field);
      await run.session.type(field, "system");
      await clickInPopup(run.session, '[data-command="save-settings"]');
      await waitFor("the proxy back to system", async () => {
        const v = await ipcCall(run.socket, { op: "settingsView" });
        return v.proxy?.value === "system" ? v : null;
      });
    } finally {
      await run.session.end();
      run.session = null;
      await waitFor("the popup process to end", () => processesOfThisRun(/presently-app --popup/).length === 0, {
        timeoutMs: 10_000,
      });
    }
  },
  { needs: [SIGNED_IN, POPUP_ENDS] },
);

const OPENED = "Open Presently in the tray menu starts the popup as a child process of the tray, on screen";
test(
  OPENED,
  async () => {
    await keeperSettled();
    const menu = await openTrayMenu();
    const items = await trayMenuItems(screenFile, menu);
    await clickMenuItem(screenFile, menu, items.open, path.join(OUT, "menu-click-open.png"));
    // The launcher's command line: this executable, --popup, --ipc <the tray's socket> (src-tauri/src/launcher.rs).
    const popup = await waitFor("a popup process", () => processesOfThisRun(/presently-app --popup/)[0]);
    const [pid, ...command] = popup.split(" ");
    assert.deepEqual(command, [APP, "--popup", "--ipc", run.socket]);
    const parent = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[1];
    assert.equal(Number(parent), run.app.pid, "the tray process is the popup's parent");
    const window = await waitFor("the popup window on screen", popupWindow);
    const rect = await windowGeometry(window);
    assert.ok(rect.width >= 300 && rect.height >= 400, `the popup window is ${rect.width}x${rect.height}`);
    await waitFor("the popup to have the focus", async () => (await sh("xdotool", "getactivewindow")) === window);
    // Let the popup settle as a person would before clicking elsewhere: it asks for the focus once more 150 ms
    // after showing (src-tauri/src/popup.rs, `show`), which would break the grab of a menu opened meanwhile.
    await sleep(500);
  },
  { needs: [STARTS] },
);

test(
  "Quit Presently in the tray menu ends the app and its popup",
  async () => {
    await keeperSettled();
    const menu = await openTrayMenu();
    const items = await trayMenuItems(screenFile, menu);
    const clicked = Date.now();
    await clickMenuItem(screenFile, menu, items.quit, path.join(OUT, "menu-click-quit.png"));
    const code = await Promise.race([run.app.exited, sleep(15_000).then(() => "still running after 15 s")]);
    assert.equal(code, 0, "the tray process exits by itself, successfully");
    console.log(`      the tray process ended ${((Date.now() - clicked) / 1000).toFixed(1)} s after the click`);
    await waitFor("no popup process", () => processesOfThisRun(/presently-app --popup/).length === 0, {
      timeoutMs: 5000,
    });
  },
  { needs: [STARTS] },
);

test("no process of this run is left behind (pgrep -f presently-app)", async () => {
  if (run.session) await run.session.end().catch(() => {});
  await stopAll();
  // pgrep's view, narrowed to the processes that carry this run's mark (other runs may share the machine).
  const pgrep = await sh("pgrep", "-f", "presently-app").catch(() => "");
  const ours = new Set(processesOfThisRun(/./).map((line) => line.split(" ")[0]));
  const left = pgrep.split("\n").filter((pid) => ours.has(pid));
  assert.deepEqual(left, [], `presently-app processes left: ${processesOfThisRun(/presently-app/).join("; ")}`);
  const others = processesOfThisRun(/WebKitWebDriver|tauri-driver|WebKit(Web|Network)Process/);
  assert.deepEqual(others, [], "WebDriver and WebKit processes of this run are gone");
});

const failed = await runTests(async () => {
  await stopAll();
  // The desktop's own logs go away with it: keep them with this run's.
  for (const name of ["tint2.log", "openbox.log"]) {
    const file = path.join(process.env.GUI_SESSION_DIR ?? "", name);
    if (fs.existsSync(file)) fs.copyFileSync(file, path.join(OUT, name));
  }
});
process.exit(failed === 0 ? 0 : 1);
