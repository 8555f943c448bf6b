// Runtime checks that a JSON payload has exactly the shape `types.ts` declares. The checks are typed against
// `types.ts` (a key added to or removed from an interface, or a variant added to a union, does not compile until
// the check says the same), and the golden fixtures are run through them, so Rust, the fixtures and the
// TypeScript types cannot drift apart silently (architecture convention 13).

import type {
  AccountView,
  Action,
  Agreement,
  DeviceCodeView,
  FieldError,
  FieldErrors,
  FieldView,
  HotkeyAction,
  HotkeyRowView,
  HotkeysView,
  HotkeySupport,
  Intent,
  KeeperActivity,
  KeeperEvent,
  NextAction,
  Origin,
  Planned,
  Problem,
  ProblemKind,
  Reported,
  SettingsPatch,
  SettingsView,
  SignInFinished,
  Snapshot,
  Source,
  StatusName,
  TokenStoreView,
  Until,
} from "../types";

/** Throws with a path (`$.intent.until.kind`) when `value` does not fit. */
export type Check = (value: unknown, path: string) => void;

function fail(path: string, what: string, value: unknown): never {
  throw new Error(`${path}: expected ${what}, got ${JSON.stringify(value)}`);
}

const str: Check = (v, p) => {
  if (typeof v !== "string") fail(p, "a string", v);
};
const num: Check = (v, p) => {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(p, "a number", v);
};
const bool: Check = (v, p) => {
  if (typeof v !== "boolean") fail(p, "a boolean", v);
};
const timestamp: Check = (v, p) => {
  str(v, p);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v as string)) fail(p, "an RFC 3339 UTC timestamp", v);
};
const nullable =
  (check: Check): Check =>
  (v, p) => {
    if (v !== null) check(v, p);
  };
const optional =
  (check: Check): Check =>
  (v, p) => {
    if (v !== undefined) check(v, p);
  };
const array =
  (check: Check): Check =>
  (v, p) => {
    if (!Array.isArray(v)) fail(p, "an array", v);
    v.forEach((item, i) => check(item, `${p}[${i}]`));
  };

/** Every member of a string union, listed once (the `Record` makes the list exhaustive and exact). */
export function members<T extends string>(record: Record<T, true>): T[] {
  return Object.keys(record) as T[];
}

const oneOf =
  <T extends string>(values: readonly T[]): Check =>
  (v, p) => {
    if (typeof v !== "string" || !(values as readonly string[]).includes(v)) fail(p, `one of ${values.join(", ")}`, v);
  };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A check for every key of `T`, no more, no fewer. */
type Shape<T> = { [K in keyof T]-?: Check };

/** An object with exactly these keys (optional ones may be absent). */
function object<T>(shape: Shape<T>, optionalKeys: ReadonlyArray<keyof T> = []): Check {
  return (v, p) => {
    if (!isRecord(v)) fail(p, "an object", v);
    for (const key of Object.keys(v)) {
      if (!(key in shape)) fail(`${p}.${key}`, "no such key (Rust sends a field types.ts does not know)", v[key]);
    }
    for (const [key, check] of Object.entries(shape) as Array<[string, Check]>) {
      if (!(key in v)) {
        if ((optionalKeys as readonly PropertyKey[]).includes(key)) continue;
        fail(`${p}.${key}`, "this key (types.ts expects it)", undefined);
      }
      check(v[key], `${p}.${key}`);
    }
  };
}

/** The variants of a union tagged by `Tag`, each with a shape for its other keys. */
type Variants<T, Tag extends keyof T> = {
  [V in T[Tag] & string]: Shape<Omit<Extract<T, Record<Tag, V>>, Tag>>;
};

function tagged<T, Tag extends keyof T & string>(tag: Tag, variants: Variants<T, Tag>): Check {
  return (v, p) => {
    if (!isRecord(v)) fail(p, "an object", v);
    const which = v[tag];
    const shapes = variants as Record<string, Record<string, Check>>;
    if (typeof which !== "string" || !(which in shapes)) fail(`${p}.${tag}`, `one of ${Object.keys(shapes).join(", ")}`, which);
    const { [tag]: _tag, ...rest } = v;
    object<Record<string, unknown>>(shapes[which]!)(rest, p);
  };
}

export const STATUS_NAMES = members<StatusName>({ available: true, busy: true, dnd: true, brb: true, away: true, offline: true });
const ORIGINS = members<Origin>({ popup: true, trayMenu: true, hotkey: true, cli: true, teams: true });
const ACTIVITIES = members<KeeperActivity>({
  starting: true,
  idle: true,
  syncing: true,
  checking: true,
  retrying: true,
  blocked: true,
});
const NEXT_ACTIONS = members<NextAction>({
  apply: true,
  refreshToken: true,
  renewSession: true,
  renewPin: true,
  endIntent: true,
  readBack: true,
  check: true,
  retry: true,
});
export const PROBLEM_KINDS = members<ProblemKind>({
  signInRequired: true,
  consentRequired: true,
  throttled: true,
  offline: true,
  invalidChoice: true,
  configuration: true,
  internal: true,
});

const status = oneOf(STATUS_NAMES);

const until = tagged<Until, "kind">("kind", { at: { at: timestamp }, untilChanged: {}, graphDefault: {} });

export const intent = object<Intent>({ status, until, setAt: timestamp, origin: oneOf(ORIGINS) });

const account = tagged<AccountView, "state">("state", {
  unknown: {},
  signedOut: {},
  signedIn: { name: str, username: str, tenantId: str },
  signInRequired: { name: str, username: str },
});

const reported = object<Reported>({ availability: str, activity: str, asStatus: nullable(status), at: timestamp });

const agreement = tagged<Agreement, "state">("state", { unknown: {}, matches: {}, differs: { reason: str } });

const planned = object<Planned>({ action: oneOf(NEXT_ACTIONS), at: timestamp });

export const tokenStore = object<TokenStoreView>({
  secure: bool,
  kind: oneOf(["credentialStore", "file", "memory"] as const),
  location: nullable(str),
  keyKeptIn: nullable(str),
  note: nullable(str),
});

const action = tagged<Action, "type">("type", {
  signIn: {},
  signInWithBrowser: {},
  copyAdminConsentLink: { url: str },
  retry: {},
  openSettings: {},
});

export const problem = object<Problem>({
  kind: oneOf(PROBLEM_KINDS),
  message: str,
  action: nullable(action),
  retryInSecs: nullable(num),
});

export const snapshot = object<Snapshot>({
  revision: num,
  intent: nullable(intent),
  account,
  reported: nullable(reported),
  agreement,
  activity: oneOf(ACTIVITIES),
  next: nullable(planned),
  problem: nullable(problem),
  problemSince: nullable(timestamp),
  tokenStore,
});

export const keeperEvent = tagged<KeeperEvent, "type">("type", {
  intentEnded: { status },
  adoptedExternalChange: { status: nullable(status) },
  signInNeeded: {},
  disagreement: { reason: str },
});

const source = tagged<Source, "kind">("kind", {
  default: {},
  managed: { detail: str },
  user: { detail: str },
  environment: { detail: str },
  flag: { detail: str },
});

const field = (value: Check) => object<FieldView<unknown>>({ value, source, origin: str, locked: bool });

export const HOTKEY_ACTIONS = members<HotkeyAction>({
  available: true,
  busy: true,
  dnd: true,
  brb: true,
  away: true,
  offline: true,
  automatic: true,
  open: true,
});

/** An object whose keys are some of `keys`, each value passing `check`. */
const keyed =
  (keys: readonly string[], check: Check): Check =>
  (v, p) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) fail(p, "an object", v);
    for (const [k, item] of Object.entries(v)) {
      if (!keys.includes(k)) fail(`${p}.${k}`, `one of ${keys.join(", ")}`, k);
      check(item, `${p}.${k}`);
    }
  };

const hotkeySupport = tagged<HotkeySupport, "kind">("kind", {
  inactive: {},
  active: {},
  wayland: {},
  unavailable: { reason: str },
});

const hotkeyRow = object<HotkeyRowView>({
  action: oneOf(HOTKEY_ACTIONS),
  field: str,
  label: str,
  defaultShortcut: str,
  shortcut: field(str),
  command: str,
  registrationError: nullable(str),
});

const hotkeys = object<HotkeysView>({ support: hotkeySupport, actions: array(hotkeyRow) });

export const settingsView = object<SettingsView>({
  tenant: field(str),
  clientId: field(str),
  cloud: field(str),
  workdayEnd: field(str),
  workDays: field(str),
  onQuit: field(oneOf(["keep", "clear"])),
  launchAtLogin: field(bool),
  notifications: field(bool),
  trayTimeLeft: field(bool),
  hotkeyDuration: field(str),
  hotkeys,
  userFile: str,
});

/** Every key of `SettingsPatch`, in the order the Rust struct declares them. */
export const SETTING_KEYS = members<keyof SettingsPatch>({
  tenant: true,
  clientId: true,
  cloud: true,
  workdayEnd: true,
  workDays: true,
  onQuit: true,
  launchAtLogin: true,
  notifications: true,
  trayTimeLeft: true,
  hotkeyDuration: true,
  hotkeys: true,
});

export const settingsPatch = object<SettingsPatch>(
  {
    tenant: optional(str),
    clientId: optional(str),
    cloud: optional(str),
    workdayEnd: optional(str),
    workDays: optional(str),
    onQuit: optional(oneOf(["keep", "clear"])),
    launchAtLogin: optional(bool),
    notifications: optional(bool),
    trayTimeLeft: optional(bool),
    hotkeyDuration: optional(str),
    hotkeys: optional(keyed(HOTKEY_ACTIONS, str)),
                  },
  SETTING_KEYS,
);

/** A refusal names a setting, or a hotkey row (`hotkeyBusy`, as the view's rows name them). */
const fieldError = object<FieldError>({ field: str, message: str });

export const fieldErrors = object<FieldErrors>({ fieldErrors: array(fieldError) });

export const deviceCode = object<DeviceCodeView>({
  message: str,
  userCode: str,
  verificationUri: str,
  expiresAt: timestamp,
});

export const signInFinished = object<SignInFinished>({ ok: bool, problem: nullable(problem) });

/** Checks `value` and returns it typed. */
export function typed<T>(check: Check, value: unknown, name: string): T {
  check(value, name);
  return value as T;
}

/** Checks an array of payloads. */
export function typedArray<T>(check: Check, value: unknown, name: string): T[] {
  array(check)(value, name);
  return value as T[];
}
