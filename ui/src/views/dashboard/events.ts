// The event list: one section per day with its heading, and an event card per event (time,
// title, "Now" badge, "Since yesterday 23:00" for one that began before today, calendar,
// location, the Details disclosure kept open across redraws, and Join for web meeting links).
// Focus on a Join button or Details survives a redraw.
import { openLink, type EventView } from "../../api";
import { colorDot, h, icon, ICONS, replace } from "../../dom";
import { formatEventWhen, isOngoing, isWebLink, startedBefore, visibleLocation, type DayGroup } from "../../format";
import type { Act, DashboardState } from "./state";

export type EventList = {
  /** Replaces the contents of the main area with these day groups. */
  render(groups: DayGroup[], t: Date): void;
};

export function createEvents(state: DashboardState, act: Act, content: HTMLElement): EventList {
  const openDescriptions = new Set<string>();

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
          onclick: () => void act(() => openLink((ev.meeting_url ?? "").trim())),
        }, icon(ICONS.video), "Join")
      : null;
    const classes = ["event", ev.all_day ? "all-day" : "timed", ongoing ? "ongoing" : ""].filter(Boolean).join(" ");
    return h("li", { class: classes, "data-event-id": ev.id },
      h("div", { class: "event-time" }, formatEventWhen(ev, state.locale)),
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
  }

  type Focus = { id: string; cls: string } | null;
  function rememberFocus(): Focus {
    const a = document.activeElement;
    if (!(a instanceof HTMLElement) || !content.contains(a)) return null;
    const li = a.closest<HTMLElement>(".event");
    if (!li) return null;
    const cls = a.classList.contains("join") ? "join" : a.tagName === "SUMMARY" ? "summary" : "";
    return cls ? { id: li.dataset.eventId ?? "", cls } : null;
  }
  function restoreFocus(f: Focus): void {
    if (!f) return;
    for (const li of content.querySelectorAll<HTMLElement>(".event")) {
      if (li.dataset.eventId === f.id) {
        li.querySelector<HTMLElement>(f.cls === "join" ? ".join" : "summary")?.focus();
        return;
      }
    }
  }

  return { render };
}
