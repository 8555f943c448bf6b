// The popup's only door to the app: typed functions over Tauri's `invoke` and `listen`. This is the one file that
// imports `@tauri-apps/api` (a test checks it), so the command names, their argument shapes and the event names
// live in one place and the rest of the UI never sees Tauri.
//
// State flows one way (architecture convention 3): `getState()` once at start, then `onStateChanged`. Nothing here
// polls.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

import type {
  DeviceCodeView,
  FieldError,
  Intent,
  KeeperEvent,
  Problem,
  SettingsPatch,
  SettingsView,
  SignInFinished,
  SignInMethod,
  Snapshot,
  StatusName,
} from "./types";

/** The command names of the popup process (`src-tauri/src/commands.rs`). */
export const COMMANDS = {
  getState: "get_state",
  choose: "choose",
  backToAutomatic: "back_to_automatic",
  setMessage: "set_message",
  clearMessage: "clear_message",
  retry: "retry",
  signIn: "sign_in",
  cancelSignIn: "cancel_sign_in",
  signOut: "sign_out",
  getSettings: "get_settings",
  saveSettings: "save_settings",
  getDiagnostics: "get_diagnostics",
  openLogFolder: "open_log_folder",
  hidePopup: "hide_popup",
  getNoTrayNote: "get_no_tray_note",
  quitApp: "quit_app",
} as const;

/** The event names emitted to the webview (`crates/core/src/ipc/ui_events.rs`). */
export const EVENTS = {
  stateChanged: "state:changed",
  keeperEvent: "keeper:event",
  deviceCode: "signin:device-code",
  signInFinished: "signin:finished",
  settingsChanged: "settings:changed",
} as const;

/** Thrown by every call that fails: always carries a `Problem`, whatever shape the error had on the wire. */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.message);
    this.name = "ProblemError";
    this.problem = problem;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isProblem(value: unknown): value is Problem {
  return isObject(value) && typeof value.kind === "string" && typeof value.message === "string";
}

function isFieldErrors(value: unknown): value is { fieldErrors: FieldError[] } {
  return isObject(value) && Array.isArray(value.fieldErrors);
}

/** Any rejection as a `Problem`. A string (e.g. Tauri refusing an argument) becomes an `internal` problem. */
export function toProblem(error: unknown): Problem {
  if (error instanceof ProblemError) return error.problem;
  if (isProblem(error)) {
    return {
      kind: error.kind,
      message: error.message,
      action: error.action ?? null,
      retryInSecs: error.retryInSecs ?? null,
    };
  }
  const message =
    typeof error === "string" ? error : error instanceof Error ? error.message : "Presently did not answer.";
  return { kind: "internal", message, action: null, retryInSecs: null };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw new ProblemError(toProblem(error));
  }
}

/** The current state; call once at start, then listen with `onStateChanged`. */
export function getState(): Promise<Snapshot> {
  return call<Snapshot>(COMMANDS.getState);
}

/** Keep `status` for `duration` (`30m`, `1h`, `2h`, `4h`, `8h`, `eod`, `forever`, or typed text like `90m`). */
export function choose(status: StatusName, duration: string): Promise<Intent> {
  return call<Intent>(COMMANDS.choose, { status, duration });
}

/**
 * Set the status message colleagues see under the name (at most 280 characters). `until` (`until 15:00`) ends it;
 * without it, it ends with the status in force when the `clearMessageWithStatus` setting is on.
 */
export function setMessage(text: string, until: string | null = null): Promise<void> {
  return call<void>(COMMANDS.setMessage, { text, until });
}

/** Remove the status message. */
export function clearMessage(): Promise<void> {
  return call<void>(COMMANDS.clearMessage);
}

/** Let Teams decide again. */
export function backToAutomatic(): Promise<void> {
  return call<void>(COMMANDS.backToAutomatic);
}

/** Retry pending work now. */
export function retry(): Promise<void> {
  return call<void>(COMMANDS.retry);
}

/** Start a sign-in; resolves when it ends (its result also arrives as `onSignInFinished`). */
export function signIn(method: SignInMethod): Promise<void> {
  return call<void>(COMMANDS.signIn, { method });
}

/** Cancel a sign-in in progress. */
export function cancelSignIn(): Promise<void> {
  return call<void>(COMMANDS.cancelSignIn);
}

/** Back to automatic and sign out. */
export function signOut(): Promise<void> {
  return call<void>(COMMANDS.signOut);
}

/** The settings in force, with their sources. */
export function getSettings(): Promise<SettingsView> {
  return call<SettingsView>(COMMANDS.getSettings);
}

/** The outcome of `saveSettings`: the new view, or why not (per field, or a problem with the file). */
export type SaveResult =
  | { ok: true; view: SettingsView }
  | { ok: false; fieldErrors: FieldError[] }
  | { ok: false; problem: Problem };

/** Save changed settings. Never throws: a refusal is a value the settings page shows in place. */
export async function saveSettings(patch: SettingsPatch): Promise<SaveResult> {
  try {
    const view = await invoke<SettingsView>(COMMANDS.saveSettings, { patch });
    return { ok: true, view };
  } catch (error) {
    if (isFieldErrors(error)) return { ok: false, fieldErrors: error.fieldErrors };
    return { ok: false, problem: toProblem(error) };
  }
}

/** The running app's diagnostics report (version, settings and their sources, last reading, problems; no secrets). */
export function getDiagnostics(): Promise<string> {
  return call<string>(COMMANDS.getDiagnostics);
}

/** Open the app's log folder in the file manager. */
export function openLogFolder(): Promise<void> {
  return call<void>(COMMANDS.openLogFolder);
}

/** Hide the popup window (it lingers, so reopening is instant). */
export async function hidePopup(): Promise<void> {
  try {
    await invoke<void>(COMMANDS.hidePopup);
  } catch {
    // Nothing useful to show: the window simply stays.
  }
}

/** When no tray icon can be seen, the popup is the app's window: the note saying how to get tray icons; else `null`. */
export async function getNoTrayNote(): Promise<string | null> {
  try {
    return (await invoke<string | null>(COMMANDS.getNoTrayNote)) ?? null;
  } catch {
    // An older popup process without the command: it is the tray's popup.
    return null;
  }
}

/** Quit Presently (the window's Quit when there is no tray menu). */
export function quitApp(): Promise<void> {
  return call<void>(COMMANDS.quitApp);
}

function on<T>(event: string, handler: (payload: T) => void): Promise<UnlistenFn> {
  return listen<T>(event, (e) => handler(e.payload));
}

/** Every new snapshot. */
export function onStateChanged(handler: (snapshot: Snapshot) => void): Promise<UnlistenFn> {
  return on(EVENTS.stateChanged, handler);
}

/** Notable moments (a timed status ended, a change in Teams was adopted, ...). */
export function onKeeperEvent(handler: (event: KeeperEvent) => void): Promise<UnlistenFn> {
  return on(EVENTS.keeperEvent, handler);
}

/** A device-code sign-in has a code to show. */
export function onDeviceCode(handler: (code: DeviceCodeView) => void): Promise<UnlistenFn> {
  return on(EVENTS.deviceCode, handler);
}

/** A sign-in ended. */
export function onSignInFinished(handler: (result: SignInFinished) => void): Promise<UnlistenFn> {
  return on(EVENTS.signInFinished, handler);
}

/** The settings changed (saved here, by the CLI, or reloaded). The payload is the new view; `null` (a bare
 * "changed") is accepted too, and the popup then reads the view again if it shows it. */
export function onSettingsChanged(handler: (view: SettingsView | null) => void): Promise<UnlistenFn> {
  return on(EVENTS.settingsChanged, handler);
}

/** The functions the UI uses; the app takes this object so tests and the dev preview can pass the same one. */
export const ipc = {
  getState,
  choose,
  backToAutomatic,
  setMessage,
  clearMessage,
  retry,
  signIn,
  cancelSignIn,
  signOut,
  getSettings,
  saveSettings,
  getDiagnostics,
  openLogFolder,
  hidePopup,
  getNoTrayNote,
  quitApp,
  onStateChanged,
  onKeeperEvent,
  onDeviceCode,
  onSignInFinished,
  onSettingsChanged,
};

/** The shape of `ipc`. */
export type Ipc = typeof ipc;
