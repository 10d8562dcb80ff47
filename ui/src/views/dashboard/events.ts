// The event list: one section per day with its heading, the day's all-day and multi-day events
// as one compact line each ("day 2 of 3"), then an event card per timed event (time, title,
// "Now" badge, "Since yesterday 23:00" / "until 01:00" for one that began before today,
// calendar, location, the Details disclosure kept open across redraws, and Join for web meeting
// links). Cards are focusable in reading order and open their Details with Enter or Space;
// tentative, unanswered and declined invitations are marked by class. Focus on a card, a Join
// button or Details survives a redraw.
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
  /** Moves focus to an event's card (or all-day line) and opens its Details; false if not shown. */
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

export function createEvents(state: DashboardState, act: Act, content: HTMLElement): EventList {
  const openDescriptions = new Set<string>();

  function render(groups: DayGroup[], t: Date): void {
    const focus = rememberFocus();
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
    return h("li", { class: classes, "data-event-id": ev.id, tabindex: 0 },
      h("span", { class: "event-time" }, "All day"),
      colorDot(ev.calendar_color),
      h("span", { class: "event-title", title }, title),
      span && h("span", { class: "allday-span small" }, `day ${span.index} of ${span.total}`));
  }

  function renderEvent(ev: EventView, t: Date): HTMLLIElement {
    const ongoing = isOngoing(ev, t);
    // Grouped under today although it began earlier: say so, or "23:00 – 01:00" reads as tonight.
    const since = startedBefore(ev, t, state.locale, state.hours);
    const title = titleOf(ev);
    const location = visibleLocation(ev);
    const description = ev.description?.trim();
    let details: HTMLDetailsElement | null = null;
    if (description) {
      details = h("details", { class: "event-description", open: openDescriptions.has(ev.id) },
        h("summary", null, "Details"),
        h("p", { class: "event-description-text" }, description));
      const d = details;
      d.addEventListener("toggle", () => {
        if (d.open) openDescriptions.add(ev.id);
        else openDescriptions.delete(ev.id);
      });
    }
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
          location && h("span", { class: "event-location" }, icon(ICONS.pin), location)),
        details),
      join);
    card.addEventListener("keydown", (e) => {
      // Only on the card itself: Enter on Join or Details keeps its own meaning.
      if (e.target !== card || (e.key !== "Enter" && e.key !== " ")) return;
      e.preventDefault();
      if (details) details.open = !details.open;
    });
    return card;
  }

  function open(id: string): boolean {
    const item = [...content.querySelectorAll<HTMLElement>(".event")].find((el) => el.dataset.eventId === id);
    if (!item) return false;
    const details = item.querySelector("details");
    if (details) details.open = true;
    item.focus();
    return true;
  }

  type Focus = { id: string; cls: string } | null;
  function rememberFocus(): Focus {
    const a = document.activeElement;
    if (!(a instanceof HTMLElement) || !content.contains(a)) return null;
    const li = a.closest<HTMLElement>(".event");
    if (!li) return null;
    const cls = a === li ? "card" : a.classList.contains("join") ? "join" : a.tagName === "SUMMARY" ? "summary" : "";
    return cls ? { id: li.dataset.eventId ?? "", cls } : null;
  }
  function restoreFocus(f: Focus): void {
    if (!f) return;
    for (const li of content.querySelectorAll<HTMLElement>(".event")) {
      if (li.dataset.eventId === f.id) {
        if (f.cls === "card") li.focus();
        else li.querySelector<HTMLElement>(f.cls === "join" ? ".join" : "summary")?.focus();
        return;
      }
    }
  }

  return { render, open };
}
