// Pieces several pages share: a problem with its action button, the sign-in progress and device-code panel, and
// a section that rebuilds only when its data changed (so a snapshot does not steal keyboard focus).

import type { App, SignInState } from "../app";
import { type Child, h, icon, setText } from "../dom";
import { formatCountdown, parseTime } from "../format";
import type { Action, Problem } from "../types";

/** The button text for an action. */
export function actionLabel(action: Action): string {
  switch (action.type) {
    case "signIn":
      return "Sign in again";
    case "signInWithBrowser":
      return "Sign in with the browser";
    case "copyAdminConsentLink":
      return "Copy link for your admin";
    case "retry":
      return "Retry";
    case "openSettings":
      return "Settings";
    case "useOrganisationApp":
      return "Use my organisation’s app";
  }
}

/** The busy key of an action's command (to disable its button while it runs). */
function busyKey(action: Action): string {
  return action.type === "retry" ? "retry" : action.type;
}

/** Calm for what fixes itself, firmer for what needs the user, red only for the unexpected. */
function tone(problem: Problem): "info" | "warning" | "error" {
  switch (problem.kind) {
    case "throttled":
    case "offline":
      return "info";
    case "internal":
      return "error";
    default:
      return "warning";
  }
}

/** A problem: its words, when Presently retries by itself, and its action as a button. */
export function problemBanner(app: App, problem: Problem, retryAt: number | null): { root: HTMLElement; tick(now: number): void } {
  const fallback = h("div", { class: "banner__fallback", attrs: { hidden: true } });
  const note = h("p", { class: "banner__note" });
  const action = problem.action;
  const button =
    action &&
    h("button", {
      class: "button button--small",
      attrs: { type: "button", "data-action": action.type, disabled: app.busy.has(busyKey(action)) },
      text: actionLabel(action),
      on: { click: () => void app.act(problem, fallback) },
    });
  const root = h(
    "div",
    { class: `banner banner--${tone(problem)}`, attrs: { role: "alert", "data-kind": problem.kind } },
    icon(tone(problem) === "info" ? "info" : "warning"),
    h("div", { class: "banner__body" }, h("p", { class: "banner__text", text: problem.message }), note, button, fallback),
  );
  const tick = (now: number) => {
    if (retryAt !== null) {
      const left = retryAt - now;
      setText(note, left > 1000 ? `Presently retries by itself in ${formatCountdown(left)}.` : "Retrying…");
    } else if (problem.retryInSecs !== null) {
      setText(note, `Presently retries by itself in ${problem.retryInSecs} s.`);
    }
    note.hidden = note.textContent === "";
  };
  tick(Date.now());
  return { root, tick };
}

/** The sign-in in progress: waiting for the browser, or the device code to type elsewhere. */
export function signInPanel(app: App, state: SignInState): { root: HTMLElement; tick(now: number): void } {
  const cancel = h("button", {
    class: "button button--quiet",
    attrs: { type: "button", "data-command": "cancel-sign-in" },
    text: "Cancel",
    on: { click: () => void app.cancelSignIn() },
  });
  if (state.method === "browser" || state.code === null) {
    const text =
      state.method === "browser"
        ? "Finish signing in with your browser. This window updates when you are done."
        : "Asking Microsoft for a code…";
    const root = h(
      "div",
      { class: "signin-wait", attrs: { role: "status" } },
      h("span", { class: "spinner", attrs: { "aria-hidden": "true" } }),
      h("p", { text }),
      cancel,
    );
    return { root, tick: () => {} };
  }
  const code = state.code;
  const fallback = h("div", { class: "banner__fallback", attrs: { hidden: true } });
  const expiry = h("p", { class: "muted small" });
  const copyButton = h(
    "button",
    {
      class: "button button--small",
      attrs: { type: "button", "data-command": "copy-code", "aria-label": `Copy the code ${code.userCode}` },
      on: {
        click: async () => {
          const outcome = await app.copy(code.userCode, fallback, "Sign-in code");
          if (outcome === "copied") {
            copyButton.replaceChildren(icon("copy"), "Copied");
            setTimeout(() => copyButton.replaceChildren(icon("copy"), "Copy"), 2000);
          }
        },
      },
    },
    icon("copy"),
    "Copy",
  );
  const site = code.verificationUri.replace(/^https?:\/\//, "").replace(/\/$/, "");
  const root = h(
    "section",
    { class: "device-code", attrs: { "aria-labelledby": "device-code-title" } },
    h("h2", { class: "device-code__title", attrs: { id: "device-code-title" }, text: "Sign in with a code" }),
    h("p", {}, "On this or any other device, open ", h("strong", { class: "mono", text: site }), " and enter:"),
    h(
      "div",
      { class: "device-code__row" },
      h("output", { class: "device-code__code mono", attrs: { "aria-label": "Sign-in code" }, text: code.userCode }),
      copyButton,
    ),
    fallback,
    expiry,
    cancel,
  );
  const ends = parseTime(code.expiresAt);
  const tick = (now: number) => {
    const left = ends - now;
    setText(expiry, left > 0 ? `The code works for ${formatCountdown(left)} more.` : "The code has expired: cancel and try again.");
  };
  tick(Date.now());
  return { root, tick };
}

/** A container that rebuilds its content only when `key` changes, keeping focus on the same control. */
export class Section {
  readonly el: HTMLElement;
  private key: string | null = null;
  private ticks: Array<(now: number) => void> = [];

  constructor(el: HTMLElement) {
    this.el = el;
  }

  /** Rebuilds when `key` differs from the last one. `build` returns the children and any tick functions. */
  render(key: string, build: () => { children: Child[]; ticks?: Array<(now: number) => void> }): void {
    if (key === this.key) return;
    this.key = key;
    const active = document.activeElement;
    const focusId =
      active instanceof HTMLElement && this.el.contains(active)
        ? (active.dataset.action ?? active.dataset.command ?? null)
        : null;
    const built = build();
    this.el.replaceChildren();
    for (const child of built.children) {
      if (child === null || child === undefined || child === false) continue;
      this.el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    this.ticks = built.ticks ?? [];
    this.el.hidden = this.el.childNodes.length === 0;
    if (focusId) {
      const again = this.el.querySelector<HTMLElement>(`[data-action="${focusId}"], [data-command="${focusId}"]`);
      again?.focus();
    }
  }

  tick(now: number): void {
    for (const t of this.ticks) t(now);
  }
}
