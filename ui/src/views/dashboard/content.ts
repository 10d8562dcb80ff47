// The main area: "Loading…", "Couldn't load your events" with Try again, the empty states (no
// calendars connected → Connect a calendar; nothing in the next days), or the day groups from
// events.ts. Redrawn only when what it shows changes.
import { openWindow } from "../../api";
import { h, replace } from "../../dom";
import { groupByDay, isOngoing } from "../../format";
import { createEvents, type OpenEvent } from "./events";
import type { Act, DashboardState } from "./state";

export type ContentHooks = {
  act: Act;
  /** Loads the events and status again. */
  reload: () => Promise<void>;
  openEvent: OpenEvent;
};

export type Content = {
  element: HTMLElement;
  render(): void;
  /** Focuses an event's card and opens its Details (from the next-up area). */
  open(id: string): void;
  /** Forgets what was drawn, so the next render() draws (after browsing borrowed the area). */
  invalidate(): void;
};

export function createContent(state: DashboardState, hooks: ContentHooks): Content {
  const element = h("main", { id: "content", class: "content", "aria-label": "Upcoming events" },
    h("p", { id: "loading", class: "loading", role: "status" }, "Loading…"));
  const eventList = createEvents(state, hooks.act, element, hooks.openEvent);

  let contentKey = "";
  function render(): void {
    const { events, status, loadError, days, locale, hours } = state;
    const t = state.now();
    if (events === null) {
      const key = loadError ? "failed" : "loading";
      if (key === contentKey) return;
      contentKey = key;
      if (loadError) {
        replace(element, h("div", { class: "empty", id: "empty-state" },
          h("p", { class: "empty-title" }, "Couldn't load your events"),
          h("button", { type: "button", class: "btn", id: "retry", onclick: () => void hooks.reload() }, "Try again")));
      } else {
        replace(element, h("p", { id: "loading", class: "loading", role: "status" }, "Loading…"));
      }
      return;
    }

    const groups = groupByDay(events, t, days, locale);
    const ongoing = events.filter((e) => isOngoing(e, t)).map((e) => e.id);
    const key = JSON.stringify([events, groups.map((g) => [g.key, g.label, g.events.length]), ongoing,
      status?.accounts.length ?? -1, status?.syncing ?? false, hours]);
    if (key === contentKey) return;
    contentKey = key;

    if (groups.length === 0) {
      replace(element, renderEmpty());
      return;
    }
    eventList.render(groups, t);
  }

  function renderEmpty(): HTMLElement {
    const { status, days } = state;
    const noAccounts = status !== null && status.accounts.length === 0;
    if (noAccounts) {
      return h("div", { class: "empty", id: "empty-state" },
        h("p", { class: "empty-title" }, "No calendars connected"),
        h("p", { class: "muted" }, "Connect Google Calendar, Microsoft 365 / Outlook, iCloud or CalDAV, subscribe to a calendar link or add the demo calendar to see what is coming up."),
        h("button", { type: "button", class: "btn btn-primary", id: "connect-calendar",
          onclick: () => void hooks.act(() => openWindow("settings")) }, "Connect a calendar"));
    }
    return h("div", { class: "empty", id: "empty-state" },
      h("p", { class: "empty-title" }, `Nothing in the next ${days} days`),
      h("p", { class: "muted" }, status?.syncing ? "Still syncing your calendars…" : "Enjoy the free time."));
  }

  return { element, render, open: (id) => void eventList.open(id), invalidate: () => void (contentKey = "") };
}
