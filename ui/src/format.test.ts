// Unit tests of the pure date/time logic (TZ=UTC from vite.config.ts, locales passed explicitly).
import { describe, expect, test } from "vitest";
import {
  accountStatusText,
  dayKey,
  dayLabel,
  formatEventWhen,
  formatTime,
  formatTimeRange,
  groupByDay,
  isOngoing,
  isWebLink,
  lastSyncedText,
  parseEventTime,
  startedBefore,
  syncProgressText,
  timeAgo,
  visibleLocation,
} from "./format";
import { account, event, NOW } from "./test-helpers";

describe("environment", () => {
  test("tests run in UTC", () => {
    expect(new Date(2026, 6, 1).getTimezoneOffset()).toBe(0);
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toMatch(/^(UTC|Etc\/UTC)$/);
  });
});

describe("dayLabel", () => {
  test("Today and Tomorrow", () => {
    expect(dayLabel(new Date("2026-11-25T00:00:00Z"), NOW, "en-GB")).toBe("Today");
    expect(dayLabel(new Date("2026-11-25T23:59:00Z"), NOW, "en-GB")).toBe("Today");
    expect(dayLabel(new Date("2026-11-26T00:00:00Z"), NOW, "en-GB")).toBe("Tomorrow");
  });
  test("weekday and date after that, in the given locale", () => {
    const fri = new Date("2026-11-27T00:00:00Z");
    expect(dayLabel(fri, NOW, "en-GB")).toBe("Friday 27 November");
    expect(dayLabel(fri, NOW, "en-US")).toBe("Friday, November 27");
  });
  test("across a month and year end", () => {
    const now = new Date("2026-12-31T20:00:00Z");
    expect(dayLabel(new Date("2027-01-01T08:00:00Z"), now, "en-GB")).toBe("Tomorrow");
    expect(dayLabel(new Date("2027-01-02T08:00:00Z"), now, "en-GB")).toBe("Saturday 2 January");
  });
});

describe("times", () => {
  test("a time range in 24 h and 12 h locales", () => {
    const s = new Date("2026-11-25T09:30:00Z");
    const e = new Date("2026-11-25T10:00:00Z");
    expect(formatTimeRange(s, e, "en-GB")).toBe("09:30 – 10:00");
    expect(formatTimeRange(s, e, "en-US")).toMatch(/^9:30\sAM – 10:00\sAM$/);
  });
  test("a time in another zone keeps the hour cycle's padding rule", () => {
    const s = new Date("2026-11-25T18:18:00Z");
    expect(formatTime(s, "en-GB", "12h", "America/New_York")).toMatch(/^1:18\s(PM|pm)$/);
    expect(formatTime(s, "en-US", "24h", "Asia/Tokyo")).toBe("03:18");
  });
  test("the shell's hour cycle overrides the locale's", () => {
    const s = new Date("2026-11-25T23:50:00Z");
    const e = new Date("2026-11-26T00:20:00Z");
    expect(formatTime(s, "en-GB", "12h")).toMatch(/^11:50\s(PM|pm)$/);
    expect(formatTime(s, "en-US", "24h")).toBe("23:50");
    expect(formatTime(new Date("2026-11-25T09:05:00Z"), "en-US", "24h")).toBe("09:05");
    expect(formatTimeRange(s, e, "en-US", "24h")).toBe("23:50 – Thu 00:20");
    expect(formatTime(s, "en-GB")).toBe("23:50");
  });
  test("an end on a later day names its weekday, but not a plain midnight end", () => {
    expect(formatTimeRange(new Date("2026-11-27T22:00:00Z"), new Date("2026-11-28T02:00:00Z"), "en-GB"))
      .toBe("22:00 – Sat 02:00");
    expect(formatTimeRange(new Date("2026-11-27T22:00:00Z"), new Date("2026-11-28T00:00:00Z"), "en-GB"))
      .toBe("22:00 – 00:00");
  });
  test("all-day events", () => {
    expect(formatEventWhen(event({ all_day: true, start: "2026-11-25", end: "2026-11-26" }), "en-GB")).toBe("All day");
    expect(formatEventWhen(event({ all_day: true, start: "2026-11-25", end: "2026-11-28" }), "en-GB"))
      .toBe("All day · until Fri 27 Nov");
  });
  test("all-day dates are local midnight, timed values instants", () => {
    expect(dayKey(parseEventTime("2026-11-25", true))).toBe("2026-11-25");
    expect(parseEventTime("2026-11-25T10:00:00Z", false).toISOString()).toBe("2026-11-25T10:00:00.000Z");
  });
});

describe("startedBefore", () => {
  // NOW is Wednesday 25 November 09:45.
  const since = (start: string, end = "2026-11-25T11:00:00Z") =>
    startedBefore(event({ start, end }), NOW, "en-GB");
  test("an event under way since an earlier day says when it began", () => {
    expect(since("2026-11-24T23:00:00Z")).toBe("Since yesterday 23:00");
    expect(since("2026-11-23T09:00:00Z")).toBe("Since Mon 09:00");
    expect(since("2026-11-03T09:00:00Z")).toBe("Since 3 Nov 09:00");
  });
  test("nothing for events that start today, and for all-day events", () => {
    expect(since("2026-11-25T00:00:00Z")).toBeNull();
    expect(since("2026-11-25T09:30:00Z")).toBeNull();
    expect(startedBefore(event({ all_day: true, start: "2026-11-24", end: "2026-11-27" }), NOW, "en-GB")).toBeNull();
  });
});

describe("relative time", () => {
  const ago = (ms: number) => new Date(NOW.getTime() - ms);
  test("timeAgo", () => {
    expect(timeAgo(ago(20_000), NOW)).toBe("just now");
    expect(timeAgo(ago(-60_000), NOW)).toBe("just now"); // clock skew
    expect(timeAgo(ago(3 * 60_000 + 5_000), NOW)).toBe("3 min ago");
    expect(timeAgo(ago(59 * 60_000), NOW)).toBe("59 min ago");
    expect(timeAgo(ago(2 * 3_600_000), NOW)).toBe("2 h ago");
    expect(timeAgo(new Date("2026-11-24T08:00:00Z"), NOW)).toBe("yesterday");
    expect(timeAgo(new Date("2026-11-21T08:00:00Z"), NOW)).toBe("4 days ago");
  });
  test("lastSyncedText", () => {
    expect(lastSyncedText("2026-11-25T09:42:00Z", NOW)).toBe("Last synced 3 min ago");
    expect(lastSyncedText(null, NOW)).toBe("Not synced yet");
    expect(lastSyncedText("garbage", NOW)).toBe("Not synced yet");
  });
  test("accountStatusText", () => {
    expect(accountStatusText(account({ last_synced_at: "2026-11-25T09:40:00Z" }), NOW)).toBe("Synced 5 min ago");
    expect(accountStatusText(account({ needs_reauth: true }), NOW)).toBe("Needs sign-in");
    expect(accountStatusText(account({ last_error: "Google is down" }), NOW)).toBe("Google is down");
    expect(accountStatusText(account({ last_synced_at: null }), NOW)).toBe("Not synced yet");
    // a calendar link has no sign-in: its own error, or what a refused link means
    expect(accountStatusText(account({ provider: "ics", needs_reauth: true, last_error: "the feed answered 403" }), NOW))
      .toBe("the feed answered 403");
    expect(accountStatusText(account({ provider: "ics", needs_reauth: true, last_error: null }), NOW))
      .toBe("The link needs a login or is no longer valid");
  });
  test("syncProgressText", () => {
    expect(syncProgressText({ calendar: "Work", fetched: 120 })).toBe("Syncing Work… 120 events");
    expect(syncProgressText({ calendar: "Home", fetched: 1 })).toBe("Syncing Home… 1 event");
    expect(syncProgressText(null)).toBe("Syncing…");
  });
});

describe("ongoing", () => {
  test("start ≤ now < end, never all-day", () => {
    expect(isOngoing(event({ start: "2026-11-25T09:30:00Z", end: "2026-11-25T10:00:00Z" }), NOW)).toBe(true);
    expect(isOngoing(event({ start: "2026-11-25T09:45:00Z", end: "2026-11-25T10:00:00Z" }), NOW)).toBe(true);
    expect(isOngoing(event({ start: "2026-11-25T09:00:00Z", end: "2026-11-25T09:45:00Z" }), NOW)).toBe(false);
    expect(isOngoing(event({ start: "2026-11-25T10:00:00Z", end: "2026-11-25T11:00:00Z" }), NOW)).toBe(false);
    expect(isOngoing(event({ all_day: true, start: "2026-11-25", end: "2026-11-26" }), NOW)).toBe(false);
  });
});

describe("groupByDay", () => {
  const ids = (groups: ReturnType<typeof groupByDay>) => groups.map((g) => [g.label, g.events.map((e) => e.id)]);

  test("groups by local day with all-day events first", () => {
    const groups = groupByDay([
      event({ id: "a", start: "2026-11-25T11:00:00Z", end: "2026-11-25T12:00:00Z" }),
      event({ id: "b", start: "2026-11-25T10:00:00Z", end: "2026-11-25T10:30:00Z" }),
      event({ id: "c", all_day: true, start: "2026-11-25", end: "2026-11-26" }),
      event({ id: "d", start: "2026-11-26T08:00:00Z", end: "2026-11-26T09:00:00Z" }),
      event({ id: "e", start: "2026-11-27T08:00:00Z", end: "2026-11-27T09:00:00Z" }),
    ], NOW, 7, "en-GB");
    expect(ids(groups)).toEqual([
      ["Today", ["c", "b", "a"]],
      ["Tomorrow", ["d"]],
      ["Friday 27 November", ["e"]],
    ]);
  });

  test("a multi-day all-day event shows on each covered day inside the window", () => {
    const groups = groupByDay([
      event({ id: "conf", all_day: true, start: "2026-11-24", end: "2026-11-27" }), // Tue–Thu
      event({ id: "late", all_day: true, start: "2026-11-30", end: "2026-12-10" }), // runs past the window
    ], NOW, 7, "en-GB");
    expect(groups.map((g) => [g.key, g.events.map((e) => e.id)])).toEqual([
      ["2026-11-25", ["conf"]],
      ["2026-11-26", ["conf"]],
      ["2026-11-30", ["late"]],
      ["2026-12-01", ["late"]],
    ]);
  });

  test("an event under way since yesterday goes on today; ended events are dropped", () => {
    const groups = groupByDay([
      event({ id: "night", start: "2026-11-24T22:00:00Z", end: "2026-11-25T10:00:00Z" }),
      event({ id: "over", start: "2026-11-25T08:00:00Z", end: "2026-11-25T09:00:00Z" }),
      event({ id: "yday", all_day: true, start: "2026-11-24", end: "2026-11-25" }),
    ], NOW, 7, "en-GB");
    expect(ids(groups)).toEqual([["Today", ["night"]]]);
  });

  test("nothing in, nothing out", () => {
    expect(groupByDay([], NOW)).toEqual([]);
  });
});

describe("links and locations", () => {
  test("the location is hidden when it is just the meeting link", () => {
    const url = "https://meet.google.com/abc-defg-hij";
    expect(visibleLocation(event({ location: url, meeting_url: url }))).toBeNull();
    expect(visibleLocation(event({ location: `${url}/ `, meeting_url: url }))).toBeNull();
    expect(visibleLocation(event({ location: "Room 4", meeting_url: url }))).toBe("Room 4");
    expect(visibleLocation(event({ location: "  " }))).toBeNull();
  });
  test("only http(s) links can be joined", () => {
    expect(isWebLink("https://zoom.us/j/1")).toBe(true);
    expect(isWebLink("http://example.com")).toBe(true);
    expect(isWebLink("javascript:alert(1)")).toBe(false);
    expect(isWebLink("file:///etc/passwd")).toBe(false);
    expect(isWebLink(null)).toBe(false);
  });
});
