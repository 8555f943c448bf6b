// The settings page: values and their sources, locks, saving only what changed, refusals in place.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

import type { SettingsView } from "../types";
import { clone, SETTINGS_PATCH, SETTINGS_REJECTED, SETTINGS_REJECTED_PROBLEM, SETTINGS_VIEW, SETTINGS_VIEW_LOCKED, SNAPSHOTS } from "./fixtures";
import { atFixtureNow, button, get, type Handler, mount, text, unmount } from "./harness";

beforeEach(() => atFixtureNow());
afterEach(() => {
  unmount();
  vi.useRealTimers();
});

async function openSettings(view: SettingsView = SETTINGS_VIEW, handlers: Record<string, Handler> = {}) {
  const m = await mount(SNAPSHOTS.busy, { get_settings: () => clone(view), ...handlers });
  get(m.root, '[data-command="open-settings"]').click();
  await m.settle();
  return m;
}

function input(root: ParentNode, key: string): HTMLInputElement {
  return get<HTMLInputElement>(root, `#setting-${key}`);
}

function type(field: HTMLInputElement | HTMLSelectElement, value: string): void {
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
}

describe("settings", () => {
  test("shows every setting's value in force", async () => {
    const m = await openSettings();
    expect(input(m.root, "tenant").value).toBe("organizations");
    expect(input(m.root, "clientId").value).toBe(SETTINGS_VIEW.clientId.value);
    expect(get<HTMLSelectElement>(m.root, "#setting-cloud").value).toBe("global");
    expect(input(m.root, "workdayEnd").value).toBe("18:00");
    expect(get<HTMLInputElement>(m.root, "#setting-onQuit-keep").checked).toBe(true);
    expect(input(m.root, "launchAtLogin").checked).toBe(true);
    expect(input(m.root, "notifications").checked).toBe(true);
    expect(input(m.root, "hotkeyDuration").value).toBe("1h");
    expect(text(m.root)).toContain(`Saved in ${SETTINGS_VIEW.userFile}`);
    expect(text(get(m.root, ".settings-account"))).toContain("ada@contoso.com");
  });

  test("hotkeys are a clearly marked placeholder with no fake controls", async () => {
    const m = await openSettings();
    const soon = get(m.root, ".group--soon");
    expect(text(soon)).toContain("coming soon");
    // Only the real hotkey-duration setting is a control there.
    expect([...soon.querySelectorAll("input, select, button")].map((e) => e.id)).toEqual(["setting-hotkeyDuration"]);
  });

  test("a value set by the environment or a flag is locked and says where to change it", async () => {
    const m = await openSettings(SETTINGS_VIEW_LOCKED);
    expect(input(m.root, "tenant").disabled).toBe(true);
    expect(input(m.root, "clientId").disabled).toBe(true);
    expect(text(get(m.root, "#setting-tenant-source"))).toBe("Set by environment PRESENTLY_TENANT: change it there.");
    expect(text(get(m.root, "#setting-clientId-source"))).toBe("Set by flag --client-id: change it there.");
    expect(get<HTMLSelectElement>(m.root, "#setting-cloud").disabled).toBe(false);
    expect(text(get(m.root, "#setting-cloud-source"))).toContain("Your organisation's default");
  });

  test("saving sends only what changed", async () => {
    const m = await openSettings(SETTINGS_VIEW, { save_settings: () => clone(SETTINGS_VIEW) });
    type(input(m.root, "workdayEnd"), "17:45");
    get<HTMLInputElement>(m.root, "#setting-onQuit-clear").click();
    input(m.root, "notifications").click();
    button(m.root, "Save").click();
    await m.settle();
    expect(m.sent("save_settings").map((c) => c.args)).toEqual([
      { patch: { workdayEnd: "17:45", onQuit: "clear", notifications: false } },
    ]);
    expect(text(get(m.root, ".save-status"))).toBe("Saved.");
  });

  test("with every field changed, the patch has exactly the keys of the Rust SettingsPatch", async () => {
    const m = await openSettings(SETTINGS_VIEW, { save_settings: () => clone(SETTINGS_VIEW) });
    type(input(m.root, "tenant"), "contoso.onmicrosoft.com");
    type(input(m.root, "clientId"), "11111111-2222-3333-4444-555555555555");
    get<HTMLSelectElement>(m.root, "#setting-cloud").value = "gcc-high";
    type(input(m.root, "workdayEnd"), "17:30");
    get<HTMLInputElement>(m.root, "#setting-onQuit-clear").click();
    input(m.root, "launchAtLogin").click();
    input(m.root, "notifications").click();
    type(input(m.root, "hotkeyDuration"), "90m");
    button(m.root, "Save").click();
    await m.settle();
    const [call] = m.sent("save_settings");
    // The golden patch (crates/core/tests/ui_payloads.rs) reads back into the Rust type; the form sends the same.
    expect(call!.args.patch).toEqual({ ...SETTINGS_PATCH, launchAtLogin: false });
    expect(Object.keys(call!.args.patch as object).sort()).toEqual(Object.keys(SETTINGS_PATCH).sort());
  });

  test("a refusal is shown next to each field with the reason, and nothing typed is lost", async () => {
    const m = await openSettings(SETTINGS_VIEW, {
      save_settings: () => {
        throw clone(SETTINGS_REJECTED);
      },
    });
    type(input(m.root, "tenant"), "contoso com");
    type(input(m.root, "clientId"), "my-app");
    type(input(m.root, "workdayEnd"), "25:00");
    type(input(m.root, "hotkeyDuration"), "a while");
    button(m.root, "Save").click();
    await m.settle();
    for (const { field, message } of SETTINGS_REJECTED.fieldErrors) {
      const error = get(m.root, `#setting-${field}-error`);
      expect(text(error)).toBe(message);
      expect(error.hidden).toBe(false);
      const control = input(m.root, field);
      expect(control.getAttribute("aria-invalid")).toBe("true");
      expect(control.getAttribute("aria-describedby")).toContain(`setting-${field}-error`);
    }
    expect(input(m.root, "tenant").value).toBe("contoso com");
    expect(input(m.root, "workdayEnd").value).toBe("25:00");
    expect(input(m.root, "hotkeyDuration").value).toBe("a while");
    expect(document.activeElement).toBe(input(m.root, "tenant"));
    expect(text(get(m.root, ".save-status"))).toBe("4 settings need a fix.");
    // A field that was fine shows no error.
    expect(get(m.root, "#setting-cloud-error").hidden).toBe(true);
  });

  test("a problem with the file itself is said in the save bar", async () => {
    const m = await openSettings(SETTINGS_VIEW, {
      save_settings: () => {
        throw clone(SETTINGS_REJECTED_PROBLEM);
      },
    });
    type(input(m.root, "workdayEnd"), "17:00");
    button(m.root, "Save").click();
    await m.settle();
    expect(text(get(m.root, ".save-status"))).toBe(`Not saved: ${SETTINGS_REJECTED_PROBLEM.message}`);
    expect(input(m.root, "workdayEnd").value).toBe("17:00");
  });

  test("settings changed elsewhere update the page but keep what the user is typing", async () => {
    const m = await openSettings();
    type(input(m.root, "tenant"), "fabrikam.com");
    const changed = clone(SETTINGS_VIEW);
    changed.workdayEnd.value = "16:00";
    changed.tenant.value = "contoso.com";
    await m.emit("settingsChanged", changed);
    expect(input(m.root, "workdayEnd").value).toBe("16:00");
    expect(input(m.root, "tenant").value).toBe("fabrikam.com");
  });

  test("a settings:changed event without a view makes the open page read the settings again", async () => {
    const m = await openSettings();
    expect(m.sent("get_settings")).toHaveLength(1);
    await m.emit("settingsChanged", null);
    expect(m.sent("get_settings")).toHaveLength(2);
  });

  test("nothing changed, nothing sent", async () => {
    const m = await openSettings();
    button(m.root, "Save").click();
    await m.settle();
    expect(m.sent("save_settings")).toEqual([]);
    expect(text(get(m.root, ".save-status"))).toBe("Nothing changed.");
  });

  test("Sign out sends sign_out; Back returns to the status page", async () => {
    const m = await openSettings();
    button(m.root, "Sign out").click();
    await m.settle();
    expect(m.sent("sign_out")).toHaveLength(1);
    get(m.root, '[data-command="close-settings"]').click();
    expect(m.root.querySelector(".page--main")).not.toBeNull();
  });
});
