// Words and times, against the fixtures' clock.

import { beforeEach, describe, expect, test } from "vitest";

import {
  formatAge,
  formatCountdown,
  humanize,
  intentEnd,
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
    const intent = SNAPSHOTS.busy.intent!;
    expect(untilText(intent, now)).toBe("52:10 left");
    expect(untilText(intent, now + 1000)).toBe("52:09 left");
    expect(untilText(intent, parseTime("2025-06-02T14:05:30Z"))).toBe("ending now");
  });

  test("a long intent names its end, an open one says so", () => {
    const [, forever, graphDefault, untilHalfPast] = INTENTS;
    expect(untilText(untilHalfPast!, now)).toBe("until 17:30");
    expect(untilText(forever!, now)).toBe("until you change it");
    // Do not disturb with Graph's default lasts one day (contract §2).
    expect(intentEnd(graphDefault!)).toBe(parseTime("2025-06-03T13:00:00Z"));
    expect(untilText(graphDefault!, now)).toBe("until tomorrow 13:00");
    expect(untilText(INTENTS[5]!, now)).toBe("until tomorrow 07:00");
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
