// The settings page. Shows each setting's value in force and where it comes from; a value an environment
// variable or a flag sets is locked (saving the settings file could not change it). Saving sends only what
// changed; a refusal is shown next to each bad field, with the reason, and nothing typed is lost.
//
// Hotkeys: one shortcut field per action (typed, or pressed while the field has the focus; empty = none). The
// tray app registers them and reports, per row, a shortcut the desktop refused (another application holds it);
// where it cannot listen for keys at all (Wayland, no display, no tray app) a notice says so and every row shows
// the `presently` command line to bind in the desktop's own keyboard settings instead.

import type { App, Page } from "../app";
import { copyText } from "../clipboard";
import { h, icon, setText } from "../dom";
import { ipc, toProblem } from "../ipc";
import type {
  FieldView,
  HotkeyAction,
  HotkeyRowView,
  HotkeySupport,
  SettingKey,
  SettingsPatch,
  SettingsView,
} from "../types";
import { problemBanner, Section } from "./parts";
import { sessionExplainer, SIGN_IN_SETTINGS_NOTE } from "./welcome";

const CLOUDS: ReadonlyArray<[string, string]> = [
  ["global", "Global (and GCC)"],
  ["gcc-high", "US Government (GCC High)"],
  ["dod", "US Government (DoD)"],
];

type TextKey =
  | "tenant"
  | "clientId"
  | "cloud"
  | "workdayEnd"
  | "workDays"
  | "hotkeyDuration"
  | "proxy"
  | "noProxy";
type BoolKey = "launchAtLogin" | "notifications" | "trayTimeLeft" | "clearMessageWithStatus";

/** The parts of one hotkey row that show the tray app's report. */
interface HotkeyRow {
  /** Why the desktop refused the shortcut. */
  registration: HTMLElement;
  /** The command line to bind instead, with its copy button. */
  command: HTMLElement;
  commandText: HTMLElement;
  commandFallback: HTMLElement;
}

/** One form control bound to one setting, or to one hotkey row. */
interface Control {
  /** The name of the control's refusals (a `SettingsPatch` key, or a hotkey row's `field`), and its element id. */
  id: string;
  /** The setting in a view (`undefined`: the view has no such row). */
  of(view: SettingsView): FieldView<string | boolean> | undefined;
  /** Puts a changed value into a patch. */
  put(patch: SettingsPatch, value: string | boolean): void;
  /** The control's current value as the patch would carry it. */
  read(): string | boolean;
  write(value: string | boolean): void;
  setDisabled(disabled: boolean): void;
  focus(): void;
  /** Where the reason goes. */
  error: HTMLElement;
  /** Where the source note goes. */
  note: HTMLElement;
  /** Elements that get `aria-invalid`. */
  inputs: HTMLElement[];
}

export class SettingsPage implements Page {
  readonly root: HTMLElement;
  private readonly app: App;
  private readonly controls = new Map<string, Control>();
  private baseline: SettingsView | null = null;
  private readonly form: HTMLFormElement;
  private readonly status: HTMLElement;
  private readonly saveButton: HTMLButtonElement;
  private readonly file: HTMLElement;
  private readonly account = new Section(h("div", { class: "settings-account" }));
  private readonly trouble = new Section(h("div", { class: "slot" }));
  private readonly hotkeyRows = new Map<HotkeyAction, HotkeyRow>();
  private readonly hotkeySupport: HTMLElement;
  /** The hotkey rows, built from the first view's `hotkeys.actions` (the core lists the actions). */
  private readonly hotkeyList: HTMLElement;
  private saving = false;

  constructor(app: App) {
    this.app = app;
    this.status = h("p", { class: "save-status", attrs: { role: "status", "aria-live": "polite" } });
    this.saveButton = h("button", {
      class: "button button--primary",
      attrs: { type: "submit", "data-command": "save-settings" },
      text: "Save",
    });
    this.file = h("p", { class: "muted small file" });

    const cloud = this.select("cloud", "Cloud", CLOUDS);
    const tenant = this.text("tenant", "Tenant", { placeholder: "organizations", hint: "Your domain or tenant id." });
    const clientId = this.text("clientId", "Application (client) id", {
      placeholder: "00000000-0000-0000-0000-000000000000",
      hint: "Your organisation's app registration, if it has one. Empty = Presently's default.",
      mono: true,
    });
    const workdayEnd = this.text("workdayEnd", "My working day ends at", {
      placeholder: "17:30",
      hint: "HH:MM. “End of day” lasts until then.",
      narrow: true,
      inputmode: "numeric",
    });
    const workDays = this.text("workDays", "My working days", {
      placeholder: "mon-fri",
      hint: "Like mon-fri or sun-thu. After the last day’s end, “End of day” lasts until the next working day’s.",
    });
    const onQuit = this.radios("onQuit", "When Presently quits", [
      ["keep", "Keep my status until it ends"],
      ["clear", "Go back to automatic"],
    ]);
    const launch = this.checkbox("launchAtLogin", "Start Presently when I log in");
    const notifications = this.checkbox("notifications", "Notifications (a status ended, sign-in needed)");
    const trayTimeLeft = this.checkbox("trayTimeLeft", "Show the time left beside the tray icon");
    const clearMessage = this.checkbox("clearMessageWithStatus", "Clear the status message when the status ends");
    const hotkeyDuration = this.text("hotkeyDuration", "A status set by a hotkey lasts", {
      placeholder: "1h",
      hint: "Like 1h, 90m, eod, forever or until 17:00.",
      narrow: true,
    });
    const proxy = this.text("proxy", "Proxy", {
      placeholder: "system",
      hint: "system (the computer’s setting), none, or a URL like http://proxy.example:3128. A user name and password typed as http://user:password@host:port are kept in the credential store, never in the settings file.",
      mono: true,
    });
    const noProxy = this.text("noProxy", "Reach directly (no proxy)", {
      placeholder: "none",
      hint: "Hosts, addresses or ranges, separated by commas. Empty = every host through the proxy.",
      mono: true,
    });
    this.hotkeySupport = h("div", { class: "hotkeys-support", attrs: { id: "hotkeys-support", hidden: true } });
    this.hotkeyList = h("div", { class: "hotkeys-rows" });

    this.form = h(
      "form",
      {
        class: "settings",
        attrs: { novalidate: true, "aria-label": "Settings" },
        on: {
          submit: (e) => {
            e.preventDefault();
            void this.save();
          },
        },
      },
      this.account.el,
      group("Sign-in", cloud, tenant, clientId, h("p", { class: "hint", text: SIGN_IN_SETTINGS_NOTE })),
      group("My day", workdayEnd, workDays, onQuit),
      group("Network", proxy, noProxy, h("p", { class: "hint", text: SIGN_IN_SETTINGS_NOTE })),
      group("General", launch, notifications, trayTimeLeft, clearMessage, supportTools()),
      h(
        "fieldset",
        { class: "group group--hotkeys", attrs: { "aria-describedby": "hotkeys-hint hotkeys-support" } },
        h("legend", { class: "group__title", text: "Hotkeys" }),
        h("p", {
          class: "hint",
          attrs: { id: "hotkeys-hint" },
          text: "Shortcuts that work in every application. Type one like Ctrl+Alt+Shift+2, or press it in the field; empty = none.",
        }),
        this.hotkeySupport,
        hotkeyDuration,
        this.hotkeyList,
        h(
          "div",
          { class: "hotkeys-actions" },
          h("button", {
            class: "button button--small",
            attrs: { type: "button", "data-command": "hotkeys-defaults" },
            text: "Use the default shortcuts",
            on: { click: () => this.useDefaultShortcuts() },
          }),
        ),
      ),
      h("div", { class: "group" }, sessionExplainer()),
      this.file,
      h("div", { class: "save-bar" }, this.status, this.saveButton),
    );

    this.root = h(
      "div",
      { class: "page page--settings", attrs: { tabindex: "-1" } },
      h(
        "header",
        { class: "bar" },
        h(
          "button",
          {
            class: "icon-button",
            attrs: { type: "button", "aria-label": "Back", title: "Back", "data-command": "close-settings" },
            on: { click: () => app.closeSettings() },
          },
          icon("back"),
        ),
        h("h1", { class: "bar__title", text: "Settings" }),
      ),
      h("div", { class: "scroll" }, this.trouble.el, this.form),
    );
    this.setDisabled(true);
  }

  /** Moves the keyboard focus to a setting's control (`clientId`), scrolled into view. */
  focusField(key: string): void {
    const control = this.controls.get(key);
    if (!control) return;
    control.inputs[0]?.scrollIntoView?.({ block: "center" });
    control.focus();
  }

  // ---- controls -------------------------------------------------------------------------------------------

  private slots(key: string): { error: HTMLElement; note: HTMLElement; id: string } {
    const id = `setting-${key}`;
    return {
      id,
      error: h("p", { class: "field-error", attrs: { id: `${id}-error`, hidden: true } }),
      note: h("p", { class: "source", attrs: { id: `${id}-source`, hidden: true } }),
    };
  }

  private text(
    key: TextKey,
    label: string,
    options: { placeholder: string; hint: string; mono?: boolean; narrow?: boolean; inputmode?: string },
  ): HTMLElement {
    const { id, error, note } = this.slots(key);
    const input = h("input", {
      class: `input${options.mono ? " mono" : ""}${options.narrow ? " input--narrow" : ""}`,
      attrs: {
        id,
        name: key,
        type: "text",
        placeholder: options.placeholder,
        autocomplete: "off",
        spellcheck: "false",
        inputmode: options.inputmode,
        "aria-describedby": `${id}-hint ${id}-source ${id}-error`,
      },
    });
    this.controls.set(key, {
      ...settingOf(key),
      read: () => input.value.trim(),
      write: (v) => (input.value = String(v)),
      setDisabled: (d) => (input.disabled = d),
      focus: () => input.focus(),
      error,
      note,
      inputs: [input],
    });
    return h(
      "div",
      { class: "field" },
      h("label", { class: "label", attrs: { for: id }, text: label }),
      input,
      h("p", { class: "hint", attrs: { id: `${id}-hint` }, text: options.hint }),
      note,
      error,
    );
  }

  private hotkey(row: HotkeyRowView): HTMLElement {
    const { action, field: key, label } = row;
    const { id, error, note } = this.slots(key);
    const registration = h("p", {
      class: "field-error hotkey__registration",
      attrs: { id: `${id}-registration`, hidden: true },
    });
    const input = h("input", {
      class: "input mono hotkey__input",
      attrs: {
        id,
        name: key,
        type: "text",
        placeholder: "None",
        autocomplete: "off",
        spellcheck: "false",
        "aria-describedby": `${id}-registration ${id}-command ${id}-source ${id}-error`,
      },
      on: {
        // Pressing a shortcut in the field writes it (a key with Ctrl, Alt or Super held); plain keys type.
        keydown: (e) => {
          const pressed = shortcutOf(e);
          if (!pressed) return;
          e.preventDefault();
          e.stopPropagation();
          input.value = pressed;
        },
      },
    });
    this.controls.set(key, {
      id: key,
      of: (view) => view.hotkeys.actions.find((r) => r.action === action)?.shortcut,
      put: (patch, value) => (patch.hotkeys = { ...patch.hotkeys, [action]: String(value) }),
      read: () => input.value.trim(),
      write: (v) => (input.value = String(v)),
      setDisabled: (d) => {
        input.disabled = d;
        clear.disabled = d;
      },
      focus: () => input.focus(),
      error,
      note,
      inputs: [input],
    });
    const clear = h("button", {
      class: "button button--small",
      attrs: { type: "button", "data-command": "hotkey-clear", "aria-label": `No shortcut for ${label}` },
      text: "Clear",
      on: {
        click: () => {
          input.value = "";
          input.focus();
        },
      },
    });
    const commandText = h("code", { class: "mono hotkey__command-text" });
    const commandFallback = h("div", { class: "banner__fallback", attrs: { hidden: true } });
    const command = h(
      "div",
      { class: "hotkey__command", attrs: { id: `${id}-command`, hidden: true } },
      commandText,
      h(
        "button",
        {
          class: "icon-button",
          attrs: {
            type: "button",
            "data-command": "copy-hotkey-command",
            "aria-label": `Copy the command for ${label}`,
            title: "Copy",
          },
          on: {
            click: () => void copyText(commandText.textContent ?? "", commandFallback, `The command for ${label}`),
          },
        },
        icon("copy"),
      ),
    );
    this.hotkeyRows.set(action, { registration, command, commandText, commandFallback });
    return h(
      "div",
      { class: "field hotkey", attrs: { "data-hotkey": key } },
      h("label", { class: "label", attrs: { for: id }, text: label }),
      h("div", { class: "hotkey__line" }, input, clear),
      registration,
      command,
      commandFallback,
      note,
      error,
    );
  }

  /** Fills every shortcut field with its default (saving makes them so). */
  private useDefaultShortcuts(): void {
    for (const row of this.baseline?.hotkeys.actions ?? []) {
      const control = this.controls.get(row.field);
      if (control && !row.shortcut.locked) control.write(row.defaultShortcut);
    }
  }

  /** The tray app's report: whether hotkeys can work, each refused shortcut, the commands to bind instead. */
  private renderHotkeys(view: SettingsView): void {
    const support = view.hotkeys.support;
    const notice = supportNotice(support);
    this.hotkeySupport.replaceChildren(
      ...(notice
        ? [
            h(
              "div",
              { class: "callout", attrs: { role: "note", "data-support": support.kind } },
              icon(support.kind === "inactive" ? "info" : "warning"),
              h("p", { text: notice }),
            ),
          ]
        : []),
    );
    this.hotkeySupport.hidden = !notice;
    for (const row of view.hotkeys.actions) {
      const parts = this.hotkeyRows.get(row.action);
      if (!parts) continue;
      const refused = support.kind === "active" ? row.registrationError : null;
      setText(parts.registration, refused ?? "");
      parts.registration.hidden = !refused;
      setText(parts.commandText, row.command);
      parts.command.hidden = support.kind === "active";
    }
  }

  private select(key: TextKey, label: string, options: ReadonlyArray<[string, string]>): HTMLElement {
    const { id, error, note } = this.slots(key);
    const select = h(
      "select",
      { class: "input", attrs: { id, name: key, "aria-describedby": `${id}-source ${id}-error` } },
      ...options.map(([value, text]) => h("option", { attrs: { value }, text })),
    );
    this.controls.set(key, {
      ...settingOf(key),
      read: () => select.value,
      write: (v) => {
        const value = String(v);
        if (!options.some(([o]) => o === value)) {
          // A value this page does not list (e.g. from a newer version): show it rather than hide it.
          select.appendChild(h("option", { attrs: { value }, text: value }));
        }
        select.value = value;
      },
      setDisabled: (d) => (select.disabled = d),
      focus: () => select.focus(),
      error,
      note,
      inputs: [select],
    });
    return h("div", { class: "field" }, h("label", { class: "label", attrs: { for: id }, text: label }), select, note, error);
  }

  private radios(key: TextKey | "onQuit", label: string, options: ReadonlyArray<[string, string]>): HTMLElement {
    const { id, error, note } = this.slots(key);
    const inputs = options.map(([value]) =>
      h("input", { attrs: { type: "radio", name: key, value, id: `${id}-${value}` } }),
    );
    this.controls.set(key, {
      ...settingOf(key),
      read: () => inputs.find((i) => i.checked)?.value ?? "",
      write: (v) => inputs.forEach((i) => (i.checked = i.value === v)),
      setDisabled: (d) => inputs.forEach((i) => (i.disabled = d)),
      focus: () => (inputs.find((i) => i.checked) ?? inputs[0])?.focus(),
      error,
      note,
      inputs,
    });
    return h(
      "fieldset",
      { class: "field field--choices", attrs: { "aria-describedby": `${id}-source ${id}-error` } },
      h("legend", { class: "label", text: label }),
      ...options.map(([value, text], i) =>
        h("label", { class: "choice", attrs: { for: `${id}-${value}` } }, inputs[i]!, h("span", { text })),
      ),
      note,
      error,
    );
  }

  private checkbox(key: BoolKey, label: string): HTMLElement {
    const { id, error, note } = this.slots(key);
    const input = h("input", {
      attrs: { type: "checkbox", id, name: key, "aria-describedby": `${id}-source ${id}-error` },
    });
    this.controls.set(key, {
      ...settingOf(key),
      read: () => input.checked,
      write: (v) => (input.checked = v === true),
      setDisabled: (d) => (input.disabled = d),
      focus: () => input.focus(),
      error,
      note,
      inputs: [input],
    });
    return h(
      "div",
      { class: "field" },
      h("label", { class: "choice", attrs: { for: id } }, input, h("span", { text: label })),
      note,
      error,
    );
  }

  private setDisabled(all: boolean): void {
    for (const control of this.controls.values()) {
      const field = this.baseline ? control.of(this.baseline) : undefined;
      control.setDisabled(all || !!field?.locked);
    }
    this.saveButton.disabled = all || this.saving;
  }

  // ---- data -----------------------------------------------------------------------------------------------

  /** Takes a view (loaded, saved, or changed elsewhere). Fields the user has edited keep what they typed. */
  setView(view: SettingsView): void {
    const previous = this.baseline;
    this.baseline = view;
    for (const row of view.hotkeys.actions) {
      if (!this.hotkeyRows.has(row.action)) this.hotkeyList.appendChild(this.hotkey(row));
    }
    for (const control of this.controls.values()) {
      const field = control.of(view);
      if (!field) continue;
      const old = previous ? control.of(previous) : undefined;
      const edited = old !== undefined && control.read() !== old.value;
      if (!edited) control.write(field.value);
      const note = sourceNote(field);
      control.note.replaceChildren(...(note ? [icon(field.locked ? "lock" : "info"), note] : []));
      control.note.hidden = !note;
    }
    this.renderHotkeys(view);
    setText(this.file, `Saved in ${view.userFile}`);
    this.setDisabled(false);
  }

  /** What changed against the view in force, leaving out locked settings. */
  patch(): SettingsPatch {
    const patch: SettingsPatch = {};
    if (!this.baseline) return patch;
    for (const control of this.controls.values()) {
      const field = control.of(this.baseline);
      if (!field || field.locked) continue;
      const value = control.read();
      if (value !== field.value) control.put(patch, value);
    }
    return patch;
  }

  private showErrors(errors: Map<string, string>): void {
    for (const control of this.controls.values()) {
      const message = errors.get(control.id);
      setText(control.error, message ?? "");
      control.error.hidden = !message;
      for (const input of control.inputs) {
        if (message) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    }
  }

  private async save(): Promise<void> {
    if (this.saving || !this.baseline) return;
    const patch = this.patch();
    if (Object.keys(patch).length === 0) {
      this.showErrors(new Map());
      setText(this.status, "Nothing changed.");
      return;
    }
    this.saving = true;
    this.saveButton.disabled = true;
    setText(this.status, "Saving…");
    const result = await ipc.saveSettings(patch);
    this.saving = false;
    this.saveButton.disabled = false;
    if (result.ok) {
      this.showErrors(new Map());
      // Everything typed is now in force: take the new view as it is.
      this.baseline = null;
      this.setView(result.view);
      setText(this.status, "Saved.");
      return;
    }
    if ("fieldErrors" in result) {
      const errors = new Map(result.fieldErrors.map((e) => [e.field, e.message]));
      this.showErrors(errors);
      setText(this.status, errors.size === 1 ? "One setting needs a fix." : `${errors.size} settings need a fix.`);
      const first = [...this.controls.values()].find((c) => errors.has(c.id));
      first?.focus();
      return;
    }
    this.showErrors(new Map());
    setText(this.status, `Not saved: ${result.problem.message}`);
  }

  update(): void {
    const app = this.app;
    if (!this.baseline && app.settings) this.setView(app.settings);
    const problem = app.error;
    this.trouble.render(JSON.stringify([problem, [...app.busy]]), () => {
      if (!problem) return { children: [] };
      const banner = problemBanner(app, problem, null);
      return { children: [banner.root], ticks: [banner.tick] };
    });
    const account = app.snapshot?.account;
    const signedIn = account && (account.state === "signedIn" || account.state === "signInRequired");
    const who = signedIn ? [account.name, account.username] : null;
    this.account.render(JSON.stringify([who, app.busy.has("signOut")]), () => ({
      children: signedIn
        ? [
            h(
              "div",
              { class: "settings-account__who" },
              h("span", { class: "account__name", text: account.name || account.username }),
              h("span", { class: "account__user", text: account.username }),
            ),
            h("button", {
              class: "button button--small",
              attrs: { type: "button", "data-command": "sign-out", disabled: app.busy.has("signOut") },
              text: "Sign out",
              on: { click: () => void app.signOut() },
            }),
          ]
        : [],
    }));
  }

  tick(): void {}

  initialFocus(): HTMLElement | null {
    return this.root.querySelector<HTMLElement>('[data-command="close-settings"]');
  }
}

/** The control parts that bind a setting of the view by its `SettingsPatch` key. */
function settingOf(key: SettingKey): Pick<Control, "id" | "of" | "put"> {
  return {
    id: key,
    of: (view) => view[key] as FieldView<string | boolean>,
    put: (patch, value) => ((patch as Record<string, string | boolean>)[key] = value),
  };
}

/**
 * "Open log folder" and "Copy diagnostics": what a person needs to ask for help. The report comes from the running
 * app (its version, settings and their sources, last reading, problems; no secrets); where the clipboard is
 * refused, it is left selected in a text area to copy by hand.
 */
function supportTools(): HTMLElement {
  const said = h("p", { class: "hint", attrs: { role: "status", "aria-live": "polite" } });
  const fallback = h("div", { class: "banner__fallback", attrs: { hidden: true } });
  const run = async (work: () => Promise<string>) => {
    try {
      setText(said, await work());
    } catch (error) {
      setText(said, toProblem(error).message);
    }
  };
  return h(
    "div",
    { class: "support-tools" },
    h(
      "div",
      { class: "hotkeys-actions" },
      h("button", {
        class: "button button--small",
        attrs: { type: "button", "data-command": "open-log-folder" },
        text: "Open log folder",
        on: {
          click: () =>
            void run(async () => {
              await ipc.openLogFolder();
              return "";
            }),
        },
      }),
      h("button", {
        class: "button button--small",
        attrs: { type: "button", "data-command": "copy-diagnostics" },
        text: "Copy diagnostics",
        on: {
          click: () =>
            void run(async () => {
              const outcome = await copyText(await ipc.getDiagnostics(), fallback, "Diagnostics");
              return outcome === "copied" ? "Diagnostics copied: paste them into your support request." : "";
            }),
        },
      }),
    ),
    said,
    fallback,
  );
}

function group(title: string, ...fields: HTMLElement[]): HTMLElement {
  return h("fieldset", { class: "group" }, h("legend", { class: "group__title", text: title }), ...fields);
}

/** What to say about where hotkeys cannot work (`null`: they do, nothing to say). */
function supportNotice(support: HotkeySupport): string | null {
  switch (support.kind) {
    case "active":
      return null;
    case "wayland":
      return (
        "Your desktop runs Wayland, where applications cannot listen for global shortcuts, so the shortcuts below " +
        "do nothing here. Add them in your desktop's own keyboard settings instead (GNOME: Settings › Keyboard › " +
        "Custom Shortcuts; KDE: System Settings › Shortcuts), each running the command shown under it."
      );
    case "unavailable":
      return `Hotkeys cannot work here: ${support.reason} You can bind the command shown under each one in your desktop's keyboard settings.`;
    case "inactive":
      return (
        "Hotkeys work while the Presently app runs in the tray; the keeper running now does not listen for keys. " +
        "You can bind the command shown under each one in your desktop's keyboard settings."
      );
  }
}

/** Key names as the Rust parser writes them, by `KeyboardEvent.code` (the physical key). */
const NAMED_CODES: Record<string, string> = {
  ArrowUp: "Up",
  ArrowDown: "Down",
  ArrowLeft: "Left",
  ArrowRight: "Right",
};
const SAME_NAME = new Set([
  "Space",
  "Enter",
  "Tab",
  "Backspace",
  "Delete",
  "Insert",
  "Home",
  "End",
  "PageUp",
  "PageDown",
  "Escape",
  "Minus",
  "Equal",
  "Comma",
  "Period",
  "Slash",
  "Semicolon",
  "Quote",
  "BracketLeft",
  "BracketRight",
  "Backslash",
  "Backquote",
]);

/** The shortcut a key press spells (`Ctrl+Alt+Shift+2`), when Ctrl, Alt or Super is held with a known key. */
export function shortcutOf(e: KeyboardEvent): string | null {
  if (!(e.ctrlKey || e.altKey || e.metaKey)) return null;
  const code = e.code;
  let key: string | null = null;
  let m: RegExpMatchArray | null;
  if ((m = /^Key([A-Z])$/.exec(code))) key = m[1]!;
  else if ((m = /^Digit([0-9])$/.exec(code))) key = m[1]!;
  else if ((m = /^Numpad([0-9])$/.exec(code))) key = `Numpad${m[1]!}`;
  else if ((m = /^F([1-9]|1[0-9]|2[0-4])$/.exec(code))) key = `F${m[1]!}`;
  else if (code in NAMED_CODES) key = NAMED_CODES[code]!;
  else if (SAME_NAME.has(code)) key = code;
  if (!key) return null;
  const parts = [e.ctrlKey && "Ctrl", e.altKey && "Alt", e.shiftKey && "Shift", e.metaKey && "Super"].filter(
    (p): p is string => typeof p === "string",
  );
  return [...parts, key].join("+");
}

/** Where a value comes from, when that matters to the person editing it. */
function sourceNote(field: FieldView<unknown>): string | null {
  switch (field.source.kind) {
    case "environment":
    case "flag":
      return `Set by ${field.origin}: change it there.`;
    case "managed":
      return "Your organisation's default. A value saved here replaces it.";
    default:
      return null;
  }
}
