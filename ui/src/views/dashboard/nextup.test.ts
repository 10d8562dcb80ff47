// The next-up area of the dashboard: the states of a day (nothing on, in a meeting with the
// next in 3 min, overlapping meetings, midnight with all-day items), the minute countdown and
// the screen-reader line that speaks only when the meetings change.
import { afterEach, describe, expect, test, vi } from "vitest";
import type { EventView } from "../../api";
import { $, backend, event, named, NOW, settle, status, usePage } from "../../test-helpers";
import { useStyles } from "../../test-styles";
import { mountDashboard, type MountedView } from "./index";

const page = usePage<MountedView>();

async function mountWith(events: EventView[], now: () => Date = () => NOW) {
  const calls = backend({ upcoming_events: () => events, sync_status: () => status() });
  page.view = mountDashboard(page.root, { now, locale: "en-GB" });
  await page.view.ready;
  return calls;
}

const items = () => [...page.root.querySelectorAll<HTMLElement>("#next-up .next-up-item")];
const rows = () => items().map((i) => [
  i.querySelector(".next-up-title")?.textContent,
  i.querySelector(".next-up-when")?.textContent,
  i.classList.contains("ongoing"),
]);
const url = "https://meet.example.com/abc";

describe("next up in a narrow window", () => {
  let unstyle: (() => void) | null = null;
  afterEach(() => {
    unstyle?.();
    unstyle = null;
  });
  const ev = event({ id: "d", title: "Design review with Fabrikam", start: "2026-11-25T10:00:00Z", end: "2026-11-25T10:30:00Z" });

  test("at 360 px the countdown goes under the title, which may take two lines", async () => {
    unstyle = useStyles(360);
    await mountWith([ev]);
    const style = (sel: string) => getComputedStyle($(`#next-up ${sel}`, page.root));
    expect(style(".next-up-title").whiteSpace).toBe("normal");
    expect(style(".next-up-title").getPropertyValue("-webkit-line-clamp")).toBe("2");
    // A column of its own under the title (the grid has two: the label and the title).
    expect(style(".next-up-when").gridColumn).toBe("2");
    expect(style(".next-up-time").gridColumn).toBe("2");
  });

  test("in a wider window they share the line", async () => {
    unstyle = useStyles(480);
    await mountWith([ev]);
    const style = (sel: string) => getComputedStyle($(`#next-up ${sel}`, page.root));
    expect(style(".next-up-title").whiteSpace).toBe("nowrap");
    expect(style(".next-up-when").gridColumn).toBe("");
  });

  test("an open invitation says so, in words and by its border", async () => {
    unstyle = useStyles(480);
    await mountWith([
      event({ id: "t", title: "Maybe", my_response: "tentative", start: "2026-11-25T09:30:00Z", end: "2026-11-25T10:15:00Z" }),
      event({ id: "n", title: "Unanswered", my_response: "needs_action", start: "2026-11-25T10:00:00Z", end: "2026-11-25T10:30:00Z" }),
    ]);
    const item = (id: string) => $(`#next-up [data-event-id="${id}"]`, page.root);
    expect(item("t").querySelector(".answer-badge")?.textContent).toBe("Tentative");
    expect(item("n").querySelector(".answer-badge")?.textContent).toBe("Not answered");
    expect(getComputedStyle(item("n")).borderTopStyle).toBe("dotted");
    // Under way: the accent border stays, but the word is there.
    expect(item("t").classList.contains("ongoing")).toBe(true);
  });
});

describe("next up", () => {
  test("a region at the top, before the day list", async () => {
    await mountWith([event({ start: "2026-11-25T13:00:00Z", end: "2026-11-25T14:00:00Z" })]);
    const area = $("#next-up", page.root);
    expect(area.tagName).toBe("SECTION");
    expect(area.getAttribute("role")).toBe("region");
    expect(area.getAttribute("aria-label")).toBe("Next up");
    expect(area.hidden).toBe(false);
    expect(area.compareDocumentPosition($("#content", page.root)) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  test("nothing ongoing: the next meeting with its countdown", async () => {
    await mountWith([event({ id: "p", title: "Planning", start: "2026-11-25T11:05:00Z", end: "2026-11-25T12:00:00Z" })]);
    expect(rows()).toEqual([["Planning", "in 1 h 20 min", false]]);
    expect(page.root.querySelector(".next-up-none")).toBeNull();
    expect(page.root.querySelector(".next-up-join")).toBeNull(); // no meeting link, no Join
  });

  test("nothing left in the loaded days: a calm line, not an empty box", async () => {
    await mountWith([
      event({ id: "h", all_day: true, start: "2026-11-25", end: "2026-11-26" }),
      event({ id: "d", my_response: "declined", start: "2026-11-25T11:00:00Z", end: "2026-11-25T12:00:00Z" }),
      event({ id: "c", status: "cancelled", start: "2026-11-25T12:00:00Z", end: "2026-11-25T13:00:00Z" }),
    ]);
    expect(items()).toHaveLength(0);
    expect($(".next-up-none", page.root).textContent).toBe("No more meetings in the next 7 days");
  });

  test("nothing more today: says so above tomorrow's first meeting", async () => {
    await mountWith([event({ title: "Early", start: "2026-11-26T08:00:00Z", end: "2026-11-26T08:30:00Z" })]);
    expect($(".next-up-none", page.root).textContent).toBe("No more meetings today");
    expect(rows()).toEqual([["Early", "tomorrow 08:00", false]]);
  });

  test("one ongoing with time left, the next in 3 min, each with Join", async () => {
    const calls = await mountWith([
      event({ id: "now", title: "Stand-up", start: "2026-11-25T09:30:00Z", end: "2026-11-25T10:05:00Z", meeting_url: url }),
      event({ id: "next", title: "Design review", start: "2026-11-25T09:48:00Z", end: "2026-11-25T10:30:00Z", meeting_url: `${url}2` }),
      event({ id: "later", title: "Lunch", start: "2026-11-25T12:00:00Z", end: "2026-11-25T13:00:00Z" }),
    ]);
    expect(rows()).toEqual([["Stand-up", "20 min left", true], ["Design review", "in 3 min", false]]);
    const joins = page.root.querySelectorAll<HTMLButtonElement>("#next-up .next-up-join");
    expect([...joins].map((b) => b.getAttribute("aria-label"))).toEqual(["Join Stand-up", "Join Design review"]);
    joins[1]!.click();
    await settle();
    expect(named(calls, "open_link").map((c) => c.args)).toEqual([{ url: `${url}2` }]);
  });

  test("two overlapping meetings are both shown as ongoing", async () => {
    await mountWith([
      event({ id: "a", title: "Board", start: "2026-11-25T09:00:00Z", end: "2026-11-25T10:50:00Z" }),
      event({ id: "b", title: "Support rota", start: "2026-11-25T09:30:00Z", end: "2026-11-25T10:00:00Z" }),
      event({ id: "c", title: "Retro", start: "2026-11-25T15:00:00Z", end: "2026-11-25T16:00:00Z" }),
    ]);
    expect(rows()).toEqual([
      ["Board", "1 h 5 min left", true],
      ["Support rota", "15 min left", true],
      ["Retro", "in 5 h 15 min", false],
    ]);
  });

  test("midnight: two meetings in progress come first, four all-day items are one line each", async () => {
    const midnight = new Date("2026-11-26T00:00:00Z");
    await mountWith([
      event({ id: "h1", title: "Holiday", all_day: true, start: "2026-11-26", end: "2026-11-27" }),
      event({ id: "h2", title: "Birthday", all_day: true, start: "2026-11-26", end: "2026-11-27" }),
      event({ id: "h3", title: "Conference", all_day: true, start: "2026-11-25", end: "2026-11-28" }),
      event({ id: "h4", title: "Out of office", all_day: true, start: "2026-11-26", end: "2026-11-27" }),
      event({ id: "m1", title: "Release", start: "2026-11-25T23:00:00Z", end: "2026-11-26T01:00:00Z" }),
      event({ id: "m2", title: "On-call sync", start: "2026-11-25T23:30:00Z", end: "2026-11-26T00:30:00Z" }),
    ], () => midnight);
    expect(rows()).toEqual([["Release", "1 h left", true], ["On-call sync", "30 min left", true]]);
    const today = page.root.querySelectorAll(".day")[0]!;
    expect(today.querySelectorAll(".allday-line")).toHaveLength(4);
    expect([...today.querySelectorAll(".allday-line")].every((l) => l.querySelector("details") === null)).toBe(true);
    expect($('[data-event-id="h3"].allday-line', today).textContent).toContain("day 2 of 3");
    // the next-up area is above the all-day lines
    const first = $("#next-up", page.root);
    expect(first.compareDocumentPosition(today.querySelector(".allday-line")!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect($('[data-event-id="m1"] .event-since', today).textContent).toBe("Since yesterday 23:00");
    expect($('[data-event-id="m1"] .event-time', today).textContent).toBe("until 01:00");
  });
});

describe("the minute", () => {
  test("the countdown changes at the minute boundary, not a minute late", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let t = new Date("2026-11-25T09:45:30Z");
    await mountWith([event({ title: "Planning", start: "2026-11-25T09:50:00Z", end: "2026-11-25T10:30:00Z" })], () => t);
    expect(rows()).toEqual([["Planning", "in 5 min", false]]);
    t = new Date("2026-11-25T09:45:59Z");
    vi.advanceTimersByTime(29_000);
    expect(rows()).toEqual([["Planning", "in 5 min", false]]);
    t = new Date("2026-11-25T09:46:00Z");
    vi.advanceTimersByTime(1_000);
    expect(rows()).toEqual([["Planning", "in 4 min", false]]);
  });

  test("the screen-reader line speaks when the meetings change, not every minute", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let t = new Date("2026-11-25T09:45:00Z");
    await mountWith([
      event({ id: "a", title: "Planning", start: "2026-11-25T09:47:00Z", end: "2026-11-25T10:00:00Z" }),
      event({ id: "b", title: "Review", start: "2026-11-25T11:00:00Z", end: "2026-11-25T12:00:00Z" }),
    ], () => t);
    const live = $("#next-up [aria-live]", page.root);
    expect(live.getAttribute("aria-live")).toBe("polite");
    expect(live.textContent).toBe("Next: Planning at 09:47.");
    const set = vi.fn();
    new MutationObserver(set).observe(live, { childList: true, characterData: true, subtree: true });
    t = new Date("2026-11-25T09:46:00Z");
    vi.advanceTimersByTime(1_000);
    await settle(1);
    expect(set).not.toHaveBeenCalled();
    expect(rows()[0]![1]).toBe("in 1 min");
    t = new Date("2026-11-25T09:47:00Z");
    vi.advanceTimersByTime(1_000);
    await settle(1);
    expect(live.textContent).toBe("Now: Planning. Next: Review at 11:00.");
    // the region itself is not live: its countdowns are not read out each minute
    expect($("#next-up", page.root).hasAttribute("aria-live")).toBe(false);
  });
});
