// The golden fixtures (written by crates/core/tests/ui_payloads.rs) have exactly the shapes types.ts declares,
// and cover every variant the UI must handle.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

import type { Action, KeeperEvent, Until } from "../types";
import * as fx from "./fixtures";
import * as shape from "./shapes";

const fixturesDir = join(import.meta.dirname, "../fixtures");

describe("golden fixtures", () => {
  test("every fixture file is loaded and checked by fixtures.ts", () => {
    const source = readFileSync(join(import.meta.dirname, "fixtures.ts"), "utf8");
    const files = readdirSync(fixturesDir).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) expect(source, `${file} is not imported by fixtures.ts`).toContain(`../fixtures/${file}`);
  });

  test("a payload with a key types.ts does not know is refused, naming the key", () => {
    const extra = { ...fx.clone(fx.SNAPSHOTS.busy), mood: "sunny" };
    expect(() => shape.snapshot(extra, "$")).toThrow(/\$\.mood: expected no such key/);
    const missing = fx.clone(fx.SNAPSHOTS.busy) as Partial<typeof fx.SNAPSHOTS.busy>;
    delete missing.tokenStore;
    expect(() => shape.snapshot(missing, "$")).toThrow(/\$\.tokenStore/);
    const renamed = fx.clone(fx.SNAPSHOTS.busy) as unknown as { account: Record<string, unknown> };
    renamed.account = { state: "signedIn", name: "A", username: "a", tenant_id: "t" };
    expect(() => shape.snapshot(renamed, "$")).toThrow(/tenant_id/);
  });

  test("an unknown variant is refused", () => {
    const odd = { ...fx.clone(fx.PROBLEMS[0]!), kind: "gremlins" };
    expect(() => shape.problem(odd, "$")).toThrow(/\$\.kind: expected one of/);
  });

  test("the problems cover every kind and every action", () => {
    expect(new Set(fx.PROBLEMS.map((p) => p.kind))).toEqual(new Set(shape.PROBLEM_KINDS));
    const actions = new Set(fx.PROBLEMS.map((p) => p.action?.type).filter(Boolean));
    const all = shape.members<Action["type"]>({
      signIn: true,
      signInWithBrowser: true,
      copyAdminConsentLink: true,
      retry: true,
      openSettings: true,
    });
    expect(actions).toEqual(new Set(all));
  });

  test("the keeper events cover every type and the intents every kind of end", () => {
    const types = shape.members<KeeperEvent["type"]>({
      intentEnded: true,
      adoptedExternalChange: true,
      signInNeeded: true,
      disagreement: true,
    });
    expect(new Set(fx.KEEPER_EVENTS.map((e) => e.type))).toEqual(new Set(types));
    const kinds = shape.members<Until["kind"]>({ at: true, untilChanged: true, graphDefault: true });
    expect(new Set(fx.INTENTS.map((i) => i.until.kind))).toEqual(new Set(kinds));
    expect(new Set(fx.INTENTS.map((i) => i.status))).toEqual(new Set(shape.STATUS_NAMES));
  });

  test("the snapshots cover every account state and activity the popup renders", () => {
    const snapshots = Object.values(fx.SNAPSHOTS);
    expect(new Set(snapshots.map((s) => s.account.state))).toEqual(
      new Set(["unknown", "signedOut", "signedIn", "signInRequired"]),
    );
    expect(new Set(snapshots.map((s) => s.activity))).toEqual(
      new Set(["starting", "blocked", "idle", "syncing", "checking", "retrying"]),
    );
    expect(snapshots.some((s) => s.agreement.state === "differs")).toBe(true);
  });

  test("each settings view has one hotkey row per action, with its shortcut in force", () => {
    const views = [fx.SETTINGS_VIEW, fx.SETTINGS_VIEW_LOCKED, fx.SETTINGS_VIEW_WAYLAND];
    for (const view of views) {
      expect(view.hotkeys.actions.map((row) => row.action)).toEqual(shape.HOTKEY_ACTIONS);
      expect(new Set(view.hotkeys.actions.map((row) => row.field)).size).toBe(shape.HOTKEY_ACTIONS.length);
      for (const row of view.hotkeys.actions) expect(typeof row.shortcut.value).toBe("string");
    }
    expect(new Set(views.map((v) => v.hotkeys.support.kind))).toEqual(new Set(["active", "inactive", "wayland"]));
  });

  test("the settings patch fixture sets every setting", () => {
    expect(Object.keys(fx.SETTINGS_PATCH).sort()).toEqual([...shape.SETTING_KEYS].sort());
    expect(Object.keys(fx.SETTINGS_PATCH.hotkeys ?? {})).toEqual(shape.HOTKEY_ACTIONS);
  });
});
