// The settings page. Shows each setting's value in force and where it comes from; a value an environment
// variable or a flag sets is locked (saving the settings file could not change it). Saving sends only what
// changed; a refusal is shown next to each bad field, with the reason, and nothing typed is lost.

import type { App, Page } from "../app";
import { h, icon, setText } from "../dom";
import { ipc } from "../ipc";
import type { FieldView, SettingKey, SettingsPatch, SettingsView } from "../types";
import { problemBanner, Section } from "./parts";
import { sessionExplainer, SIGN_IN_SETTINGS_NOTE } from "./welcome";

const CLOUDS: ReadonlyArray<[string, string]> = [
  ["global", "Global (and GCC)"],
  ["gcc-high", "US Government (GCC High)"],
  ["dod", "US Government (DoD)"],
];

type TextKey = "tenant" | "clientId" | "cloud" | "workdayEnd" | "hotkeyDuration";
type BoolKey = "launchAtLogin" | "notifications";

/** One form control bound to one setting. */
interface Control {
  key: SettingKey;
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
  private readonly controls = new Map<SettingKey, Control>();
  private baseline: SettingsView | null = null;
  private readonly form: HTMLFormElement;
  private readonly status: HTMLElement;
  private readonly saveButton: HTMLButtonElement;
  private readonly file: HTMLElement;
  private readonly account = new Section(h("div", { class: "settings-account" }));
  private readonly trouble = new Section(h("div", { class: "slot" }));
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
    const onQuit = this.radios("onQuit", "When Presently quits", [
      ["keep", "Keep my status until it ends"],
      ["clear", "Go back to automatic"],
    ]);
    const launch = this.checkbox("launchAtLogin", "Start Presently when I log in");
    const notifications = this.checkbox("notifications", "Notifications (a status ended, sign-in needed)");
    const hotkeyDuration = this.text("hotkeyDuration", "A status set by a hotkey lasts", {
      placeholder: "1h",
      hint: "Like 1h, 90m, eod, forever or until 17:00.",
      narrow: true,
    });

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
      group("My day", workdayEnd, onQuit),
      group("General", launch, notifications),
      h(
        "fieldset",
        { class: "group group--soon", attrs: { "aria-describedby": "hotkeys-soon" } },
        h("legend", { class: "group__title" }, "Hotkeys ", h("span", { class: "soon", text: "coming soon" })),
        h("p", {
          class: "hint",
          attrs: { id: "hotkeys-soon" },
          text: "Global shortcuts to set a status from anywhere arrive in a later version. Their length is already a setting:",
        }),
        hotkeyDuration,
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

  // ---- controls -------------------------------------------------------------------------------------------

  private slots(key: SettingKey): { error: HTMLElement; note: HTMLElement; id: string } {
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
      key,
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

  private select(key: TextKey, label: string, options: ReadonlyArray<[string, string]>): HTMLElement {
    const { id, error, note } = this.slots(key);
    const select = h(
      "select",
      { class: "input", attrs: { id, name: key, "aria-describedby": `${id}-source ${id}-error` } },
      ...options.map(([value, text]) => h("option", { attrs: { value }, text })),
    );
    this.controls.set(key, {
      key,
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
      key,
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
      key,
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
      const field = this.baseline?.[control.key] as FieldView<unknown> | undefined;
      control.setDisabled(all || !!field?.locked);
    }
    this.saveButton.disabled = all || this.saving;
  }

  // ---- data -----------------------------------------------------------------------------------------------

  /** Takes a view (loaded, saved, or changed elsewhere). Fields the user has edited keep what they typed. */
  setView(view: SettingsView): void {
    const previous = this.baseline;
    this.baseline = view;
    for (const control of this.controls.values()) {
      const field = view[control.key] as FieldView<string | boolean>;
      const old = previous?.[control.key] as FieldView<string | boolean> | undefined;
      const edited = old !== undefined && control.read() !== old.value;
      if (!edited) control.write(field.value);
      const note = sourceNote(field);
      control.note.replaceChildren(...(note ? [icon(field.locked ? "lock" : "info"), note] : []));
      control.note.hidden = !note;
    }
    setText(this.file, `Saved in ${view.userFile}`);
    this.setDisabled(false);
  }

  /** What changed against the view in force, leaving out locked settings. */
  patch(): SettingsPatch {
    const patch: Record<string, string | boolean> = {};
    if (!this.baseline) return patch;
    for (const control of this.controls.values()) {
      const field = this.baseline[control.key] as FieldView<string | boolean>;
      if (field.locked) continue;
      const value = control.read();
      if (value !== field.value) patch[control.key] = value;
    }
    return patch as SettingsPatch;
  }

  private showErrors(errors: Map<string, string>): void {
    for (const control of this.controls.values()) {
      const message = errors.get(control.key);
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
      const first = [...this.controls.values()].find((c) => errors.has(c.key));
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

function group(title: string, ...fields: HTMLElement[]): HTMLElement {
  return h("fieldset", { class: "group" }, h("legend", { class: "group__title", text: title }), ...fields);
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
