// The status message in the popup: what is shown now and Clear, the field (Enter, Set, sent with the next status),
// the one-click templates writing the chosen end on the user's clock, and "clear the message when the status ends".

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

import { templateEnd, templateText } from "../format";
import type { Problem, Snapshot } from "../types";
import { clone, SETTINGS_VIEW, SNAPSHOTS } from "./fixtures";
import { atFixtureNow, button, get, mount, press, text, unmount } from "./harness";

beforeEach(() => atFixtureNow());
afterEach(() => {
  unmount();
  vi.useRealTimers();
});

function typeMessage(root: HTMLElement, value: string): HTMLInputElement {
  const field = get<HTMLInputElement>(root, "#status-message");
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  return field;
}

describe("status message", () => {
  test("the message shown now says until when, and Clear sends clear_message", async () => {
    const m = await mount(SNAPSHOTS["busy-with-message"]);
    const now = get(m.root, '[data-slot="message-now"]');
    expect(now.hidden).toBe(false);
    expect(text(now)).toBe("“Back at 3, on a train” · until 14:05 Clear");
    get(m.root, '[data-command="clear-message"]').click();
    await m.settle();
    expect(m.sent("clear_message")).toHaveLength(1);
  });

  test("no message, or one past its end, shows nothing", async () => {
    let m = await mount(SNAPSHOTS.busy);
    expect(get(m.root, '[data-slot="message-now"]').hidden).toBe(true);
    const lapsed: Snapshot = clone(SNAPSHOTS["busy-with-message"]);
    lapsed.message!.expiresAt = "2025-06-02T13:00:00Z";
    m = await mount(lapsed);
    expect(get(m.root, '[data-slot="message-now"]').hidden).toBe(true);
  });

  test("Enter sends the typed message; the field empties once it is kept", async () => {
    const m = await mount(SNAPSHOTS.busy);
    const field = typeMessage(m.root, "  On a train, slow replies ");
    press("Enter", field);
    await m.settle();
    expect(m.sent("set_message").map((c) => c.args)).toEqual([{ text: "On a train, slow replies", until: null }]);
    expect(field.value).toBe("");
  });

  test("a message typed before picking a status is sent with it, after the status", async () => {
    const m = await mount(SNAPSHOTS.automatic);
    typeMessage(m.root, "Back at 3");
    get(m.root, '[data-status="busy"]').click();
    await m.settle();
    expect(m.calls.map((c) => c.cmd).filter((c) => c === "choose" || c === "set_message")).toEqual(["choose", "set_message"]);
    expect(m.sent("set_message")[0]!.args.text).toBe("Back at 3");
  });

  test("a refused message shows why under the field and keeps the text", async () => {
    const refusal: Problem = {
      kind: "invalidChoice",
      message: "the message is 300 characters long; Teams shows at most 280: shorten it",
      action: null,
      retryInSecs: null,
    };
    const m = await mount(SNAPSHOTS.busy, {
      set_message: () => {
        throw refusal;
      },
    });
    const field = typeMessage(m.root, "x".repeat(20));
    get(m.root, '[data-command="set-message"]').click();
    await m.settle();
    expect(text(get(m.root, "#message-error"))).toBe(refusal.message);
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(field.value).toBe("x".repeat(20));
    expect(field.maxLength).toBe(280);
  });

  test("a template fills in the chosen end on the user's clock", async () => {
    const m = await mount(SNAPSHOTS.busy);
    get<HTMLInputElement>(m.root, "#duration-2h").click();
    await m.settle();
    // Now is 13:13:20 UTC (the fixtures' now); two hours on is 15:13.
    expect(text(get(m.root, '[data-template="back"]'))).toBe("Back at 15:13");
    get(m.root, '[data-template="focus"]').click();
    await m.settle();
    expect(get<HTMLInputElement>(m.root, "#status-message").value).toBe("In focus time until 15:13");

    // "Until I change it" has no end of its own: the status's end (14:05), or none.
    get<HTMLInputElement>(m.root, "#duration-forever").click();
    await m.settle();
    expect(text(get(m.root, '[data-template="back"]'))).toBe("Back at 14:05");
    const twelve = await mount(SNAPSHOTS["busy-twelve-hour"]);
    get<HTMLInputElement>(twelve.root, "#duration-30m").click();
    await twelve.settle();
    expect(text(get(twelve.root, '[data-template="back"]'))).toBe("Back at 1:43 PM");
  });

  test("without an end a template reads without a time", () => {
    expect(templateText({ text: "Back at {time}", plain: "Back soon" }, templateEnd("forever", null, 0))).toBe("Back soon");
  });

  test("the option to clear the message with the status shows the setting and saves it", async () => {
    const off = clone(SETTINGS_VIEW);
    off.clearMessageWithStatus.value = false;
    const m = await mount(SNAPSHOTS.busy, { save_settings: () => clone(off) });
    const box = get<HTMLInputElement>(m.root, "#message-with-status");
    expect(box.checked).toBe(true);
    get<HTMLInputElement>(m.root, "#status-message").dispatchEvent(new FocusEvent("focusin", { bubbles: true }));
    await m.settle();
    expect(m.sent("get_settings")).toHaveLength(1);
    box.click();
    await m.settle();
    expect(m.sent("save_settings").map((c) => c.args)).toEqual([{ patch: { clearMessageWithStatus: false } }]);
    expect(box.checked).toBe(false);
    expect(button(m.root, "Set").disabled).toBe(false);
  });
});
