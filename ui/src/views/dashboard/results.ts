// Day groups for browsing results (search matches, a picked day): unlike the upcoming list,
// which starts at now and drops what has ended, these keep every occurrence they are given and
// put each on the day it starts (or on the first day shown, for one that began before it).
import type { EventView } from "../../api";
import { dayKey, dayLabel, parseEventTime, startOfDay, type DayGroup } from "../../format";

/** Groups events by the local day they start on, never before `firstDay`; days in order. */
export function groupFromDay(events: EventView[], firstDay: Date, now: Date, locale?: string): DayGroup[] {
  const first = startOfDay(firstDay);
  const groups = new Map<string, DayGroup>();
  for (const ev of events) {
    const start = parseEventTime(ev.start, ev.all_day);
    if (Number.isNaN(start.getTime())) continue;
    const day = start < first ? first : startOfDay(start);
    const key = dayKey(day);
    let g = groups.get(key);
    if (!g) {
      g = { key, date: day, label: dayLabel(day, now, locale), events: [] };
      groups.set(key, g);
    }
    g.events.push(ev);
  }
  const result = [...groups.values()].sort((a, b) => a.date.getTime() - b.date.getTime());
  for (const g of result) g.events.sort(byStart);
  return result;
}

/** All-day events first (in the order given), then timed ones by start, then end. */
function byStart(a: EventView, b: EventView): number {
  if (a.all_day !== b.all_day) return a.all_day ? -1 : 1;
  if (a.all_day) return 0;
  return new Date(a.start).getTime() - new Date(b.start).getTime() ||
    new Date(a.end).getTime() - new Date(b.end).getTime();
}

/** The dashboard's main area (#content), which browsing borrows from the upcoming list. */
export type MainArea = {
  /** Shows this in place of the upcoming list (`owner` names who borrowed it). */
  show(owner: string, node: Node): void;
  /** Gives the area back to the upcoming list if `owner` still has it. */
  release(owner: string): void;
  /** Who shows something now; null: the upcoming list. */
  owner(): string | null;
};

/** Draws day groups as the upcoming list's cards into a container (opening details on click). */
export type Cards = (container: HTMLElement, groups: DayGroup[]) => void;

/** "Wednesday 2 December 2026" (en-GB): the weekday, then the locale's own day-month-year. */
export function longDate(d: Date, locale?: string): string {
  const weekday = new Intl.DateTimeFormat(locale, { weekday: "long" }).format(d);
  return `${weekday} ${new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric" }).format(d)}`;
}
