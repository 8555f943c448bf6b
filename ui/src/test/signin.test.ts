// First run: the welcome page, browser and device-code sign-in, the organisation's own app, and the session
// explanation.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

import { ORG_SAVED, SESSION_EXPLANATION } from "../views/welcome";
import { clone, DEVICE_CODE, SETTINGS_REJECTED, SETTINGS_VIEW, SIGN_IN_FAILED, SIGN_IN_OK, SNAPSHOTS } from "./fixtures";
import { atFixtureNow, button, get, mount, text, unmount } from "./harness";

/** A sign-in that stays in progress until the test ends it (as the real command does). */
function pendingSignIn() {
  let finish: () => void = () => {};
  const handler = () => new Promise<null>((resolve) => (finish = () => resolve(null)));
  return { handler, finish: () => finish() };
}

beforeEach(() => atFixtureNow());
afterEach(() => {
  unmount();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("welcome", () => {
  test("says what Presently does and offers the three ways to sign in", async () => {
    const { root } = await mount(SNAPSHOTS["signed-out"]);
    expect(text(get(root, ".welcome__lead"))).toContain("sets your Microsoft Teams status");
    expect(button(root, "Sign in with Microsoft")).toBeTruthy();
    expect(button(root, "Use a code instead")).toBeTruthy();
    expect(button(root, "Use my organisation's app").getAttribute("aria-expanded")).toBe("false");
  });

  test("why Presently keeps a session is one click away and explains contract §3", async () => {
    const { root } = await mount(SNAPSHOTS["signed-out"]);
    const details = get<HTMLDetailsElement>(root, "details.explainer");
    expect(text(get(details, "summary"))).toBe("Why does Presently keep a session?");
    expect(details.open).toBe(false);
    get(details, "summary").click();
    expect(details.open).toBe(true);
    expect(text(details)).toContain("Offline");
    expect(SESSION_EXPLANATION.join(" ")).toMatch(/only while you have a live presence session/);
  });

  test("Sign in with Microsoft starts a browser sign-in and shows that it waits, with Cancel", async () => {
    const signIn = pendingSignIn();
    const m = await mount(SNAPSHOTS["signed-out"], { sign_in: signIn.handler });
    button(m.root, "Sign in with Microsoft").click();
    await m.settle();
    expect(m.sent("sign_in").map((c) => c.args)).toEqual([{ method: "browser" }]);
    expect(text(get(m.root, ".signin-wait"))).toContain("Finish signing in with your browser");
    button(m.root, "Cancel").click();
    await m.settle();
    expect(m.sent("cancel_sign_in")).toHaveLength(1);
    expect(m.root.querySelector(".signin-wait")).toBeNull();
    signIn.finish();
  });

  test("signing in successfully moves to the status page", async () => {
    const signIn = pendingSignIn();
    const m = await mount(SNAPSHOTS["signed-out"], { sign_in: signIn.handler });
    button(m.root, "Sign in with Microsoft").click();
    await m.settle();
    const signedIn = clone(SNAPSHOTS.automatic);
    signedIn.revision = 40;
    await m.emit("stateChanged", signedIn);
    await m.emit("signInFinished", SIGN_IN_OK);
    signIn.finish();
    await m.settle();
    expect(m.root.querySelector(".page--main")).not.toBeNull();
    expect(text(get(m.root, ".notice"))).toBe("Signed in.");
  });

  test("a failed sign-in shows its problem and action", async () => {
    const signIn = pendingSignIn();
    const m = await mount(SNAPSHOTS["signed-out"], { sign_in: signIn.handler });
    button(m.root, "Sign in with Microsoft").click();
    await m.settle();
    await m.emit("signInFinished", SIGN_IN_FAILED);
    const banner = get(m.root, '[role="alert"]');
    expect(text(banner)).toContain(SIGN_IN_FAILED.problem!.message);
    expect(button(banner, "Sign in with the browser")).toBeTruthy();
    signIn.finish();
  });
});

describe("device code", () => {
  test("the code from the signin:device-code event is shown with where to type it and a live expiry", async () => {
    const signIn = pendingSignIn();
    const m = await mount(SNAPSHOTS["signed-out"], { sign_in: signIn.handler });
    button(m.root, "Use a code instead").click();
    await m.settle();
    expect(m.sent("sign_in").map((c) => c.args)).toEqual([{ method: "deviceCode" }]);
    expect(text(get(m.root, ".signin-wait"))).toContain("Asking Microsoft for a code");

    await m.emit("deviceCode", DEVICE_CODE);
    const panel = get(m.root, ".device-code");
    expect(text(get(panel, ".device-code__code"))).toBe("H7QK-2MPL");
    expect(text(panel)).toContain("microsoft.com/devicelogin");
    expect(text(panel)).toContain("The code works for 15:00 more.");
    vi.advanceTimersByTime(61_000);
    expect(text(panel)).toContain("The code works for 13:59 more.");
    signIn.finish();
  });

  test("Copy puts the code on the clipboard", async () => {
    const writeText = vi.fn(async (_text: string) => {});
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    const signIn = pendingSignIn();
    const m = await mount(SNAPSHOTS["signed-out"], { sign_in: signIn.handler });
    button(m.root, "Use a code instead").click();
    await m.settle();
    await m.emit("deviceCode", DEVICE_CODE);
    get(m.root, '[data-command="copy-code"]').click();
    await m.settle();
    expect(writeText).toHaveBeenCalledWith("H7QK-2MPL");
    expect(text(get(m.root, '[data-command="copy-code"]'))).toBe("Copied");
    signIn.finish();
  });

  test("Cancel ends the device-code sign-in", async () => {
    const signIn = pendingSignIn();
    const m = await mount(SNAPSHOTS["signed-out"], { sign_in: signIn.handler });
    button(m.root, "Use a code instead").click();
    await m.settle();
    await m.emit("deviceCode", DEVICE_CODE);
    get(m.root, '[data-command="cancel-sign-in"]').click();
    await m.settle();
    expect(m.sent("cancel_sign_in")).toHaveLength(1);
    expect(m.root.querySelector(".device-code")).toBeNull();
    signIn.finish();
  });
});

describe("the organisation's app", () => {
  test("tenant and client id are saved through save_settings", async () => {
    const m = await mount(SNAPSHOTS["signed-out"], { save_settings: () => clone(SETTINGS_VIEW) });
    button(m.root, "Use my organisation's app").click();
    const form = get<HTMLFormElement>(m.root, "#org-form");
    expect(form.hidden).toBe(false);
    get<HTMLInputElement>(form, "#org-tenant").value = "contoso.onmicrosoft.com";
    get<HTMLInputElement>(form, "#org-client").value = " 11111111-2222-3333-4444-555555555555 ";
    button(form, "Save").click();
    await m.settle();
    expect(m.sent("save_settings").map((c) => c.args)).toEqual([
      { patch: { tenant: "contoso.onmicrosoft.com", clientId: "11111111-2222-3333-4444-555555555555" } },
    ]);
    expect(text(form)).toContain(ORG_SAVED);
  });

  test("a refusal is shown next to each field and the typed values stay", async () => {
    const m = await mount(SNAPSHOTS["signed-out"], {
      save_settings: () => {
        throw clone(SETTINGS_REJECTED);
      },
    });
    button(m.root, "Use my organisation's app").click();
    const tenant = get<HTMLInputElement>(m.root, "#org-tenant");
    const client = get<HTMLInputElement>(m.root, "#org-client");
    tenant.value = "contoso com";
    client.value = "my-app";
    button(m.root, "Save").click();
    await m.settle();
    const byField = new Map(SETTINGS_REJECTED.fieldErrors.map((e) => [e.field, e.message]));
    expect(text(get(m.root, "#org-tenant-error"))).toBe(byField.get("tenant"));
    expect(text(get(m.root, "#org-client-error"))).toBe(byField.get("clientId"));
    expect(tenant.getAttribute("aria-invalid")).toBe("true");
    expect(client.getAttribute("aria-invalid")).toBe("true");
    expect([tenant.value, client.value]).toEqual(["contoso com", "my-app"]);
    expect(document.activeElement).toBe(tenant);
  });
});
