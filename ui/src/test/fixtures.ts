// The golden payloads from `crates/core/tests/ui_payloads.rs`, checked against `types.ts` (see `shapes.ts`) and
// typed. Tests and the development preview use these; the production bundle never includes them.

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
import * as shape from "./shapes";

/** "Now" in every fixture (the Rust test checks this file says the same). */
export const NOW = "2025-06-02T13:13:20Z";

const snap = (json: unknown, name: string) => shape.typed<Snapshot>(shape.snapshot, json, name);

/** Every snapshot fixture, by the name `?preview=` takes. */
export const SNAPSHOTS = {
  starting: snap(startingJson, "snapshot-starting"),
  "signed-out": snap(signedOutJson, "snapshot-signed-out"),
  automatic: snap(automaticJson, "snapshot-automatic"),
  busy: snap(busyJson, "snapshot-busy"),
  "busy-twelve-hour": snap(busyTwelveHourJson, "snapshot-busy-twelve-hour"),
  syncing: snap(syncingJson, "snapshot-syncing"),
  checking: snap(checkingJson, "snapshot-checking"),
  retrying: snap(retryingJson, "snapshot-retrying"),
  differs: snap(differsJson, "snapshot-differs"),
  "sign-in-required": snap(signInRequiredJson, "snapshot-sign-in-required"),
  consent: snap(consentJson, "snapshot-consent"),
} satisfies Record<string, Snapshot>;

export type SnapshotName = keyof typeof SNAPSHOTS;

/** Every token store the welcome screen can name (encrypted file, plain file, memory, failing to save). */
export const TOKEN_STORES = shape.typedArray<TokenStoreView>(shape.tokenStore, tokenStoresJson, "token-stores");
export const PROBLEMS = shape.typedArray<Problem>(shape.problem, problemsJson, "problems");
export const KEEPER_EVENTS = shape.typedArray<KeeperEvent>(shape.keeperEvent, keeperEventsJson, "keeper-events");
export const INTENTS = shape.typedArray<Intent>(shape.intent, intentsJson, "intents");
export const SETTINGS_VIEW = shape.typed<SettingsView>(shape.settingsView, settingsViewJson, "settings-view");
export const SETTINGS_VIEW_LOCKED = shape.typed<SettingsView>(
  shape.settingsView,
  settingsViewLockedJson,
  "settings-view-locked",
);
export const SETTINGS_VIEW_WAYLAND = shape.typed<SettingsView>(
  shape.settingsView,
  settingsViewWaylandJson,
  "settings-view-wayland",
);
export const SETTINGS_PATCH = shape.typed<SettingsPatch>(shape.settingsPatch, settingsPatchJson, "settings-patch");
export const SETTINGS_REJECTED = shape.typed<FieldErrors>(shape.fieldErrors, settingsRejectedJson, "settings-rejected");
export const SETTINGS_REJECTED_PROBLEM = shape.typed<Problem>(
  shape.problem,
  settingsRejectedProblemJson,
  "settings-rejected-problem",
);
export const DEVICE_CODE = shape.typed<DeviceCodeView>(shape.deviceCode, deviceCodeJson, "device-code");
export const SIGN_IN_OK = shape.typed<SignInFinished>(shape.signInFinished, signInOkJson, "sign-in-finished-ok");
export const SIGN_IN_FAILED = shape.typed<SignInFinished>(
  shape.signInFinished,
  signInFailedJson,
  "sign-in-finished-failed",
);

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
