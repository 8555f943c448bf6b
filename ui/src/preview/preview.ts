// Development-only preview: opened in a plain browser (`npm run ui:dev`, then `/?preview=busy`), the popup shows a
// golden fixture through Tauri's IPC mock, with times moved so the fixture's "now" is the real now. Clicking
// around works roughly (choosing a status pins it in the fake). `main.ts` imports this module only when
// `__PRESENTLY_PREVIEW__` is true, which production builds set to false, so they contain none of it.
//
// Parameters: `preview=<snapshot name>` (see SNAPSHOTS), `page=settings`, `settings=locked` (or `wayland`), `reject=1` (saving
// settings is refused with the fixture's field errors), `signin=code` (a device-code sign-in is in progress),
// `locale=en-GB` (how times are written).

import { mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";

import { setLocale } from "../format";
import { EVENTS } from "../ipc";
import type { Intent, Snapshot, StatusName } from "../types";
import {
  clone,
  DEVICE_CODE,
  NOW,
  SETTINGS_REJECTED,
  SETTINGS_VIEW,
  SETTINGS_VIEW_LOCKED,
  SETTINGS_VIEW_WAYLAND,
  shifted,
  SNAPSHOTS,
  type SnapshotName,
} from "../test/fixtures";

/** Installs the mock when `?preview=` names a fixture; returns false otherwise. */
export function installPreview(params: URLSearchParams): boolean {
  const name = params.get("preview");
  if (!name || !(name in SNAPSHOTS)) return false;
  const locale = params.get("locale");
  if (locale) setLocale(locale);
  const offset = Date.now() - Date.parse(NOW);
  let state: Snapshot = shifted(clone(SNAPSHOTS[name as SnapshotName]), offset);
  const views = { locked: SETTINGS_VIEW_LOCKED, wayland: SETTINGS_VIEW_WAYLAND } as const;
  const chosen = params.get("settings");
  const settings = shifted(chosen === "locked" || chosen === "wayland" ? views[chosen] : SETTINGS_VIEW, offset);

  const publish = (next: Snapshot) => {
    state = { ...next, revision: state.revision + 1 };
    void emit(EVENTS.stateChanged, state);
  };

  mockIPC(
    async (cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      switch (cmd) {
        case "get_state":
          return state;
        case "choose": {
          const duration = String(a.duration);
          const minutes: Record<string, number> = { "30m": 30, "1h": 60, "2h": 120, "4h": 240, "8h": 480, eod: 300 };
          const now = new Date().toISOString();
          const until: Intent["until"] =
            duration in minutes
              ? { kind: "at", at: new Date(Date.now() + minutes[duration]! * 60_000).toISOString() }
              : duration === "forever"
                ? { kind: "untilChanged" }
                : (() => {
                    throw { kind: "invalidChoice", message: `"${duration}" is not a duration (preview)`, action: null, retryInSecs: null };
                  })();
          const intent: Intent = { status: a.status as StatusName, until, setAt: now, origin: "popup" };
          publish({ ...state, intent, agreement: { state: "matches" }, problem: null, activity: "idle" });
          return intent;
        }
        case "back_to_automatic":
          publish({ ...state, intent: null, message: state.message?.withStatus ? null : state.message });
          return null;
        case "set_message":
          publish({
            ...state,
            message: {
              text: String(a.text).trim(),
              expiresAt: state.endsAt,
              withStatus: state.endsAt !== null,
              setAt: new Date().toISOString(),
              origin: "popup",
            },
          });
          return null;
        case "clear_message":
          publish({ ...state, message: null });
          return null;
        case "retry":
          return null;
        case "sign_in":
          if (a.method === "deviceCode") {
            setTimeout(() => void emit(EVENTS.deviceCode, shifted(DEVICE_CODE, offset)), 300);
          }
          return new Promise(() => {});
        case "cancel_sign_in":
        case "hide_popup":
          return null;
        case "sign_out":
          publish({ ...state, intent: null, account: { state: "signedOut" }, reported: null });
          return null;
        case "get_settings":
          return settings;
        case "save_settings":
          if (params.get("reject") === "1") throw SETTINGS_REJECTED;
          return settings;
        default:
          throw `unknown command ${cmd} (preview)`;
      }
    },
    { shouldMockEvents: true },
  );
  return true;
}

/** What to do once the app started (open a page, start a sign-in), for screenshots. */
export function previewStart(params: URLSearchParams): { settings: boolean; deviceCode: boolean } {
  return { settings: params.get("page") === "settings", deviceCode: params.get("signin") === "code" };
}
