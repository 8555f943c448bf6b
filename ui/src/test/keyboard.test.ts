// Keyboard-only use: keys 1–6 choose a status with the selected duration, Esc hides the popup, typing is never
// taken for a shortcut, and every control is a real, labelled, focusable element.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

import { SNAPSHOTS } from "./fixtures";
import { atFixtureNow, get, mount, press, unmount } from "./harness";

beforeEach(() => atFixtureNow());
afterEach(() => {
  unmount();
  vi.useRealTimers();
});

describe("keyboard", () => {
  test("keys 1 to 6 choose the six statuses in order with the selected duration", async () => {
    const m = await mount(SNAPSHOTS.automatic);
    get<HTMLInputElement>(m.root, "#duration-eod").click();
    for (const key of ["1", "2", "3", "4", "5", "6"]) {
      press(key, document.body);
      await m.settle();
    }
    expect(m.sent("choose").map((c) => c.args)).toEqual(
      ["available", "busy", "dnd", "brb", "away", "offline"].map((status) => ({ status, duration: "eod" })),
    );
  });

  test("a digit typed into a text field is text, not a shortcut", async () => {
    const m = await mount(SNAPSHOTS.automatic);
    get<HTMLInputElement>(m.root, "#duration-custom").click();
    const field = get<HTMLInputElement>(m.root, "#custom-duration");
    field.focus();
    press("2", field);
    await m.settle();
    expect(m.sent("choose")).toEqual([]);
  });

  test("a digit with a modifier, or 7, does nothing", async () => {
    const m = await mount(SNAPSHOTS.automatic);
    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "2", ctrlKey: true, bubbles: true }));
    press("7", document.body);
    await m.settle();
    expect(m.sent("choose")).toEqual([]);
  });

  test("digits do nothing on the settings page or when signed out", async () => {
    let m = await mount(SNAPSHOTS.busy);
    get(m.root, '[data-command="open-settings"]').click();
    press("3", document.body);
    await m.settle();
    expect(m.sent("choose")).toEqual([]);
    m = await mount(SNAPSHOTS["signed-out"]);
    press("3", document.body);
    await m.settle();
    expect(m.sent("choose")).toEqual([]);
  });

  test("Esc hides the popup, from anywhere", async () => {
    const m = await mount(SNAPSHOTS.busy);
    press("Escape", document.body);
    get<HTMLInputElement>(m.root, "#duration-custom").click();
    press("Escape", get(m.root, "#custom-duration"));
    await m.settle();
    expect(m.sent("hide_popup")).toHaveLength(2);
  });

  test("Enter or Space on a focused status button chooses it (they are real buttons)", async () => {
    const m = await mount(SNAPSHOTS.automatic);
    const busy = get<HTMLButtonElement>(m.root, '[data-status="busy"]');
    expect(busy.tagName).toBe("BUTTON");
    expect(busy.type).toBe("button");
    busy.focus();
    expect(document.activeElement).toBe(busy);
    // Browsers turn Enter/Space on a button into a click; jsdom does not, so the click stands in for it.
    busy.click();
    await m.settle();
    expect(m.sent("choose")).toHaveLength(1);
  });

  test("controls are labelled, and in the DOM in the order they are seen", async () => {
    const m = await mount(SNAPSHOTS.busy);
    const focusable = [...m.root.querySelectorAll<HTMLElement>("button, input, select, summary, [tabindex='0']")].filter(
      (el) => !el.closest("[hidden]") && !(el as HTMLButtonElement).disabled,
    );
    expect(focusable.every((el) => el.tabIndex >= 0)).toBe(true);
    const names = focusable.map((el) => {
      if (el instanceof HTMLInputElement && el.type === "radio") return `radio:${el.value}`;
      if (el instanceof HTMLInputElement) return `input:${el.id}`;
      return (
        el.getAttribute("aria-label") ??
        el.dataset.status ??
        el.dataset.command ??
        (el.dataset.template ? `template:${el.dataset.template}` : el.textContent?.trim())
      );
    });
    expect(names).toEqual([
      "Settings",
      "available",
      "busy",
      "dnd",
      "brb",
      "away",
      "offline",
      "radio:30m",
      "radio:1h",
      "radio:2h",
      "radio:4h",
      "radio:8h",
      "radio:eod",
      "radio:forever",
      "radio:custom",
      "input:status-message",
      "set-message",
      "template:back",
      "template:focus",
      "input:message-with-status",
      "back-to-automatic",
    ]);
    // The message field and the setting are labelled.
    expect(get(m.root, 'label[for="status-message"]').textContent).toBe("Status message");
    expect(get(m.root, 'label[for="message-with-status"]').textContent).toBe("Clear the message when the status ends");
    // Every radio has a visible label; the group has a legend; the status list a heading.
    for (const radio of m.root.querySelectorAll<HTMLInputElement>("input[type=radio]")) {
      expect(m.root.querySelector(`label[for="${radio.id}"]`)?.textContent).toBeTruthy();
    }
    expect(get(m.root, "fieldset.durations legend").textContent).toBe("For how long");
    expect(get(m.root, ".statuses").getAttribute("aria-labelledby")).toBe("statuses-label");
  });

  test("Up and Down move between the status buttons, wrapping around", async () => {
    const m = await mount(SNAPSHOTS.busy);
    const available = get<HTMLButtonElement>(m.root, '[data-status="available"]');
    available.focus();
    press("ArrowDown");
    expect((document.activeElement as HTMLElement).dataset.status).toBe("busy");
    press("ArrowUp");
    press("ArrowUp");
    expect((document.activeElement as HTMLElement).dataset.status).toBe("offline");
    expect(m.sent("choose")).toEqual([]);
  });

  test("opening and closing the settings moves focus to Back and then to the settings button", async () => {
    const m = await mount(SNAPSHOTS.busy);
    const gear = get<HTMLButtonElement>(m.root, '[data-command="open-settings"]');
    gear.focus();
    gear.click();
    await m.settle();
    expect((document.activeElement as HTMLElement).dataset.command).toBe("close-settings");
    (document.activeElement as HTMLElement).click();
    expect((document.activeElement as HTMLElement).dataset.command).toBe("open-settings");
  });
});
