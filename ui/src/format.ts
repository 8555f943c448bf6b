// Words and times for the popup: pure functions of a snapshot and "now", so the countdown can tick locally
// between snapshots (the UI never polls) and tests can pin the clock.

import type {
  HourCycle,
  Intent,
  NextAction,
  Planned,
  Reported,
  Snapshot,
  StatusName,
  Timestamp,
  TokenStoreView,
} from "./types";

/** One of the six statuses as the popup shows it (names as Teams shows them, contract §2). */
export interface StatusInfo {
  name: StatusName;
  label: string;
  key: number;
  glyph: "check" | "dot" | "bar" | "clock" | "cross";
}

/** The six, in their stable order (keys 1–6, as `PreferredPresence::key`). */
export const STATUSES: readonly StatusInfo[] = [
  { name: "available", label: "Available", key: 1, glyph: "check" },
  { name: "busy", label: "Busy", key: 2, glyph: "dot" },
  { name: "dnd", label: "Do not disturb", key: 3, glyph: "bar" },
  { name: "brb", label: "Be right back", key: 4, glyph: "clock" },
  { name: "away", label: "Appear away", key: 5, glyph: "clock" },
  { name: "offline", label: "Appear offline", key: 6, glyph: "cross" },
];

/** The info for a status name. */
export function statusInfo(name: StatusName): StatusInfo {
  return STATUSES.find((s) => s.name === name) ?? STATUSES[0]!;
}

/** A one-click duration: the value `choose` takes, and its label. */
export interface DurationPreset {
  value: string;
  label: string;
}

/** The presets the popup offers; `custom` reveals a text field. */
export const PRESETS: readonly DurationPreset[] = [
  { value: "30m", label: "30 min" },
  { value: "1h", label: "1 h" },
  { value: "2h", label: "2 h" },
  { value: "4h", label: "4 h" },
  { value: "8h", label: "8 h" },
  { value: "eod", label: "End of day" },
  { value: "forever", label: "Until I change it" },
  { value: "custom", label: "Custom…" },
];

/** Minutes of the fixed-length presets, for the end a message template writes. */
const PRESET_MINUTES: Record<string, number> = { "30m": 30, "1h": 60, "2h": 120, "4h": 240, "8h": 480 };

/** The status message's longest text (Teams shows at most 280 characters, contract §2). */
export const MESSAGE_MAX = 280;

/** One-click status messages; `{time}` is the chosen end. `plain` is used when there is no end to write. */
export const MESSAGE_TEMPLATES: ReadonlyArray<{ id: string; text: string; plain: string }> = [
  { id: "back", text: "Back at {time}", plain: "Back soon" },
  { id: "focus", text: "In focus time until {time}", plain: "In focus time" },
];

/**
 * The end a message template writes: the selected length from now (`30m`…`8h`), else the end of the status kept
 * (`endsAt`), else none.
 */
export function templateEnd(duration: string, endsAt: Timestamp | null, now: number): number | null {
  const minutes = PRESET_MINUTES[duration];
  if (minutes !== undefined) return now + minutes * 60_000;
  return endsAt ? parseTime(endsAt) : null;
}

/** A template's text with its time written on the user's clock (`Back at 15:30`, `Back at 3:30 PM`). */
export function templateText(template: { text: string; plain: string }, end: number | null): string {
  return end === null ? template.plain : template.text.replace("{time}", formatClock(end));
}

/** The message shown now, in words: `“Back at 3” · until 15:00`, or null when none is live at `now`. */
export function messageText(s: Snapshot | null, now: number): string | null {
  const message = s?.message;
  if (!message || (message.expiresAt && parseTime(message.expiresAt) <= now)) return null;
  const from = message.origin === "teams" ? " · set in Teams" : "";
  const until = message.expiresAt ? ` · until ${formatMoment(parseTime(message.expiresAt), now)}` : "";
  return `“${message.text}”${until}${from}`;
}

/**
 * Where the sign-in will be kept, for the welcome screen's footer: a sentence of the popup's own built from the
 * core's parts, then the core's note (whole sentences) after it.
 */
export function storeText(store: TokenStoreView): string {
  let first: string;
  if (store.kind === "credentialStore" && store.location) {
    first = store.keyKeptIn
      ? `Your sign-in will be kept encrypted in ${store.location}, with the key in ${store.keyKeptIn}.`
      : `Your sign-in will be kept encrypted in ${store.location}.`;
  } else if (store.kind === "file" && store.location) {
    first = `Your sign-in will be kept unencrypted in ${store.location}, readable only by you.`;
  } else {
    first = "Your sign-in will be kept in memory only, and not saved.";
  }
  return store.note ? `${first} ${store.note}` : first;
}

let locale: string | undefined;
let hourCycle: HourCycle = "h23";

/** Use this locale for times (tests pin one; the app uses the system's). */
export function setLocale(value: string | undefined): void {
  locale = value;
}

/**
 * Write times on this clock: the user's, which every snapshot carries (`hourCycle`), so the popup says `17:30` or
 * `5:30 PM` as the tray and the CLI do, whatever the web view's own locale would pick.
 */
export function setHourCycle(value: HourCycle): void {
  hourCycle = value;
}

/** Milliseconds since the epoch of a jiff timestamp (a fraction beyond milliseconds is dropped). */
export function parseTime(text: Timestamp): number {
  return Date.parse(text.replace(/(\.\d{3})\d+/, "$1"));
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A local wall-clock time on the user's clock: `17:30`, or `5:30 PM` on a 12-hour one. */
export function formatClock(ms: number): string {
  // Written as the core writes it (`%H:%M`, `%-I:%M %p` in crates/core/src/wording.rs), not by Intl, whose
  // words for the same clock differ by locale ("2:05 pm" in en-GB): the tray and the popup must read alike.
  const d = new Date(ms);
  const minutes = String(d.getMinutes()).padStart(2, "0");
  const hours = d.getHours();
  if (hourCycle === "h12") return `${hours % 12 || 12}:${minutes} ${hours < 12 ? "AM" : "PM"}`;
  return `${String(hours).padStart(2, "0")}:${minutes}`;
}

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** A moment relative to today: `17:30`, `tomorrow 09:00`, `Mon 09:00`, `9 Jun 09:00`. */
export function formatMoment(ms: number, now: number): string {
  const days = Math.round((startOfDay(ms) - startOfDay(now)) / DAY);
  const clock = formatClock(ms);
  if (days === 0) return clock;
  if (days === 1) return `tomorrow ${clock}`;
  if (days > 1 && days < 7) {
    const weekday = new Intl.DateTimeFormat(locale, { weekday: "short" }).format(ms);
    return `${weekday} ${clock}`;
  }
  const date = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short" }).format(ms);
  return `${date} ${clock}`;
}

/** A countdown: `52:10`, `1:52:10`. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return h > 0 ? `${h}:${mm}:${String(s).padStart(2, "0")}` : `${mm}:${String(s).padStart(2, "0")}`;
}

/** How long ago: `just now`, `1 min ago`, `2 h ago`. */
export function formatAge(ms: number): string {
  const secs = Math.max(0, Math.floor(ms / 1000));
  if (secs < 45) return "just now";
  const mins = Math.max(1, Math.round(secs / 60));
  if (mins < 60) return `${mins} min ago`;
  const hours = Math.floor(mins / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return days === 1 ? "yesterday" : `${days} days ago`;
}

/** How long in plain words: `45 s`, `3 min`, `2 h 5 min`. */
export function formatSpan(ms: number): string {
  const secs = Math.max(0, Math.ceil(ms / 1000));
  if (secs < 60) return `${secs} s`;
  const mins = Math.ceil(secs / 60);
  if (mins < 60) return `${mins} min`;
  const h = Math.floor(mins / 60);
  const m = mins % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** Below this much time left, the headline counts down; above it, it names the end. */
export const COUNTDOWN_BELOW = 4 * HOUR;

/** The headline's "how long" part for an intent ending at `endsAt` (the snapshot's, resolved by the core;
 * `null`: until I change it), at `now`: `52:10 left`, `until 17:30`, `until you change it`. */
export function untilText(endsAt: Timestamp | null, now: number): string {
  if (endsAt === null) return "until you change it";
  const end = parseTime(endsAt);
  const left = end - now;
  if (left <= 0) return "ending now";
  if (left < COUNTDOWN_BELOW) return `${formatCountdown(left)} left`;
  return `until ${formatMoment(end, now)}`;
}

/** The muted line under the headline: the end (`endsAt`, the snapshot's) when the headline counts down, and
 * where it was chosen. */
export function intentDetail(intent: Intent, endsAt: Timestamp | null, now: number): string {
  const parts: string[] = [];
  const end = endsAt === null ? null : parseTime(endsAt);
  if (end !== null && end - now > 0 && end - now < COUNTDOWN_BELOW) parts.push(`until ${formatMoment(end, now)}`);
  if (intent.until.kind === "graphDefault") parts.push("Teams' default length");
  const from: Record<Intent["origin"], string> = {
    popup: "",
    trayMenu: "set from the tray menu",
    hotkey: "set with a hotkey",
    cli: "set from the command line",
    teams: "changed in Teams",
  };
  if (from[intent.origin]) parts.push(from[intent.origin]);
  return parts.join(" · ");
}

/** Graph's PascalCase words for people: `InAMeeting` → `In a meeting`. */
export function humanize(word: string): string {
  const parts = word.split(/(?=[A-Z])/).filter(Boolean);
  if (parts.length === 0) return word;
  const text = parts.map((p) => p.toLowerCase()).join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What Graph reports, in words: `Busy`, `Busy (in a meeting)`, `Appear away`. */
export function reportedText(reported: Reported): string {
  if (reported.asStatus) return statusInfo(reported.asStatus).label;
  const availability = humanize(reported.availability);
  if (reported.activity === reported.availability || !reported.activity) return availability;
  return `${availability} (${humanize(reported.activity).toLowerCase()})`;
}

/**
 * What Graph reported, with its age: `Graph reports Busy · just now`, `Graph reported Busy · 12 min ago`, and
 * while a fresh read is under way `… · checking now`. A reading taken before the current problem says so: it
 * may no longer be true.
 */
export function readingText(s: Snapshot, now: number): string {
  const reported = s.reported;
  if (!reported) return "";
  const at = parseTime(reported.at);
  const age = now - at;
  const what = reportedText(reported);
  if (s.activity === "checking") return `Graph reported ${what} · ${formatAge(age)} · checking now`;
  const since = s.problem && s.problemSince ? parseTime(s.problemSince) : null;
  if (since !== null && at < since) return `Graph reported ${what} · ${formatAge(age)}, before this problem`;
  return age <= 60_000 ? `Graph reports ${what} · just now` : `Graph reported ${what} · ${formatAge(age)}`;
}

const NEXT_WORDS: Record<NextAction, string> = {
  apply: "Sends to Microsoft at",
  refreshToken: "Refreshes sign-in at",
  renewSession: "Renews at",
  renewPin: "Renews at",
  endIntent: "Back to automatic at",
  readBack: "Checks with Microsoft at",
  check: "Checks with Microsoft at",
  retry: "Retries",
};

/** The next step, muted: `Renews at 14:05`, `Retries in 30 s`. */
export function nextText(next: Planned, now: number): string {
  const at = parseTime(next.at);
  if (next.action === "retry") return at - now > 1000 ? `Retries in ${formatSpan(at - now)}` : "Retrying now";
  if (next.action === "apply" && at - now <= 1000) return "Sending to Microsoft now";
  return `${NEXT_WORDS[next.action]} ${formatMoment(at, now)}`;
}
