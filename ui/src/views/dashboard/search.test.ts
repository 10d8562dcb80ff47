// The search box against a mocked shell: debounced queries, results grouped by day with a
// count, the empty answer, stale answers, Esc / × and the keyboard shortcuts.
import { expect, test } from "vitest";
import type { EventView } from "../../api";
import { $, backend, calendar, event, named, NOW, settle, status, usePage } from "../../test-helpers";
import { mountDashboard, type MountedView } from ".";
import { SEARCH_DEBOUNCE_MS } from "./search";

const page = usePage<MountedView>();

const upcoming = [event({ id: "up", title: "Planning" })];
const texts = (sel: string) => [...page.root.querySelectorAll(sel)].map((e) => e.textContent);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function mount(search: (args: Record<string, unknown> | undefined) => unknown) {
  const calls = backend({
    upcoming_events: () => upcoming, sync_status: () => status(), search_events: search,
    calendars: () => [calendar(), calendar({ id: 11, name: "Personal" })],
  });
  page.view = mountDashboard(page.root, { now: () => NOW, locale: "en-GB" });
  await page.view.ready;
  await settle();
  return calls;
}

function type(text: string): void {
  const input = $("#search", page.root) as HTMLInputElement;
  input.value = text;
  input.dispatchEvent(new Event("input"));
}

async function typed(text: string): Promise<void> {
  type(text);
  await wait(SEARCH_DEBOUNCE_MS + 30);
  await settle();
}

const found = [
  event({ id: "a", title: "Design review", start: "2026-12-02T10:00:00Z", end: "2026-12-02T11:00:00Z" }),
  event({ id: "b", title: "Design sync", start: "2026-11-25T15:00:00Z", end: "2026-11-25T15:30:00Z" }),
  event({ id: "c", title: "Design day", all_day: true, start: "2026-12-02", end: "2026-12-03" }),
];

test("typing shows the matches grouped by day with a count, in place of the upcoming list", async () => {
  const calls = await mount(() => found);
  const input = $("#search", page.root) as HTMLInputElement;
  expect(input.type).toBe("search");
  type("d");
  type("de");
  await typed("design");
  // Debounced: one query for the whole word, with the default span.
  expect(named(calls, "search_events").map((c) => c.args)).toEqual([{ query: "design", from: null, to: null }]);
  const results = $("#content #search-results", page.root);
  expect($("#search-count", results).textContent).toBe("3 results");
  expect(texts("#search-results .day > h2")).toEqual(["Today", "Wednesday 2 December"]);
  expect([...results.querySelectorAll(".event")].map((e) => e.getAttribute("data-event-id"))).toEqual(["b", "c", "a"]);
  expect(page.root.querySelector('#content [data-event-id="up"]')).toBeNull();
});

test("no match says so, with the query shown as text", async () => {
  await mount(() => []);
  const evil = "<img src=x onerror=alert(1)>";
  await typed(evil);
  expect($("#search-count", page.root).textContent).toBe("0 results");
  expect($(".search-empty", page.root).textContent).toBe(`No events match “${evil}”`);
  expect(document.querySelector("img")).toBeNull();
});

test("an answer to an older query never replaces a newer one's", async () => {
  let answerOld: (v: EventView[]) => void = () => {};
  await mount((args) => {
    if (args?.query === "des") return new Promise<EventView[]>((r) => { answerOld = r; });
    return [found[0]];
  });
  await typed("des");
  await typed("design review");
  expect(texts("#search-results .event-title")).toEqual(["Design review"]);
  answerOld(found);
  await settle();
  expect(texts("#search-results .event-title")).toEqual(["Design review"]);
  expect($("#search-count", page.root).textContent).toBe("1 result");
});

test("Esc and × clear the search and bring the upcoming list back", async () => {
  await mount(() => found);
  const input = $("#search", page.root) as HTMLInputElement;
  await typed("design");
  expect(page.root.querySelector("#search-results")).not.toBeNull();
  const esc = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
  input.dispatchEvent(esc);
  expect(esc.defaultPrevented).toBe(true);
  expect(input.value).toBe("");
  expect(page.root.querySelector("#search-results")).toBeNull();
  expect(texts(".event-title")).toEqual(["Planning"]);

  await typed("design");
  $("#search-clear", page.root).click();
  expect(input.value).toBe("");
  expect(document.activeElement).toBe(input);
  expect(texts(".event-title")).toEqual(["Planning"]);
  // Clearing while a query is still waiting: its answer is dropped.
  type("design");
  $("#search-clear", page.root).click();
  await wait(SEARCH_DEBOUNCE_MS + 30);
  await settle();
  expect(page.root.querySelector("#search-results")).toBeNull();
});

test("Ctrl+F, Cmd+F and / (outside a text field) focus the search box", async () => {
  await mount(() => []);
  const input = $("#search", page.root) as HTMLInputElement;
  const press = (init: KeyboardEventInit, target: EventTarget = document.body) =>
    target.dispatchEvent(new KeyboardEvent("keydown", { bubbles: true, cancelable: true, ...init }));
  press({ key: "f", ctrlKey: true });
  expect(document.activeElement).toBe(input);
  input.blur();
  press({ key: "f", metaKey: true });
  expect(document.activeElement).toBe(input);
  input.blur();
  press({ key: "/" });
  expect(document.activeElement).toBe(input);
  // Typing "/" in a text field is just typing.
  const other = document.body.appendChild(document.createElement("input"));
  other.focus();
  press({ key: "/" }, other);
  expect(document.activeElement).toBe(other);
});

test("matches in a hidden calendar are left out", async () => {
  localStorage.setItem("calbuddy.dashboard.hiddenCalendars", "[11]");
  const home = event({ id: "p", title: "Design at home", calendar_id: 11, calendar_name: "Personal" });
  await mount((args) => (args?.query === "home" ? [home] : [...found, home]));
  await typed("design");
  expect($("#search-count", page.root).textContent).toBe("3 results");
  expect(page.root.querySelector('[data-event-id="p"]')).toBeNull();
  await typed("home");
  expect($("#search-count", page.root).textContent).toBe("0 results");
  expect($(".search-empty", page.root).textContent).toBe("No events match “home” in the calendars shown");
});
