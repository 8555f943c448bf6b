// The screenshot tour: every screen of the popup, light and dark, and the tray menu in each state, taken from the
// real app (`presently-app --demo`) on the virtual desktop, into TOUR_OUT (docs/images/tour by default; see
// scripts/tour.sh). The popup is driven through WebDriver as in app.test.mjs (tauri-driver starts the popup
// process with the tray's own command line), problem states are made by the emulator's control API (faults,
// revocation, tokens that live a minute), and each popup state is reached the way a person reaches it: a click in
// the popup. The popup hides when it loses the focus, as opening the tray menu makes it, so the tray's pictures
// come in a second pass through the same states, reached over the tray's IPC. `TOUR_QUICK=1` (npm test) takes
// only the popup's first screens. The one state not reached on the real app is "Graph reports something else"
// (the keeper says so only for a moment after its own write); words.test.ts reads it from the golden payload.
//
// Dark: WebKitGTK under Xvfb follows no desktop colour scheme, so the page's own dark rules (style.css, its
// `prefers-color-scheme: dark` block) are switched on through the CSSOM for the dark pictures; the CSP allows
// that, and nothing else of the page changes.
//
// Each picture is checked for not being blank, and its name goes to TOUR_OUT/index.json, which docs/tour.md
// follows.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

import { OUT, crop, runTests, screenshot, sh, sleep, stopAll, test, waitFor, windowGeometry } from "./harness.mjs";
import { clickInPopup, popupText, popupWindow, startDemoApp, startPopupSession } from "./popup-app.mjs";
import { openedUrls, recordingBrowser, refusedThroughPages, signInThroughPages } from "./signin-page.mjs";
import { closeTrayMenu, dockedIcon, openTrayMenu, trayMenuItems } from "./tray.mjs";
import { ipcCall, settled, snapshot } from "./keeper.mjs";

const TOUR = process.env.TOUR_OUT ?? path.join(OUT, "tour");
const USER = "adele.vance@contoso.onmicrosoft.com";
/**
 * `TOUR_QUICK=1` (what `npm test` runs, to stay within its time): the popup's screens up to the first problem
 * state, without the slower problem states and the tray's pass.
 */
const QUICK = process.env.TOUR_QUICK === "1";
/** Registers a test the quick tour leaves out. */
const slowTest = (...args) => (QUICK ? undefined : test(...args));

const urlsFile = path.join(OUT, "browser-urls.txt");
const screenFile = path.join(OUT, "tour-screen.png");
const run = { app: null, emulator: null, socket: null, session: null, oid: null };
/** Every picture taken, in order: {file, what}. */
const taken = [];

const post = async (p, body) => {
  const response = await fetch(`${run.emulator}${p}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  if (!response.ok) throw new Error(`POST ${p}: HTTP ${response.status} ${await response.text()}`);
  return response.json().catch(() => null);
};
const call = async (method, p, body) => {
  const response = await fetch(`${run.emulator}${p}`, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${p}: HTTP ${response.status} ${await response.text()}`);
};

/**
 * Switches the page's dark rules on or off (see the top of this file): the rules inside its
 * `prefers-color-scheme: dark` block are copied to the end of the style sheet (and removed again).
 */
async function scheme(dark) {
  const copied = await run.session.execute(
    `const dark = (r) => r.media && r.media.mediaText.replaceAll(" ", "").includes("prefers-color-scheme:dark");
     const sheet = [...document.styleSheets].find((s) => [...s.cssRules].some(dark));
     if (!sheet) return -1;
     window.__tourDark = window.__tourDark ?? 0;
     for (; window.__tourDark > 0; window.__tourDark--) sheet.deleteRule(sheet.cssRules.length - 1);
     if (!arguments[0]) return 0;
     for (const rule of [...sheet.cssRules].filter(dark)) {
       for (const inner of [...rule.cssRules]) {
         sheet.insertRule(inner.cssText, sheet.cssRules.length);
         window.__tourDark++;
       }
     }
     return window.__tourDark;`,
    dark,
  );
  if (dark) assert.ok(copied > 0, `no dark rules found in the popup's style sheet (${copied})`);
}

/** Shrinks a PNG for the repository: 96 colours without dithering (no speckles on dark), no metadata. */
async function compress(file) {
  await sh("convert", file, "-strip", "-dither", "None", "-colors", "96", `PNG8:${file}`);
}

/** Takes the popup as it is now, light and dark, as `<name>-light.png` and `<name>-dark.png`. */
async function shootPopup(name, what) {
  const window = await waitFor("the popup window on screen", popupWindow);
  const rect = await windowGeometry(window);
  for (const dark of [false, true]) {
    await scheme(dark);
    await sleep(250); // painted
    await screenshot(screenFile);
    const file = path.join(TOUR, `${name}-${dark ? "dark" : "light"}.png`);
    await crop(screenFile, rect, file);
    const colours = Number(await sh("identify", "-format", "%k", file));
    assert.ok(colours > 20, `${file} has only ${colours} colours: is it blank?`);
    await compress(file);
    taken.push({ file: path.basename(file), what: `${what}${dark ? " (dark)" : ""}` });
  }
  await scheme(false);
}

/**
 * Opens the tray menu, takes the panel's corner with the menu, and closes it. The popup hides when it loses the
 * focus (a menu takes it), so the tray's pictures are taken in a second pass, after the popup's.
 */
async function shootTray(name, what) {
  await sleep(500);
  const menu = await openTrayMenu();
  await trayMenuItems(screenFile, menu); // takes the screenshot once the items are drawn
  // From the menu's top left corner to the panel's bottom right one: the menu and the icon it came from.
  const { panelRect } = await dockedIcon();
  const right = panelRect.x + panelRect.width;
  const bottom = panelRect.y + panelRect.height;
  const x = Math.max(0, Math.min(menu.x - 12, right - 360));
  const y = Math.max(0, menu.y - 12);
  const rect = { x, y, width: right - x, height: bottom - y };
  const file = path.join(TOUR, `tray-${name}.png`);
  await crop(screenFile, rect, file);
  await closeTrayMenu();
  await compress(file);
  taken.push({ file: path.basename(file), what });
}

/** Waits for the keeper to have a problem of `kind`, and the popup to show it. */
async function problemShown(kind) {
  await waitFor(`a ${kind} problem`, async () => ((await snapshot(run.socket)).problem?.kind === kind ? true : null), {
    timeoutMs: 150_000,
    everyMs: 250,
  });
  return waitFor("the popup to show it", () => popupText(run.session, '[role="alert"]'), { timeoutMs: 10_000 });
}

/** Picks a duration and a status in the popup (a click in the page: the banner of a problem may cover a chip). */
/**
 * The token endpoint refuses every refresh for want of consent (AADSTS65001), on the paths the app may use: the
 * signed-in tenant's and `organizations`.
 */
async function refuseConsent() {
  const account = (await snapshot(run.socket)).account;
  for (const tenant of new Set([account.tenantId, "organizations"].filter(Boolean))) {
    await post("/_emulator/faults", {
      path: `/${tenant}/oauth2/v2.0/token`,
      count: 100000,
      fault: { kind: "identityError", code: 65001 },
    });
  }
}

async function chooseStatus(duration, status) {
  for (const selector of [`#duration-${duration}`, `[data-status="${status}"]`]) {
    await waitFor(`${selector} in the popup`, () => run.session.find(selector), { timeoutMs: 10_000 });
    await run.session.execute("document.querySelector(arguments[0]).click(); return true;", selector);
  }
}

// ---------------------------------------------------------------------------------------------------------

const START = "the tray app starts in demo mode and the popup shows the welcome screen";
test(START, async () => {
  fs.mkdirSync(TOUR, { recursive: true });
  const browser = recordingBrowser(OUT, urlsFile);
  Object.assign(run, await startDemoApp("tour-app", browser));
  await waitFor("the tray icon to dock", dockedIcon);
  // Access tokens that live one minute, shorter than the app's refresh margin: every Graph call refreshes first,
  // so a revoked sign-in or a refused consent shows at the next choice instead of within the hour.
  await call("PATCH", "/_emulator/settings", { accessTokenMinSecs: 60, accessTokenMaxSecs: 60 });

  run.session = (await startPopupSession("tour-tauri-driver", run.socket)).session;
  await waitFor("the welcome screen", async () => /Sign in with Microsoft/.test((await popupText(run.session)) ?? ""));
  await shootPopup("welcome", "Welcome: what Presently does, the three ways to sign in, where the sign-in is kept");
});

const SIGNED_IN = "signing in: by browser and by code, then through the emulator's pages";
test(
  SIGNED_IN,
  async () => {
    await clickInPopup(run.session, '[data-command="sign-in-browser"]');
    await waitFor("the browser wait", () => run.session.find(".signin-wait"));
    await shootPopup("signing-in-browser", "Signing in with the browser: waiting for the sign-in page");
    await clickInPopup(run.session, '[data-command="cancel-sign-in"]');
    await waitFor("the welcome screen again", async () => !(await run.session.find(".signin-wait")));

    await clickInPopup(run.session, '[data-command="sign-in-code"]');
    await waitFor("the device code", () => run.session.find(".device-code__code"), { timeoutMs: 20_000 });
    await shootPopup("signing-in-code", "Signing in with a code: the code and where to enter it");
    await clickInPopup(run.session, '[data-command="cancel-sign-in"]');
    await waitFor("the welcome screen again", async () => !(await run.session.find(".device-code")));

    const before = openedUrls(urlsFile).length;
    await clickInPopup(run.session, '[data-command="sign-in-browser"]');
    const authorize = await waitFor("the sign-in page", () =>
      openedUrls(urlsFile).slice(before).find((u) => u.includes("/oauth2/v2.0/authorize?")),
    );
    run.oid = (await signInThroughPages(authorize, USER)).oid;
    await waitFor("the main page", () => run.session.find('[data-status="busy"]'));
  },
  { needs: [START], timeoutMs: 120_000 },
);

const MAIN = "the main page: a timed status and one kept until changed";
test(
  MAIN,
  async () => {
    await chooseStatus("1h", "busy");
    await waitFor("Busy with its countdown", async () => /^Busy · /.test((await popupText(run.session, "#now-headline")) ?? ""));
    await waitFor("the keeper to settle", () => settled(run.socket));
    await shootPopup("main-timed", "Busy for 1 hour: the countdown, its end, what Graph reports");

    // A status message from a template, which writes the chosen end; sent with the status, it ends with it.
    for (const selector of ["#duration-1h", '[data-template="back"]', '[data-status="busy"]']) {
      await waitFor(`${selector} in the popup`, () => run.session.find(selector), { timeoutMs: 10_000 });
      await run.session.execute("document.querySelector(arguments[0]).click(); return true;", selector);
    }
    await waitFor("the message kept", async () => (/^Back at /.test((await snapshot(run.socket)).message?.text ?? "") ? true : null));
    await waitFor("the keeper to settle", () => settled(run.socket));
    await waitFor("the message shown", async () => /Back at/.test((await popupText(run.session, '[data-slot="message-now"]')) ?? ""));
    await run.session.execute("document.querySelector('fieldset.message').scrollIntoView({block: 'end'}); return true;");
    await shootPopup("main-message", "Busy for 1 hour with a status message from a template, ending with the status");
    await run.session.execute("document.querySelector('.scroll').scrollTop = 0; return true;");

    await chooseStatus("forever", "dnd");
    await waitFor("Do not disturb until changed", async () =>
      /Do not disturb/.test((await popupText(run.session, "#now-headline")) ?? ""),
    );
    await waitFor("the keeper to settle", () => settled(run.socket));
    await shootPopup("main-until-changed", "Do not disturb until I change it");
  },
  { needs: [SIGNED_IN], timeoutMs: 120_000 },
);

test(
  "settings, each section",
  async () => {
    await clickInPopup(run.session, '[data-command="open-settings"]');
    await waitFor("the settings page", () => run.session.find(".page--settings"));
    const titles = await run.session.execute(
      "return [...document.querySelectorAll('.page--settings fieldset.group > legend')].map((l) => l.textContent);",
    );
    assert.ok(titles.length >= 4, `sections: ${titles}`);
    await shootPopup("settings-account", "Settings: the account at the top");
    for (const [i, title] of titles.entries()) {
      await run.session.execute(
        "const g = document.querySelectorAll('.page--settings fieldset.group')[arguments[0]]; g.scrollIntoView({block: 'start'}); return true;",
        i,
      );
      const slug = title.toLowerCase().replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "");
      await shootPopup(`settings-${slug}`, `Settings: ${title}`);
    }
    await clickInPopup(run.session, '[data-command="close-settings"]');
    await waitFor("the main page again", () => run.session.find('[data-status="busy"]'));
  },
  { needs: [MAIN], timeoutMs: 120_000 },
);

const THROTTLED = "throttled: Microsoft asks Presently to slow down, and it counts down to its retry";
test(
  THROTTLED,
  async () => {
    await post("/_emulator/faults", {
      path: `/v1.0/users/${run.oid}/presence/setUserPreferredPresence`,
      count: 1000,
      fault: { kind: "status", status: 429, retryAfter: 600 },
    });
    await chooseStatus("2h", "brb");
    await problemShown("throttled");
    await shootPopup("problem-throttled", "Throttled: Microsoft asked Presently to wait; the retry counts down");
    await call("DELETE", "/_emulator/faults");
    await clickInPopup(run.session, '[data-action="retry"], [data-command="retry"]').catch(() => {});
  },
  { needs: [MAIN], timeoutMs: 120_000 },
);

const OFFLINE = "offline: Microsoft Graph cannot be reached";
slowTest(
  OFFLINE,
  async () => {
    await post("/_emulator/faults", { path: "/v1.0/", match: "prefix", count: 100000, fault: { kind: "drop" } });
    await chooseStatus("30m", "available");
    await problemShown("offline");
    await shootPopup("problem-offline", "Offline: Graph cannot be reached; the retry counts down");
    await call("DELETE", "/_emulator/faults");
    await clickInPopup(run.session, '[data-action="retry"], [data-command="retry"]').catch(() => {});
    await waitFor("the problem to clear", async () => !(await run.session.find('[role="alert"]')), {
      timeoutMs: 60_000,
    });
  },
  { needs: [MAIN], timeoutMs: 150_000 },
);

const DIFFERS = "Graph shows something else: Teams picked a status just after Presently wrote its own";
slowTest(
  DIFFERS,
  async () => {
    // The pin set last wins (contract §3). The moment Presently's pin is written, Teams picks Do not disturb; the
    // keeper's read-back a moment later (READ_BACK_DELAY, crates/core/src/keeper/plan.rs) shows that instead of
    // Available. A status Presently has not yet seen shown is not fought: the popup says what Graph shows.
    const log = async (query) => (await fetch(`${run.emulator}/_emulator/log?${query}`)).json();
    const { lastSeq } = await log("limit=1");
    await chooseStatus("30m", "available");
    await waitFor(
      "Presently's pin to be written",
      async () => ((await log(`after=${lastSeq ?? 0}&kind=setUserPreferredPresence`)).entries.length ? true : null),
      { timeoutMs: 20_000, everyMs: 50 },
    );
    await post(`/_emulator/users/${USER}/teams/status`, { availability: "DoNotDisturb", activity: "DoNotDisturb" });
    await waitFor(
      "the keeper's read-back to differ",
      async () => ((await snapshot(run.socket)).agreement?.state === "differs" ? true : null),
      { timeoutMs: 30_000, everyMs: 250 },
    );
    await waitFor("the popup to say so", () => popupText(run.session, ".reported"), { timeoutMs: 10_000 });
    await shootPopup("graph-differs", "Graph shows something else: Teams set Do not disturb just after Available");
    await call("DELETE", `/_emulator/users/${USER}/teams/status`);
  },
  { needs: [MAIN], timeoutMs: 120_000 },
);

const SIGN_IN_NEEDED = "sign-in needed: the sign-in was revoked";
slowTest(
  SIGN_IN_NEEDED,
  async () => {
    // The next status needs a fresh token (they live a minute here), and the refresh is refused.
    await post(`/_emulator/users/${USER}/revoke`);
    await chooseStatus("1h", "away");
    await problemShown("signInRequired");
    await shootPopup("problem-sign-in", "Sign-in needed: the sign-in expired or was revoked; the choice is kept");
  },
  { needs: [DIFFERS], timeoutMs: 200_000 },
);

const CONSENT = "consent needed: the organisation must approve Presently";
slowTest(
  CONSENT,
  async () => {
    // Sign in again from the problem's own button, then the next refresh is refused for want of consent.
    const before = openedUrls(urlsFile).length;
    await clickInPopup(run.session, '[role="alert"] button');
    const authorize = await waitFor("the sign-in page", () =>
      openedUrls(urlsFile).slice(before).find((u) => u.includes("/oauth2/v2.0/authorize?")),
    );
    await signInThroughPages(authorize, USER);
    await waitFor("the problem to clear", async () => !(await run.session.find('[role="alert"]')), {
      timeoutMs: 30_000,
    });
    await refuseConsent();
    await chooseStatus("1h", "busy");
    await problemShown("consentRequired");
    await shootPopup("problem-consent", "Consent needed: Presently's permissions must be approved");
    await call("DELETE", "/_emulator/faults");
  },
  { needs: [SIGN_IN_NEEDED], timeoutMs: 200_000 },
);


slowTest(
  "admin consent needed: the link to send to the IT administrator",
  async () => {
    // The tenant lets only administrators consent, and Megan, who never used Presently, signs in from the
    // problem's button: the identity platform refuses with AADSTS90094 and the popup offers the admin link.
    const tenant = USER.split("@")[1];
    await post(`/_emulator/tenants/${tenant}/require-admin-consent`, { required: true });
    try {
      const before = openedUrls(urlsFile).length;
      await clickInPopup(run.session, '[role="alert"] button');
      const authorize = await waitFor("the sign-in page", () =>
        openedUrls(urlsFile).slice(before).find((u) => u.includes("/oauth2/v2.0/authorize?")),
      );
      const refusal = await refusedThroughPages(authorize, "megan.bowen@contoso.onmicrosoft.com");
      assert.equal(refusal, "access_denied");
      await waitFor("the admin link in the popup", async () => {
        const text = await popupText(run.session, '[role="alert"]');
        return text?.includes("admin") ? text : null;
      });
      await shootPopup("problem-admin-consent", "Admin consent needed: the link to send to the IT administrator");
    } finally {
      await post(`/_emulator/tenants/${tenant}/require-admin-consent`, { required: false });
    }
  },
  { needs: [CONSENT], timeoutMs: 120_000 },
);

// ---------------------------------------------------------------------------------------------------------
// The tray menu in each state: the same states again, reached over the tray's IPC (the popup is closed).

const ask = (request, timeoutMs) => ipcCall(run.socket, request, timeoutMs);
const choose = (status, duration) => ask({ op: "choose", status, duration, origin: "trayMenu" });
// A refused refresh shows when the keeper next refreshes: when the token is due, plus up to a minute's jitter.
const problemKind = (kind) =>
  waitFor(`a ${kind} problem`, async () => ((await snapshot(run.socket)).problem?.kind === kind ? true : null), {
    timeoutMs: 150_000,
    everyMs: 250,
  });

async function signInOverIpc() {
  const before = openedUrls(urlsFile).length;
  const signedIn = ask({ op: "signIn", method: "browser" }, 60_000);
  const authorize = await waitFor("the sign-in page", () =>
    openedUrls(urlsFile).slice(before).find((u) => u.includes("/oauth2/v2.0/authorize?")),
  );
  await signInThroughPages(authorize, USER);
  await signedIn;
  await waitFor("no problem", async () => ((await snapshot(run.socket)).problem ? null : true), { timeoutMs: 30_000 });
}

slowTest(
  "the tray menu in each state",
  async () => {
    if (run.session) await run.session.end();
    run.session = null;
    await waitFor("the popup to close", async () => (await popupWindow()) === null, { timeoutMs: 10_000 });
    await call("DELETE", "/_emulator/faults");
    await signInOverIpc();

    await choose("busy", "1h");
    await waitFor("the keeper to settle", () => settled(run.socket));
    await shootTray("timed", "The tray menu with Busy for 1 hour");
    await choose("dnd", "forever");
    await waitFor("the keeper to settle", () => settled(run.socket));
    await shootTray("until-changed", "The tray menu with Do not disturb until you change it");

    await post("/_emulator/faults", {
      path: `/v1.0/users/${run.oid}/presence/setUserPreferredPresence`,
      count: 1000,
      fault: { kind: "status", status: 429, retryAfter: 600 },
    });
    await choose("brb", "2h").catch(() => {});
    await problemKind("throttled");
    await shootTray("throttled", "The tray menu while throttled");
    await call("DELETE", "/_emulator/faults");
    await ask({ op: "retry" });

    await post("/_emulator/faults", { path: "/v1.0/", match: "prefix", count: 100000, fault: { kind: "drop" } });
    await choose("available", "30m").catch(() => {});
    await problemKind("offline");
    await shootTray("offline", "The tray menu while offline");
    await call("DELETE", "/_emulator/faults");
    await ask({ op: "retry" });
    await waitFor("no problem", async () => ((await snapshot(run.socket)).problem ? null : true), { timeoutMs: 60_000 });

    await post(`/_emulator/users/${USER}/revoke`);
    await choose("away", "1h").catch(() => {});
    await problemKind("signInRequired");
    await shootTray("sign-in-needed", "The tray menu when the sign-in must be renewed");

    await signInOverIpc();
    await refuseConsent();
    await choose("busy", "1h").catch(() => {});
    await problemKind("consentRequired");
    await shootTray("consent", "The tray menu when consent is needed");
    await call("DELETE", "/_emulator/faults");

    await ask({ op: "signOut" });
    await waitFor("signed out", async () => ((await snapshot(run.socket)).account.state === "signedOut" ? true : null));
    await shootTray("signed-out", "The tray menu, signed out");
  },
  { needs: [START], timeoutMs: 420_000 },
);

const failed = await runTests(async () => {
  if (run.session) await run.session.end().catch(() => {});
  await stopAll();
  fs.writeFileSync(path.join(TOUR, "index.json"), `${JSON.stringify(taken, null, 2)}\n`);
  console.log(`      ${taken.length} pictures in ${TOUR}`);
});
process.exit(failed === 0 ? 0 : 1);
