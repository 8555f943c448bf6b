// Generated from the Rust types by crates/core/tests/ui_payloads.rs (ts-rs): do not edit by hand.
// Regenerate with `PRESENTLY_UPDATE_GOLDEN=1 cargo test -p presently-core --test ui_payloads`.

/**
 * A preferred presence, serialised as its short name (the word the CLI takes).
 */
export type PreferredPresence = "available" | "busy" | "dnd" | "brb" | "away" | "offline";

/**
 * Where an intent came from.
 */
export type Origin = "popup" | "trayMenu" | "hotkey" | "cli" | "teams";

/**
 * When a chosen status ends, resolved against the time it was chosen.
 *
 * Serialises camelCase with a `kind` tag: `{"kind":"at","at":"2025-03-30T15:30:00Z"}`,
 * `{"kind":"untilChanged"}`, `{"kind":"graphDefault"}`.
 */
export type Until = { "kind": "at", 
/**
 * The end.
 */
at: string, } | { "kind": "untilChanged" } | { "kind": "graphDefault" };

/**
 * What the user chose: a status, until when (already resolved), when, and from where.
 *
 * ```
 * use presently_model::{Intent, Origin, PreferredPresence, Until};
 * let set_at: jiff::Timestamp = "2025-06-02T08:00:00Z".parse().unwrap();
 * let intent = Intent::new(PreferredPresence::Busy, Until::GraphDefault, set_at, Origin::Cli);
 * // Graph's default for Busy is one day (contract §2).
 * assert_eq!(intent.ends_at(), Some("2025-06-03T08:00:00Z".parse().unwrap()));
 * ```
 */
export type Intent = { 
/**
 * The chosen status.
 */
status: PreferredPresence, 
/**
 * When it ends.
 */
until: Until, 
/**
 * When it was chosen.
 */
setAt: string, 
/**
 * Where it was chosen.
 */
origin: Origin, };

/**
 * A message the user set (or Teams reported), with when it ends.
 */
export type StatusMessage = { 
/**
 * The text as shown (trimmed, at most [`MESSAGE_MAX_CHARS`] characters).
 */
text: string, 
/**
 * When Graph drops it; `None`: it stays until replaced or cleared.
 */
expiresAt: string | null, 
/**
 * It was set to end with the status it was chosen with ("clear the message when the status ends"): it
 * goes when that status ends or goes back to automatic.
 */
withStatus: boolean, 
/**
 * When it was set.
 */
setAt: string, 
/**
 * Where it was set.
 */
origin: Origin, };

/**
 * The sign-in state.
 */
export type AccountView = { "state": "unknown" } | { "state": "signedOut" } | { "state": "signedIn", 
/**
 * Display name.
 */
name: string, 
/**
 * Sign-in name.
 */
username: string, tenantId: string, } | { "state": "signInRequired", 
/**
 * Display name.
 */
name: string, 
/**
 * Sign-in name.
 */
username: string, };

/**
 * What Graph reported (`GET /users/{id}/presence`).
 */
export type Reported = { 
/**
 * Availability as Graph says it.
 */
availability: string, 
/**
 * Activity as Graph says it.
 */
activity: string, 
/**
 * The preferred status this pair is, if it is one of the six.
 */
asStatus: PreferredPresence | null, 
/**
 * When it was read.
 */
at: string, };

/**
 * How Graph's report compares with the intent.
 */
export type Agreement = { "state": "unknown" } | { "state": "matches" } | { "state": "differs", 
/**
 * Plain words for the popup and `presently status`.
 */
reason: string, };

/**
 * What the keeper is doing.
 */
export type KeeperActivity = "starting" | "idle" | "syncing" | "checking" | "retrying" | "blocked";

/**
 * The kinds of planned steps.
 */
export type NextAction = "apply" | "refreshToken" | "renewSession" | "renewPin" | "endIntent" | "readBack" | "check" | "retry";

/**
 * A planned step.
 */
export type Planned = { 
/**
 * What.
 */
action: NextAction, 
/**
 * When.
 */
at: string, };

/**
 * Which kind of store holds the tokens.
 */
export type StoreKind = "credentialStore" | "file" | "memory";

/**
 * The token store in use, as parts each view words for itself (`crate::wording::store_sentences` for the CLI,
 * `ui/src/views/welcome.ts` for the popup).
 */
export type TokenStoreView = { 
/**
 * False when tokens sit in a plain file (no credential store on this system).
 */
secure: boolean, kind: StoreKind, 
/**
 * The file that holds the tokens, shortened as people write it (`~/.local/share/presently/tokens.enc`);
 * `None` in memory.
 */
location: string | null, 
/**
 * The credential store that holds the key of the encrypted file.
 */
keyKeptIn: string | null, 
/**
 * Why it is this store, or what went wrong saving: whole sentences.
 */
note: string | null, };

/**
 * What kind of trouble it is (a closed set the UI styles and the CLI maps to exit codes).
 */
export type ProblemKind = "signInRequired" | "consentRequired" | "throttled" | "offline" | "invalidChoice" | "configuration" | "internal";

/**
 * What the user can do; the UI shows it as a button.
 */
export type Action = { "type": "signIn" } | { "type": "signInWithBrowser" } | { "type": "copyAdminConsentLink", 
/**
 * `{login}/{tenant}/adminconsent?client_id=...`.
 */
url: string, } | { "type": "retry" } | { "type": "openSettings" } | { "type": "useOrganisationApp", 
/**
 * An administrator's approval link for the app in use, when approving it would also help.
 */
consent_url: string | null, };

/**
 * A failure as the user sees it.
 */
export type Problem = { kind: ProblemKind, 
/**
 * Plain words: what happened.
 */
message: string, 
/**
 * What helps.
 */
action: Action | null, 
/**
 * When Presently retries by itself, in how many seconds.
 */
retryInSecs: number | null, };

/**
 * A clock's hour cycle: `h23` ("17:30") or `h12` ("5:30 PM"), named as `Intl.DateTimeFormat`'s `hourCycle`
 * option names them.
 */
export type HourCycle = "h23" | "h12";

/**
 * Everything a view needs, in one value.
 */
export type Snapshot = { 
/**
 * Increases with every published change.
 */
revision: number, 
/**
 * What the user chose; `None` means automatic (Teams decides).
 */
intent: Intent | null, 
/**
 * When the intent ends: its chosen end, or Graph's default length counted from when it was set (contract
 * §2), so no view works that out again; `None` for automatic and for "until I change it".
 */
endsAt: string | null, 
/**
 * The status message colleagues see under the name (contract §2): the one the user chose, or the one Graph
 * last showed (set in Teams). Views hide it once past its `expiresAt`. Absent from an older keeper's
 * snapshot: none.
 */
message: StatusMessage | null, 
/**
 * Who is signed in.
 */
account: AccountView, 
/**
 * What Graph last reported, and when.
 */
reported: Reported | null, 
/**
 * Whether Graph agrees with the intent.
 */
agreement: Agreement, 
/**
 * What the keeper is doing now.
 */
activity: KeeperActivity, 
/**
 * What it will do next, and when.
 */
next: Planned | null, 
/**
 * The current trouble, with what helps; the intent is kept whatever it is. Views show it first.
 */
problem: Problem | null, 
/**
 * When that trouble began: a reading taken before it is from before the problem, and says so.
 */
problemSince: string | null, 
/**
 * Where tokens are kept, in words; `secure` is false for the unencrypted file fallback.
 */
tokenStore: TokenStoreView, 
/**
 * The user's clock: every view writes times on it ("17:30" or "5:30 PM"), so they agree. Absent from a
 * snapshot of an older keeper (the CLI may talk to one): 24-hour, as every view wrote times before.
 */
hourCycle: HourCycle, };

/**
 * A notable moment (for notifications and logs).
 */
export type KeeperEvent = { "type": "intentEnded", 
/**
 * The status that ended.
 */
status: PreferredPresence, } | { "type": "adoptedExternalChange", 
/**
 * The status now shown, when it is one of the six; `None` = automatic.
 */
status: PreferredPresence | null, } | { "type": "signInNeeded" } | { "type": "disagreement", 
/**
 * Plain words.
 */
reason: string, };

/**
 * Where an effective value came from.
 */
export type Source = { "kind": "default" } | { "kind": "managed", "detail": string } | { "kind": "user", "detail": string } | { "kind": "environment", "detail": string } | { "kind": "flag", "detail": string };

/**
 * One editable setting as a view shows it: the value in force, where it came from, and whether saving can
 * change it.
 */
export type FieldView<T> = { 
/**
 * The value in force, in the same form the patch takes (`"gcc-high"`, `"17:30"`, `"1h"`).
 */
value: T, 
/**
 * Where it came from.
 */
source: Source, 
/**
 * The source in words (`default`, `managed file /etc/presently/settings.toml`, `environment
 * PRESENTLY_TENANT`), for a tooltip or a note under the field.
 */
origin: string, 
/**
 * True when an environment variable or a flag sets it: saving the user file would not change it.
 */
locked: boolean, };

/**
 * What a hotkey does, by its `[hotkeys]` key.
 */
export type HotkeyAction = "available" | "busy" | "dnd" | "brb" | "away" | "offline" | "automatic" | "open";

/**
 * Whether global hotkeys can work where the tray app runs, as the settings page shows it.
 */
export type HotkeySupport = { "kind": "inactive" } | { "kind": "active" } | { "kind": "wayland" } | { "kind": "unavailable", 
/**
 * Why, as a sentence.
 */
reason: string, };

/**
 * One action's row on the settings page: what it does, its shortcut in force and where that came from, its
 * default, the registration result and the command to bind instead.
 */
export type HotkeyRowView = { 
/**
 * `available` ... `offline`, `automatic`, `open`: the key of a patch's `hotkeys` map.
 */
action: HotkeyAction, 
/**
 * The row's name (`hotkeyBusy`): the `field` of a refusal, and the row's id on the page.
 */
field: string, 
/**
 * What it does, in words.
 */
label: string, 
/**
 * The default shortcut (to restore it).
 */
defaultShortcut: string, 
/**
 * The shortcut in force (`Ctrl+Alt+Shift+2`; `""` = none), with its source.
 */
shortcut: FieldView<string>, 
/**
 * The command line to bind in the desktop's keyboard settings instead (Wayland), doing the same thing.
 */
command: string, 
/**
 * Why the desktop refused this shortcut, if it did.
 */
registrationError: string | null, };

/**
 * The hotkeys part of the settings view.
 */
export type HotkeysView = { 
/**
 * Whether they can work.
 */
support: HotkeySupport, 
/**
 * One row per action, in [`HotkeyAction::ALL`] order.
 */
actions: Array<HotkeyRowView>, };

/**
 * What the settings page shows: every editable setting with its effective value and source.
 */
export type SettingsView = { 
/**
 * `organizations`, a tenant id or a domain (contract §5).
 */
tenant: FieldView<string>, 
/**
 * The app registration's client id (contract §6).
 */
clientId: FieldView<string>, 
/**
 * `global`, `gcc-high` or `dod` (contract §1).
 */
cloud: FieldView<string>, 
/**
 * When "end of day" ends, `HH:MM` local time.
 */
workdayEnd: FieldView<string>, 
/**
 * The working days (`mon-fri`).
 */
workDays: FieldView<string>, 
/**
 * `keep` (my status stays until it ends) or `clear` (back to automatic) when Presently quits.
 */
onQuit: FieldView<string>, 
/**
 * Start Presently at login.
 */
launchAtLogin: FieldView<boolean>, 
/**
 * Desktop notifications.
 */
notifications: FieldView<boolean>, 
/**
 * Time left beside the tray icon.
 */
trayTimeLeft: FieldView<boolean>, 
/**
 * A status message set with a status ends with it.
 */
clearMessageWithStatus: FieldView<boolean>, 
/**
 * How long a status set by a hotkey lasts, as the duration parser reads it (`1h`, `eod`, `until 17:00`).
 */
hotkeyDuration: FieldView<string>, 
/**
 * The proxy for sign-in and Graph: `system`, `none` or `http://host:port` (never with credentials: those are
 * in the credential store).
 */
proxy: FieldView<string>, 
/**
 * Hosts reached without the proxy, comma-separated (`localhost, 127.0.0.0/8, 0:0:0:0:0:0:0:1`).
 */
noProxy: FieldView<string>, 
/**
 * One row per hotkey action (its shortcut in force, source, label and default), whether hotkeys can work
 * here (Wayland cannot grab keys), each row's registration result and equivalent command line (reported by
 * the tray app's main process; see [`HotkeyReport`]).
 */
hotkeys: HotkeysView, 
/**
 * The user's settings file, where saving writes.
 */
userFile: string, };

/**
 * Changes a view asks for. Every field is optional: absent means "leave as it is". Text fields take the same
 * words as the settings file; a blank text removes the user's value (the default applies again).
 */
export type SettingsPatch = { 
/**
 * Tenant: `organizations`, a tenant id or a domain.
 */
tenant?: string | null, 
/**
 * Client id (a GUID).
 */
clientId?: string | null, 
/**
 * `global`, `gcc-high` or `dod`.
 */
cloud?: string | null, 
/**
 * `HH:MM`.
 */
workdayEnd?: string | null, 
/**
 * Working days: `mon-fri`, `sun-thu`, `mon,wed,fri`.
 */
workDays?: string | null, 
/**
 * `keep` or `clear`.
 */
onQuit?: string | null, 
/**
 * Start at login.
 */
launchAtLogin?: boolean | null, 
/**
 * Notifications on or off.
 */
notifications?: boolean | null, 
/**
 * The time left beside the tray icon on or off.
 */
trayTimeLeft?: boolean | null, 
/**
 * "Clear the message when the status ends" on or off.
 */
clearMessageWithStatus?: boolean | null, 
/**
 * A duration (`1h`, `90m`, `eod`, `forever`, `until 17:00`).
 */
hotkeyDuration?: string | null, 
/**
 * `system`, `none`, or a proxy URL; `user:password@` in it is kept in the credential store, not the file.
 */
proxy?: string | null, 
/**
 * Hosts reached without the proxy. Unlike other text fields, blank is a value: no host bypasses it (use
 * `system` or `none` in `proxy` to stop using one).
 */
noProxy?: string | null, 
/**
 * New shortcuts by action (`{"busy": "Ctrl+Alt+Shift+2"}`); a blank text = no shortcut. A refusal names
 * the row's [`field`](HotkeyAction::field) (`hotkeyBusy`).
 */
hotkeys?: Partial<Record<HotkeyAction, string>>, };

/**
 * Why one field of a patch was refused.
 */
export type FieldError = { 
/**
 * The patch field, camelCase as sent (`workdayEnd`).
 */
field: string, 
/**
 * What is wrong and what to write instead, as a sentence.
 */
message: string, };

/**
 * Why a patch was not saved: bad fields (shown next to each field), or a problem with the file itself.
 *
 * Serialises as `{"fieldErrors":[{"field","message"}]}` or as a [`Problem`], the two error shapes of the
 * `save_settings` command. It also reads back from either shape (the popup process receives it over the IPC).
 */
export type SettingsRejected = { 
/**
 * Every bad field, in patch order.
 */
fieldErrors: Array<FieldError>, } | Problem;

/**
 * The device-code prompt as views show it.
 */
export type DeviceCodeView = { 
/**
 * Microsoft's own sentence.
 */
message: string, 
/**
 * The code to type.
 */
userCode: string, 
/**
 * Where to type it.
 */
verificationUri: string, 
/**
 * When the code stops working.
 */
expiresAt: string, };

/**
 * How to sign in.
 */
export type SignInMethod = "browser" | "deviceCode";

/**
 * Something views react to, besides the state snapshot (which comes from [`Presently::subscribe`]).
 */
export type AppEvent = { "type": "keeper", "data": KeeperEvent } | { "type": "deviceCode", "data": DeviceCodeView } | { "type": "signInFinished", "data": { 
/**
 * Whether it worked.
 */
ok: boolean, 
/**
 * Why not.
 */
problem: Problem | null, } } | { "type": "settingsChanged" } | { "type": "showPopup" } | { "type": "quit" };
