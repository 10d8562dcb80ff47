// The dashboard's window of days (seven days = today + 6, at a month end and over a DST change),
// multi-day spans, events that began yesterday and the 12/24-hour choice of the settings.
import { afterEach, describe, expect, test, vi } from "vitest";
import { formatEventWhen, formatUntil, groupByDay, hourCycleOf, spanDay, startedBefore } from "./format";
import { event, NOW, settings } from "./test-helpers";

describe("seven days are seven days", () => {
  test("at a month end: today and the next six, nothing from the eighth day", () => {
    const now = new Date("2026-11-28T08:00:00Z");
    const daily = Array.from({ length: 9 }, (_, i) => {
      const d = new Date(Date.UTC(2026, 10, 28 + i, 10));
      return event({ id: `d${i}`, start: d.toISOString(), end: new Date(d.getTime() + 3_600_000).toISOString() });
    });
    const groups = groupByDay(daily, now, 7, "en-GB");
    expect(groups.map((g) => g.key)).toEqual([
      "2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04",
    ]);
  });

  test("an all-day event starting after the window is left out", () => {
    const groups = groupByDay([event({ id: "far", all_day: true, start: "2026-12-05", end: "2026-12-06" })], NOW, 7);
    expect(groups).toEqual([]);
  });

  describe("over a DST change", () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    test("Berlin, the week the clocks go back: seven local days", () => {
      vi.stubEnv("TZ", "Europe/Berlin");
      expect([new Date(2026, 9, 24, 12).getTimezoneOffset(), new Date(2026, 9, 26, 12).getTimezoneOffset()]).toEqual([-120, -60]);
      const now = new Date("2026-10-22T06:00:00Z"); // Thursday 08:00 CEST; Sunday 25th has 25 hours
      const daily = Array.from({ length: 9 }, (_, i) => {
        const start = new Date(2026, 9, 22 + i, 9, 0); // 09:00 local each day
        return event({ id: `d${i}`, start: start.toISOString(), end: new Date(start.getTime() + 1_800_000).toISOString() });
      });
      const groups = groupByDay(daily, now, 7, "en-GB");
      expect(groups.map((g) => g.key)).toEqual([
        "2026-10-22", "2026-10-23", "2026-10-24", "2026-10-25", "2026-10-26", "2026-10-27", "2026-10-28",
      ]);
      expect(groups.map((g) => g.events.map((e) => e.id))).toEqual([["d0"], ["d1"], ["d2"], ["d3"], ["d4"], ["d5"], ["d6"]]);
      // the week's conference, all-day, covering the change
      const conf = event({ id: "conf", all_day: true, start: "2026-10-24", end: "2026-10-27" });
      expect(groupByDay([conf], now, 7).map((g) => [g.key, spanDay(conf, g.date)])).toEqual([
        ["2026-10-24", { index: 1, total: 3 }],
        ["2026-10-25", { index: 2, total: 3 }],
        ["2026-10-26", { index: 3, total: 3 }],
      ]);
    });
  });
});

describe("spanDay", () => {
  const conf = event({ all_day: true, start: "2026-11-24", end: "2026-11-27" });
  test("day n of a multi-day all-day event", () => {
    expect(spanDay(conf, new Date(2026, 10, 24))).toEqual({ index: 1, total: 3 });
    expect(spanDay(conf, new Date(2026, 10, 26))).toEqual({ index: 3, total: 3 });
    expect(spanDay(conf, new Date(2026, 10, 27))).toBeNull();
  });
  test("nothing for one-day and timed events", () => {
    expect(spanDay(event({ all_day: true, start: "2026-11-25", end: "2026-11-26" }), new Date(2026, 10, 25))).toBeNull();
    expect(spanDay(event(), new Date(2026, 10, 25))).toBeNull();
  });
});

describe("an event that began yesterday", () => {
  const overnight = event({ start: "2026-11-24T23:00:00Z", end: "2026-11-25T01:00:00Z" });
  test("since yesterday 23:00, until 01:00", () => {
    const justAfterMidnight = new Date("2026-11-25T00:10:00Z");
    expect(startedBefore(overnight, justAfterMidnight, "en-GB")).toBe("Since yesterday 23:00");
    expect(formatUntil(overnight, justAfterMidnight, "en-GB")).toBe("until 01:00");
  });
  test("until a later day names it", () => {
    const long = event({ start: "2026-11-24T23:00:00Z", end: "2026-11-26T01:00:00Z" });
    expect(formatUntil(long, NOW, "en-GB")).toBe("until Thu 01:00");
  });
  test("in 12-hour time", () => {
    const justAfterMidnight = new Date("2026-11-25T00:10:00Z");
    expect(startedBefore(overnight, justAfterMidnight, "en-GB", "12h")).toMatch(/^Since yesterday 11:00\spm$/i);
    expect(formatUntil(overnight, justAfterMidnight, "en-GB", "12h")).toMatch(/^until 1:00\sam$/i);
  });
});

describe("time format", () => {
  const ev = event({ start: "2026-11-25T14:00:00Z", end: "2026-11-25T15:30:00Z" });
  test("12h and 24h override the locale", () => {
    expect(formatEventWhen(ev, "en-GB", "12h")).toMatch(/^2:00\spm – 3:30\spm$/i);
    expect(formatEventWhen(ev, "en-US", "24h")).toBe("14:00 – 15:30");
    expect(formatEventWhen(ev, "en-GB")).toBe("14:00 – 15:30");
  });
  test("the settings' choice: the shell's resolved hour cycle, else time_format", () => {
    expect(hourCycleOf(null)).toBeUndefined();
    expect(hourCycleOf(settings())).toBeUndefined();
    expect(hourCycleOf({ ...settings(), hour_cycle: "12h" })).toBe("12h");
    expect(hourCycleOf(settings({ general: { start_at_login: false, time_format: "24h", tray_all_day: true } }))).toBe("24h");
  });
});
