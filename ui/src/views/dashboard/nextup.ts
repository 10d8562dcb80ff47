// The "next up" area at the top of the dashboard: the meeting(s) under way with the time left,
// then the next one with a countdown (under the title in a narrow window), a "Tentative" or
// "Not answered" word on an open invitation, each with Join when it has a web meeting link; a calm
// line when nothing is left. Updated in place each minute; only a change of meetings (not of
// the countdown) is announced to screen readers. Enter or Space on an item opens its card in
// the list below.
import { openLink, type EventView } from "../../api";
import { colorDot, h, icon, ICONS, inert, replace } from "../../dom";
import { nextUp, startsInText, timeLeftText } from "../../countdown";
import { dayKey, formatTime, formatTimeRange, isWebLink } from "../../format";
import { answerBadge, openAnswer } from "./events";
import type { Act, DashboardState } from "./state";

export type NextUpHooks = {
  act: Act;
  /** Opens an event's card in the list (focus and Details). */
  open: (id: string) => void;
};

export type NextUpArea = {
  element: HTMLElement;
  render(): void;
};

function titleOf(ev: EventView): string {
  return ev.title.trim() || "(No title)";
}

export function createNextUp(state: DashboardState, hooks: NextUpHooks): NextUpArea {
  const list = h("ul", { class: "next-up-list" });
  const live = h("p", { class: "sr-only next-up-live", "aria-live": "polite" });
  const element = h("section", { id: "next-up", class: "next-up", role: "region", "aria-label": "Next up", hidden: true },
    list, live);

  function renderItem(ev: EventView, ongoing: boolean, t: Date): HTMLLIElement {
    const title = titleOf(ev);
    const url = ev.meeting_url?.trim() ?? "";
    const when = ongoing ? timeLeftText(ev, t) : startsInText(ev, t, state.locale, state.hours);
    const classes = ["next-up-item", ongoing ? "ongoing" : "", openAnswer(ev) ?? ""].filter(Boolean).join(" ");
    const item = h("li", { class: classes, "data-event-id": ev.id, tabindex: 0 },
      colorDot(ev.calendar_color),
      h("div", { class: "next-up-main" },
        h("span", { class: "next-up-label small" }, ongoing ? "Now" : "Next"),
        h("span", { class: "next-up-title", title }, title),
        h("span", { class: "next-up-when" }, when),
        h("span", { class: "next-up-time small" },
          formatTimeRange(new Date(ev.start), new Date(ev.end), state.locale, state.hours), answerBadge(ev))),
      isWebLink(url) && h("button", {
        type: "button", class: "btn btn-primary btn-small next-up-join", "aria-label": `Join ${title}`,
        onclick: () => void hooks.act(() => openLink(url), url),
      }, icon(ICONS.video), "Join"));
    item.addEventListener("keydown", (e) => {
      if (e.target !== item || (e.key !== "Enter" && e.key !== " ")) return;
      e.preventDefault();
      hooks.open(ev.id);
    });
    return item;
  }

  /** What a screen reader hears: the meetings, not the minutes. */
  function announcement(ongoing: EventView[], next: EventView[]): string {
    const parts: string[] = [];
    if (ongoing.length) parts.push(`Now: ${ongoing.map(titleOf).join(", ")}.`);
    if (next.length) {
      const at = formatTime(new Date(next[0]!.start), state.locale, state.hours);
      parts.push(`Next: ${next.map(titleOf).join(", ")} at ${at}.`);
    }
    return parts.length ? parts.join(" ") : "No more meetings.";
  }

  let shownKey = "";
  let spokenKey = "";
  function render(): void {
    const { events, status } = state;
    // Nothing loaded yet, or the list below says there is nothing at all: no second empty box.
    const hide = events === null || events.length === 0 || (status !== null && status.accounts.length === 0);
    if (hide) {
      element.hidden = true;
      shownKey = "";
      return;
    }
    const t = state.now();
    const { ongoing, next } = nextUp(events, t);
    const noMoreToday = ongoing.length === 0 && (next.length === 0 || dayKey(new Date(next[0]!.start)) !== dayKey(t));
    const rows = [...ongoing.map((e) => renderItem(e, true, t)), ...next.map((e) => renderItem(e, false, t))];
    const key = JSON.stringify([rows.map((r) => r.textContent), ongoing.map((e) => e.id), next.map((e) => e.id),
      noMoreToday, state.days]);
    element.hidden = false;
    if (key !== shownKey) {
      shownKey = key;
      const focus = rememberFocus();
      const none = noMoreToday && h("li", { class: "next-up-none" },
        next.length ? "No more meetings today" : `No more meetings in the next ${state.days} days`);
      replace(list, none, rows);
      restoreFocus(focus);
    }
    const spoken = JSON.stringify([ongoing.map((e) => e.id), next.map((e) => e.id)]);
    if (spoken !== spokenKey) {
      spokenKey = spoken;
      live.textContent = inert(announcement(ongoing, next));
    }
  }

  type Focus = { id: string; join: boolean } | null;
  function rememberFocus(): Focus {
    const a = document.activeElement;
    if (!(a instanceof HTMLElement) || !list.contains(a)) return null;
    const item = a.closest<HTMLElement>(".next-up-item");
    return item ? { id: item.dataset.eventId ?? "", join: a.classList.contains("next-up-join") } : null;
  }
  function restoreFocus(f: Focus): void {
    if (!f) return;
    const item = [...list.querySelectorAll<HTMLElement>(".next-up-item")].find((el) => el.dataset.eventId === f.id);
    if (!item) return;
    (f.join ? item.querySelector<HTMLElement>(".next-up-join") : item)?.focus();
  }

  return { element, render };
}
