// The event list: one section per day with its heading, the day's all-day and multi-day events
// as one compact line each ("day 2 of 3"), then an event card per timed event (time, title,
// "Now" badge, "Since yesterday 23:00" / "until 01:00" for one that began before today,
// calendar, location and Join for web meeting links). Cards and all-day lines are focusable in
// reading order and open the event's details on click, Enter or Space; tentative, unanswered and
// declined invitations are marked by class. Focus on a card or its Join button survives a redraw.
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
import type { Act, DashboardState } from "./state";

export type EventList = {
  /** Replaces the contents of the main area with these day groups. */
  render(groups: DayGroup[], t: Date): void;
  /** Moves focus to an event's card (or all-day line) and opens its details; false if not shown. */
  open(id: string): boolean;
};

/** The answer classes of a card: "tentative" (tentative or not yet answered), "declined", "cancelled". */
export function responseClass(ev: EventView): string {
  if (ev.status === "cancelled") return "cancelled";
  if (ev.my_response === "declined") return "declined";
  if (ev.my_response === "tentative" || ev.my_response === "needs_action" || ev.status === "tentative") return "tentative";
  return "";
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
    const card = h("li", { class: classes, "data-event-id": ev.id, tabindex: 0 },
      h("div", { class: "event-time" }, when),
      h("div", { class: "event-main" },
        h("div", { class: "event-head" },
          h("span", { class: "event-title", title }, title),
          ongoing && h("span", { class: "badge-now" }, "Now")),
        since && h("div", { class: "event-since small" }, since),
        h("div", { class: "event-meta" },
          h("span", { class: "event-calendar" }, colorDot(ev.calendar_color),
            h("span", { class: "event-calendar-name" }, ev.calendar_name)),
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
