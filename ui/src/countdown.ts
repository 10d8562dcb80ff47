// What the "next up" area says: which loaded events count as meetings, which are under way and
// which comes next, and the countdown texts ("in 4 min", "20 min left", "tomorrow 09:00").
// Pure: every function takes `now` (and the locale and hour cycle where it prints a time).
import type { EventView } from "./api";
import { addDays, dayKey, formatTime, startOfDay, type HourCycle } from "./format";

const MINUTE = 60_000;

/**
 * Whether an event can be "the meeting you are in" or "the next meeting": timed, not cancelled
 * and not declined. All-day items (holidays, birthdays, out-of-office) never are.
 */
export function countsAsMeeting(ev: EventView): boolean {
  return !ev.all_day && ev.status !== "cancelled" && ev.my_response !== "declined";
}

export type NextUp = {
  /** Meetings under way at `now`, by start. */
  ongoing: EventView[];
  /** The meeting(s) starting soonest after `now` (several when they start together). */
  next: EventView[];
};

/** The ongoing meetings and the next one(s) among `events`. */
export function nextUp(events: EventView[], now: Date): NextUp {
  const t = now.getTime();
  const ongoing: EventView[] = [];
  let next: EventView[] = [];
  let nextStart = Infinity;
  for (const ev of events) {
    if (!countsAsMeeting(ev)) continue;
    const start = new Date(ev.start).getTime();
    const end = new Date(ev.end).getTime();
    if (!Number.isFinite(start) || !Number.isFinite(end)) continue;
    if (start <= t && t < end) {
      ongoing.push(ev);
    } else if (start > t) {
      if (start < nextStart) {
        nextStart = start;
        next = [ev];
      } else if (start === nextStart) {
        next.push(ev);
      }
    }
  }
  const byStart = (a: EventView, b: EventView) =>
    new Date(a.start).getTime() - new Date(b.start).getTime() || new Date(a.end).getTime() - new Date(b.end).getTime();
  return { ongoing: ongoing.sort(byStart), next };
}

/** A duration in whole minutes, rounded up: "4 min", "1 h", "1 h 20 min". */
export function durationText(ms: number): string {
  const min = Math.max(1, Math.ceil(ms / MINUTE));
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const m = min % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "20 min left", "1 h 5 min left" for a meeting under way. */
export function timeLeftText(ev: EventView, now: Date): string {
  return `${durationText(new Date(ev.end).getTime() - now.getTime())} left`;
}

/**
 * When a meeting starts, seen from `now`: "in 4 min" / "in 1 h 20 min" within the hour or later
 * today, "tomorrow 09:00", else "Fri 09:00".
 */
export function startsInText(ev: EventView, now: Date, locale?: string, hours?: HourCycle): string {
  const start = new Date(ev.start);
  const ms = start.getTime() - now.getTime();
  if (ms < 60 * MINUTE || dayKey(start) === dayKey(now)) return `in ${durationText(ms)}`;
  const time = formatTime(start, locale, hours);
  if (dayKey(start) === dayKey(addDays(startOfDay(now), 1))) return `tomorrow ${time}`;
  return `${new Intl.DateTimeFormat(locale, { weekday: "short" }).format(start)} ${time}`;
}
