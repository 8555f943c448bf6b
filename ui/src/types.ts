// The payloads the popup exchanges with the core. Their types are generated from the Rust types into
// `generated/payloads.ts` (crates/core/tests/ui_payloads.rs, with ts-rs; a test fails while the checked-in file
// differs from what the Rust types generate), and `test/payloads.test.ts` type-checks every golden fixture against
// them (architecture convention 13). This file only re-exports them, under the names the popup uses, and adds
// the few names that are parts of a generated type.

import type { AppEvent, PreferredPresence, SettingsPatch, SettingsRejected } from "./generated/payloads";

export type {
  AccountView,
  Action,
  Agreement,
  DeviceCodeView,
  FieldError,
  FieldView,
  HotkeyAction,
  HotkeyRowView,
  HotkeysView,
  HourCycle,
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
  SignInMethod,
  Snapshot,
  Source,
  StoreKind,
  TokenStoreView,
  Until,
} from "./generated/payloads";

/** A timestamp as jiff writes it: `2025-06-02T13:13:20Z`, possibly with a fraction of a second. */
export type Timestamp = string;

/** `PreferredPresence`, serialised as its short name. */
export type StatusName = PreferredPresence;

/** The settings a patch can change, besides the hotkey rows. */
export type SettingKey = Exclude<keyof SettingsPatch, "hotkeys">;

/** `SettingsRejected::Fields`: the validation error shape of `save_settings`. */
export type FieldErrors = Extract<SettingsRejected, { fieldErrors: unknown }>;

/** The `signin:finished` event (`AppEvent::SignInFinished`'s data). */
export type SignInFinished = Extract<AppEvent, { type: "signInFinished" }>["data"];
