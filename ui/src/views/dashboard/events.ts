// The event list: one section per day with its heading, the day's all-day and multi-day events
// as one compact line each ("day 2 of 3"), then an event card per timed event (time, title,
// "Now" badge, "Since yesterday 23:00" / "until 01:00" for one that began before today,
// calendar, location and Join for web meeting links). Cards and all-day lines are focusable in
// reading order and open the event's details on click, Enter or Space; tentative, unanswered and
// declined invitations are marked by class, tentative and unanswered also by a word ("Tentative",
// "Not answered"); a meeting that overlaps another gets "Overlaps", one in several calendars
// "(also in Team)". Focus on a card or its Join button survives a redraw.
import { openLink, type EventView } from "../../api";
import { colorDot, h, icon, ICONS, replace } from "../../dom";
import {
  formatEventWhen,
  formatUntil,
  isOngoing,
  isWebLink,
  spanDay,
  startedBefore,
  visibleLocation,
  type DayGroup,
} from "../../format";
import { overlapping, takesTime } from "./overlap";
import type { Act, DashboardState } from "./state";

export type EventList = {
  /** Replaces the contents of the main area with these day groups. */
  render(groups: DayGroup[], t: Date): void;
  /** Moves focus to an event's card (or all-day line) and opens its details; false if not shown. */
  open(id: string): boolean;
};

/** An invitation still open: "tentative" (my answer or the event's status), "unanswered", or null. */
export function openAnswer(ev: EventView): "tentative" | "unanswered" | null {
  if (ev.status === "cancelled" || ev.my_response === "declined") return null;
  if (ev.my_response === "needs_action") return "unanswered";
  if (ev.my_response === "tentative" || ev.status === "tentative") return "tentative";
  return null;
}

/**
 * The answer classes of a card: "tentative" (tentative or not yet answered, plus "unanswered"
 * for the latter), "declined", "cancelled".
 */
export function responseClass(ev: EventView): string {
  if (ev.status === "cancelled") return "cancelled";
  if (ev.my_response === "declined") return "declined";
  const open = openAnswer(ev);
  return open === "unanswered" ? "tentative unanswered" : open ?? "";
}

/** The word for an open invitation, as a badge a screen reader reads too (null: none). */
export function answerBadge(ev: EventView): HTMLSpanElement | null {
  const open = openAnswer(ev);
  if (!open) return null;
  return h("span", { class: `badge answer-badge ${open}` }, open === "tentative" ? "Tentative" : "Not answered");
}

/** "Overlaps" on a card whose meeting takes up time shared with others, naming them. */
function overlapBadge(ev: EventView, context: EventView[]): HTMLSpanElement | null {
  const others = takesTime(ev) ? overlapping(ev, context) : [];
  if (others.length === 0) return null;
  const names = `Overlaps with ${others.map(titleOf).join(", ")}`;
  return h("span", { class: "badge overlap-badge", title: names },
    h("span", { "aria-hidden": "true" }, "Overlaps"), h("span", { class: "sr-only" }, names));
}

/** "Also in Team, Home": every other calendar, for the tooltip. */
function alsoInTitle(ev: EventView): string {
  return `Also in ${(ev.also_in ?? []).map((c) => c.calendar_name).join(", ")}`;
}

/** "(also in Team)" or "(also in Team + 2)" for a meeting merged from several calendars. */
export function alsoInText(ev: EventView): string | null {
  const names = (ev.also_in ?? []).map((c) => c.calendar_name.trim() || "(unnamed)");
  if (names.length === 0) return null;
  return names.length === 1 ? `(also in ${names[0]})` : `(also in ${names[0]} + ${names.length - 1})`;
}

function titleOf(ev: EventView): string {
  return ev.title.trim() || "(No title)";
}

/** Opens an event's details; `card` gets focus back when they close. */
export type OpenEvent = (ev: EventView, card: HTMLElement) => void;

export function createEvents(state: DashboardState, act: Act, content: HTMLElement, onOpen: OpenEvent): EventList {
  /** The events last drawn, by id (what open(id) opens). */
  let shown = new Map<string, EventView>();

  /** Makes an item open the event's details on click (not on its own buttons), Enter or Space. */
  function opener(item: HTMLElement, ev: EventView): void {
    item.setAttribute("aria-haspopup", "dialog");
    item.addEventListener("click", (e) => {
      if (!(e.target as Element).closest("button, a")) onOpen(ev, item);
    });
    item.addEventListener("keydown", (e) => {
      // Only on the item itself: Enter on Join keeps its own meaning.
      if (e.target !== item || (e.key !== "Enter" && e.key !== " ")) return;
      e.preventDefault();
      onOpen(ev, item);
    });
  }

  function render(groups: DayGroup[], t: Date): void {
    const focus = rememberFocus();
    shown = new Map(groups.flatMap((g) => g.events.map((e) => [e.id, e] as const)));
    replace(content, groups.map((g) => {
      const headingId = `day-${g.key}`;
      const allDay = g.events.filter((e) => e.all_day);
      const timed = g.events.filter((e) => !e.all_day);
      return h("section", { class: "day", "aria-labelledby": headingId },
        h("h2", { class: "day-heading", id: headingId }, g.label),
        allDay.length > 0 && h("ul", { class: "allday-lines" }, allDay.map((e) => renderAllDay(e, g.date))),
        timed.length > 0 && h("ul", { class: "events" }, timed.map((e) => renderEvent(e, t))));
    }));
    restoreFocus(focus);
  }

  function renderAllDay(ev: EventView, day: Date): HTMLLIElement {
    const title = titleOf(ev);
    const span = spanDay(ev, day);
    // Still an "event" (lists and tests find every event by that class), drawn as one line.
    const classes = ["event", "all-day", "allday-line", responseClass(ev)].filter(Boolean).join(" ");
    const line = h("li", { class: classes, "data-event-id": ev.id, tabindex: 0 },
      h("span", { class: "event-time" }, "All day"),
      colorDot(ev.calendar_color),
      h("span", { class: "event-title", title }, title),
      span && h("span", { class: "allday-span small" }, `day ${span.index} of ${span.total}`));
    opener(line, ev);
    return line;
  }

  function renderEvent(ev: EventView, t: Date): HTMLLIElement {
    const ongoing = isOngoing(ev, t);
    // Grouped under today although it began earlier: say so, or "23:00 – 01:00" reads as tonight.
    const since = startedBefore(ev, t, state.locale, state.hours);
    const title = titleOf(ev);
    const location = visibleLocation(ev);
    const join = isWebLink(ev.meeting_url)
      ? h("button", {
          type: "button", class: "btn btn-primary btn-small join", "aria-label": `Join ${title}`,
          onclick: () => void act(() => openLink((ev.meeting_url ?? "").trim()), (ev.meeting_url ?? "").trim()),
        }, icon(ICONS.video), "Join")
      : null;
    const classes = ["event", "timed", ongoing ? "ongoing" : "", responseClass(ev)].filter(Boolean).join(" ");
    const when = since ? formatUntil(ev, t, state.locale, state.hours) : formatEventWhen(ev, state.locale, state.hours);
    const alsoIn = alsoInText(ev);
    const card = h("li", { class: classes, "data-event-id": ev.id, tabindex: 0 },
      h("div", { class: "event-time" }, when),
      h("div", { class: "event-main" },
        h("div", { class: "event-head" },
          h("span", { class: "event-title", title }, title),
          ongoing && h("span", { class: "badge-now" }, "Now")),
        since && h("div", { class: "event-since small" }, since),
        h("div", { class: "event-meta" },
          answerBadge(ev),
          overlapBadge(ev, state.events ?? []),
          h("span", { class: "event-calendar" }, colorDot(ev.calendar_color),
            h("span", { class: "event-calendar-name" }, ev.calendar_name),
            alsoIn && h("span", { class: "event-also-in", title: alsoInTitle(ev) }, alsoIn)),
          location && h("span", { class: "event-location" }, icon(ICONS.pin), location))),
      join);
    opener(card, ev);
    return card;
  }

  function open(id: string): boolean {
    const item = [...content.querySelectorAll<HTMLElement>(".event")].find((el) => el.dataset.eventId === id);
    const ev = shown.get(id);
    if (!item || !ev) return false;
    item.focus();
    onOpen(ev, item);
    return true;
  }

  type Focus = { id: string; cls: string } | null;
  function rememberFocus(): Focus {
    const a = document.activeElement;
    if (!(a instanceof HTMLElement) || !content.contains(a)) return null;
    const li = a.closest<HTMLElement>(".event");
    if (!li) return null;
    const cls = a === li ? "card" : a.classList.contains("join") ? "join" : "";
    return cls ? { id: li.dataset.eventId ?? "", cls } : null;
  }
  function restoreFocus(f: Focus): void {
    if (!f) return;
    for (const li of content.querySelectorAll<HTMLElement>(".event")) {
      if (li.dataset.eventId === f.id) {
        (f.cls === "join" ? li.querySelector<HTMLElement>(".join") : li)?.focus();
        return;
      }
    }
  }

  return { render, open };
}
