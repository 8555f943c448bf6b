// The payloads the popup exchanges with the core, mirroring the Rust types (their definitions are the source of
// truth). Do not edit these by feel: `crates/core/tests/ui_payloads.rs` writes golden JSON of every payload to
// `ui/src/fixtures/`, and `ui/src/test/shapes.test.ts` checks those files against the lists below, so a change on
// either side fails a build until both agree (architecture convention 13).
//
// Rust sources: crates/core/src/keeper/snapshot.rs (Snapshot and its parts, KeeperEvent),
// crates/core/src/problem.rs (Problem), crates/model/src/{intent,duration,status}.rs (Intent, Until, Origin,
// PreferredPresence), crates/core/src/config/edit.rs (SettingsView, SettingsPatch, SettingsRejected),
// crates/core/src/app.rs (DeviceCodeView, the sign-in result). Timestamps are RFC 3339 strings in UTC.

/** A timestamp as jiff writes it: `2025-06-02T13:13:20Z`, possibly with a fraction of a second. */
export type Timestamp = string;

/** `PreferredPresence`, serialised as its short name. */
export type StatusName = "available" | "busy" | "dnd" | "brb" | "away" | "offline";

/** `Origin`: where an intent was chosen. */
export type Origin = "popup" | "trayMenu" | "hotkey" | "cli" | "teams";

/** `Until`: when a chosen status ends, already resolved. */
export type Until = { kind: "at"; at: Timestamp } | { kind: "untilChanged" } | { kind: "graphDefault" };

/** `Intent`: what the user chose. */
export interface Intent {
  status: StatusName;
  until: Until;
  setAt: Timestamp;
  origin: Origin;
}

/** `AccountView`. */
export type AccountView =
  | { state: "unknown" }
  | { state: "signedOut" }
  | { state: "signedIn"; name: string; username: string; tenantId: string }
  | { state: "signInRequired"; name: string; username: string };

/** `Reported`: what Graph last said. `availability`/`activity` are Graph's PascalCase words, any value. */
export interface Reported {
  availability: string;
  activity: string;
  asStatus: StatusName | null;
  at: Timestamp;
}

/** `Agreement`. */
export type Agreement = { state: "unknown" } | { state: "matches" } | { state: "differs"; reason: string };

/** `KeeperActivity`. */
export type KeeperActivity = "starting" | "idle" | "syncing" | "checking" | "retrying" | "blocked";

/** `NextAction`. */
export type NextAction =
  | "apply"
  | "refreshToken"
  | "renewSession"
  | "renewPin"
  | "endIntent"
  | "readBack"
  | "check"
  | "retry";

/** `Planned`. */
export interface Planned {
  action: NextAction;
  at: Timestamp;
}

/** `StoreKind`. */
export type StoreKind = "credentialStore" | "file" | "memory";

/** `TokenStoreView`: where the sign-in is kept, in parts the popup words itself (`format.ts`, `storeText`). */
export interface TokenStoreView {
  secure: boolean;
  kind: StoreKind;
  /** The token file, shortened as people write it (`~/.local/share/presently/tokens.enc`); null in memory. */
  location: string | null;
  /** The credential store holding the encrypted file's key. */
  keyKeptIn: string | null;
  /** Why this store, or what went wrong saving: whole sentences. */
  note: string | null;
}

/** `ProblemKind`. */
export type ProblemKind =
  | "signInRequired"
  | "consentRequired"
  | "throttled"
  | "offline"
  | "invalidChoice"
  | "configuration"
  | "internal";

/** `Action`: what helps, shown as a button. */
export type Action =
  | { type: "signIn" }
  | { type: "signInWithBrowser" }
  | { type: "copyAdminConsentLink"; url: string }
  | { type: "retry" }
  | { type: "openSettings" };

/** `Problem`: a failure as the user sees it. */
export interface Problem {
  kind: ProblemKind;
  message: string;
  action: Action | null;
  retryInSecs: number | null;
}

/** `Snapshot`: everything the popup shows, in one value (the `state:changed` event and `get_state`). */
export interface Snapshot {
  revision: number;
  intent: Intent | null;
  account: AccountView;
  reported: Reported | null;
  agreement: Agreement;
  activity: KeeperActivity;
  next: Planned | null;
  problem: Problem | null;
  /** When the problem began: a reading taken before it may no longer be true. */
  problemSince: Timestamp | null;
  tokenStore: TokenStoreView;
}

/** `KeeperEvent` (the `keeper:event` event). */
export type KeeperEvent =
  | { type: "intentEnded"; status: StatusName }
  | { type: "adoptedExternalChange"; status: StatusName | null }
  | { type: "signInNeeded" }
  | { type: "disagreement"; reason: string };

/** `Source`: where a setting's value comes from. */
export type Source =
  | { kind: "default" }
  | { kind: "managed"; detail: string }
  | { kind: "user"; detail: string }
  | { kind: "environment"; detail: string }
  | { kind: "flag"; detail: string };

/** `FieldView<T>`: one editable setting. */
export interface FieldView<T> {
  value: T;
  source: Source;
  origin: string;
  locked: boolean;
}

/** `SettingsView` (`get_settings`, `save_settings`, the `settings:changed` event). */
export interface SettingsView {
  tenant: FieldView<string>;
  clientId: FieldView<string>;
  cloud: FieldView<string>;
  workdayEnd: FieldView<string>;
  workDays: FieldView<string>;
  onQuit: FieldView<string>;
  launchAtLogin: FieldView<boolean>;
  notifications: FieldView<boolean>;
  trayTimeLeft: FieldView<boolean>;
  hotkeyDuration: FieldView<string>;
  hotkeys: HotkeysView;
  userFile: string;
}

/** `HotkeyAction`: what a global hotkey does. */
export type HotkeyAction = StatusName | "automatic" | "open";

/** `HotkeySupport`: whether global hotkeys can work where the tray app runs. */
export type HotkeySupport =
  | { kind: "inactive" }
  | { kind: "active" }
  | { kind: "wayland" }
  | { kind: "unavailable"; reason: string };

/** `HotkeyRowView`: one action's row: its shortcut in force (`""` = none) with its source, label and default. */
export interface HotkeyRowView {
  action: HotkeyAction;
  /** The row's name (`hotkeyBusy`): the `field` of a refusal and the row's id. */
  field: string;
  label: string;
  defaultShortcut: string;
  shortcut: FieldView<string>;
  /** The `presently` command line doing the same, to bind in the desktop's keyboard settings. */
  command: string;
  /** Why the desktop refused this shortcut (taken by another application), if it did. */
  registrationError: string | null;
}

/** `HotkeysView`. */
export interface HotkeysView {
  support: HotkeySupport;
  actions: HotkeyRowView[];
}

/** `SettingsPatch`: absent = unchanged; a blank text = back to the default. */
export interface SettingsPatch {
  tenant?: string;
  clientId?: string;
  cloud?: string;
  workdayEnd?: string;
  workDays?: string;
  onQuit?: string;
  launchAtLogin?: boolean;
  notifications?: boolean;
  trayTimeLeft?: boolean;
  hotkeyDuration?: string;
  /** New shortcuts by action; a blank text = no shortcut. */
  hotkeys?: Partial<Record<HotkeyAction, string>>;
}

/** The settings a patch can change, besides the hotkey rows. */
export type SettingKey = Exclude<keyof SettingsPatch, "hotkeys">;

/** `FieldError`: why one field was refused; `field` is a `SettingsPatch` key. */
export interface FieldError {
  field: string;
  message: string;
}

/** `SettingsRejected::Fields`: the validation error shape of `save_settings`. */
export interface FieldErrors {
  fieldErrors: FieldError[];
}

/** `DeviceCodeView` (the `signin:device-code` event). */
export interface DeviceCodeView {
  message: string;
  userCode: string;
  verificationUri: string;
  expiresAt: Timestamp;
}

/** The `signin:finished` event (`AppEvent::SignInFinished`'s data). */
export interface SignInFinished {
  ok: boolean;
  problem: Problem | null;
}

/** How to sign in (`SignInMethod`). */
export type SignInMethod = "browser" | "deviceCode";
