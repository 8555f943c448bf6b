// First run (nobody signed in): what Presently does, how to sign in (browser, code, or the organisation's own app
// registration), and why it keeps a presence session.

import type { App, Page } from "../app";
import { badge, h, icon, setText } from "../dom";
import { STATUSES, storeText } from "../format";
import { ipc } from "../ipc";
import type { SettingsPatch } from "../types";
import { problemBanner, Section, signInPanel } from "./parts";

/** Contract §3 in plain words: a pin shows only while some presence session exists. */
export const SESSION_EXPLANATION = [
  "Teams shows a status you choose only while you have a live presence session: each open Teams app is one. " +
    "With Teams closed and no session, colleagues see you as Offline, whatever you chose.",
  "So while your chosen status lasts, Presently keeps a small session of its own and renews it before it " +
    "expires. When you go back to automatic, it lets the session go and Teams decides again.",
  "Colleagues' Teams apps catch up within a few minutes.",
];

/** After saving the organisation's app. The core applies sign-in settings when it starts (`Presently::reload_settings`
 * in crates/core/src/app.rs); change these words when it applies them at once. */
export const ORG_SAVED = "Saved. Quit Presently and open it again, then sign in: sign-in settings apply at start.";

/** The same, under the settings page's sign-in group. */
export const SIGN_IN_SETTINGS_NOTE = "Changes here apply the next time Presently starts.";

/** The "Why does Presently keep a session?" disclosure. */
export function sessionExplainer(): HTMLElement {
  return h(
    "details",
    { class: "explainer" },
    h("summary", { text: "Why does Presently keep a session?" }),
    ...SESSION_EXPLANATION.map((text) => h("p", { text })),
  );
}

export class WelcomePage implements Page {
  readonly root: HTMLElement;
  private readonly app: App;
  private readonly actions: HTMLElement;
  private readonly trouble = new Section(h("div", { class: "slot" }));
  private readonly orgForm: HTMLFormElement;
  private readonly orgToggle: HTMLButtonElement;
  private readonly tenant: HTMLInputElement;
  private readonly clientId: HTMLInputElement;
  private readonly tenantError: HTMLElement;
  private readonly clientIdError: HTMLElement;
  private readonly formStatus: HTMLElement;
  private readonly store: HTMLElement;
  private saving = false;

  constructor(app: App) {
    this.app = app;
    const signInButton = h("button", {
      class: "button button--primary button--wide",
      attrs: { type: "button", "data-command": "sign-in-browser" },
      text: "Sign in with Microsoft",
      on: { click: () => void app.startSignIn("browser") },
    });
    const codeButton = h("button", {
      class: "button button--wide",
      attrs: { type: "button", "data-command": "sign-in-code" },
      text: "Use a code instead",
      on: { click: () => void app.startSignIn("deviceCode") },
    });
    this.orgToggle = h("button", {
      class: "link",
      attrs: { type: "button", "aria-expanded": "false", "aria-controls": "org-form", "data-command": "org-app" },
      text: "Use my organisation's app",
      on: { click: () => this.toggleOrgForm() },
    });
    this.actions = h("div", { class: "welcome__actions" }, signInButton, codeButton, this.orgToggle);

    this.tenantError = h("p", { class: "field-error", attrs: { id: "org-tenant-error" } });
    this.clientIdError = h("p", { class: "field-error", attrs: { id: "org-client-error" } });
    this.tenant = h("input", {
      class: "input",
      attrs: {
        id: "org-tenant",
        type: "text",
        placeholder: "contoso.onmicrosoft.com or tenant id",
        autocomplete: "off",
        spellcheck: "false",
        "aria-describedby": "org-tenant-error",
      },
    });
    this.clientId = h("input", {
      class: "input mono",
      attrs: {
        id: "org-client",
        type: "text",
        placeholder: "00000000-0000-0000-0000-000000000000",
        autocomplete: "off",
        spellcheck: "false",
        "aria-describedby": "org-client-hint org-client-error",
      },
    });
    this.formStatus = h("p", { class: "notice", attrs: { role: "status" } });
    this.orgForm = h(
      "form",
      {
        class: "org-form",
        attrs: { id: "org-form", hidden: true, novalidate: true, "aria-label": "Your organisation's app" },
        on: {
          submit: (e) => {
            e.preventDefault();
            void this.saveOrg();
          },
        },
      },
      h("label", { class: "label", attrs: { for: "org-tenant" }, text: "Tenant" }),
      this.tenant,
      this.tenantError,
      h("label", { class: "label", attrs: { for: "org-client" }, text: "Application (client) id" }),
      this.clientId,
      h("p", {
        class: "hint",
        attrs: { id: "org-client-hint" },
        text: "From your IT department's app registration. Leave both empty for Presently's default.",
      }),
      this.clientIdError,
      h("button", { class: "button", attrs: { type: "submit", "data-command": "save-org" }, text: "Save" }),
      this.formStatus,
    );

    this.store = h("p", { class: "store" });

    const mark = h("div", { class: "welcome__mark", attrs: { "aria-hidden": "true" } });
    for (const name of ["available", "busy", "brb"] as const) {
      mark.appendChild(badge(STATUSES.find((s) => s.name === name)!, "large"));
    }

    this.root = h(
      "div",
      { class: "page page--welcome", attrs: { tabindex: "-1" } },
      h(
        "div",
        { class: "scroll welcome" },
        mark,
        h("h1", { class: "welcome__title", text: "Presently" }),
        h("p", {
          class: "welcome__lead",
          text:
            "Presently sets your Microsoft Teams status from here — Busy for an hour, Do not disturb until 17:30 — " +
            "and keeps it true until then. When the time is up, Teams decides again.",
        }),
        this.trouble.el,
        this.actions,
        this.orgForm,
        sessionExplainer(),
        this.store,
      ),
    );
  }

  private toggleOrgForm(open = this.orgForm.hidden): void {
    this.orgForm.hidden = !open;
    this.orgToggle.setAttribute("aria-expanded", String(open));
    if (open) {
      const s = this.app.settings;
      if (s && !this.tenant.value && s.tenant.source.kind !== "default") this.tenant.value = s.tenant.value;
      if (s && !this.clientId.value && s.clientId.source.kind !== "default") this.clientId.value = s.clientId.value;
      if (!s) void this.app.loadSettings();
      this.tenant.focus();
    }
  }

  /** Saves tenant and client id (blank = the default) through `save_settings`; refusals show under each field. */
  private async saveOrg(): Promise<void> {
    if (this.saving) return;
    this.saving = true;
    this.showErrors({});
    setText(this.formStatus, "Saving…");
    const patch: SettingsPatch = { tenant: this.tenant.value.trim(), clientId: this.clientId.value.trim() };
    const result = await ipc.saveSettings(patch);
    this.saving = false;
    if (result.ok) {
      setText(this.formStatus, ORG_SAVED);
      return;
    }
    setText(this.formStatus, "");
    if ("fieldErrors" in result) {
      const errors: Record<string, string> = {};
      for (const e of result.fieldErrors) errors[e.field] = e.message;
      this.showErrors(errors);
      (errors.tenant ? this.tenant : this.clientId).focus();
    } else {
      setText(this.formStatus, result.problem.message);
    }
  }

  private showErrors(errors: Record<string, string>): void {
    const pairs: Array<[HTMLInputElement, HTMLElement, string | undefined]> = [
      [this.tenant, this.tenantError, errors.tenant],
      [this.clientId, this.clientIdError, errors.clientId],
    ];
    for (const [input, slot, message] of pairs) {
      setText(slot, message ?? "");
      slot.hidden = !message;
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }

  update(): void {
    const app = this.app;
    this.actions.hidden = app.signIn !== null;
    const problem = app.error ?? app.snapshot?.problem ?? null;
    this.trouble.render(JSON.stringify([app.signIn, problem, [...app.busy]]), () => {
      if (app.signIn) {
        const panel = signInPanel(app, app.signIn);
        return { children: [panel.root], ticks: [panel.tick] };
      }
      if (problem) {
        const banner = problemBanner(app, problem, null);
        return { children: [banner.root], ticks: [banner.tick] };
      }
      return { children: [] };
    });
    const store = app.snapshot?.tokenStore;
    this.store.replaceChildren(
      ...(store
        ? [
            icon(store.secure ? "lock" : "warning"),
            h("span", { text: storeText(store) }),
          ]
        : []),
    );
    this.store.classList.toggle("store--insecure", store ? !store.secure : false);
    this.store.hidden = !store;
  }

  tick(now: number): void {
    this.trouble.tick(now);
  }

  initialFocus(): HTMLElement | null {
    return this.root.querySelector<HTMLElement>('[data-command="sign-in-browser"]');
  }
}
