// Choosing, going back to automatic, and each problem action's button calling the right command.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

import type { Problem, Snapshot } from "../types";
import { clone, PROBLEMS, SNAPSHOTS } from "./fixtures";
import { atFixtureNow, button, get, mount, text, unmount } from "./harness";

beforeEach(() => atFixtureNow());
afterEach(() => {
  unmount();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function withProblem(problem: Problem): Snapshot {
  const s = clone(SNAPSHOTS.busy);
  s.problem = clone(problem);
  return s;
}

function problemOf(action: NonNullable<Problem["action"]>["type"]): Problem {
  const found = PROBLEMS.find((p) => p.action?.type === action);
  if (!found) throw new Error(`no problem fixture with ${action}`);
  return found;
}

function stubClipboard(writeText: (text: string) => Promise<void>) {
  const spy = vi.fn(writeText);
  vi.stubGlobal("navigator", { ...navigator, platform: "Linux x86_64", clipboard: { writeText: spy } });
  return spy;
}

describe("choosing", () => {
  test("a status button sends choose with the selected duration", async () => {
    const m = await mount(SNAPSHOTS.automatic);
    get<HTMLInputElement>(m.root, "#duration-2h").click();
    get(m.root, '[data-status="dnd"]').click();
    await m.settle();
    expect(m.sent("choose").map((c) => c.args)).toEqual([{ status: "dnd", duration: "2h" }]);
  });

  test("every preset sends its short name", async () => {
    const m = await mount(SNAPSHOTS.automatic);
    for (const value of ["30m", "1h", "2h", "4h", "8h", "eod", "forever"]) {
      get<HTMLInputElement>(m.root, `#duration-${value}`).click();
      get(m.root, '[data-status="busy"]').click();
      await m.settle();
    }
    expect(m.sent("choose").map((c) => c.args.duration)).toEqual(["30m", "1h", "2h", "4h", "8h", "eod", "forever"]);
  });

  test("a custom duration is sent as typed, and a refusal shows under the field", async () => {
    const refusal: Problem = {
      kind: "invalidChoice",
      message: '"a while" is not a duration: try 90m, 1h30m, PT2H, until 17:30, until tomorrow 9:00, eod or forever',
      action: null,
      retryInSecs: null,
    };
    const m = await mount(SNAPSHOTS.automatic, {
      choose: (args) => {
        if (args.duration === "a while") throw refusal;
        return null;
      },
    });
    get<HTMLInputElement>(m.root, "#duration-custom").click();
    const field = get<HTMLInputElement>(m.root, "#custom-duration");
    expect(field.closest<HTMLElement>(".custom")!.hidden).toBe(false);
    field.value = "a while";
    field.dispatchEvent(new Event("input"));
    get(m.root, '[data-status="busy"]').click();
    await m.settle();
    const error = get(m.root, "#custom-error");
    expect(text(error)).toBe(refusal.message);
    expect(error.getAttribute("role")).toBe("alert");
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(field.value).toBe("a while");
    expect(document.activeElement).toBe(field);

    field.value = "until 17:30";
    field.dispatchEvent(new Event("input"));
    expect(get(m.root, "#custom-error").hidden).toBe(true);
    get(m.root, '[data-status="busy"]').click();
    await m.settle();
    expect(m.sent("choose").map((c) => c.args.duration)).toEqual(["a while", "until 17:30"]);
  });

  test("an empty custom duration asks for one instead of sending", async () => {
    const m = await mount(SNAPSHOTS.automatic);
    get<HTMLInputElement>(m.root, "#duration-custom").click();
    get(m.root, '[data-status="brb"]').click();
    await m.settle();
    expect(m.sent("choose")).toEqual([]);
    expect(text(get(m.root, "#custom-error"))).toContain("Type how long");
  });

  test("Enter in the custom field applies it to the current status", async () => {
    const m = await mount(SNAPSHOTS.busy);
    get<HTMLInputElement>(m.root, "#duration-custom").click();
    const field = get<HTMLInputElement>(m.root, "#custom-duration");
    field.value = "90m";
    field.dispatchEvent(new Event("input"));
    field.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
    await m.settle();
    expect(m.sent("choose").map((c) => c.args)).toEqual([{ status: "busy", duration: "90m" }]);
  });

  test("another failure of choose is shown as a problem with its action", async () => {
    const m = await mount(SNAPSHOTS.automatic, {
      choose: () => {
        throw clone(problemOf("retry"));
      },
    });
    get(m.root, '[data-status="busy"]').click();
    await m.settle();
    expect(text(get(m.root, '[role="alert"]'))).toContain(problemOf("retry").message);
  });

  test("a plain string error (an argument Tauri refused) still becomes a readable problem", async () => {
    const m = await mount(SNAPSHOTS.automatic, {
      choose: () => {
        throw "invalid args `status` for command `choose`";
      },
    });
    get(m.root, '[data-status="busy"]').click();
    await m.settle();
    expect(text(get(m.root, '[role="alert"]'))).toContain("invalid args");
  });

  test("the selected duration is remembered for the next time the popup opens", async () => {
    let m = await mount(SNAPSHOTS.automatic);
    get<HTMLInputElement>(m.root, "#duration-4h").click();
    m = await mount(SNAPSHOTS.automatic);
    expect(get<HTMLInputElement>(m.root, "#duration-4h").checked).toBe(true);
    localStorage.clear();
  });

  test("Back to automatic sends back_to_automatic", async () => {
    const m = await mount(SNAPSHOTS.busy);
    get(m.root, '[data-command="back-to-automatic"]').click();
    await m.settle();
    expect(m.sent("back_to_automatic")).toHaveLength(1);
  });
});

describe("problem actions", () => {
  test("Sign in again starts a browser sign-in; Use a code instead starts a device-code one", async () => {
    const m = await mount(withProblem(problemOf("signIn")));
    button(m.root, "Sign in again").click();
    await m.settle();
    expect(m.sent("sign_in").map((c) => c.args)).toEqual([{ method: "browser" }]);
  });

  test("Use a code instead (under Sign in again) starts a device-code sign-in", async () => {
    const m = await mount(withProblem(problemOf("signIn")));
    button(m.root, "Use a code instead").click();
    await m.settle();
    expect(m.sent("sign_in").map((c) => c.args)).toEqual([{ method: "deviceCode" }]);
  });

  test("Sign in with the browser starts a browser sign-in", async () => {
    const m = await mount(withProblem(problemOf("signInWithBrowser")));
    button(m.root, "Sign in with the browser").click();
    await m.settle();
    expect(m.sent("sign_in").map((c) => c.args)).toEqual([{ method: "browser" }]);
  });

  test("Retry sends retry", async () => {
    const m = await mount(withProblem(problemOf("retry")));
    button(m.root, "Retry").click();
    await m.settle();
    expect(m.sent("retry")).toHaveLength(1);
  });

  test("Settings opens the settings page, which asks for the settings", async () => {
    const m = await mount(withProblem(problemOf("openSettings")));
    button(m.root, "Settings").click();
    await m.settle();
    expect(m.root.querySelector(".page--settings")).not.toBeNull();
    expect(m.sent("get_settings")).toHaveLength(1);
  });

  test("Use my organisation's app opens the settings at the client id field", async () => {
    const m = await mount(withProblem(problemOf("useOrganisationApp")));
    button(m.root, "Use my organisation’s app").click();
    await m.settle();
    expect(m.root.querySelector(".page--settings")).not.toBeNull();
    expect(m.sent("get_settings")).toHaveLength(1);
    expect(document.activeElement).toBe(get(m.root, "#setting-clientId"));
  });

  test("Copy link for your admin copies the admin-consent URL", async () => {
    const writeText = stubClipboard(async () => {});
    const problem = problemOf("copyAdminConsentLink");
    const m = await mount(withProblem(problem));
    button(m.root, "Copy link for your admin").click();
    await m.settle();
    expect(writeText).toHaveBeenCalledWith((problem.action as { url: string }).url);
    expect(text(get(m.root, ".notice"))).toBe("Link copied: send it to your IT administrator.");
  });

  test("without a clipboard, the link is shown selected in a read-only field", async () => {
    stubClipboard(async () => {
      throw new Error("not allowed");
    });
    const problem = problemOf("copyAdminConsentLink");
    const m = await mount(withProblem(problem));
    button(m.root, "Copy link for your admin").click();
    await m.settle();
    const field = get<HTMLInputElement>(m.root, ".copy-field");
    expect(field.readOnly).toBe(true);
    expect(field.value).toBe((problem.action as { url: string }).url);
    expect(document.activeElement).toBe(field);
    expect(field.selectionStart).toBe(0);
    expect(field.selectionEnd).toBe(field.value.length);
    expect(text(m.root)).toContain("Press Ctrl+C to copy.");
  });

  test("every action in the fixtures has a button", async () => {
    for (const problem of PROBLEMS) {
      const m = await mount(withProblem(problem));
      const banner = get(m.root, '[role="alert"]');
      expect(text(banner)).toContain(problem.message);
      const buttons = banner.querySelectorAll("button[data-action]");
      expect(buttons.length, problem.kind).toBe(problem.action ? 1 : 0);
    }
  });
});
