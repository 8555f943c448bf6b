// A tiny DOM builder. Text always goes in through `textContent` and attributes through `setAttribute`: the popup
// never parses HTML from data (no `innerHTML`), which keeps it safe under the strict CSP (`default-src 'self'`).

import type { StatusInfo } from "./format";

/** What an element may contain. `null`, `undefined` and `false` are skipped, so conditionals read naturally. */
export type Child = Node | string | null | undefined | false;

/** Element options: `class`, ARIA and other attributes (`true` = present, `false`/`null` = absent), listeners. */
export interface Props {
  class?: string;
  text?: string;
  attrs?: Record<string, string | number | boolean | null | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

/** Sets or removes attributes. */
export function setAttrs(el: Element, attrs: NonNullable<Props["attrs"]>): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) el.removeAttribute(name);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
}

/** Creates an element. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.attrs) setAttrs(el, props.attrs);
  if (props.on) {
    for (const [type, listener] of Object.entries(props.on)) {
      el.addEventListener(type, listener as EventListener);
    }
  }
  if (props.text !== undefined) el.textContent = props.text;
  append(el, children);
  return el;
}

/** Appends children, skipping empty ones. */
export function append(el: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

/** Sets text only when it changed (keeps screen readers and selection calm). */
export function setText(el: Node, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

const SVG = "http://www.w3.org/2000/svg";

function svg(tag: string, attrs: Record<string, string>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** The glyph drawn inside a status badge, in a 16×16 box. */
function glyph(kind: StatusInfo["glyph"]): SVGElement[] {
  const stroke = { fill: "none", stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round" };
  switch (kind) {
    case "check":
      return [svg("path", { ...stroke, d: "M4.8 8.3l2.2 2.2 4.2-4.6", "stroke-linejoin": "round" })];
    case "dot":
      return [];
    case "bar":
      return [svg("path", { ...stroke, d: "M4.8 8h6.4" })];
    case "clock":
      return [svg("path", { ...stroke, "stroke-width": "1.7", d: "M8 4.6V8l2.3 1.5", "stroke-linejoin": "round" })];
    case "cross":
      return [svg("path", { ...stroke, "stroke-width": "1.8", d: "M5.6 5.6l4.8 4.8M10.4 5.6l-4.8 4.8" })];
  }
}

/** A status badge: the Teams-coloured dot with its glyph (colour from the `badge--<status>` class). */
export function badge(status: StatusInfo, size: "small" | "large" = "small"): HTMLElement {
  const icon = svg("svg", { viewBox: "0 0 16 16", "aria-hidden": "true", focusable: "false" });
  icon.appendChild(svg("circle", { cx: "8", cy: "8", r: "8", class: "badge__disc" }));
  for (const part of glyph(status.glyph)) icon.appendChild(part);
  return h("span", { class: `badge badge--${status.name} badge--${size}` }, icon);
}

/** The "automatic" badge: a half-filled ring (Teams decides), no colour of its own. */
export function automaticBadge(size: "small" | "large" = "small"): HTMLElement {
  const icon = svg("svg", { viewBox: "0 0 16 16", "aria-hidden": "true", focusable: "false" });
  icon.appendChild(svg("circle", { cx: "8", cy: "8", r: "6.6", fill: "none", stroke: "currentColor", "stroke-width": "1.4" }));
  icon.appendChild(svg("path", { d: "M8 3.6a4.4 4.4 0 0 0 0 8.8z", fill: "currentColor" }));
  return h("span", { class: `badge badge--automatic badge--${size}` }, icon);
}

/** Small line icons for buttons (16×16, currentColor). */
export function icon(kind: "gear" | "back" | "copy" | "info" | "warning" | "lock" | "sync" | "key"): SVGElement {
  const root = svg("svg", { viewBox: "0 0 16 16", "aria-hidden": "true", focusable: "false", class: "icon" });
  const line = { fill: "none", stroke: "currentColor", "stroke-width": "1.5", "stroke-linecap": "round", "stroke-linejoin": "round" };
  const paths: Record<typeof kind, string[]> = {
    gear: [
      "M8 5.6a2.4 2.4 0 1 0 0 4.8 2.4 2.4 0 0 0 0-4.8z",
      "M8 1.8v1.6M8 12.6v1.6M14.2 8h-1.6M3.4 8H1.8M12.4 3.6l-1.1 1.1M4.7 11.3l-1.1 1.1M12.4 12.4l-1.1-1.1M4.7 4.7L3.6 3.6",
    ],
    back: ["M10 3.5L5.5 8l4.5 4.5"],
    copy: ["M5.5 5.5h7v7h-7z", "M3.5 10.5v-7h7"],
    info: ["M8 14.2A6.2 6.2 0 1 0 8 1.8a6.2 6.2 0 0 0 0 12.4z", "M8 7.3v3.9M8 4.9v.1"],
    warning: ["M8 2.2l6.2 11H1.8z", "M8 6.4v3.2M8 11.4v.1"],
    lock: ["M4.2 7.2h7.6v6H4.2z", "M5.8 7.2V5.4a2.2 2.2 0 0 1 4.4 0v1.8"],
    sync: ["M13 8a5 5 0 0 1-8.9 3.1M3 8a5 5 0 0 1 8.9-3.1", "M12 2.4v2.7H9.3M4 13.6v-2.7h2.7"],
    key: ["M6 10a3 3 0 1 1 2.6-1.5L13.5 13.4v1.2h-1.8v-1.2h-1.2v-1.2H9.3L7.5 9.6A3 3 0 0 1 6 10z"],
  };
  for (const d of paths[kind]) root.appendChild(svg("path", { ...line, d }));
  return root;
}
