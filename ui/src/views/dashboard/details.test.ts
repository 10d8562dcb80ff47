// The event details panel against a mocked shell: every field, graceful without the engine's
// newer fields, hostile text, description links (only http(s), opened by the shell), the
// overlap flag, tentative / unanswered marks, and Esc giving focus back to the card.
import { emit } from "@tauri-apps/api/event";
import { expect, test } from "vitest";
import type { Attendee, EventView } from "../../api";
import { $, backend, calendar, event, named, NOW, settings, settle, status, usePage } from "../../test-helpers";
import { useStyles } from "../../test-styles";
import { mountDashboard, type MountedView } from ".";
import { responseCounts, splitLinks } from "./details";
import { overlapping } from "./overlap";

const page = usePage<MountedView>();

const EVIL = "<img src=x onerror=alert(1)>";
const person = (name: string, response: Attendee["response"], over: Partial<Attendee> = {}): Attendee =>
  ({ name, email: `${name.toLowerCase()}@example.com`, response, is_self: false, optional: false, ...over });

const attendees: Attendee[] = [
  person("Ann", "accepted"), person("Me", "tentative", { is_self: true }), person("Bo", "declined"),
  person("Cy", null, { optional: true }), person("Di", "needs_action"),
  ...["E1", "E2", "E3", "E4", "E5", "E6", "E7"].map((n) => person(n, "accepted")),
];

const full = event({
  id: "full", title: "Design review", provider: "google", location: "Room 4",
  meeting_url: "https://meet.google.com/abc-defg-hij", my_response: "tentative",
  description: "Agenda: https://docs.example.com/a?b=1. Old: javascript:alert(1) file:///etc/passwd",
  organizer: { name: "Ann", email: "ann@example.com" }, attendees, attendees_omitted: 3,
  web_link: "https://calendar.google.com/event?eid=xyz",
  also_in: [{ calendar_id: 11, calendar_name: "Team", calendar_color: "#22aa55", account_id: 2 }],
});

async function mount(events: EventView[]) {
  const calls = backend({
    upcoming_events: () => events, sync_status: () => status(),
    calendars: () => [calendar({ time_zone: "Asia/Tokyo" }), calendar({ id: 12, name: "Home", time_zone: "UTC" })],
  });
  page.view = mountDashboard(page.root, { now: () => NOW, locale: "en-GB" });
  await page.view.ready;
  await settle();
  return calls;
}

const card = (id: string) => $(`#content [data-event-id="${id}"]`, page.root);
const panel = () => $("#event-details", page.root);
const text = (sel: string) => $(`#event-details ${sel}`, page.root).textContent;

test("the panel shows every field, and its links go through the shell", async () => {
  const calls = await mount([full]);
  expect(panel().hidden).toBe(true);
  card("full").click();
  expect(panel().hidden).toBe(false);
  expect(panel().getAttribute("role")).toBe("dialog");
  expect(text(".details-title")).toBe("Design review");
  expect(text(".details-when")).toBe("Wednesday 25 November 2026 · 10:00 – 10:30");
  // The calendar's zone is not the local one (UTC here): its times too.
  expect(text(".details-zone")).toBe("19:00 – 19:30 in Asia/Tokyo");
  expect(text(".details-calendar")).toBe("Work");
  expect(text(".details-also-in")).toBe("Also in: Team");
  expect(text(".details-location")).toBe("Room 4");
  expect(text(".details-organizer")).toBe("Organizer: Ann <ann@example.com>");
  expect(text(".details-counts")).toBe("8 accepted, 1 tentative, 1 declined, 2 no answer");
  const items = () => [...page.root.querySelectorAll("#event-details .details-attendees li")];
  expect(items()).toHaveLength(10);
  expect(items()[1]?.textContent).toBe("?Me <me@example.com> (you) · tentative");
  expect(items()[2]?.textContent).toBe("✗Bo <bo@example.com> · declined");
  expect(items()[3]?.textContent).toBe("–Cy <cy@example.com> · optional · no answer");
  $("#event-details .details-more", page.root).click();
  expect(items()).toHaveLength(12);
  expect(page.root.querySelector("#event-details .details-more")).toBeNull();
  expect(text(".details-omitted")).toBe("and 3 more not listed");
  expect(text(".details-my-response")).toBe("Your response: Tentative");
  expect(text(".details-flags")).toBe("Tentative");
  expect(text(".details-description")).toBe(full.description);

  $("#event-details .details-meeting .join", page.root).click();
  $("#event-details .details-web-link", page.root).click();
  const links = [...page.root.querySelectorAll<HTMLElement>("#event-details .details-link")];
  expect(links.map((l) => [l.tagName, l.textContent])).toEqual([["BUTTON", "https://docs.example.com/a?b=1"]]);
  links[0]!.click();
  await settle();
  expect(text(".details-web-link")).toBe("Open in Google Calendar");
  expect(named(calls, "open_link").map((c) => c.args?.url)).toEqual([
    "https://meet.google.com/abc-defg-hij", "https://calendar.google.com/event?eid=xyz", "https://docs.example.com/a?b=1",
  ]);
  expect(page.root.querySelector("#event-details a[href]")).toBeNull();
});

test("without the engine's newer fields the panel shows what there is", async () => {
  await mount([event({ id: "plain", calendar_id: 12, calendar_name: "Home", provider: "ics", my_response: null })]);
  card("plain").click();
  expect(text(".details-title")).toBe("Planning");
  for (const sel of [".details-organizer", ".details-attendees", ".details-also-in", ".details-web-link",
    ".details-my-response", ".details-description", ".details-meeting", ".details-zone", ".details-overlap"]) {
    expect(page.root.querySelector(`#event-details ${sel}`), sel).toBeNull();
  }
});

test("hostile text is shown as text", async () => {
  await mount([event({ id: "evil", title: EVIL, description: `${EVIL} https://x.example/${EVIL}`, location: EVIL,
    organizer: { name: EVIL, email: null }, attendees: [person(EVIL, "accepted")], calendar_name: EVIL,
    also_in: [{ calendar_id: 3, calendar_name: EVIL, calendar_color: EVIL, account_id: 1 }] })]);
  card("evil").click();
  expect(text(".details-title")).toBe(EVIL);
  expect(text(".details-location")).toBe(EVIL);
  expect(text(".details-organizer")).toBe(`Organizer: ${EVIL}`);
  expect(text(".details-description")).toBe(`${EVIL} https://x.example/${EVIL}`);
  // A link stops at "<": the markup is never part of what is opened.
  expect(text(".details-link")).toBe("https://x.example/");
  expect(document.querySelector("img")).toBeNull();
});

test("terminal escapes and controls never reach the panel; the description keeps its lines", async () => {
  const hostile = "\u001b[31m<img src=x onerror=alert(1)>\u001b[0m Hostile \u001b]0;pwned\u0007title";
  await mount([event({ id: "esc", title: hostile, location: "Room\u202E 4", calendar_name: "Work\u0007",
    description: "Line one\r\nsee https://x.example/a\u001b[0m\n\u001b]8;;https://evil.example\u0007line three" })]);
  expect($('[data-event-id="esc"] .event-title', page.root).textContent).toBe("<img src=x onerror=alert(1)> Hostile title");
  card("esc").click();
  expect(text(".details-title")).toBe("<img src=x onerror=alert(1)> Hostile title");
  expect(text(".details-location")).toBe("Room 4");
  expect(text(".details-calendar")).toBe("Work");
  expect(text(".details-description")).toBe("Line one\nsee https://x.example/a\nline three");
  expect(text(".details-link")).toBe("https://x.example/a");
  expect(document.body.textContent).not.toMatch(/\u001b|\[31m|pwned/);
  expect(document.querySelector("img")).toBeNull();
});

test("the panel's times follow the 12/24-hour setting, as the cards do", async () => {
  const ev = event({ id: "e", start: "2026-11-25T11:18:00Z", end: "2026-11-25T11:48:00Z" });
  const withFormat = (time_format: "12h" | "24h") =>
    settings({ general: { start_at_login: false, time_format, tray_all_day: true } });
  backend({ upcoming_events: () => [ev], sync_status: () => status(), settings: () => withFormat("24h"),
    calendars: () => [calendar({ time_zone: "Asia/Tokyo" })] });
  page.view = mountDashboard(page.root, { now: () => NOW, locale: "en-US" });
  await page.view.ready;
  await settle();
  card("e").click();
  expect(text(".details-when")).toBe("Wednesday November 25, 2026 · 11:18 – 11:48");
  expect(text(".details-zone")).toBe("20:18 – 20:48 in Asia/Tokyo");
  page.view.destroy();
  backend({ upcoming_events: () => [ev], sync_status: () => status(), settings: () => withFormat("12h") });
  page.view = mountDashboard(page.root, { now: () => NOW, locale: "en-GB" });
  await page.view.ready;
  await settle();
  card("e").click();
  expect(text(".details-when")).toMatch(/^Wednesday 25 November 2026 · 11:18\sam – 11:48\sam$/i);
});

test("an attendee's answer never breaks; a long name gives way", async () => {
  const unstyle = useStyles(440);
  try {
    await mount([event({ id: "a", attendees: [person("Bartholomew-Maximilian Featherstonehaugh", "accepted")] })]);
    card("a").click();
    const person_ = $("#event-details .details-person", page.root);
    const answer = $("#event-details .details-response", page.root);
    expect(answer.textContent).toBe(" · accepted");
    expect(getComputedStyle(answer).whiteSpace).toBe("nowrap");
    expect(getComputedStyle(answer).flexShrink).toBe("0");
    expect(getComputedStyle(person_).textOverflow).toBe("ellipsis");
    expect(getComputedStyle(person_).minWidth).toBe("0");
    expect(person_.getAttribute("title")).toBe(person_.textContent);
  } finally {
    unstyle();
  }
});

test("web links name the provider's site", async () => {
  const link = "https://example.com/event/1";
  await mount([event({ id: "ms", provider: "microsoft", web_link: link }),
    event({ id: "dav", provider: "caldav", web_link: link, start: "2026-11-25T11:00:00Z", end: "2026-11-25T11:30:00Z" }),
    event({ id: "bad", provider: "google", web_link: "javascript:alert(1)", start: "2026-11-25T12:00:00Z", end: "2026-11-25T12:30:00Z" })]);
  card("ms").click();
  expect(text(".details-web-link")).toBe("Open in Outlook");
  card("dav").click();
  expect(text(".details-web-link")).toBe("Open event page");
  card("bad").click();
  expect(page.root.querySelector("#event-details .details-web-link")).toBeNull();
});

test("overlapping meetings are flagged; unanswered invitations marked", async () => {
  await mount([
    event({ id: "one", title: "Planning", my_response: "needs_action" }),
    event({ id: "two", title: "Design review", start: "2026-11-25T10:15:00Z", end: "2026-11-25T11:00:00Z" }),
    event({ id: "gone", title: "Declined one", start: "2026-11-25T10:00:00Z", end: "2026-11-25T10:30:00Z", my_response: "declined" }),
    event({ id: "next", title: "Right after", start: "2026-11-25T10:30:00Z", end: "2026-11-25T11:00:00Z" }),
  ]);
  card("one").click();
  expect(text(".details-overlap")).toBe("Overlaps with Design review");
  expect(text(".details-flags")).toBe("Not answered yet");
  expect(text(".details-my-response")).toBe("Your response: Not answered yet");
});

test("Enter opens the panel; Esc closes it and focus goes back to the card", async () => {
  await mount([full]);
  const c = card("full");
  c.focus();
  c.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
  expect(panel().hidden).toBe(false);
  expect(panel().contains(document.activeElement)).toBe(true);
  const esc = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
  document.activeElement!.dispatchEvent(esc);
  expect(esc.defaultPrevented).toBe(true);
  expect(panel().hidden).toBe(true);
  expect(document.activeElement).toBe(card("full"));
  // Join on the card joins; it does not open the panel.
  $('#content [data-event-id="full"] .join', page.root).click();
  expect(panel().hidden).toBe(true);
});

test("focus on a card survives a redraw of the list", async () => {
  let events = [full];
  backend({ upcoming_events: () => events, sync_status: () => status() });
  page.view = mountDashboard(page.root, { now: () => NOW, locale: "en-GB" });
  await page.view.ready;
  card("full").focus();
  events = [{ ...full, title: "Design review (moved)" }];
  await emit("data-changed", null);
  await settle();
  expect(card("full").textContent).toContain("(moved)");
  expect(document.activeElement).toBe(card("full"));
});

test("pure helpers: links, counts, overlaps", () => {
  expect(splitLinks("see https://a.example/x, then (https://b.example/y).")).toEqual([
    { text: "see ", link: false }, { text: "https://a.example/x", link: true }, { text: ", then (", link: false },
    { text: "https://b.example/y", link: true }, { text: ").", link: false },
  ]);
  expect(splitLinks("javascript:alert(1) data:text/html,x ftp://f")).toEqual([
    { text: "javascript:alert(1) data:text/html,x ftp://f", link: false }]);
  expect(responseCounts([person("A", "accepted"), person("B", null), person("C", "needs_action")]))
    .toBe("1 accepted, 2 no answer");
  const a = event({ id: "a" });
  expect(overlapping(a, [a, event({ id: "day", all_day: true, start: "2026-11-25", end: "2026-11-26" })])).toEqual([]);
});
