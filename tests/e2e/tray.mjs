// The tray on a real panel (tint2's system tray under Xvfb and openbox), seen and used from outside the app as a
// person would: find the icon docked in the panel, read its colour off the screen, open its menu with a mouse
// click and click a menu item. Nothing here talks to the app; the X server is the only interface.

import fs from "node:fs";
import path from "node:path";

import {
  commonColours,
  crop,
  pixels,
  rgb,
  screenshot,
  searchClass,
  sh,
  shareNear,
  sleep,
  waitFor,
  windowGeometry,
} from "./harness.mjs";

/** WM_CLASS of the icon window Tauri's tray (id "presently", src-tauri/src/tray.rs) docks in an XEmbed tray. */
const ICON_CLASS = "^tray-icon tray app presently$";

/**
 * The app's tray icon as docked in tint2: its window, its rectangle on screen and the panel's. Fails unless the
 * icon window is one of tint2's descendants (docked in its systray) and lies inside the panel's rectangle.
 */
export async function dockedIcon() {
  const icons = await searchClass(ICON_CLASS);
  if (icons.length !== 1) {
    throw new Error(`expected one tray icon window of class ${ICON_CLASS}, found ${icons.length}`);
  }
  const icon = icons[0];
  const iconHex = `0x${Number(icon).toString(16)}`;
  for (const panel of await searchClass("^tint2$")) {
    const tree = await sh("xwininfo", "-tree", "-id", panel);
    if (!tree.includes(`${iconHex} `)) continue;
    const panelRect = await windowGeometry(panel);
    const iconRect = await windowGeometry(icon);
    const inside =
      iconRect.x >= panelRect.x &&
      iconRect.y >= panelRect.y &&
      iconRect.x + iconRect.width <= panelRect.x + panelRect.width &&
      iconRect.y + iconRect.height <= panelRect.y + panelRect.height;
    if (!inside || iconRect.width < 8) {
      throw new Error(`the icon ${JSON.stringify(iconRect)} is not inside the panel ${JSON.stringify(panelRect)}`);
    }
    return { icon, panel, iconRect, panelRect };
  }
  throw new Error(`the tray icon window ${iconHex} is not docked in a tint2 panel`);
}

/**
 * The colour a tray icon is recognised by: the fill of the first filled circle of its SVG source
 * (`icons/src/tray/<stem>.svg`, from which `icons/tray/<stem>.png` is generated), or its stroke for a ring.
 */
export function iconColour(repo, stem) {
  const svg = fs.readFileSync(path.join(repo, "icons", "src", "tray", `${stem}.svg`), "utf8");
  const circle = [...svg.matchAll(/<circle\b[^>]*>/g)].map((m) => m[0])[0] ?? "";
  const fill = /fill="(#[0-9a-fA-F]{6})"/.exec(circle)?.[1];
  const stroke = /stroke="(#[0-9a-fA-F]{6})"/.exec(circle)?.[1];
  const colour = fill ?? stroke;
  if (!colour) throw new Error(`no colour in icons/src/tray/${stem}.svg`);
  return colour;
}

/**
 * Waits until the icon on screen shows `colour`: at least `minShare` of the icon's pixels within a small
 * tolerance of it (a disc of radius 14/32 covers ~60 % of the icon; its symbol and antialiased edge take
 * some). Returns what was seen.
 */
export async function waitForIconColour(screenFile, colour, { minShare = 0.25, timeoutMs = 15_000 } = {}) {
  let seen;
  await waitFor(
    `the tray icon to show ${colour}`,
    async () => {
      const { iconRect } = await dockedIcon();
      await screenshot(screenFile);
      const list = await pixels(screenFile, iconRect);
      seen = { share: Number(shareNear(list, rgb(colour)).toFixed(3)), common: commonColours(list), iconRect };
      return seen.share >= minShare ? seen : null;
    },
    { timeoutMs, everyMs: 250 },
  ).catch((e) => {
    throw new Error(`${e.message}; the icon's commonest colours: ${JSON.stringify(seen?.common)}`);
  });
  return seen;
}

/** Moves the pointer to (x, y) on the screen and clicks the left button there. */
export async function clickAt(x, y) {
  // No --sync: it waits for the pointer to move, forever when it is already there.
  await sh("xdotool", "mousemove", String(Math.round(x)), String(Math.round(y)));
  await sleep(100);
  await sh("xdotool", "click", "1");
}

/** The colour of one screen pixel, as [r, g, b]. */
async function pixelAt(screenFile, x, y) {
  await screenshot(screenFile);
  return (await pixels(screenFile, { x: Math.round(x), y: Math.round(y), width: 1, height: 1 }))[0];
}

/**
 * Clicks the menu item at screen height `y` as a person does: points at it, waits until GTK highlights it (the
 * pixel near the menu's right edge on that row changes colour), then clicks. A click on an item GTK has not
 * highlighted yet would not activate it.
 */
export async function clickMenuItem(screenFile, menuRect, y, evidence) {
  const x = menuRect.x + menuRect.width - 8;
  const before = await pixelAt(screenFile, x, y);
  await sh("xdotool", "mousemove", String(Math.round(menuRect.x + menuRect.width / 2)), String(Math.round(y)));
  await waitFor(
    `the menu item at y=${Math.round(y)} to be highlighted under the pointer`,
    async () => (await pixelAt(screenFile, x, y)).some((c, i) => Math.abs(c - before[i]) > 30),
    { timeoutMs: 5000, everyMs: 100 },
  );
  // What was highlighted when the click went in, for the logs of a failed run.
  if (evidence) await crop(screenFile, menuRect, evidence);
  await sh("xdotool", "click", "1");
}

/** The app's open menu window (GTK draws it as an override-redirect window of class presently-app). */
async function openMenu() {
  for (const w of await searchClass("^presently-app$", { onlyVisible: true })) {
    const rect = await windowGeometry(w);
    const name = await sh("xdotool", "getwindowname", w).catch(() => "");
    if (rect.height > 100 && name !== "Presently") return { window: w, rect };
  }
  return null;
}

/**
 * Opens the tray menu by clicking the icon; returns the menu window's rectangle. A click the panel loses (seen
 * once with the popup on screen: no menu within 5 s) is clicked again, as a person would, and said in the log so
 * that it stays visible.
 */
export async function openTrayMenu() {
  // Seen once: no icon window at that moment, in a run whose panel log shows the icon removed and docked again.
  // Wait for it as a person would, and say so in the log so that it stays visible.
  const { iconRect } = await dockedIcon().catch((e) => {
    console.log(`      ${e.message}; waiting for the icon to dock again`);
    return waitFor("the tray icon back in the panel", dockedIcon, { timeoutMs: 5000 });
  });
  const click = () => clickAt(iconRect.x + iconRect.width / 2, iconRect.y + iconRect.height / 2);
  await click();
  let menu = await waitFor("the tray menu to open after clicking the icon", openMenu, { timeoutMs: 5000 }).catch(
    () => null,
  );
  if (!menu) {
    console.log("      the first click on the tray icon opened no menu; clicking again");
    await click();
    menu = await waitFor("the tray menu to open after a second click", openMenu, { timeoutMs: 5000 });
  }
  await sleep(300); // drawn
  return menu.rect;
}

export async function closeTrayMenu() {
  await sh("xdotool", "key", "Escape");
  await waitFor("the tray menu to close", async () => (await openMenu()) === null, { timeoutMs: 5000 });
}

/**
 * Runs of screen rows where the vertical strip `x`..`x + width` of the menu has ink (pixels far from the menu's
 * background), as their centres in screen y, top to bottom. Runs under `minHeight` pixels (separators, one or
 * two pixels high) are left out.
 */
async function inkRuns(screenFile, menuRect, x, width, minHeight) {
  const strip = { x: menuRect.x + x, y: menuRect.y, width, height: menuRect.height };
  const list = await pixels(screenFile, strip);
  const background = rgb(commonColours(list, 1)[0].colour);
  const inked = (p) => p.some((c, i) => Math.abs(c - background[i]) > 60);
  const runs = [];
  let start = -1;
  for (let y = 0; y <= strip.height; y++) {
    const ink = y < strip.height && list.slice(y * width, (y + 1) * width).some(inked);
    if (ink && start < 0) start = y;
    if (!ink && start >= 0) {
      if (y - start >= minHeight && y - start <= 30) runs.push(menuRect.y + start + (y - start) / 2);
      start = -1;
    }
  }
  return runs;
}

/** The screen heights of the menu's label lines in the last screenshot (`trayMenuItems` takes it). */
export function menuLabelRows(screenFile, menuRect) {
  return inkRuns(screenFile, menuRect, 28, 60, 5);
}

/**
 * Where the tray menu's items are on the screen (screen y of their middles), found in a screenshot of the open
 * menu: the check boxes drawn left of the labels (the menu's first six are the statuses, in the order of
 * `PreferredPresence::ALL`, src-tauri/src/tray.rs) and the label lines. After the statuses, `build_menu` puts
 * "For: …", "Back to automatic", a separator and "Open Presently"; "Quit Presently" is the last item. Later
 * check items (the launch-at-login switch) and the optional detail line above the statuses do not matter.
 */
export async function trayMenuItems(screenFile, menuRect) {
  await screenshot(screenFile);
  const boxes = await inkRuns(screenFile, menuRect, 4, 20, 6);
  const labels = await inkRuns(screenFile, menuRect, 28, 60, 5);
  if (boxes.length < 6) throw new Error(`expected the six statuses' check boxes, found ${boxes.length}: ${boxes}`);
  const rows = boxes.slice(0, 6);
  const pitch = rows[1] - rows[0];
  for (let i = 1; i < rows.length; i++) {
    if (Math.abs(rows[i] - rows[i - 1] - pitch) > 2) {
      throw new Error(`the first six check boxes are not one list: ${boxes}`);
    }
  }
  const offline = labels.findIndex((y) => Math.abs(y - rows[5]) <= 4);
  if (offline < 0 || labels.length < offline + 5) {
    throw new Error(`the labels ${labels} do not line up with the status boxes ${rows}`);
  }
  const items = Object.fromEntries(["available", "busy", "dnd", "brb", "away", "offline"].map((s, i) => [s, rows[i]]));
  return { ...items, open: labels[offline + 3], quit: labels[labels.length - 1], pitch };
}
