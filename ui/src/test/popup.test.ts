// The main page against every snapshot fixture: what it says, the live countdown, and that it never polls.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

import { clone, SNAPSHOTS } from "./fixtures";
import { emit } from "@tauri-apps/api/event";

import { atFixtureNow, button, flush, get, mount, text, unmount } from "./harness";

beforeEach(() => atFixtureNow());
afterEach(() => {
  unmount();
  vi.useRealTimers();
});

describe("rendering each state", () => {
  test("busy for an hour: countdown, end, what Graph reports, account, next step", async () => {
    const { root } = await mount(SNAPSHOTS.busy);
    expect(text(get(root, ".now__headline"))).toBe("Busy · 52:10 left");
    expect(text(get(root, ".now__detail"))).toBe("until 14:05");
    expect(text(get(root, ".reported"))).toBe("Graph reported Busy · 2 min ago");
    expect(text(get(root, ".account"))).toBe("Ada Lovelace ada@contoso.com");
    expect(text(get(root, ".next"))).toBe("Renews at 14:05");
    const current = get(root, '.status[aria-current="true"]');
    expect(current.dataset.status).toBe("busy");
    expect(get(root, '[data-command="back-to-automatic"]').hidden).toBe(false);
    expect(root.querySelector('[role="alert"]')).toBeNull();
  });

  test("a user on a 12-hour clock reads every time as the tray writes it, whatever the page's locale", async () => {
    // The harness pins the locale to en-GB, whose own clock is 24-hour: the snapshot's hourCycle decides.
    const { root } = await mount(SNAPSHOTS["busy-twelve-hour"]);
    expect(text(get(root, ".now__detail"))).toBe("until 2:05 PM");
    expect(text(get(root, ".next"))).toBe("Renews at 2:05 PM");
  });

  test("automatic: no intent, nothing marked, no back-to-automatic button", async () => {
    const { root } = await mount(SNAPSHOTS.automatic);
    expect(text(get(root, ".now__headline"))).toBe("Automatic");
    expect(root.querySelector('.status[aria-current="true"]')).toBeNull();
    expect(get(root, '[data-command="back-to-automatic"]').hidden).toBe(true);
    expect(text(get(root, ".reported"))).toBe("Graph reports Available · just now");
    expect(text(get(root, ".next"))).toBe("Refreshes sign-in at 14:02");
  });

  test("syncing: an open-ended status and a syncing indicator", async () => {
    const { root } = await mount(SNAPSHOTS.syncing);
    expect(text(get(root, ".now__headline"))).toBe("Do not disturb · until you change it");
    expect(text(get(root, ".now__detail"))).toBe("set with a hotkey");
    const activity = get(root, ".activity");
    expect(text(activity)).toBe("Syncing…");
    expect(activity.getAttribute("role")).toBe("status");
    // The pending write is named as what it is, not as a renewal.
    expect(text(get(root, ".next"))).toBe("Sending to Microsoft now");
  });

  test("checking: the reading it has, its age, marked as being checked now", async () => {
    const { root } = await mount(SNAPSHOTS.checking);
    expect(text(get(root, ".reported"))).toBe("Graph reported Busy · 40 min ago · checking now");
    expect(text(get(root, ".activity"))).toBe("Checking…");
  });

  test("a problem comes first, and a reading from before it says so", async () => {
    const { root } = await mount(SNAPSHOTS.retrying);
    const banner = get(root, '[role="alert"]');
    const now = get(root, ".now");
    expect(banner.compareDocumentPosition(now) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(text(get(root, ".reported"))).toBe("Graph reported Appear away · 15 min ago, before this problem");
  });

  test("retrying: the problem, its own countdown and a Retry button", async () => {
    const { root } = await mount(SNAPSHOTS.retrying);
    expect(text(get(root, ".now__headline"))).toBe("Appear away · until 17:30");
    const banner = get(root, '[role="alert"]');
    expect(text(banner)).toContain("Microsoft Graph cannot be reached");
    expect(text(get(banner, ".banner__note"))).toBe("Presently retries by itself in 0:30.");
    expect(button(banner, "Retry")).toBeTruthy();
    expect(text(get(root, ".activity"))).toBe("Waiting to retry");
    // The footer does not repeat the retry the banner counts down.
    expect(get(root, ".next").hidden).toBe(true);
  });

  test("differs: Graph's report and the reason, as a calm note rather than an alarm", async () => {
    const { root } = await mount(SNAPSHOTS.differs);
    expect(text(get(root, ".reported"))).toBe("Graph reported Busy (in a meeting) · 2 min ago");
    const note = get(root, '[role="note"]');
    expect(text(note)).toBe(
      (SNAPSHOTS.differs.agreement as { reason: string }).reason,
    );
    expect(root.querySelector('[role="alert"]')).toBeNull();
  });

  test("sign-in required: the kept intent, the problem with Sign in again, and a code alternative", async () => {
    const { root } = await mount(SNAPSHOTS["sign-in-required"]);
    expect(text(get(root, ".now__headline"))).toBe("Be right back · 31:40 left");
    expect(text(get(root, ".now__detail"))).toBe("until 13:45 · changed in Teams");
    expect(text(get(root, '[role="alert"]'))).toContain("Sign in again");
    expect(button(root, "Use a code instead")).toBeTruthy();
    expect(text(get(root, ".account__flag"))).toBe("Sign-in needed");
  });

  test("consent required: the admin link action", async () => {
    const { root } = await mount(SNAPSHOTS.consent);
    expect(button(get(root, '[role="alert"]'), "Copy link for your admin")).toBeTruthy();
  });

  test("starting: status buttons wait", async () => {
    const { root } = await mount(SNAPSHOTS.starting);
    expect(text(get(root, ".now__headline"))).toBe("Starting…");
    for (const b of root.querySelectorAll<HTMLButtonElement>(".status")) expect(b.disabled).toBe(true);
  });

  test("signed out: the welcome page, not the status page", async () => {
    const { root } = await mount(SNAPSHOTS["signed-out"]);
    expect(root.querySelector(".page--welcome")).not.toBeNull();
    expect(root.querySelector(".statuses")).toBeNull();
  });

  test("each status button has its dot, name and key", async () => {
    const { root } = await mount(SNAPSHOTS.busy);
    const buttons = [...root.querySelectorAll<HTMLButtonElement>(".status")];
    expect(buttons.map((b) => text(b))).toEqual([
      "Available1",
      "Busy2",
      "Do not disturb3",
      "Be right back4",
      "Appear away5",
      "Appear offline6",
    ]);
    expect(buttons.map((b) => b.getAttribute("aria-keyshortcuts"))).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect(buttons.every((b) => b.querySelector(".badge svg"))).toBe(true);
  });
});

describe("state flow", () => {
  test("the countdown ticks locally, once a second, until the end", async () => {
    const { root } = await mount(SNAPSHOTS.busy);
    const headline = get(root, ".now__headline");
    vi.advanceTimersByTime(1000);
    expect(text(headline)).toBe("Busy · 52:09 left");
    vi.advanceTimersByTime(60_000);
    expect(text(headline)).toBe("Busy · 51:09 left");
    expect(text(get(root, ".reported"))).toBe("Graph reported Busy · 3 min ago");
    vi.advanceTimersByTime((51 * 60 + 9) * 1000);
    expect(text(headline)).toBe("Busy · ending now");
  });

  test("nothing polls: ten minutes pass with only the one get_state", async () => {
    const m = await mount(SNAPSHOTS.busy);
    const before = m.calls.filter((c) => !c.cmd.startsWith("plugin:event")).map((c) => c.cmd);
    expect(before).toEqual(["get_no_tray_note", "get_state"]);
    vi.advanceTimersByTime(10 * 60_000);
    await m.settle();
    expect(m.calls.filter((c) => !c.cmd.startsWith("plugin:event")).map((c) => c.cmd)).toEqual([
      "get_no_tray_note",
      "get_state",
    ]);
  });

  test("it listens before asking, so a change during get_state is not lost", async () => {
    let answer: (value: unknown) => void = () => {};
    const pending = new Promise((resolve) => (answer = resolve));
    const started = mount(SNAPSHOTS.busy, { get_state: () => pending });
    await flush();
    const newer = clone(SNAPSHOTS.automatic);
    newer.revision = 50;
    await emit("state:changed", newer);
    answer(clone(SNAPSHOTS.busy));
    const m = await started;
    expect(text(get(m.root, ".now__headline"))).toBe("Automatic");
  });

  test("a state:changed event replaces the whole view", async () => {
    const m = await mount(SNAPSHOTS.busy);
    const next = clone(SNAPSHOTS.automatic);
    next.revision = 20;
    await m.emit("stateChanged", next);
    expect(text(get(m.root, ".now__headline"))).toBe("Automatic");
  });

  test("an older snapshot never overwrites a newer one", async () => {
    const m = await mount(SNAPSHOTS.busy);
    const stale = clone(SNAPSHOTS.automatic);
    stale.revision = 1;
    await m.emit("stateChanged", stale);
    expect(text(get(m.root, ".now__headline"))).toBe("Busy · 52:10 left");
  });

  test("a keeper event shows a short notice that goes away", async () => {
    const m = await mount(SNAPSHOTS.automatic);
    await m.emit("keeperEvent", { type: "intentEnded", status: "busy" });
    expect(text(get(m.root, ".notice"))).toBe("Busy ended: Teams decides again.");
    vi.advanceTimersByTime(7000);
    expect(get(m.root, ".notice").hidden).toBe(true);
  });

  test("the ticker stops while the popup is hidden", async () => {
    await mount(SNAPSHOTS.busy);
    const timers = vi.getTimerCount(); // the ticker, and jsdom's own frame timer
    let state: DocumentVisibilityState = "hidden";
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
    try {
      document.dispatchEvent(new Event("visibilitychange"));
      expect(vi.getTimerCount()).toBe(timers - 1);
      vi.advanceTimersByTime(5000);
      expect(text(document.querySelector(".now__headline"))).toBe("Busy · 52:10 left");
      state = "visible";
      document.dispatchEvent(new Event("visibilitychange"));
      expect(text(document.querySelector(".now__headline"))).toBe("Busy · 52:05 left");
      vi.advanceTimersByTime(1000);
      expect(text(document.querySelector(".now__headline"))).toBe("Busy · 52:04 left");
    } finally {
      delete (document as { visibilityState?: unknown }).visibilityState;
    }
  });
});

describe("without a tray icon", () => {
  test("the tray's popup shows no note and no Quit", async () => {
    const m = await mount(SNAPSHOTS.busy);
    expect(m.root.querySelector(".no-tray")).toBeNull();
    expect(m.root.classList.contains("app--windowed")).toBe(false);
  });

  test("the window standing in for the tray says how to get one and quits the app", async () => {
    const note = "No tray icon on this desktop. Add a system tray to your panel, then start Presently again.";
    const m = await mount(SNAPSHOTS.busy, { get_no_tray_note: () => note });
    const strip = m.root.querySelector<HTMLElement>(".no-tray");
    expect(strip?.textContent).toContain(note);
    expect(m.root.firstElementChild).toBe(strip);
    // Still the whole popup below it.
    expect(m.root.querySelector(".page")).not.toBeNull();
    const quit = [...(strip?.querySelectorAll("button") ?? [])].find((b) => b.textContent === "Quit Presently");
    quit?.click();
    await m.settle();
    expect(m.sent("quit_app")).toHaveLength(1);
  });
});
