// Next-up selection and countdown texts.
import { describe, expect, test } from "vitest";
import { countsAsMeeting, durationText, nextUp, startsInText, timeLeftText } from "./countdown";
import { event, NOW } from "./test-helpers";

const at = (iso: string) => new Date(iso);

describe("countdown texts", () => {
  test("durations round up to the minute, hours and minutes", () => {
    expect(durationText(4 * 60_000)).toBe("4 min");
    expect(durationText(3 * 60_000 + 1)).toBe("4 min");
    expect(durationText(10_000)).toBe("1 min");
    expect(durationText(60 * 60_000)).toBe("1 h");
    expect(durationText(80 * 60_000)).toBe("1 h 20 min");
  });

  test("time left of a meeting under way", () => {
    const ev = event({ start: "2026-11-25T09:30:00Z", end: "2026-11-25T10:05:00Z" });
    expect(timeLeftText(ev, NOW)).toBe("20 min left");
    expect(timeLeftText(event({ start: "2026-11-25T09:00:00Z", end: "2026-11-25T10:50:00Z" }), NOW)).toBe("1 h 5 min left");
  });

  test("starts in: minutes, hours, tomorrow, a later weekday", () => {
    expect(startsInText(event({ start: "2026-11-25T09:49:00Z" }), NOW, "en-GB")).toBe("in 4 min");
    expect(startsInText(event({ start: "2026-11-25T11:05:00Z" }), NOW, "en-GB")).toBe("in 1 h 20 min");
    expect(startsInText(event({ start: "2026-11-26T09:00:00Z" }), NOW, "en-GB")).toBe("tomorrow 09:00");
    expect(startsInText(event({ start: "2026-11-27T14:00:00Z" }), NOW, "en-GB")).toBe("Fri 14:00");
    // just after midnight, seen from late evening: still a countdown
    expect(startsInText(event({ start: "2026-11-26T00:10:00Z" }), at("2026-11-25T23:50:00Z"), "en-GB")).toBe("in 20 min");
  });

  test("starts in follows the 12/24-hour choice", () => {
    const ev = event({ start: "2026-11-26T14:00:00Z" });
    expect(startsInText(ev, NOW, "en-GB", "12h")).toMatch(/^tomorrow 2:00\spm$/i);
    expect(startsInText(ev, NOW, "en-US", "24h")).toBe("tomorrow 14:00");
  });
});

describe("nextUp", () => {
  test("declined, cancelled and all-day events never count", () => {
    expect(countsAsMeeting(event())).toBe(true);
    expect(countsAsMeeting(event({ my_response: "declined" }))).toBe(false);
    expect(countsAsMeeting(event({ status: "cancelled" }))).toBe(false);
    expect(countsAsMeeting(event({ all_day: true, start: "2026-11-25", end: "2026-11-26" }))).toBe(false);
    const up = nextUp([
      event({ id: "declined", my_response: "declined", start: "2026-11-25T09:50:00Z", end: "2026-11-25T10:00:00Z" }),
      event({ id: "cancelled", status: "cancelled", start: "2026-11-25T09:40:00Z", end: "2026-11-25T10:00:00Z" }),
      event({ id: "holiday", all_day: true, start: "2026-11-25", end: "2026-11-26" }),
      event({ id: "real", start: "2026-11-25T11:00:00Z", end: "2026-11-25T12:00:00Z" }),
    ], NOW);
    expect(up.ongoing).toEqual([]);
    expect(up.next.map((e) => e.id)).toEqual(["real"]);
  });

  test("every meeting under way, and every meeting starting at the next start", () => {
    const up = nextUp([
      event({ id: "b", start: "2026-11-25T09:40:00Z", end: "2026-11-25T10:30:00Z" }),
      event({ id: "a", start: "2026-11-25T09:00:00Z", end: "2026-11-25T10:00:00Z" }),
      event({ id: "later", start: "2026-11-25T13:00:00Z", end: "2026-11-25T14:00:00Z" }),
      event({ id: "n1", start: "2026-11-25T09:48:00Z", end: "2026-11-25T10:00:00Z" }),
      event({ id: "n2", start: "2026-11-25T09:48:00Z", end: "2026-11-25T10:15:00Z" }),
      event({ id: "over", start: "2026-11-25T08:00:00Z", end: "2026-11-25T09:45:00Z" }),
    ], NOW);
    expect(up.ongoing.map((e) => e.id)).toEqual(["a", "b"]);
    expect(up.next.map((e) => e.id)).toEqual(["n1", "n2"]);
  });
});
