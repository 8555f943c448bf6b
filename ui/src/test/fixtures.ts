// The golden payloads from `crates/core/tests/ui_payloads.rs`, typed with the generated payload types
// (`payloads.test.ts` type-checks each file against its type). Tests and the development preview use these; the
// production bundle never includes them.

import deviceCodeJson from "../fixtures/device-code.json";
import intentsJson from "../fixtures/intents.json";
import keeperEventsJson from "../fixtures/keeper-events.json";
import problemsJson from "../fixtures/problems.json";
import settingsPatchJson from "../fixtures/settings-patch.json";
import settingsRejectedProblemJson from "../fixtures/settings-rejected-problem.json";
import settingsRejectedJson from "../fixtures/settings-rejected.json";
import settingsViewLockedJson from "../fixtures/settings-view-locked.json";
import settingsViewWaylandJson from "../fixtures/settings-view-wayland.json";
import settingsViewJson from "../fixtures/settings-view.json";
import signInFailedJson from "../fixtures/sign-in-finished-failed.json";
import signInOkJson from "../fixtures/sign-in-finished-ok.json";
import automaticJson from "../fixtures/snapshot-automatic.json";
import busyJson from "../fixtures/snapshot-busy.json";
import busyTwelveHourJson from "../fixtures/snapshot-busy-twelve-hour.json";
import busyWithMessageJson from "../fixtures/snapshot-busy-with-message.json";
import checkingJson from "../fixtures/snapshot-checking.json";
import consentJson from "../fixtures/snapshot-consent.json";
import differsJson from "../fixtures/snapshot-differs.json";
import retryingJson from "../fixtures/snapshot-retrying.json";
import signInRequiredJson from "../fixtures/snapshot-sign-in-required.json";
import signedOutJson from "../fixtures/snapshot-signed-out.json";
import startingJson from "../fixtures/snapshot-starting.json";
import syncingJson from "../fixtures/snapshot-syncing.json";
import tokenStoresJson from "../fixtures/token-stores.json";
import type {
  DeviceCodeView,
  FieldErrors,
  Intent,
  KeeperEvent,
  Problem,
  SettingsPatch,
  SettingsView,
  SignInFinished,
  Snapshot,
  TokenStoreView,
} from "../types";

/** "Now" in every fixture (the Rust test checks this file says the same). */
export const NOW = "2025-06-02T13:13:20Z";

/** A fixture under its type (checked by `payloads.test.ts`; a JSON import's own type has no literal unions). */
const typed = <T>(json: unknown): T => json as T;

const snap = (json: unknown) => typed<Snapshot>(json);

/** Every snapshot fixture, by the name `?preview=` takes. */
export const SNAPSHOTS = {
  starting: snap(startingJson),
  "signed-out": snap(signedOutJson),
  automatic: snap(automaticJson),
  busy: snap(busyJson),
  "busy-twelve-hour": snap(busyTwelveHourJson),
  "busy-with-message": snap(busyWithMessageJson),
  syncing: snap(syncingJson),
  checking: snap(checkingJson),
  retrying: snap(retryingJson),
  differs: snap(differsJson),
  "sign-in-required": snap(signInRequiredJson),
  consent: snap(consentJson),
} satisfies Record<string, Snapshot>;

export type SnapshotName = keyof typeof SNAPSHOTS;

/** Every token store the welcome screen can name (encrypted file, plain file, memory, failing to save). */
export const TOKEN_STORES = typed<TokenStoreView[]>(tokenStoresJson);
export const PROBLEMS = typed<Problem[]>(problemsJson);
export const KEEPER_EVENTS = typed<KeeperEvent[]>(keeperEventsJson);
export const INTENTS = typed<Intent[]>(intentsJson);
export const SETTINGS_VIEW = typed<SettingsView>(settingsViewJson);
export const SETTINGS_VIEW_LOCKED = typed<SettingsView>(settingsViewLockedJson);
export const SETTINGS_VIEW_WAYLAND = typed<SettingsView>(settingsViewWaylandJson);
export const SETTINGS_PATCH = typed<SettingsPatch>(settingsPatchJson);
export const SETTINGS_REJECTED = typed<FieldErrors>(settingsRejectedJson);
export const SETTINGS_REJECTED_PROBLEM = typed<Problem>(settingsRejectedProblemJson);
export const DEVICE_CODE = typed<DeviceCodeView>(deviceCodeJson);
export const SIGN_IN_OK = typed<SignInFinished>(signInOkJson);
export const SIGN_IN_FAILED = typed<SignInFinished>(signInFailedJson);

/** A deep copy (tests change fixtures freely). */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A copy with every timestamp moved by `ms` (the preview shows fixtures around the real "now"). */
export function shifted<T>(value: T, ms: number): T {
  const stamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string" && stamp.test(v)) return new Date(Date.parse(v) + ms).toISOString().replace(".000Z", "Z");
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
