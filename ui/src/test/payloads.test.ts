// The golden fixtures (written by crates/core/tests/ui_payloads.rs from the Rust values) have exactly the types
// generated from the Rust types (generated/payloads.ts): each file is pasted into a TypeScript program as an object
// literal of its type and compiled, so a missing or unknown key, or a word outside a union, is a compile error.
// They also cover every variant the UI must handle.

import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

import type { Action, HotkeyAction, KeeperEvent, PreferredPresence, ProblemKind, Until } from "../generated/payloads";
import * as fx from "./fixtures";

const ts = createRequire(import.meta.url)("typescript") as typeof import("typescript");

const srcDir = join(import.meta.dirname, "..");
const fixturesDir = join(srcDir, "fixtures");

/** The type of each fixture file, as the popup receives it. */
const FIXTURE_TYPES: Record<string, string> = {
  "device-code.json": "DeviceCodeView",
  "intents.json": "Intent[]",
  "keeper-events.json": "KeeperEvent[]",
  "problems.json": "Problem[]",
  "settings-patch.json": "SettingsPatch",
  "settings-rejected-problem.json": "SettingsRejected",
  "settings-rejected.json": "SettingsRejected",
  "settings-view-locked.json": "SettingsView",
  "settings-view-wayland.json": "SettingsView",
  "settings-view.json": "SettingsView",
  "sign-in-finished-failed.json": 'Extract<AppEvent, { type: "signInFinished" }>["data"]',
  "sign-in-finished-ok.json": 'Extract<AppEvent, { type: "signInFinished" }>["data"]',
  "token-stores.json": "TokenStoreView[]",
};

function typeOf(file: string): string | undefined {
  return file.startsWith("snapshot-") ? "Snapshot" : FIXTURE_TYPES[file];
}

/** Library and generated files, parsed once for every program. */
const parsed = new Map<string, import("typescript").SourceFile | undefined>();

/** Compiles `values` (JSON text by type) as typed constants against the generated types; each one's errors. */
function typeErrors(values: Array<[type: string, json: string]>): string[][] {
  const name = join(srcDir, "test", "__fixtures_typed__.ts");
  const qualified = (type: string) => type.replace(/\b([A-Z]\w+)\b/g, (t) => (t === "Extract" ? t : `P.${t}`));
  // One value per line (JSON.stringify), so an error's line names its value.
  const header = [`import type * as P from "../generated/payloads";`, `type AppEvent = P.AppEvent;`];
  const lines = values.map(([type, json], i) => `export const value${i}: ${qualified(type)} = ${JSON.stringify(JSON.parse(json))};`);
  const source = [...header, ...lines].join("\n");
  const options: import("typescript").CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2022.d.ts"],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, ...rest) => {
    if (file === name) return ts.createSourceFile(file, source, language);
    if (!parsed.has(file)) parsed.set(file, getSourceFile(file, language, ...rest));
    return parsed.get(file);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === name || fileExists(file);
  const program = ts.createProgram([name], options, host);
  const errors: string[][] = values.map(() => []);
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file?.fileName !== name || d.start === undefined) throw new Error(`${d.file?.fileName ?? "?"}: ${text}`);
    const line = d.file.getLineAndCharacterOfPosition(d.start).line - header.length;
    errors[line]?.push(text);
  }
  return errors;
}

/** Every member of a string union, listed once (the `Record` makes the list exhaustive and exact). */
function members<T extends string>(record: Record<T, true>): T[] {
  return Object.keys(record) as T[];
}

/** Every status, listed so that the compiler refuses a missing or unknown one. */
const EVERY_STATUS: Record<PreferredPresence, true> = {
  available: true,
  busy: true,
  dnd: true,
  brb: true,
  away: true,
  offline: true,
};

describe("golden fixtures", () => {
  const files = readdirSync(fixturesDir).filter((f) => f.endsWith(".json"));

  test("every fixture has the generated type it is received as", () => {
    expect(files.length).toBeGreaterThan(15);
    const values = files.map((file): [string, string] => {
      const type = typeOf(file);
      expect(type, `${file} has no type in FIXTURE_TYPES`).toBeDefined();
      return [type!, readFileSync(join(fixturesDir, file), "utf8")];
    });
    const errors = typeErrors(values);
    expect(Object.fromEntries(files.map((f, i) => [f, errors[i]]))).toEqual(Object.fromEntries(files.map((f) => [f, []])));
  }, 60_000);

  test("every fixture file is loaded by fixtures.ts", () => {
    const source = readFileSync(join(import.meta.dirname, "fixtures.ts"), "utf8");
    for (const file of files) expect(source, `${file} is not imported by fixtures.ts`).toContain(`../fixtures/${file}`);
  });

  test("a payload with a key the types do not know, a missing key or an unknown variant is refused", () => {
    const missing = fx.clone(fx.SNAPSHOTS.busy) as Partial<typeof fx.SNAPSHOTS.busy>;
    delete missing.tokenStore;
    const cases: Array<[type: string, value: unknown, error: RegExp | null]> = [
      ["Snapshot", fx.SNAPSHOTS.busy, null],
      ["Snapshot", { ...fx.clone(fx.SNAPSHOTS.busy), mood: "sunny" }, /mood/],
      ["Snapshot", missing, /tokenStore/],
      ["AccountView", { state: "signedIn", name: "A", username: "a", tenant_id: "t" }, /tenant_id/],
      ["Problem", { ...fx.clone(fx.PROBLEMS[0]!), kind: "gremlins" }, /gremlins/],
      ["SettingsPatch", { hotkeys: { bussy: "Ctrl+Alt+B" } }, /bussy/],
    ];
    const errors = typeErrors(cases.map(([type, value]) => [type, JSON.stringify(value)]));
    cases.forEach(([type, , error], i) => {
      if (error) expect(errors[i]!.join("\n"), type).toMatch(error);
      else expect(errors[i], type).toEqual([]);
    });
  }, 60_000);

  test("the problems cover every kind and every action", () => {
    const kinds = members<ProblemKind>({
      signInRequired: true,
      consentRequired: true,
      throttled: true,
      offline: true,
      invalidChoice: true,
      configuration: true,
      internal: true,
    });
    expect(new Set(fx.PROBLEMS.map((p) => p.kind))).toEqual(new Set(kinds));
    const actions = new Set(fx.PROBLEMS.map((p) => p.action?.type).filter(Boolean));
    const all = members<Action["type"]>({
      signIn: true,
      signInWithBrowser: true,
      copyAdminConsentLink: true,
      retry: true,
      openSettings: true,
      useOrganisationApp: true,
    });
    expect(actions).toEqual(new Set(all));
  });

  test("the keeper events cover every type and the intents every kind of end", () => {
    const types = members<KeeperEvent["type"]>({
      intentEnded: true,
      adoptedExternalChange: true,
      signInNeeded: true,
      disagreement: true,
    });
    expect(new Set(fx.KEEPER_EVENTS.map((e) => e.type))).toEqual(new Set(types));
    const kinds = members<Until["kind"]>({ at: true, untilChanged: true, graphDefault: true });
    expect(new Set(fx.INTENTS.map((i) => i.until.kind))).toEqual(new Set(kinds));
    const statuses = members<PreferredPresence>(EVERY_STATUS);
    expect(new Set(fx.INTENTS.map((i) => i.status))).toEqual(new Set(statuses));
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
    // The core gives the end of every intent; the popup only words it.
    expect(snapshots.every((s) => (s.intent === null) === (s.endsAt === null) || s.intent?.until.kind === "untilChanged")).toBe(true);
  });

  // A hotkey for each status, then back to automatic and open the popup.
  const HOTKEY_ACTIONS = members<HotkeyAction>({ ...EVERY_STATUS, automatic: true, open: true });

  test("each settings view has one hotkey row per action, with its shortcut in force", () => {
    const views = [fx.SETTINGS_VIEW, fx.SETTINGS_VIEW_LOCKED, fx.SETTINGS_VIEW_WAYLAND];
    for (const view of views) {
      expect(view.hotkeys.actions.map((row) => row.action)).toEqual(HOTKEY_ACTIONS);
      expect(new Set(view.hotkeys.actions.map((row) => row.field)).size).toBe(HOTKEY_ACTIONS.length);
      for (const row of view.hotkeys.actions) expect(typeof row.shortcut.value).toBe("string");
    }
    expect(new Set(views.map((v) => v.hotkeys.support.kind))).toEqual(new Set(["active", "inactive", "wayland"]));
  });

  test("the settings patch fixture sets every setting", () => {
    const keys = members<keyof typeof fx.SETTINGS_PATCH>({
      tenant: true,
      clientId: true,
      cloud: true,
      workdayEnd: true,
      workDays: true,
      onQuit: true,
      launchAtLogin: true,
      notifications: true,
      trayTimeLeft: true,
      clearMessageWithStatus: true,
      hotkeyDuration: true,
      proxy: true,
      noProxy: true,
      hotkeys: true,
    });
    expect(Object.keys(fx.SETTINGS_PATCH).sort()).toEqual([...keys].sort());
    expect(Object.keys(fx.SETTINGS_PATCH.hotkeys ?? {})).toEqual(HOTKEY_ACTIONS);
  });
});
