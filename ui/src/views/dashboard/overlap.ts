// Which meetings overlap: shared by the event cards (the "Overlaps" badge) and the details panel
// ("Overlaps with …"), so both flag the same ones. Pure functions of the events.
import type { EventView } from "../../api";

/** True when an event takes up time: timed, not declined by me, not cancelled. */
export function takesTime(ev: EventView): boolean {
  return !ev.all_day && ev.my_response !== "declined" && ev.status !== "cancelled";
}

/** The events of `context` that take up time and whose spans intersect `ev`'s (not `ev` itself). */
export function overlapping(ev: EventView, context: EventView[]): EventView[] {
  if (ev.all_day) return [];
  const s = new Date(ev.start).getTime();
  const e = new Date(ev.end).getTime();
  return context.filter((o) => o.id !== ev.id && takesTime(o) &&
    new Date(o.start).getTime() < e && s < new Date(o.end).getTime());
}
