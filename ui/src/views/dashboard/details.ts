// The event details panel (#event-details, a modal dialog) opened from an event card: title,
// when (and in the calendar's own time zone when that is not the local one), the calendar and
// the other calendars the meeting is in, location, the meeting link with Join, the organizer,
// the attendees and their answers, my answer, overlapping meetings, the description as plain
// text with its http(s) links as buttons that ask the shell to open them, and the event's page
// at its provider. Esc, × or a click beside it closes it and gives focus back to the card.
import { openLink, type Attendee, type EventView, type Person } from "../../api";
import { colorDot, h, icon, ICONS, inert, lines, replace, type Child } from "../../dom";
import { formatEventWhen, formatTime, isWebLink, parseEventTime, visibleLocation } from "../../format";
import { overlapping } from "./overlap";
import { longDate } from "./results";
import type { Act, DashboardState } from "./state";

/** Attendees listed before "Show all": a town hall's 300 would bury everything else. */
export const ATTENDEES_SHOWN = 10;

export type DetailsHooks = {
  act: Act;
  /** The IANA time zone of a calendar, when known. */
  zoneOf: (calendarId: number) => string | null;
};

export type Details = {
  element: HTMLElement;
  /** Shows the event; `context`: the events around it (for the overlap flag); focus returns to `opener`. */
  open(ev: EventView, opener: HTMLElement | null, context: EventView[]): void;
  close(): void;
};

const RESPONSES: Record<string, { mark: string; word: string }> = {
  accepted: { mark: "✓", word: "accepted" },
  tentative: { mark: "?", word: "tentative" },
  declined: { mark: "✗", word: "declined" },
};
const NO_ANSWER = { mark: "–", word: "no answer" };

/** "Accepted", "Tentative", "Declined", "Not answered yet" (null: not an invitation). */
export function myResponseText(response: string | null): string | null {
  switch (response) {
    case "accepted": return "Accepted";
    case "tentative": return "Tentative";
    case "declined": return "Declined";
    case "needs_action": return "Not answered yet";
    default: return null;
  }
}

/** "5 accepted, 1 tentative, 2 no answer" (kinds with nobody left out). */
export function responseCounts(attendees: Attendee[]): string {
  const order = ["accepted", "tentative", "declined", "no answer"];
  const counts = new Map<string, number>();
  for (const a of attendees) {
    const word = (a.response ? RESPONSES[a.response] : undefined)?.word ?? NO_ANSWER.word;
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return order.filter((w) => counts.has(w)).map((w) => `${counts.get(w)} ${w}`).join(", ");
}

const LINK = /https?:\/\/[^\s<>"]+/gi;

/** Text with its http(s) links cut out: [text, link, text, …]; links lose trailing punctuation. */
export function splitLinks(text: string): { text: string; link: boolean }[] {
  const parts: { text: string; link: boolean }[] = [];
  let at = 0;
  for (const m of text.matchAll(LINK)) {
    const link = m[0].replace(/[.,;:!?)\]}'»”]+$/, "");
    const start = m.index ?? 0;
    if (start > at) parts.push({ text: text.slice(at, start), link: false });
    parts.push({ text: link, link: true });
    at = start + link.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), link: false });
  return parts;
}

function personText(p: Person): string {
  const name = p.name?.trim();
  const email = p.email?.trim();
  if (name && email && name !== email) return `${name} <${email}>`;
  return name || email || "(unknown)";
}

function webLinkLabel(provider: string): string {
  if (provider === "google") return "Open in Google Calendar";
  if (provider === "microsoft") return "Open in Outlook";
  return "Open event page";
}

export function createDetails(state: DashboardState, hooks: DetailsHooks): Details {
  const card = h("div", { class: "details-card" });
  const element = h("div", {
    id: "event-details", class: "details", role: "dialog", "aria-modal": "true",
    "aria-labelledby": "details-title", hidden: true,
  }, card);
  let opener: HTMLElement | null = null;
  let openerId: string | null = null;

  element.addEventListener("click", (e) => {
    if (e.target === element) close(); // a click beside the panel
  });
  element.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation(); // Esc closes the panel, not the window
      close();
    } else if (e.key === "Tab") {
      keepFocusInside(e);
    }
  });

  function keepFocusInside(e: KeyboardEvent): void {
    const focusable = [...element.querySelectorAll<HTMLElement>("button:not([disabled]), [tabindex='0']")]
      .filter((el) => !el.closest("[hidden]"));
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  const linkButton = (url: string, label: string, cls: string) =>
    h("button", { type: "button", class: cls, onclick: () => void hooks.act(() => openLink(url)) }, label);

  function when(ev: EventView): Child[] {
    const start = parseEventTime(ev.start, ev.all_day);
    const date = longDate(start, state.locale);
    const lines: Child[] = [h("p", { class: "details-when" }, `${date} · ${formatEventWhen(ev, state.locale, state.hours)}`)];
    const zone = hooks.zoneOf(ev.calendar_id);
    const local = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!ev.all_day && zone && zone !== local) {
      try {
        const at = (d: Date) => formatTime(d, state.locale, state.hours, zone);
        lines.push(h("p", { class: "details-zone small muted" },
          `${at(start)} – ${at(new Date(ev.end))} in ${zone}`));
      } catch {
        /* a zone this webview does not know: the local times above still hold */
      }
    }
    return lines;
  }

  function attendeeList(ev: EventView): Child {
    const attendees = ev.attendees ?? [];
    const omitted = ev.attendees_omitted ?? 0;
    if (attendees.length === 0 && omitted === 0) return null;
    const items = attendees.map((a) => {
      const r = (a.response ? RESPONSES[a.response] : undefined) ?? NO_ANSWER;
      return h("li", { class: `details-attendee response-${a.response ?? "none"}` },
        h("span", { class: "details-mark", "aria-hidden": "true" }, r.mark),
        h("span", { class: "details-person", title: personText(a) }, personText(a)),
        h("span", { class: "details-response small muted" },
          [a.is_self ? " (you)" : "", a.optional ? " · optional" : "", ` · ${r.word}`].join("")));
    });
    const list = h("ul", { class: "details-attendees" }, items.slice(0, ATTENDEES_SHOWN));
    const more = items.length > ATTENDEES_SHOWN
      ? h("button", { type: "button", class: "link-btn details-more", onclick: () => {
          list.append(...items.slice(ATTENDEES_SHOWN));
          more?.remove();
        } }, `Show all ${items.length} attendees`)
      : null;
    return h("div", { class: "details-section" },
      h("h3", { class: "details-label" }, "Attendees"),
      attendees.length > 0 && h("p", { class: "details-counts small muted" }, responseCounts(attendees)),
      list, more,
      omitted > 0 && h("p", { class: "small muted details-omitted" }, `and ${omitted} more not listed`));
  }

  function description(text: string): HTMLElement {
    // Made inert before the links are found, so a link never carries an escape sequence; its
    // lines are kept (the panel shows it with pre-wrap).
    return h("div", { class: "details-description" }, splitLinks(inert(text, true)).map((p) =>
      p.link ? linkButton(p.text, p.text, "link-btn details-link") : lines(p.text)));
  }

  function open(ev: EventView, from: HTMLElement | null, context: EventView[]): void {
    opener = from;
    openerId = from?.dataset.eventId ?? null;
    const title = ev.title.trim() || "(No title)";
    const mine = myResponseText(ev.my_response);
    const overlaps = overlapping(ev, context);
    const location = visibleLocation(ev);
    const desc = ev.description?.trim();
    const alsoIn = ev.also_in ?? [];
    const closeBtn = h("button", { type: "button", class: "icon-btn details-close", "aria-label": "Close",
      title: "Close", onclick: () => close() }, "×");
    replace(card,
      h("div", { class: "details-head" }, h("h2", { id: "details-title", class: "details-title" }, title), closeBtn),
      h("div", { class: "details-flags" },
        ev.my_response === "tentative" && h("span", { class: "badge details-flag tentative" }, "Tentative"),
        ev.my_response === "needs_action" && h("span", { class: "badge details-flag unanswered" }, "Not answered yet"),
        ev.status === "cancelled" && h("span", { class: "badge details-flag cancelled" }, "Cancelled")),
      overlaps.length > 0 && h("p", { class: "details-overlap" },
        `Overlaps with ${overlaps.map((o) => o.title.trim() || "(No title)").join(", ")}`),
      when(ev),
      h("p", { class: "details-calendar" }, colorDot(ev.calendar_color), h("span", null, ev.calendar_name)),
      alsoIn.length > 0 && h("div", { class: "details-also-in small" }, h("span", { class: "muted" }, "Also in: "),
        h("ul", { class: "details-also-in-list" }, alsoIn.map((c) =>
          h("li", null, colorDot(c.calendar_color), h("span", null, c.calendar_name))))),
      location && h("p", { class: "details-location" }, icon(ICONS.pin), h("span", null, location)),
      isWebLink(ev.meeting_url) && h("div", { class: "details-meeting" },
        h("span", { class: "details-meeting-url small" }, ev.meeting_url.trim()),
        h("button", { type: "button", class: "btn btn-primary btn-small join", "aria-label": `Join ${title}`,
          onclick: () => void hooks.act(() => openLink((ev.meeting_url ?? "").trim())) }, icon(ICONS.video), "Join")),
      ev.organizer && h("p", { class: "details-organizer" }, h("span", { class: "muted" }, "Organizer: "),
        personText(ev.organizer)),
      attendeeList(ev),
      mine && h("p", { class: "details-my-response" }, h("span", { class: "muted" }, "Your response: "), mine),
      desc && description(desc),
      isWebLink(ev.web_link ?? null) &&
        linkButton((ev.web_link ?? "").trim(), webLinkLabel(ev.provider), "btn btn-small details-web-link"));
    element.hidden = false;
    closeBtn.focus();
  }

  function close(): void {
    if (element.hidden) return;
    element.hidden = true;
    replace(card);
    // The card may have been redrawn meanwhile: find its successor by the event's id.
    const target = opener?.isConnected ? opener
      : [...document.querySelectorAll<HTMLElement>("[data-event-id]")].find((el) => el.dataset.eventId === openerId);
    target?.focus();
    opener = null;
    openerId = null;
  }

  return { element, open, close };
}
