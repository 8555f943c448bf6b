// The settings page: values and their sources, locks, saving only what changed, refusals in place.

import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

import type { SettingsView } from "../types";
import { shortcutOf } from "../views/settings";
import {
  clone,
  SETTINGS_PATCH,
  SETTINGS_REJECTED,
  SETTINGS_REJECTED_PROBLEM,
  SETTINGS_VIEW,
  SETTINGS_VIEW_LOCKED,
  SETTINGS_VIEW_WAYLAND,
  SNAPSHOTS,
} from "./fixtures";
import { atFixtureNow, button, get, type Handler, mount, text, unmount } from "./harness";

beforeEach(() => atFixtureNow());
afterEach(() => {
  unmount();
  vi.useRealTimers();
  vi.unstubAllGlobals();
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
    expect(input(m.root, "hotkeyBusy").value).toBe("Ctrl+Alt+Shift+2");
    expect(input(m.root, "hotkeyOffline").value).toBe("");
    expect(input(m.root, "hotkeyOpen").value).toBe("Ctrl+Alt+Shift+O");
    expect(text(m.root)).toContain(`Saved in ${SETTINGS_VIEW.userFile}`);
    expect(text(get(m.root, ".settings-account"))).toContain("ada@contoso.com");
  });

  test("every hotkey action has a shortcut field, in the order of the Rust view's rows", async () => {
    const m = await openSettings();
    const fields = [...m.root.querySelectorAll<HTMLElement>(".hotkey")].map((row) => row.dataset.hotkey);
    expect(fields).toEqual(SETTINGS_VIEW.hotkeys.actions.map((row) => row.field));
    for (const row of SETTINGS_VIEW.hotkeys.actions) {
      expect(text(get(m.root, `label[for="setting-${row.field}"]`))).toBe(row.label);
    }
  });

  test("the rows, their labels and their values come from the view, not from a list of the page's own", async () => {
    const view = clone(SETTINGS_VIEW);
    const busy = view.hotkeys.actions.find((row) => row.action === "busy")!;
    busy.label = "Busy (from the core)";
    busy.shortcut.value = "Ctrl+Alt+B";
    view.hotkeys.actions = view.hotkeys.actions.filter((row) => row.action !== "away");
    const m = await openSettings(view);
    expect(text(get(m.root, `label[for="setting-${busy.field}"]`))).toBe("Busy (from the core)");
    expect(input(m.root, busy.field).value).toBe("Ctrl+Alt+B");
    expect(m.root.querySelector('[data-hotkey="hotkeyAway"]')).toBeNull();
    expect(m.root.querySelectorAll(".hotkey").length).toBe(view.hotkeys.actions.length);
  });

  test("a shortcut another application holds is reported on its row, and only there", async () => {
    const m = await openSettings();
    const refused = SETTINGS_VIEW.hotkeys.actions.filter((row) => row.registrationError);
    expect(refused.map((row) => row.field)).toEqual(["hotkeyDnd"]);
    const error = get(m.root, "#setting-hotkeyDnd-registration");
    expect(error.hidden).toBe(false);
    expect(text(error)).toBe(refused[0]!.registrationError);
    expect(text(error)).toContain("Another application already uses Ctrl+Alt+Shift+3");
    expect(input(m.root, "hotkeyDnd").getAttribute("aria-describedby")).toContain("setting-hotkeyDnd-registration");
    for (const field of ["hotkeyAvailable", "hotkeyBusy", "hotkeyOpen"]) {
      expect(get(m.root, `#setting-${field}-registration`).hidden).toBe(true);
    }
    // Hotkeys work here: no notice, no commands to bind by hand.
    expect(get(m.root, "#hotkeys-support").hidden).toBe(true);
    expect(get(m.root, "#setting-hotkeyBusy-command").hidden).toBe(true);
  });

  test("when the tray app registers again, the rows follow its new report", async () => {
    const m = await openSettings();
    const changed = clone(SETTINGS_VIEW);
    for (const row of changed.hotkeys.actions) {
      row.registrationError = row.field === "hotkeyBusy" ? "Another application already uses Ctrl+Alt+Shift+2." : null;
    }
    await m.emit("settingsChanged", changed);
    expect(get(m.root, "#setting-hotkeyDnd-registration").hidden).toBe(true);
    expect(text(get(m.root, "#setting-hotkeyBusy-registration"))).toBe("Another application already uses Ctrl+Alt+Shift+2.");
  });

  test("in a Wayland session a notice says shortcuts do nothing here and each row shows its command to bind", async () => {
    const writeText = vi.fn(async () => {});
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    const m = await openSettings(SETTINGS_VIEW_WAYLAND);
    const notice = get(m.root, "#hotkeys-support");
    expect(notice.hidden).toBe(false);
    expect(text(notice)).toContain("Wayland");
    expect(text(notice)).toContain("keyboard settings");
    for (const row of SETTINGS_VIEW_WAYLAND.hotkeys.actions) {
      const command = get(m.root, `#setting-${row.field}-command`);
      expect(command.hidden).toBe(false);
      expect(text(get(command, "code"))).toBe(row.command);
      expect(get(m.root, `#setting-${row.field}-registration`).hidden).toBe(true);
    }
    expect(text(get(m.root, "#setting-hotkeyBusy-command code"))).toBe("/usr/bin/presently set busy --preset 1h");
    expect(text(get(m.root, "#setting-hotkeyAutomatic-command code"))).toBe("/usr/bin/presently clear");
    get(m.root, '#setting-hotkeyDnd-command [data-command="copy-hotkey-command"]').click();
    await m.settle();
    expect(writeText).toHaveBeenCalledWith("/usr/bin/presently set dnd --preset 1h");
  });

  test("without the tray app, or where keys cannot be grabbed, the notice says why", async () => {
    const m = await openSettings(SETTINGS_VIEW_LOCKED);
    expect(SETTINGS_VIEW_LOCKED.hotkeys.support.kind).toBe("inactive");
    expect(text(get(m.root, "#hotkeys-support"))).toContain("while the Presently app runs in the tray");
    expect(get(m.root, "#setting-hotkeyOpen-command").hidden).toBe(false);
    const unavailable = clone(SETTINGS_VIEW);
    unavailable.hotkeys.support = { kind: "unavailable", reason: "There is no X display (DISPLAY is not set)." };
    await m.emit("settingsChanged", unavailable);
    expect(text(get(m.root, "#hotkeys-support"))).toContain("Hotkeys cannot work here: There is no X display");
  });

  test("pressing a shortcut in a field writes it, Clear empties it, and saving sends both", async () => {
    const m = await openSettings(SETTINGS_VIEW, { save_settings: () => clone(SETTINGS_VIEW) });
    const busy = input(m.root, "hotkeyBusy");
    busy.focus();
    busy.dispatchEvent(new KeyboardEvent("keydown", { code: "Digit7", key: "7", ctrlKey: true, altKey: true, bubbles: true }));
    expect(busy.value).toBe("Ctrl+Alt+7");
    get(m.root, '[data-hotkey="hotkeyOpen"] [data-command="hotkey-clear"]').click();
    expect(input(m.root, "hotkeyOpen").value).toBe("");
    button(m.root, "Save").click();
    await m.settle();
    expect(m.sent("save_settings").map((c) => c.args)).toEqual([{ patch: { hotkeys: { busy: "Ctrl+Alt+7", open: "" } } }]);
  });

  test("a key press spells the shortcut the Rust parser reads; plain keys and unknown keys are typed", () => {
    const press = (init: KeyboardEventInit) => shortcutOf(new KeyboardEvent("keydown", init));
    expect(press({ code: "Digit2", ctrlKey: true, altKey: true, shiftKey: true })).toBe("Ctrl+Alt+Shift+2");
    expect(press({ code: "KeyP", metaKey: true, shiftKey: true })).toBe("Shift+Super+P");
    expect(press({ code: "ArrowUp", altKey: true })).toBe("Alt+Up");
    expect(press({ code: "F12", ctrlKey: true })).toBe("Ctrl+F12");
    expect(press({ code: "Numpad4", ctrlKey: true })).toBe("Ctrl+Numpad4");
    expect(press({ code: "Slash", ctrlKey: true })).toBe("Ctrl+Slash");
    expect(press({ code: "KeyP", shiftKey: true })).toBeNull();
    expect(press({ code: "KeyP" })).toBeNull();
    expect(press({ code: "ControlLeft", ctrlKey: true })).toBeNull();
    expect(press({ code: "IntlRo", ctrlKey: true })).toBeNull();
  });

  test("Use the default shortcuts fills every field with its default; saving sends the ones that differ", async () => {
    const m = await openSettings(SETTINGS_VIEW, { save_settings: () => clone(SETTINGS_VIEW) });
    button(m.root, "Use the default shortcuts").click();
    for (const row of SETTINGS_VIEW.hotkeys.actions) expect(input(m.root, row.field).value).toBe(row.defaultShortcut);
    button(m.root, "Save").click();
    await m.settle();
    expect(m.sent("save_settings").map((c) => c.args)).toEqual([
      { patch: { hotkeys: { offline: "Ctrl+Alt+Shift+6", open: "Ctrl+Alt+Shift+P" } } },
    ]);
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
    type(input(m.root, "workDays"), "sun-thu");
    get<HTMLInputElement>(m.root, "#setting-onQuit-clear").click();
    input(m.root, "launchAtLogin").click();
    input(m.root, "notifications").click();
    input(m.root, "trayTimeLeft").click();
    input(m.root, "clearMessageWithStatus").click();
    type(input(m.root, "hotkeyDuration"), "90m");
    type(input(m.root, "proxy"), "http://proxy.corp.example:8080");
    type(input(m.root, "noProxy"), "localhost, 10.0.0.0/8");
    for (const row of SETTINGS_VIEW.hotkeys.actions) type(input(m.root, row.field), SETTINGS_PATCH.hotkeys?.[row.action] ?? "");
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
    type(input(m.root, "proxy"), "socks5://proxy.example:1080");
    type(input(m.root, "noProxy"), "bad host!");
    type(input(m.root, "hotkeyBusy"), "B");
    type(input(m.root, "hotkeyAway"), "Ctrl+Alt+Banana");
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
    expect(input(m.root, "hotkeyAway").value).toBe("Ctrl+Alt+Banana");
    expect(text(get(m.root, ".save-status"))).toBe("8 settings need a fix.");
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

  test("Copy diagnostics copies the running app's report; Open log folder asks the app to open it", async () => {
    const report = "Presently 0.1.0 on linux x86_64\nSettings (~/.config/presently/settings.toml):\n";
    const writeText = vi.fn(async () => {});
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    const m = await openSettings(SETTINGS_VIEW, { get_diagnostics: () => report });
    get(m.root, '[data-command="copy-diagnostics"]').click();
    await m.settle();
    expect(writeText).toHaveBeenCalledWith(report);
    expect(text(get(m.root, '.support-tools [role="status"]'))).toBe(
      "Diagnostics copied: paste them into your support request.",
    );
    get(m.root, '[data-command="open-log-folder"]').click();
    await m.settle();
    expect(m.sent("open_log_folder")).toHaveLength(1);
    expect(text(get(m.root, '.support-tools [role="status"]'))).toBe("");
  });

  test("without a clipboard the report is left selected in a text area, every line kept", async () => {
    vi.stubGlobal("navigator", { ...navigator, clipboard: undefined });
    const report = "line one\nline two\n";
    const m = await openSettings(SETTINGS_VIEW, { get_diagnostics: () => report });
    get(m.root, '[data-command="copy-diagnostics"]').click();
    await m.settle();
    expect(get<HTMLTextAreaElement>(m.root, ".support-tools textarea").value).toBe(report);
  });

  test("a log folder that cannot be opened says why", async () => {
    const m = await openSettings(SETTINGS_VIEW, {
      open_log_folder: () => {
        throw { kind: "internal", message: "Presently is not writing a log file.", action: null, retryInSecs: null };
      },
    });
    get(m.root, '[data-command="open-log-folder"]').click();
    await m.settle();
    expect(text(get(m.root, '.support-tools [role="status"]'))).toBe("Presently is not writing a log file.");
  });
});
