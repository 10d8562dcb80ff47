// Pure date and time logic for the views: parsing event times, local days, day labels,
// time ranges, "3 min ago", which events are under way and grouping events by local day.
// No DOM, no clock: every function takes `now` and an optional locale (undefined = the system's).
import type { Account, EventView, Settings } from "./api";

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** A "YYYY-MM-DD" floating date as local midnight. */
export function parseLocalDate(s: string): Date {
  const m = DATE_ONLY.exec(s);
  if (!m) return new Date(Number.NaN);
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** An event's start or end: all-day dates are local midnight, timed values are instants. */
export function parseEventTime(s: string, allDay: boolean): Date {
  return allDay || DATE_ONLY.test(s) ? parseLocalDate(s) : new Date(s);
}

export function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** Local calendar arithmetic (DST-safe: never adds 24 h). */
export function addDays(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
}

/** Local "YYYY-MM-DD" of an instant. */
export function dayKey(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Whole local days from a to b (b's day minus a's day). */
function dayDiff(a: Date, b: Date): number {
  const ua = Date.UTC(a.getFullYear(), a.getMonth(), a.getDate());
  const ub = Date.UTC(b.getFullYear(), b.getMonth(), b.getDate());
  return Math.round((ub - ua) / DAY);
}

/** "Today", "Tomorrow", then e.g. "Friday 27 November" (en-GB) / "Friday, November 27" (en-US). */
export function dayLabel(day: Date, now: Date, locale?: string): string {
  const diff = dayDiff(now, day);
  if (diff === 0) return "Today";
  if (diff === 1) return "Tomorrow";
  if (diff === -1) return "Yesterday";
  const opts: Intl.DateTimeFormatOptions = { weekday: "long", day: "numeric", month: "long" };
  if (day.getFullYear() !== now.getFullYear() && Math.abs(diff) > 300) opts.year = "numeric";
  return new Intl.DateTimeFormat(locale, opts).format(day);
}

/**
 * The 12/24-hour choice the shell resolved (settings view `hour_cycle`: `general.time_format`,
 * or the system locale's `LC_TIME`, which the webview cannot see); undefined = the locale's.
 */
export type HourCycle = "12h" | "24h";

/** The hour cycle the settings ask for: the shell's resolved one, else an explicit 12h/24h. */
export function hourCycleOf(settings: Settings | null | undefined): HourCycle | undefined {
  if (!settings) return undefined;
  const pick = (v: unknown): HourCycle | undefined => (v === "12h" || v === "24h" ? v : undefined);
  return pick(settings.hour_cycle) ?? pick(settings.general?.time_format);
}

/**
 * Clock time, e.g. "09:30" (en-GB, 24-hour clocks pad the hour) or "9:30 AM" (en-US); local
 * unless `timeZone` names another zone.
 */
export function formatTime(d: Date, locale?: string, hours?: HourCycle, timeZone?: string): string {
  const chosen: Intl.DateTimeFormatOptions = {
    ...(hours ? { hourCycle: hours === "12h" ? "h12" : "h23" } : {}),
    ...(timeZone ? { timeZone } : {}),
  };
  const cycle = new Intl.DateTimeFormat(locale, { hour: "numeric", ...chosen }).resolvedOptions().hourCycle;
  const hour = cycle === "h23" || cycle === "h24" ? "2-digit" : "numeric";
  return new Intl.DateTimeFormat(locale, { hour, minute: "2-digit", ...chosen }).format(d);
}

/** "09:30 – 10:00"; when the end is on a later day its weekday is added: "22:00 – Sat 02:00". */
export function formatTimeRange(start: Date, end: Date, locale?: string, hours?: HourCycle): string {
  const from = formatTime(start, locale, hours);
  let to = formatTime(end, locale, hours);
  if (dayDiff(start, end) > 0 && end.getTime() !== startOfDay(end).getTime()) {
    const wd = new Intl.DateTimeFormat(locale, { weekday: "short" }).format(end);
    to = `${wd} ${to}`;
  }
  return `${from} – ${to}`;
}

/** What the time column of an event says: "All day", "All day · until Fri 27 Nov" or a range. */
export function formatEventWhen(ev: EventView, locale?: string, hours?: HourCycle): string {
  if (ev.all_day) {
    const start = parseLocalDate(ev.start);
    const lastDay = addDays(parseLocalDate(ev.end), -1);
    if (dayDiff(start, lastDay) >= 1) {
      const until = new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short" }).format(lastDay);
      return `All day · until ${until}`;
    }
    return "All day";
  }
  return formatTimeRange(new Date(ev.start), new Date(ev.end), locale, hours);
}

/**
 * The time column of a timed event that began before today: "until 01:00" when it ends today,
 * "until Fri 01:00" when later (its start is on the "Since …" line, so a range would repeat it).
 */
export function formatUntil(ev: EventView, now: Date, locale?: string, hours?: HourCycle): string {
  const end = new Date(ev.end);
  const time = formatTime(end, locale, hours);
  if (dayDiff(now, end) <= 0) return `until ${time}`;
  return `until ${new Intl.DateTimeFormat(locale, { weekday: "short" }).format(end)} ${time}`;
}

/**
 * Which day of a multi-day all-day event `day` is: { index: 2, total: 3 } for "day 2 of 3";
 * null for a one-day event or a day outside it.
 */
export function spanDay(ev: EventView, day: Date): { index: number; total: number } | null {
  if (!ev.all_day) return null;
  const start = parseLocalDate(ev.start);
  const end = parseLocalDate(ev.end);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return null;
  const total = dayDiff(start, end);
  const index = dayDiff(start, day) + 1;
  if (total < 2 || index < 1 || index > total) return null;
  return { index, total };
}

/**
 * What a card under today says about an event that began on an earlier day and is still under
 * way: "Since yesterday 23:00", "Since Mon 09:00" (within a week) or "Since 3 Nov 09:00".
 * Null for an event that starts today or later, and for all-day events (their "until" says it).
 */
export function startedBefore(ev: EventView, now: Date, locale?: string, hours?: HourCycle): string | null {
  if (ev.all_day) return null;
  const start = new Date(ev.start);
  if (Number.isNaN(start.getTime()) || start.getTime() >= startOfDay(now).getTime()) return null;
  const time = formatTime(start, locale, hours);
  const days = dayDiff(start, now);
  if (days === 1) return `Since yesterday ${time}`;
  const opts: Intl.DateTimeFormatOptions = days < 7 ? { weekday: "short" } : { day: "numeric", month: "short" };
  return `Since ${new Intl.DateTimeFormat(locale, opts).format(start)} ${time}`;
}

/** "just now", "3 min ago", "2 h ago", "yesterday", "4 days ago". */
export function timeAgo(then: Date, now: Date): string {
  const ms = now.getTime() - then.getTime();
  if (!Number.isFinite(ms) || ms < MINUTE) return "just now";
  const min = Math.floor(ms / MINUTE);
  if (min < 60) return `${min} min ago`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = dayDiff(then, now);
  if (days <= 1) return "yesterday";
  return `${days} days ago`;
}

/** The dashboard header line: "Last synced 3 min ago" / "Not synced yet". */
export function lastSyncedText(iso: string | null, now: Date): string {
  if (!iso) return "Not synced yet";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "Not synced yet";
  return `Last synced ${timeAgo(d, now)}`;
}

/**
 * Whether a timed event is under way at `now` (start ≤ now < end). All-day events are never
 * "ongoing": a "Now" badge on every birthday and holiday would drown the meeting you are in.
 */
export function isOngoing(ev: EventView, now: Date): boolean {
  if (ev.all_day) return false;
  const t = now.getTime();
  return new Date(ev.start).getTime() <= t && t < new Date(ev.end).getTime();
}

/** Whether the event is over (for the dashboard to drop it between reloads). */
export function hasEnded(ev: EventView, now: Date): boolean {
  const end = parseEventTime(ev.end, ev.all_day);
  return end.getTime() <= (ev.all_day ? startOfDay(now).getTime() : now.getTime());
}

export type DayGroup = { key: string; date: Date; label: string; events: EventView[] };

/**
 * Groups events by local day, from today on, sorted by day. Within a day: all-day events first
 * (in the order given), then timed events by start, then end.
 *
 * - A timed event goes on the day it starts; one that started before today and is still under
 *   way goes on today.
 * - A multi-day all-day event appears on EVERY day it covers within the `days`-day window from
 *   today (so a conference shows on each of its days; the list draws it as one line a day).
 * - The window is `days` local days: today and the next `days - 1` (7 = today + 6). The shell
 *   answers "the next 7 × 24 h", which reaches into an eighth day: what starts there is left out.
 * - Events that have ended are left out.
 */
export function groupByDay(events: EventView[], now: Date, days = 7, locale?: string): DayGroup[] {
  const today = startOfDay(now);
  const windowEnd = addDays(today, days);
  const groups = new Map<string, DayGroup>();
  const put = (day: Date, ev: EventView) => {
    const key = dayKey(day);
    let g = groups.get(key);
    if (!g) {
      g = { key, date: startOfDay(day), label: dayLabel(day, now, locale), events: [] };
      groups.set(key, g);
    }
    g.events.push(ev);
  };

  for (const ev of events) {
    if (hasEnded(ev, now)) continue;
    if (ev.all_day) {
      const start = parseLocalDate(ev.start);
      const end = parseLocalDate(ev.end);
      if (Number.isNaN(start.getTime())) continue;
      const from = start < today ? today : start;
      const until = Number.isNaN(end.getTime()) || end <= start ? addDays(start, 1) : end;
      const stop = until < windowEnd ? until : windowEnd;
      for (let d = from; d < stop; d = addDays(d, 1)) put(d, ev);
    } else {
      const start = new Date(ev.start);
      if (Number.isNaN(start.getTime()) || start >= windowEnd) continue;
      put(start < today ? today : start, ev);
    }
  }

  const order = (a: EventView, b: EventView): number => {
    if (a.all_day !== b.all_day) return a.all_day ? -1 : 1;
    if (a.all_day) return 0; // stable sort keeps the given order
    return (
      new Date(a.start).getTime() - new Date(b.start).getTime() ||
      new Date(a.end).getTime() - new Date(b.end).getTime()
    );
  };
  const result = [...groups.values()].sort((a, b) => a.date.getTime() - b.date.getTime());
  for (const g of result) g.events.sort(order);
  return result;
}

/** The location worth showing: none when it is empty or just the meeting link again. */
export function visibleLocation(ev: EventView): string | null {
  const loc = ev.location?.trim();
  if (!loc) return null;
  if (ev.meeting_url) {
    const norm = (s: string) => s.trim().replace(/\/+$/, "").toLowerCase();
    if (norm(loc) === norm(ev.meeting_url)) return null;
  }
  return loc;
}

/** Only http(s) links are offered as "Join" (the shell checks again). */
export function isWebLink(url: string | null): url is string {
  return typeof url === "string" && /^https?:\/\/\S+$/i.test(url.trim());
}

/** The sync button while syncing: "Syncing Work… 120 events" (or just "Syncing…"). */
export function syncProgressText(p: { calendar: string; fetched: number } | null | undefined): string {
  if (!p) return "Syncing…";
  const n = p.fetched;
  return `Syncing ${p.calendar}… ${n} event${n === 1 ? "" : "s"}`;
}

/** An account's status line in settings: "Synced 5 min ago", "Needs sign-in" or its last error. */
export function accountStatusText(a: Account, now: Date): string {
  // A calendar link has no sign-in: its refusal is the link's problem, said in its own words.
  if (a.needs_reauth && a.provider === "ics") return a.last_error || "The link needs a login or is no longer valid";
  if (a.needs_reauth) return "Needs sign-in";
  if (a.last_error) return a.last_error;
  if (a.last_synced_at) {
    const d = new Date(a.last_synced_at);
    if (!Number.isNaN(d.getTime())) return `Synced ${timeAgo(d, now)}`;
  }
  return "Not synced yet";
}
