// The event list: one section per day with its heading, and an event card per event (time,
// title, "Now" badge, "Since yesterday 23:00" for one that began before today, calendar,
// location, and Join for web meeting links). A card opens the event's details on click or
// Enter. Focus on a card or its Join button survives a redraw.
import { openLink, type EventView } from "../../api";
import { colorDot, h, icon, ICONS, replace } from "../../dom";
import { formatEventWhen, isOngoing, isWebLink, startedBefore, visibleLocation, type DayGroup } from "../../format";
import type { Act, DashboardState } from "./state";

export type EventList = {
  /** Replaces the contents of the main area with these day groups. */
  render(groups: DayGroup[], t: Date): void;
};

/** Opens an event's details; `card` gets focus back when they close. */
export type OpenEvent = (ev: EventView, card: HTMLElement) => void;

export function createEvents(state: DashboardState, act: Act, content: HTMLElement, onOpen: OpenEvent): EventList {
  function render(groups: DayGroup[], t: Date): void {
    const focus = rememberFocus();
    replace(content, groups.map((g) => {
      const headingId = `day-${g.key}`;
      return h("section", { class: "day", "aria-labelledby": headingId },
        h("h2", { class: "day-heading", id: headingId }, g.label),
        h("ul", { class: "events" }, g.events.map((e) => renderEvent(e, t))));
    }));
    restoreFocus(focus);
  }

  function renderEvent(ev: EventView, t: Date): HTMLLIElement {
    const ongoing = isOngoing(ev, t);
    // Grouped under today although it began earlier: say so, or "23:00 – 01:00" reads as tonight.
    const since = startedBefore(ev, t, state.locale);
    const title = ev.title.trim() || "(No title)";
    const location = visibleLocation(ev);
    const join = isWebLink(ev.meeting_url)
      ? h("button", {
          type: "button", class: "btn btn-primary btn-small join", "aria-label": `Join ${title}`,
          onclick: () => void act(() => openLink((ev.meeting_url ?? "").trim())),
        }, icon(ICONS.video), "Join")
      : null;
    const classes = ["event", ev.all_day ? "all-day" : "timed", ongoing ? "ongoing" : ""].filter(Boolean).join(" ");
    const card = h("li", { class: classes, "data-event-id": ev.id, tabindex: "0", "aria-haspopup": "dialog",
      onclick: (e: Event) => {
        // Join is a button of its own.
        if (!(e.target as Element).closest("button, a")) onOpen(ev, card);
      },
      onkeydown: (e: Event) => {
        const k = (e as KeyboardEvent).key;
        if (e.target === card && (k === "Enter" || k === " ")) {
          e.preventDefault();
          onOpen(ev, card);
        }
      } },
      h("div", { class: "event-time" }, formatEventWhen(ev, state.locale)),
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
    return card;
  }

  type Focus = { id: string; cls: string } | null;
  function rememberFocus(): Focus {
    const a = document.activeElement;
    if (!(a instanceof HTMLElement) || !content.contains(a)) return null;
    const li = a.closest<HTMLElement>(".event");
    if (!li) return null;
    const cls = a.classList.contains("join") ? "join" : a === li ? "card" : "";
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

  return { render };
}
