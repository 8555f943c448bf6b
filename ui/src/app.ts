// The popup's state and actions. State arrives from the core (one `getState` at start, then `state:changed`
// events); what the popup keeps itself is only what the core does not know: the page shown, the duration selected,
// a sign-in in progress, the last command's error. Pages read from here and call the actions; a one-second ticker
// refreshes times locally (countdown, "2 min ago") without asking the core for anything.

import { copyText, type CopyOutcome } from "./clipboard";
import { h } from "./dom";
import { PRESETS, setHourCycle, STATUSES, type StatusInfo } from "./format";
import { ipc, ProblemError, toProblem } from "./ipc";
import type { DeviceCodeView, KeeperEvent, Problem, SettingsView, SignInMethod, Snapshot, StatusName } from "./types";
import { MainPage } from "./views/main";
import { SettingsPage } from "./views/settings";
import { WelcomePage } from "./views/welcome";

/** A page of the popup. */
export interface Page {
  readonly root: HTMLElement;
  /** Re-reads the app's state (after a snapshot, an action, a page change). */
  update(): void;
  /** Refreshes times only. */
  tick(now: number): void;
  /** Where focus goes when this page is opened from another one. */
  initialFocus(): HTMLElement | null;
}

/** A sign-in in progress. */
export interface SignInState {
  method: SignInMethod;
  code: DeviceCodeView | null;
}

const DURATION_KEY = "presently.duration";

function savedDuration(): string {
  try {
    const value = localStorage.getItem(DURATION_KEY);
    if (value && PRESETS.some((p) => p.value === value && value !== "custom")) return value;
  } catch {
    // Storage may be unavailable; the default is fine.
  }
  return "1h";
}

/** The popup application. */
export class App {
  readonly root: HTMLElement;
  snapshot: Snapshot | null = null;
  /** `main` (status or welcome, by account) or `settings`. */
  page: "main" | "settings" = "main";
  /** The selected preset's value, or `custom`. */
  duration = savedDuration();
  /** The custom duration text. */
  customText = "";
  /** Why the custom duration was refused (shown under its field). */
  customError: string | null = null;
  /** The status message being typed; sent with the next status chosen, or on its own with Enter or Set. */
  messageText = "";
  /** Why the message was refused (shown under its field). */
  messageError: string | null = null;
  /** The last command's failure (not the keeper's problem, which is in the snapshot). */
  error: Problem | null = null;
  /** A short-lived notice (a keeper event, "Saved"). */
  notice: string | null = null;
  /** The status whose `choose` is in flight. */
  choosing: StatusName | null = null;
  /** Commands in flight, by name, for busy buttons. */
  readonly busy = new Set<string>();
  signIn: SignInState | null = null;
  /** The settings, once loaded for the settings page. */
  settings: SettingsView | null = null;
  /** When no tray icon can be seen, the popup is the app's window: this strip says how to get tray icons and
   * offers Quit (there is no tray menu to quit from). */
  private noTray: HTMLElement | null = null;

  private current: Page | null = null;
  private pages: { main?: MainPage; welcome?: WelcomePage; settings?: SettingsPage } = {};
  private ticker: ReturnType<typeof setInterval> | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;
  private signInAttempt = 0;
  private cancelledAttempt = -1;
  private unlisten: Array<() => void> = [];
  private stopped = false;
  private readonly keyListener = (e: KeyboardEvent) => this.onKey(e);
  private readonly visibilityListener = () => this.syncTicker();

  constructor(root: HTMLElement) {
    this.root = root;
  }

  /** Subscribes to events first (so nothing is missed), then asks for the state once. */
  async start(): Promise<void> {
    document.addEventListener("keydown", this.keyListener);
    document.addEventListener("visibilitychange", this.visibilityListener);
    this.render();
    this.unlisten = await Promise.all([
      ipc.onStateChanged((s) => this.setSnapshot(s)),
      ipc.onKeeperEvent((e) => this.onKeeperEvent(e)),
      ipc.onDeviceCode((code) => this.onDeviceCode(code)),
      ipc.onSignInFinished((r) => this.onSignInFinished(r.ok, r.problem)),
      ipc.onSettingsChanged((v) => this.onSettings(v)),
    ]);
    const note = await ipc.getNoTrayNote();
    if (note) {
      this.noTray = noTrayStrip(note, () => void this.quit());
      this.root.classList.add("app--windowed");
      this.current = null;
      this.render();
    }
    try {
      this.setSnapshot(await ipc.getState());
    } catch (error) {
      this.error = toProblem(error);
      this.render();
    }
  }

  /** Stops listening and ticking (the popup process exits anyway; tests mount many apps). */
  stop(): void {
    document.removeEventListener("keydown", this.keyListener);
    document.removeEventListener("visibilitychange", this.visibilityListener);
    for (const unlisten of this.unlisten) unlisten();
    this.unlisten = [];
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
    if (this.noticeTimer !== null) clearTimeout(this.noticeTimer);
    this.noticeTimer = null;
    this.stopped = true;
  }

  /** Takes a snapshot unless a newer one is already shown (an event may overtake `getState`). */
  setSnapshot(snapshot: Snapshot): void {
    if (this.snapshot && snapshot.revision < this.snapshot.revision) return;
    const wasSignedIn = this.signedIn();
    this.snapshot = snapshot;
    setHourCycle(snapshot.hourCycle);
    if (!wasSignedIn && this.signedIn()) {
      this.signIn = null;
      if (this.error?.kind === "signInRequired") this.error = null;
    }
    this.render();
  }

  /** Whether an account is present (signed in, or asked to sign in again). */
  signedIn(): boolean {
    const state = this.snapshot?.account.state;
    return state === "signedIn" || state === "signInRequired";
  }

  // ---- rendering ------------------------------------------------------------------------------------------

  /** Shows the right page and updates it. */
  render(): void {
    const page = this.pageFor();
    if (page !== this.current) {
      const hadFocus = this.current?.root.contains(document.activeElement) ?? false;
      const first = this.current === null;
      this.current = page;
      this.root.replaceChildren(...(this.noTray ? [this.noTray] : []), page.root);
      // Moving between pages keeps the keyboard user somewhere sensible; a fresh popup starts at the top.
      const target = !first && hadFocus ? page.initialFocus() : null;
      (target ?? page.root).focus({ preventScroll: true });
    }
    page.update();
    page.tick(Date.now());
    this.syncTicker();
  }

  private pageFor(): Page {
    if (this.page === "settings") return (this.pages.settings ??= new SettingsPage(this));
    if (this.snapshot?.account.state === "signedOut") return (this.pages.welcome ??= new WelcomePage(this));
    return (this.pages.main ??= new MainPage(this));
  }

  /** Ticks once a second while the popup is visible; a hidden, lingering popup does nothing at all. */
  private syncTicker(): void {
    if (this.stopped) return;
    const visible = document.visibilityState !== "hidden";
    if (visible && this.ticker === null) {
      this.current?.tick(Date.now());
      this.ticker = setInterval(() => this.current?.tick(Date.now()), 1000);
    } else if (!visible && this.ticker !== null) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  /** Shows a notice for a few seconds. */
  flash(text: string): void {
    this.notice = text;
    if (this.noticeTimer !== null) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.notice = null;
      this.noticeTimer = null;
      this.render();
    }, 6000);
    this.render();
  }

  // ---- actions --------------------------------------------------------------------------------------------

  /** The duration to send: a preset, or the custom text (null when custom is empty). */
  durationValue(): string | null {
    if (this.duration !== "custom") return this.duration;
    const text = this.customText.trim();
    return text === "" ? null : text;
  }

  selectDuration(value: string): void {
    this.duration = value;
    this.customError = null;
    if (value !== "custom") {
      try {
        localStorage.setItem(DURATION_KEY, value);
      } catch {
        // Not remembered; fine.
      }
    }
    this.render();
  }

  /** Keeps `status` for the selected duration. */
  async choose(status: StatusName): Promise<void> {
    if (!this.signedIn() || this.choosing) return;
    const duration = this.durationValue();
    if (duration === null) {
      this.customError = "Type how long, like 90m, 1h30m or until 17:30.";
      this.render();
      this.pages.main?.focusCustom();
      return;
    }
    this.choosing = status;
    this.error = null;
    this.customError = null;
    this.render();
    try {
      await ipc.choose(status, duration);
      // A message typed before picking the status goes with it (and, by the setting, ends with it).
      if (this.messageText.trim() !== "" && this.messageText.trim() !== this.snapshot?.message?.text) {
        await this.sendMessage();
      }
    } catch (error) {
      const problem = toProblem(error);
      if (problem.kind === "invalidChoice" && this.duration === "custom") {
        this.customError = problem.message;
        this.pages.main?.focusCustom();
      } else {
        this.error = problem;
      }
    } finally {
      this.choosing = null;
      this.render();
    }
  }

  /** Runs a command that returns nothing, marking `name` busy and keeping its error. */
  async run(name: string, command: () => Promise<void>): Promise<boolean> {
    if (this.busy.has(name)) return false;
    this.busy.add(name);
    this.error = null;
    this.render();
    try {
      await command();
      return true;
    } catch (error) {
      this.error = toProblem(error);
      return false;
    } finally {
      this.busy.delete(name);
      this.render();
    }
  }

  /** Sends the typed status message; a refusal (empty, too long) is shown under the field. */
  async sendMessage(): Promise<void> {
    const text = this.messageText.trim();
    if (text === "") {
      this.messageError = "Type a message, or pick one below.";
      this.render();
      return;
    }
    this.messageError = null;
    const ok = await this.run("message", async () => {
      try {
        await ipc.setMessage(text);
      } catch (error) {
        const problem = toProblem(error);
        if (problem.kind !== "invalidChoice") throw error;
        this.messageError = problem.message;
      }
    });
    if (ok && this.messageError === null) this.messageText = "";
    this.render();
  }

  /** Removes the status message. */
  clearMessage(): Promise<boolean> {
    return this.run("clear-message", () => ipc.clearMessage());
  }

  /** "Clear the message when the status ends": the setting, saved at once. */
  async setClearMessageWithStatus(on: boolean): Promise<void> {
    await this.run("clear-message-setting", async () => {
      const result = await ipc.saveSettings({ clearMessageWithStatus: on });
      if (result.ok) this.onSettings(result.view);
      else if ("problem" in result) throw result.problem;
      else throw { kind: "invalidChoice", message: result.fieldErrors.map((e) => e.message).join(" "), action: null, retryInSecs: null };
    });
  }

  backToAutomatic(): Promise<boolean> {
    return this.run("automatic", () => ipc.backToAutomatic());
  }

  retry(): Promise<boolean> {
    return this.run("retry", () => ipc.retry());
  }

  signOut(): Promise<boolean> {
    return this.run("signOut", () => ipc.signOut());
  }

  /** Starts a sign-in; the page shows progress (or the device code) until it ends. */
  async startSignIn(method: SignInMethod): Promise<void> {
    const attempt = ++this.signInAttempt;
    this.signIn = { method, code: null };
    this.error = null;
    this.render();
    try {
      await ipc.signIn(method);
    } catch (error) {
      if (attempt !== this.cancelledAttempt) this.error = error instanceof ProblemError ? error.problem : toProblem(error);
    } finally {
      if (attempt === this.signInAttempt) this.signIn = null;
      this.render();
    }
  }

  async cancelSignIn(): Promise<void> {
    this.cancelledAttempt = this.signInAttempt;
    this.signIn = null;
    this.render();
    try {
      await ipc.cancelSignIn();
    } catch (error) {
      this.error = toProblem(error);
      this.render();
    }
  }

  /** Copies `text`, or leaves it selected in a field inside `fallback`. */
  copy(text: string, fallback: HTMLElement, label: string): Promise<CopyOutcome> {
    return copyText(text, fallback, label);
  }

  /** Does what a problem's action says. `fallback` receives the link when the clipboard is unavailable. */
  async act(problem: Problem, fallback: HTMLElement): Promise<void> {
    const action = problem.action;
    if (!action) return;
    switch (action.type) {
      case "signIn":
      case "signInWithBrowser":
        await this.startSignIn("browser");
        return;
      case "copyAdminConsentLink": {
        const outcome = await this.copy(action.url, fallback, "Approval link for your administrator");
        if (outcome === "copied") this.flash("Link copied: send it to your IT administrator.");
        return;
      }
      case "retry":
        await this.retry();
        return;
      case "openSettings":
        this.openSettings();
        return;
      case "useOrganisationApp":
        // The client id field, ready to take the organisation's app (its refusal, if any, shows beside it).
        this.page = "settings";
        this.error = null;
        this.render();
        await this.loadSettings();
        this.pages.settings?.focusField("clientId");
        return;
    }
  }

  openSettings(): void {
    this.page = "settings";
    this.error = null;
    this.render();
    void this.loadSettings();
  }

  closeSettings(): void {
    this.page = "main";
    this.error = null;
    this.render();
  }

  /** Reads the settings for the settings page (on opening it: a request on navigation, not a poll). */
  async loadSettings(): Promise<void> {
    try {
      this.onSettings(await ipc.getSettings());
    } catch (error) {
      this.error = toProblem(error);
      this.render();
    }
  }

  hide(): void {
    void ipc.hidePopup();
  }

  /** Quits Presently (the window standing in for the tray). */
  async quit(): Promise<void> {
    try {
      await ipc.quitApp();
    } catch (error) {
      this.error = toProblem(error);
      this.render();
    }
  }

  // ---- events ---------------------------------------------------------------------------------------------

  private onSettings(view: SettingsView | null): void {
    if (!view || typeof view !== "object" || !("tenant" in view)) {
      // An event without the view (the glue may only say "changed"): read it again if anyone looks at it.
      if (this.settings || this.page === "settings") void this.loadSettings();
      return;
    }
    this.settings = view;
    this.pages.settings?.setView(view);
    this.render();
  }

  private onDeviceCode(code: DeviceCodeView): void {
    this.signIn = { method: "deviceCode", code };
    this.render();
  }

  private onSignInFinished(ok: boolean, problem: Problem | null): void {
    const cancelled = this.cancelledAttempt === this.signInAttempt;
    this.signIn = null;
    if (!ok && problem && !cancelled) this.error = problem;
    if (ok) this.flash("Signed in.");
    else this.render();
  }

  private onKeeperEvent(event: KeeperEvent): void {
    const label = (s: StatusName) => STATUSES.find((x) => x.name === s)?.label ?? s;
    switch (event.type) {
      case "intentEnded":
        this.flash(`${label(event.status)} ended: Teams decides again.`);
        return;
      case "adoptedExternalChange":
        this.flash(
          event.status
            ? `Changed in Teams to ${label(event.status)}: Presently follows it.`
            : "Changed in Teams: back to automatic.",
        );
        return;
      case "signInNeeded":
      case "disagreement":
        // The snapshot that comes with it shows the problem or the disagreement.
        return;
    }
  }

  private onKey(event: KeyboardEvent): void {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Escape") {
      event.preventDefault();
      this.hide();
      return;
    }
    const target = event.target as HTMLElement | null;
    const typing =
      target instanceof HTMLInputElement
        ? !["radio", "checkbox", "button"].includes(target.type)
        : target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || !!target?.isContentEditable;
    if (typing || this.page !== "main" || !this.signedIn()) return;
    const status: StatusInfo | undefined = STATUSES.find((s) => String(s.key) === event.key);
    if (status) {
      event.preventDefault();
      void this.choose(status.name);
    }
  }
}

/** The strip at the top of the window that stands in for a tray icon no one can see. */
function noTrayStrip(note: string, quit: () => void): HTMLElement {
  return h(
    "div",
    { class: "banner banner--warning no-tray", attrs: { role: "note" } },
    h(
      "div",
      { class: "banner__body" },
      h("p", { class: "banner__text", text: note }),
      h("button", { class: "button button--small", attrs: { type: "button" }, text: "Quit Presently", on: { click: quit } }),
    ),
  );
}

/** Shown when the page is opened outside the app (no Tauri IPC) in a production build. */
export function outsideTheApp(root: HTMLElement): void {
  root.replaceChildren(
    h(
      "div",
      { class: "outside" },
      h("h1", { text: "Presently" }),
      h("p", { text: "This page is Presently's popup. Open it from the Presently icon in your tray or menu bar." }),
    ),
  );
}
