// The main page: what is shown now and for how long, what Graph reports, trouble and what helps, the six
// statuses, how long, back to automatic, the account and the next step.

import type { App, Page } from "../app";
import { automaticBadge, badge, h, icon, setText } from "../dom";
import {
  intentDetail,
  MESSAGE_MAX,
  MESSAGE_TEMPLATES,
  messageText,
  nextText,
  parseTime,
  PRESETS,
  readingText,
  STATUSES,
  statusInfo,
  templateEnd,
  templateText,
  untilText,
} from "../format";
import type { KeeperActivity, Snapshot } from "../types";
import { problemBanner, Section, signInPanel } from "./parts";

const ACTIVITY_WORDS: Record<KeeperActivity, string> = {
  starting: "Starting…",
  idle: "",
  syncing: "Syncing…",
  checking: "Checking…",
  retrying: "Waiting to retry",
  blocked: "",
};

export class MainPage implements Page {
  readonly root: HTMLElement;
  private readonly app: App;
  private readonly activity: HTMLElement;
  private readonly headline: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly nowBadge: HTMLElement;
  private readonly reported: HTMLElement;
  private readonly differs = new Section(h("div", { class: "slot" }));
  private readonly trouble = new Section(h("div", { class: "slot" }));
  private readonly notice: HTMLElement;
  private readonly statusButtons = new Map<string, HTMLButtonElement>();
  private readonly radios: HTMLInputElement[] = [];
  private readonly custom: HTMLInputElement;
  private readonly customRow: HTMLElement;
  private readonly customError: HTMLElement;
  private readonly automatic: HTMLButtonElement;
  private readonly account: HTMLElement;
  private readonly next: HTMLElement;
  private readonly messageNow: HTMLElement;
  private readonly messageNowText: HTMLElement;
  private readonly messageClear: HTMLButtonElement;
  private readonly message: HTMLInputElement;
  private readonly messageSet: HTMLButtonElement;
  private readonly messageError: HTMLElement;
  private readonly templates: HTMLButtonElement[] = [];
  private readonly withStatus: HTMLInputElement;

  constructor(app: App) {
    this.app = app;
    this.activity = h("span", { class: "activity", attrs: { role: "status", "aria-live": "polite" } });
    this.nowBadge = h("span", { class: "now__badge" });
    this.headline = h("p", { class: "now__headline", attrs: { id: "now-headline" } });
    this.detail = h("p", { class: "now__detail" });
    this.reported = h("p", { class: "reported" });
    this.notice = h("p", { class: "notice", attrs: { role: "status", "aria-live": "polite" } });

    const statuses = h("div", {
      class: "statuses",
      attrs: { role: "group", "aria-labelledby": "statuses-label" },
      on: { keydown: (e) => this.moveFocus(e) },
    });
    for (const status of STATUSES) {
      const button = h(
        "button",
        {
          class: "status",
          attrs: {
            type: "button",
            "data-status": status.name,
            "aria-keyshortcuts": String(status.key),
          },
          on: { click: () => void app.choose(status.name) },
        },
        badge(status),
        h("span", { class: "status__name", text: status.label }),
        h("kbd", { class: "status__key", attrs: { "aria-hidden": "true" }, text: String(status.key) }),
      );
      this.statusButtons.set(status.name, button);
      statuses.appendChild(button);
    }

    const chips = h("div", { class: "chips" });
    for (const preset of PRESETS) {
      const radio = h("input", {
        class: "chip__input",
        attrs: { type: "radio", name: "duration", value: preset.value, id: `duration-${preset.value}` },
        on: { change: () => app.selectDuration(preset.value) },
      });
      this.radios.push(radio);
      chips.appendChild(
        h("label", { class: "chip", attrs: { for: `duration-${preset.value}` } }, radio, h("span", { text: preset.label })),
      );
    }
    this.customError = h("p", { class: "field-error", attrs: { id: "custom-error" } });
    this.custom = h("input", {
      class: "input",
      attrs: {
        type: "text",
        id: "custom-duration",
        placeholder: "90m, 1h30m, until 17:30",
        autocomplete: "off",
        spellcheck: "false",
        "aria-describedby": "custom-hint custom-error",
      },
      on: {
        input: () => {
          app.customText = this.custom.value;
          if (app.customError) {
            app.customError = null;
            this.update();
          }
        },
        keydown: (e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            const current = app.snapshot?.intent?.status;
            if (current) void app.choose(current);
            else this.statusButtons.get("available")?.focus();
          }
        },
      },
    });
    this.customRow = h(
      "div",
      { class: "custom" },
      h("label", { class: "visually-hidden", attrs: { for: "custom-duration" }, text: "Custom duration" }),
      this.custom,
      h("p", {
        class: "hint",
        attrs: { id: "custom-hint" },
        text: "Then pick a status, or press Enter to apply it to the current one.",
      }),
      this.customError,
    );

    // The status message: what is shown now (with Clear), a field, one-click templates, and the setting.
    this.messageNowText = h("span", { class: "message-now__text" });
    this.messageClear = h("button", {
      class: "link",
      attrs: { type: "button", "data-command": "clear-message" },
      text: "Clear",
      on: { click: () => void app.clearMessage() },
    });
    this.messageNow = h("p", { class: "message-now", attrs: { "data-slot": "message-now" } }, this.messageNowText, " ", this.messageClear);
    this.messageError = h("p", { class: "field-error", attrs: { id: "message-error" } });
    this.message = h("input", {
      class: "input",
      attrs: {
        type: "text",
        id: "status-message",
        maxlength: String(MESSAGE_MAX),
        placeholder: "A note colleagues see, like “On a train”",
        autocomplete: "off",
        "aria-describedby": "message-hint message-error",
      },
      on: {
        input: () => {
          app.messageText = this.message.value;
          if (app.messageError) {
            app.messageError = null;
            this.update();
          }
        },
        keydown: (e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            void app.sendMessage();
          }
        },
      },
    });
    this.messageSet = h("button", {
      class: "button",
      attrs: { type: "button", "data-command": "set-message" },
      text: "Set",
      on: { click: () => void app.sendMessage() },
    });
    const templateRow = h("div", { class: "chips" });
    for (const template of MESSAGE_TEMPLATES) {
      const button = h("button", {
        class: "chip chip--button",
        attrs: { type: "button", "data-template": template.id },
        on: {
          click: () => {
            const s = app.snapshot;
            const end = templateEnd(app.duration, s?.endsAt ?? null, Date.now());
            app.messageText = templateText(template, end);
            app.messageError = null;
            this.update();
            this.message.focus();
          },
        },
      });
      this.templates.push(button);
      templateRow.appendChild(button);
    }
    this.withStatus = h("input", {
      attrs: { type: "checkbox", id: "message-with-status", "data-setting": "clearMessageWithStatus" },
      on: { change: () => void app.setClearMessageWithStatus(this.withStatus.checked) },
    });
    const messageSection = h(
      "fieldset",
      {
        class: "message",
        // "Clear the message when the status ends" shows the setting in force: read when the section is first
        // used (a request on use, not at every opening).
        on: { focusin: () => void (app.settings ? null : app.loadSettings()) },
      },
      h("legend", { class: "section-label", text: "Status message" }),
      this.messageNow,
      h(
        "div",
        { class: "message__row" },
        h("label", { class: "visually-hidden", attrs: { for: "status-message" }, text: "Status message" }),
        this.message,
        this.messageSet,
      ),
      templateRow,
      h(
        "p",
        { class: "hint", attrs: { id: "message-hint" } },
        "Sent with the next status you pick, or now with Enter.",
      ),
      this.messageError,
      h(
        "label",
        { class: "choice", attrs: { for: "message-with-status" } },
        this.withStatus,
        h("span", { text: "Clear the message when the status ends" }),
      ),
    );

    this.automatic = h(
      "button",
      {
        class: "button button--wide",
        attrs: { type: "button", "data-command": "back-to-automatic" },
        on: { click: () => void app.backToAutomatic() },
      },
      automaticBadge(),
      "Back to automatic",
    );
    this.account = h("p", { class: "account" });
    this.next = h("p", { class: "next" });

    this.root = h(
      "div",
      { class: "page page--main", attrs: { tabindex: "-1" } },
      h(
        "header",
        { class: "bar" },
        h("h1", { class: "bar__title", text: "Presently" }),
        this.activity,
        h(
          "button",
          {
            class: "icon-button",
            attrs: { type: "button", "aria-label": "Settings", title: "Settings", "data-command": "open-settings" },
            on: { click: () => app.openSettings() },
          },
          icon("gear"),
        ),
      ),
      h(
        "div",
        { class: "scroll" },
        // What stops the keeper comes first (architecture convention 14).
        this.trouble.el,
        h(
          "section",
          { class: "now", attrs: { "aria-labelledby": "now-headline" } },
          this.nowBadge,
          h("div", { class: "now__text" }, this.headline, this.detail, this.reported),
        ),
        this.differs.el,
        this.notice,
        h(
          "section",
          { class: "choose" },
          h("h2", { class: "section-label", attrs: { id: "statuses-label" }, text: "Set my status" }),
          statuses,
        ),
        h(
          "fieldset",
          { class: "durations" },
          h("legend", { class: "section-label", text: "For how long" }),
          chips,
          this.customRow,
        ),
        messageSection,
        this.automatic,
      ),
      h("footer", { class: "foot" }, this.account, this.next),
    );
  }

  /** Up and Down move between the status buttons, as in a native menu. */
  private moveFocus(event: KeyboardEvent): void {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const buttons = [...this.statusButtons.values()].filter((b) => !b.disabled);
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    event.preventDefault();
    const step = event.key === "ArrowDown" ? 1 : -1;
    buttons[(index + step + buttons.length) % buttons.length]?.focus();
  }

  initialFocus(): HTMLElement | null {
    return this.root.querySelector<HTMLElement>('[data-command="open-settings"]');
  }

  /** Puts the cursor in the custom duration field. */
  focusCustom(): void {
    this.custom.focus();
  }

  update(): void {
    const app = this.app;
    const s = app.snapshot;
    const account = s?.account;
    const ready = account?.state === "signedIn" || account?.state === "signInRequired";

    // The current intent (the headline text itself is set by `tick`).
    this.nowBadge.replaceChildren(s?.intent ? badge(statusInfo(s.intent.status), "large") : automaticBadge("large"));

    // Graph disagrees: say it calmly but where it is seen. Not while a problem stops the keeper: that problem is
    // the reason, and a guess at another would mislead.
    const differs = s?.agreement.state === "differs" && !s.problem ? s.agreement : null;
    this.differs.render(differs ? differs.reason : "", () => ({
      children:
        differs
          ? [
              h(
                "div",
                { class: "callout", attrs: { role: "note", "data-kind": "differs" } },
                icon("info"),
                h("p", { text: differs.reason }),
              ),
            ]
          : [],
    }));

    // Trouble: a sign-in in progress, then the last command's error, then the keeper's problem.
    const problem = app.error ?? s?.problem ?? null;
    const retryAt = problem && s?.next?.action === "retry" && problem === s.problem ? parseTime(s.next.at) : null;
    const troubleKey = JSON.stringify([app.signIn, problem, retryAt, [...app.busy]]);
    this.trouble.render(troubleKey, () => {
      if (app.signIn) {
        const panel = signInPanel(app, app.signIn);
        return { children: [panel.root], ticks: [panel.tick] };
      }
      if (problem) {
        const banner = problemBanner(app, problem, retryAt);
        const children = [banner.root];
        if (problem.action?.type === "signIn") {
          children.push(
            h("button", {
              class: "link",
              attrs: { type: "button", "data-command": "sign-in-code" },
              text: "Use a code instead",
              on: { click: () => void app.startSignIn("deviceCode") },
            }),
          );
        }
        return { children, ticks: [banner.tick] };
      }
      return { children: [] };
    });

    setText(this.notice, app.notice ?? "");
    this.notice.hidden = !app.notice;

    // Status buttons: the current one is marked; all wait while a choice is in flight.
    for (const [name, button] of this.statusButtons) {
      const current = s?.intent?.status === name;
      button.classList.toggle("status--current", current);
      if (current) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
      button.disabled = !ready || app.choosing !== null;
      button.classList.toggle("status--pending", app.choosing === name);
      if (app.choosing === name) button.setAttribute("aria-busy", "true");
      else button.removeAttribute("aria-busy");
    }
    for (const radio of this.radios) radio.checked = radio.value === app.duration;
    this.customRow.hidden = app.duration !== "custom";
    if (this.custom.value !== app.customText) this.custom.value = app.customText;
    setText(this.customError, app.customError ?? "");
    this.customError.hidden = !app.customError;
    if (app.customError) this.customError.setAttribute("role", "alert");
    else this.customError.removeAttribute("role");
    if (app.customError) this.custom.setAttribute("aria-invalid", "true");
    else this.custom.removeAttribute("aria-invalid");

    // The status message.
    if (this.message.value !== app.messageText) this.message.value = app.messageText;
    setText(this.messageError, app.messageError ?? "");
    this.messageError.hidden = !app.messageError;
    if (app.messageError) this.message.setAttribute("aria-invalid", "true");
    else this.message.removeAttribute("aria-invalid");
    this.message.disabled = !ready;
    this.messageSet.disabled = !ready || app.busy.has("message");
    this.messageClear.disabled = !ready || app.busy.has("clear-message");
    for (const button of this.templates) button.disabled = !ready;
    const setting = app.settings?.clearMessageWithStatus;
    this.withStatus.checked = setting ? setting.value : true;
    this.withStatus.disabled = !ready || setting?.locked === true || app.busy.has("clear-message-setting");

    this.automatic.hidden = !s?.intent;
    this.automatic.disabled = app.busy.has("automatic") || !ready;

    setText(this.activity, s ? ACTIVITY_WORDS[s.activity] : "Starting…");
    this.activity.classList.toggle("activity--busy", !s || s.activity === "syncing" || s.activity === "checking" || s.activity === "starting");

    this.account.replaceChildren(...accountLine(s));
  }

  tick(now: number): void {
    const s = this.app.snapshot;
    const intent = s?.intent ?? null;
    if (!s || s.account.state === "unknown") {
      setText(this.headline, "Starting…");
      setText(this.detail, "Reading your sign-in and your status.");
    } else if (intent) {
      setText(this.headline, `${statusInfo(intent.status).label} · ${untilText(s.endsAt, now)}`);
      setText(this.detail, intentDetail(intent, s.endsAt, now));
    } else {
      setText(this.headline, "Automatic");
      setText(this.detail, "Teams sets your status from your activity and calendar.");
    }
    this.detail.hidden = this.detail.textContent === "";

    const message = messageText(s, now);
    setText(this.messageNowText, message ?? "");
    this.messageNow.hidden = message === null;
    for (const [i, button] of this.templates.entries()) {
      const template = MESSAGE_TEMPLATES[i];
      if (template) setText(button, templateText(template, templateEnd(this.app.duration, s?.endsAt ?? null, now)));
    }

    setText(this.reported, s ? readingText(s, now) : "");
    this.reported.hidden = !s?.reported;

    // A retry the problem banner already counts down is not repeated here.
    const retryInBanner = s?.next?.action === "retry" && !!s.problem && !this.app.error && !this.app.signIn;
    setText(this.next, s?.next && !retryInBanner ? nextText(s.next, now) : "");
    this.next.hidden = this.next.textContent === "";
    this.trouble.tick(now);
  }
}

function accountLine(s: Snapshot | null): Array<Node | string> {
  const account = s?.account;
  if (!account || account.state === "unknown" || account.state === "signedOut") return [];
  const who = h("span", { class: "account__name", text: account.name || account.username });
  const user = h("span", { class: "account__user", text: account.username });
  const parts: Array<Node | string> = [who, " ", user];
  if (account.state === "signInRequired") parts.push(" ", h("span", { class: "account__flag", text: "Sign-in needed" }));
  return parts;
}
