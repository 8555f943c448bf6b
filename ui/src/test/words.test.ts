// The popup's words, read as a person reads them: every view and every problem state, rendered from the golden
// payloads, must read well. The rules are the ones the tray's and the CLI's words pass
// (`presently_core::wording::flaws`): no doubled punctuation or space between words, no placeholder left
// unfilled, no path under a temporary or home folder written out in full; and, for the popup, no text wider than
// the popup where it cannot wrap.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

import type { Snapshot } from "../types";
import {
  clone,
  DEVICE_CODE,
  PROBLEMS,
  SETTINGS_REJECTED,
  SETTINGS_REJECTED_PROBLEM,
  SETTINGS_VIEW,
  SETTINGS_VIEW_LOCKED,
  SETTINGS_VIEW_WAYLAND,
  SIGN_IN_FAILED,
  SNAPSHOTS,
  TOKEN_STORES,
} from "./fixtures";
import { atFixtureNow, button, get, type Mounted, mount, unmount } from "./harness";

/** The popup's width (tauri.conf.json) less the page's side padding (style.css `.page`: 12px each side). */
const POPUP_WIDTH = JSON.parse(readFileSync(join(import.meta.dirname, "../../../tauri.conf.json"), "utf8")).app
  .windows[0].width as number;
const TEXT_WIDTH = POPUP_WIDTH - 24;
/**
 * A generous width of one character of the popup's 13px system font: an average letter is about 6.5px; wide
 * letters and digits are counted at this upper bound so that a line that might not fit is caught.
 */
const CHAR_PX = 7.5;

/** What reads badly in one piece of text (the rules of `presently_core::wording::flaws`). */
export function flaws(text: string): string[] {
  const found: string[] = [];
  const doubled = /([.,;:!?])([.,;:!?])/g;
  for (const m of text.matchAll(doubled)) {
    const at = m.index;
    const ellipsis = m[0] === ".." && (text[at + 2] === "." || text[at - 1] === ".");
    if (!ellipsis) found.push(`doubled punctuation "${m[0]}"`);
  }
  if (/[\p{L}\p{N}.,;!?] {2,}[\p{L}\p{N}]/u.test(text)) found.push("a doubled space");
  const doubledWord = /\b(\p{L}+) \1\b/iu.exec(text);
  if (doubledWord) found.push(`a doubled word "${doubledWord[0]}"`);
  for (const placeholder of ["${", "{}", "undefined", "NaN", "[object Object]", "%s"]) {
    if (text.includes(placeholder)) found.push(`an unfilled placeholder "${placeholder}"`);
  }
  if (/\{[A-Za-z_][A-Za-z0-9_]*\}/.test(text)) found.push("an unfilled placeholder {name}");
  if (/\bnull\b/.test(text)) found.push('"null" shown');
  // A home folder (Linux, macOS, Windows) or a temporary one written out: people know them as ~ and %APPDATA%.
  if (/\/home\/[^/\s]+\/|\/Users\/[^/\s]+\/|[A-Z]:\\Users\\|\/tmp\/\.?tmp|\/var\/folders\//.test(text)) {
    found.push("a path under a home or temporary folder written out in full");
  }
  return found;
}

/** The selectors of style.css whose text never wraps, and those whose long words may break anywhere. */
function cssRules(): { nowrap: string[]; breaksWords: string[] } {
  const css = readFileSync(join(import.meta.dirname, "../style.css"), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const nowrap: string[] = [];
  const breaksWords: string[] = [];
  for (const m of css.matchAll(/([^{}@]+)\{([^{}]*)\}/g)) {
    const selectors = m[1]!.split(",").map((s) => s.trim()).filter(Boolean);
    const body = m[2]!;
    // An ellipsis is a deliberate cut; a visually hidden text is not seen.
    if (/white-space:\s*nowrap/.test(body) && !/text-overflow:\s*ellipsis/.test(body) && !/clip:/.test(body)) {
      nowrap.push(...selectors);
    }
    if (/overflow-wrap:\s*(anywhere|break-word)|word-break:\s*break-(all|word)/.test(body)) {
      breaksWords.push(...selectors);
    }
  }
  return { nowrap, breaksWords };
}

const RULES = cssRules();
const matchesAny = (el: Element, selectors: string[]) => selectors.some((s) => el.matches(s));
const closestAny = (el: Element | null, selectors: string[]) => {
  for (let e = el; e; e = e.parentElement) if (matchesAny(e, selectors)) return true;
  return false;
};

/** Everything a person reads in `root`: each text node (its own spaces kept) and the texts of attributes. */
function readAll(root: HTMLElement): { where: string; text: string; el: Element }[] {
  const out: { where: string; text: string; el: Element }[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement!;
    if (el.closest("[hidden], style, script")) continue;
    const text = (node.textContent ?? "").replace(/^\s+|\s+$/g, "");
    if (text) out.push({ where: el.className || el.tagName.toLowerCase(), text, el });
  }
  for (const el of root.querySelectorAll("*")) {
    if (el.closest("[hidden]")) continue;
    for (const attribute of ["title", "aria-label", "placeholder", "alt"]) {
      const value = el.getAttribute(attribute);
      if (value) out.push({ where: `${el.tagName.toLowerCase()}[${attribute}]`, text: value, el });
    }
  }
  return out;
}

/** What reads badly on the screen `root` shows, as "where: text: flaw" lines. */
function screenFlaws(name: string, root: HTMLElement): string[] {
  const bad: string[] = [];
  for (const { where, text, el } of readAll(root)) {
    for (const flaw of flaws(text)) bad.push(`${name} · ${where}: ${JSON.stringify(text)}: ${flaw}`);
    const attribute = where.includes("[");
    if (attribute) continue;
    // A line that cannot wrap must fit across the popup; so must every unbreakable word of one that can.
    const estimate = (s: string) => s.length * CHAR_PX;
    if (closestAny(el, RULES.nowrap) && estimate(text) > TEXT_WIDTH) {
      bad.push(`${name} · ${where}: ${JSON.stringify(text)}: about ${estimate(text)}px on one line, wider than the popup`);
    }
    if (!closestAny(el, RULES.breaksWords)) {
      for (const word of text.split(/\s+/)) {
        if (estimate(word) > TEXT_WIDTH) {
          bad.push(`${name} · ${where}: ${JSON.stringify(word)}: about ${estimate(word)}px without a break, wider than the popup`);
        }
      }
    }
  }
  return bad;
}

/** A snapshot with `change` applied (a fresh revision, so the popup renders it). */
function variant(base: Snapshot, change: Partial<Snapshot>): Snapshot {
  return { ...clone(base), ...clone(change), revision: base.revision + 100 };
}

beforeEach(() => atFixtureNow());
afterEach(() => {
  unmount();
  vi.useRealTimers();
});

describe("every screen reads well", () => {
  const screens: [string, () => Promise<Mounted>][] = [];
  for (const [name, snapshot] of Object.entries(SNAPSHOTS)) screens.push([`main: ${name}`, () => mount(snapshot)]);
  TOKEN_STORES.forEach((store, i) => {
    screens.push([`welcome, token store ${i} (${store.kind})`, () => mount(variant(SNAPSHOTS["signed-out"], { tokenStore: store }))]);
  });
  PROBLEMS.forEach((problem, i) => {
    screens.push([`problem ${i} (${problem.kind}) on the main page`, () => mount(variant(SNAPSHOTS.busy, { problem }))]);
    screens.push([
      `problem ${i} (${problem.kind}) on the welcome page`,
      () => mount(variant(SNAPSHOTS["signed-out"], { problem })),
    ]);
  });
  const never = () => new Promise<null>(() => {});
  screens.push([
    "signing in with the browser",
    async () => {
      const m = await mount(SNAPSHOTS["signed-out"], { sign_in: never });
      button(m.root, "Sign in with Microsoft").click();
      await m.settle();
      get(m.root, ".signin-wait");
      return m;
    },
  ]);
  screens.push([
    "signing in with a code",
    async () => {
      const m = await mount(SNAPSHOTS["signed-out"], { sign_in: never });
      button(m.root, "Use a code instead").click();
      await m.settle();
      await m.emit("deviceCode", DEVICE_CODE);
      get(m.root, ".device-code");
      return m;
    },
  ]);
  screens.push([
    "a failed sign-in",
    async () => {
      const m = await mount(SNAPSHOTS["signed-out"], { sign_in: never });
      button(m.root, "Sign in with Microsoft").click();
      await m.settle();
      await m.emit("signInFinished", SIGN_IN_FAILED);
      get(m.root, '[role="alert"]');
      return m;
    },
  ]);
  screens.push([
    "the organisation's own app",
    async () => {
      const m = await mount(SNAPSHOTS["signed-out"]);
      button(m.root, "Use my organisation's app").click();
      await m.settle();
      return m;
    },
  ]);
  const settings = (view: typeof SETTINGS_VIEW, save?: () => unknown) => async () => {
    const m = await mount(SNAPSHOTS.busy, { get_settings: () => clone(view), ...(save ? { save_settings: save } : {}) });
    get(m.root, '[data-command="open-settings"]').click();
    await m.settle();
    get(m.root, ".page--settings");
    return m;
  };
  screens.push(["settings", settings(SETTINGS_VIEW)]);
  screens.push(["settings, locked by the administrator", settings(SETTINGS_VIEW_LOCKED)]);
  screens.push(["settings, Wayland", settings(SETTINGS_VIEW_WAYLAND)]);
  for (const [name, refusal] of [
    ["settings, refused field by field", { kind: "fields", fieldErrors: SETTINGS_REJECTED }],
    ["settings, refused as a whole", { kind: "problem", problem: SETTINGS_REJECTED_PROBLEM }],
  ] as const) {
    screens.push([
      name,
      async () => {
        const m = await settings(SETTINGS_VIEW, () => {
          throw clone(refusal.kind === "fields" ? SETTINGS_REJECTED : SETTINGS_REJECTED_PROBLEM);
        })();
        const form = get<HTMLFormElement>(m.root, "form");
        const input = form.querySelector<HTMLInputElement>("input[type=text], input:not([type])");
        if (input) {
          input.value = `${input.value}x`;
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }
        form.requestSubmit();
        await m.settle();
        return m;
      },
    ]);
  }

  test.each(screens)("%s", async (name, open) => {
    const m = await open();
    const read = readAll(m.root);
    expect(read.length, `${name}: nothing to read`).toBeGreaterThan(3);
    expect(screenFlaws(name, m.root)).toEqual([]);
  });
});

describe("the word check itself", () => {
  test("passes good text and finds each flaw", () => {
    expect(flaws("Busy · until 14:05 — Graph reports Away. Starting… e.g. ~/.local/share/presently")).toEqual([]);
    expect(flaws("Your sign-in will be kept in Tokens are encrypted in /tmp/x with a key kept in Y..")).toEqual([
      'doubled punctuation ".."',
    ]);
    expect(flaws("Kept in /home/ada/.local/share/presently/tokens.enc")).toHaveLength(1);
    expect(flaws("Kept in C:\\Users\\ada\\AppData\\Roaming\\Presently")).toHaveLength(1);
    expect(flaws("Sign in.  Then retry")).toEqual(["a doubled space"]);
    expect(flaws("until undefined")).toHaveLength(1);
    expect(flaws("until ${")).toHaveLength(1);
    expect(flaws("Finish signing in in your browser.")).toEqual(['a doubled word "in in"']);
    expect(flaws("until {time}")).toHaveLength(1);
  });

  test("a line that cannot wrap and is wider than the popup is found", () => {
    const root = document.createElement("div");
    const chip = document.createElement("span");
    chip.className = "chip";
    const label = document.createElement("span");
    label.textContent = "A label far too long to fit across the popup on one line without wrapping at all";
    chip.append(label);
    root.append(chip);
    document.body.append(root);
    expect(RULES.nowrap).toContain(".chip span");
    expect(screenFlaws("test", root).join("\n")).toMatch(/wider than the popup/);
    root.remove();
  });
});
