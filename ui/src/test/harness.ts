// Mounts the popup in jsdom behind Tauri's IPC mock, records every command it sends, and lets a test emit the
// app's events. The real `ipc.ts` runs (command names and argument shapes are what is tested), only the other
// side of the IPC is fake.

import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { vi } from "vitest";

import { App } from "../app";
import { setLocale } from "../format";
import { EVENTS } from "../ipc";
import type { Snapshot } from "../types";
import { clone, NOW, SETTINGS_VIEW } from "./fixtures";

/** One command as the popup sent it. */
export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

/** A fake answer: a value, or a thrown value (what the Rust command's `Err` serialises to). */
export type Handler = (args: Record<string, unknown>) => unknown;

export interface Mounted {
  app: App;
  root: HTMLElement;
  /** Every command sent, in order (event-plugin plumbing left out). */
  calls: Call[];
  /** The commands named `cmd`. */
  sent(cmd: string): Call[];
  /** Emits an app event to the popup and lets it settle. */
  emit(event: keyof typeof EVENTS, payload: unknown): Promise<void>;
  /** Lets pending promises and renders settle. */
  settle(): Promise<void>;
}

/** Waits for queued promise callbacks (works with fake timers, which leave microtasks alone). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

let mounted: App | null = null;

/** Mounts the popup showing `snapshot`; `handlers` answer commands (defaults: get_state, get_settings, null). */
export async function mount(snapshot: Snapshot, handlers: Record<string, Handler> = {}): Promise<Mounted> {
  unmount();
  setLocale("en-GB");
  const calls: Call[] = [];
  mockIPC(
    (cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args: a });
      const handler = handlers[cmd];
      if (handler) return handler(a);
      if (cmd === "get_state") return clone(snapshot);
      if (cmd === "get_settings") return clone(SETTINGS_VIEW);
      return null;
    },
    { shouldMockEvents: true },
  );
  const root = document.createElement("div");
  document.body.replaceChildren(root);
  const app = new App(root);
  mounted = app;
  await app.start();
  await flush();
  return {
    app,
    root,
    calls,
    sent: (cmd) => calls.filter((c) => c.cmd === cmd),
    emit: async (event, payload) => {
      await emit(EVENTS[event], payload);
      await flush();
    },
    settle: flush,
  };
}

/** Stops the mounted popup and removes the IPC mock. */
export function unmount(): void {
  mounted?.stop();
  mounted = null;
  clearMocks();
  document.body.replaceChildren();
}

/** Fake timers at the fixtures' "now". */
export function atFixtureNow(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  vi.setSystemTime(new Date(NOW));
}

/** The visible text of an element, whitespace collapsed. */
export function text(el: Element | null): string {
  return (el?.textContent ?? "").replace(/\s+/g, " ").trim();
}

/** The element matching `selector`, or a failure naming it. */
export function get<T extends Element = HTMLElement>(root: ParentNode, selector: string): T {
  const el = root.querySelector<T & Element>(selector);
  if (!el) throw new Error(`nothing matches ${selector}`);
  return el;
}

/** A button by its visible text. */
export function button(root: ParentNode, label: string): HTMLButtonElement {
  const found = [...root.querySelectorAll("button")].find((b) => text(b) === label);
  if (!found) throw new Error(`no button "${label}" among: ${[...root.querySelectorAll("button")].map((b) => text(b)).join(" | ")}`);
  return found;
}

/** Presses a key on the focused element (or the document). */
export function press(key: string, target: Element | Document = document.activeElement ?? document): void {
  target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
}
