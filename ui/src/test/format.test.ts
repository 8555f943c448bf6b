// Words and times, against the fixtures' clock.

import { beforeEach, describe, expect, test } from "vitest";

import {
  formatAge,
  formatCountdown,
  humanize,
  nextText,
  parseTime,
  reportedText,
  setLocale,
  untilText,
} from "../format";
import { INTENTS, NOW, SNAPSHOTS } from "./fixtures";

const now = Date.parse(NOW);

beforeEach(() => setLocale("en-GB"));

describe("format", () => {
  test("a countdown shows minutes and seconds, with hours when there are some", () => {
    expect(formatCountdown((52 * 60 + 10) * 1000)).toBe("52:10");
    expect(formatCountdown((3600 + 2 * 60 + 5) * 1000)).toBe("1:02:05");
    expect(formatCountdown(400)).toBe("0:01");
    expect(formatCountdown(-5000)).toBe("0:00");
  });

  test("the busy fixture has 52:10 left and ends at 14:05", () => {
    const endsAt = SNAPSHOTS.busy.endsAt;
    expect(untilText(endsAt, now)).toBe("52:10 left");
    expect(untilText(endsAt, now + 1000)).toBe("52:09 left");
    expect(untilText(endsAt, parseTime("2025-06-02T14:05:30Z"))).toBe("ending now");
  });

  test("a long intent names its end, an open one says so", () => {
    const [, , , untilHalfPast] = INTENTS;
    expect(untilHalfPast!.until).toEqual({ kind: "at", at: "2025-06-02T17:30:00Z" });
    expect(untilText("2025-06-02T17:30:00Z", now)).toBe("until 17:30");
    expect(untilText(null, now)).toBe("until you change it");
    // Graph's default length is resolved by the core (`Intent::ends_at`, contract §2): Appear away's lasts 7 days.
    const differs = SNAPSHOTS.differs;
    expect(differs.intent!.until.kind).toBe("graphDefault");
    expect(differs.endsAt).toBe("2025-06-09T13:10:00Z");
    expect(untilText(differs.endsAt, now)).toBe("until 9 Jun 13:10");
    expect(untilText("2025-06-03T07:00:00Z", now)).toBe("until tomorrow 07:00");
  });

  test("an age reads like a person would say it", () => {
    expect(formatAge(10_000)).toBe("just now");
    expect(formatAge(120_000)).toBe("2 min ago");
    expect(formatAge(3 * 3600_000)).toBe("3 h ago");
  });

  test("Graph's words become plain ones", () => {
    expect(humanize("InAMeeting")).toBe("In a meeting");
    expect(humanize("DoNotDisturb")).toBe("Do not disturb");
    expect(reportedText(SNAPSHOTS.differs.reported!)).toBe("Busy (in a meeting)");
    expect(reportedText(SNAPSHOTS.busy.reported!)).toBe("Busy");
  });

  test("the next step is a muted sentence", () => {
    expect(nextText(SNAPSHOTS.busy.next!, now)).toBe("Renews at 14:05");
    expect(nextText(SNAPSHOTS.retrying.next!, now)).toBe("Retries in 30 s");
    expect(nextText({ action: "apply", at: new Date(now).toISOString() }, now)).toBe("Sending to Microsoft now");
    expect(nextText({ action: "endIntent", at: "2025-06-02T17:30:00Z" }, now)).toBe("Back to automatic at 17:30");
  });

  test("timestamps with nanoseconds parse", () => {
    expect(parseTime("2025-06-02T13:13:20.123456789Z")).toBe(Date.parse("2025-06-02T13:13:20.123Z"));
  });
});
