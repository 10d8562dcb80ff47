// The month view against a mocked shell: dots on days with events, moving between months,
// picking a day (any date) and Back to upcoming, and the grid's keyboard.
import { expect, test } from "vitest";
import { $, backend, event, named, NOW, settle, status, usePage } from "../../test-helpers";
import { mountDashboard, type MountedView } from ".";
import { countByDay, gridStart } from "./month";

const page = usePage<MountedView>();

const month = [
  event({ id: "a", title: "Planning" }),
  event({ id: "b", title: "Review", start: "2026-11-25T13:00:00Z", end: "2026-11-25T14:00:00Z" }),
  event({ id: "c", title: "Conference", all_day: true, start: "2026-11-27", end: "2026-11-30" }),
  event({ id: "d", title: "Late", start: "2026-11-10T23:00:00Z", end: "2026-11-11T00:00:00Z" }),
];
const later = [event({ id: "x", title: "Kick-off 2027", start: "2027-01-14T09:00:00Z", end: "2027-01-14T10:00:00Z" })];

async function mount() {
  const calls = backend({
    upcoming_events: () => [event({ id: "up", title: "Upcoming one" })],
    sync_status: () => status(),
    events_on_days: (args) => {
      const from = String(args?.from);
      if (from === "2027-01-14") return later;
      return from.startsWith("2026-10") ? month : [];
    },
  });
  page.view = mountDashboard(page.root, { now: () => NOW, locale: "en-GB" });
  await page.view.ready;
  await settle();
  return calls;
}

const day = (d: string) => $(`#month-grid button[data-date="${d}"]`, page.root);
const key = (target: Element, k: string) =>
  target.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));

test("the grid starts on the Monday before the 1st and counts the days each event touches", () => {
  expect(gridStart(2026, 10).toDateString()).toBe(new Date(2026, 9, 26).toDateString());
  const counts = countByDay(month, gridStart(2026, 10), 42);
  expect(counts.get("2026-11-25")).toBe(2);
  expect(["2026-11-27", "2026-11-28", "2026-11-29"].map((d) => counts.get(d))).toEqual([1, 1, 1]);
  expect(counts.get("2026-11-30")).toBeUndefined(); // all-day ends are exclusive
  expect(counts.get("2026-11-10")).toBe(1);
  expect(counts.get("2026-11-11")).toBeUndefined(); // ends at midnight
});

test("opening the month view asks for its six weeks and puts dots on days with events", async () => {
  const calls = await mount();
  const button = $("#month-button", page.root);
  button.click();
  await settle();
  expect(button.getAttribute("aria-expanded")).toBe("true");
  expect($("#month-title", page.root).textContent).toBe("November 2026");
  expect(named(calls, "events_on_days").map((c) => c.args)).toEqual([{ from: "2026-10-26", to: "2026-12-06" }]);
  expect($("#month-grid", page.root).getAttribute("role")).toBe("grid");
  expect(page.root.querySelectorAll("#month-grid button[data-date]")).toHaveLength(42);
  expect(day("2026-11-25").querySelector(".month-dot")).not.toBeNull();
  expect(day("2026-11-25").getAttribute("aria-label")).toBe("Wednesday 25 November 2026, 2 events");
  expect(day("2026-11-28").querySelector(".month-dot")).not.toBeNull();
  expect(day("2026-11-30").querySelector(".month-dot")).toBeNull();
  expect(day("2026-11-30").getAttribute("aria-label")).toBe("Monday 30 November 2026, no events");
  // Today has the roving tab stop.
  expect(day("2026-11-25").tabIndex).toBe(0);
  expect(day("2026-11-24").tabIndex).toBe(-1);
  $("#month-next", page.root).click();
  await settle();
  expect($("#month-title", page.root).textContent).toBe("December 2026");
  expect(named(calls, "events_on_days").at(-1)?.args).toEqual({ from: "2026-11-30", to: "2027-01-10" });
  $("#month-today", page.root).click();
  await settle();
  expect($("#month-title", page.root).textContent).toBe("November 2026");
});

test("picking a day shows its events, any date, with Back to upcoming", async () => {
  const calls = await mount();
  $("#month-button", page.root).click();
  await settle();
  $("#month-next", page.root).click();
  $("#month-next", page.root).click();
  await settle();
  day("2027-01-14").click();
  await settle();
  expect(named(calls, "events_on_days").at(-1)?.args).toEqual({ from: "2027-01-14", to: "2027-01-14" });
  const results = $("#content #day-results", page.root);
  expect(results.querySelector(".day-heading")?.textContent).toBe("Thursday 14 January");
  expect([...results.querySelectorAll(".event-title")].map((e) => e.textContent)).toEqual(["Kick-off 2027"]);
  expect(page.root.querySelector('#content [data-event-id="up"]')).toBeNull();
  expect(day("2027-01-14").classList.contains("picked")).toBe(true);
  // A day with nothing says so.
  day("2027-01-15").click();
  await settle();
  expect($("#day-results", page.root).textContent).toContain("Nothing on this day");
  $("#back-to-upcoming", page.root).click();
  expect(page.root.querySelector("#day-results")).toBeNull();
  expect([...page.root.querySelectorAll("#content .event-title")].map((e) => e.textContent)).toEqual(["Upcoming one"]);
});

test("arrow keys move between days (across months), Enter picks, Esc closes", async () => {
  const calls = await mount();
  const button = $("#month-button", page.root);
  button.click();
  await settle();
  expect(document.activeElement).toBe(day("2026-11-25"));
  key(day("2026-11-25"), "ArrowRight");
  expect(document.activeElement).toBe(day("2026-11-26"));
  expect(day("2026-11-26").tabIndex).toBe(0);
  expect(day("2026-11-25").tabIndex).toBe(-1);
  key(day("2026-11-26"), "ArrowUp");
  expect(document.activeElement).toBe(day("2026-11-19"));
  key(day("2026-11-19"), "ArrowLeft");
  expect(document.activeElement).toBe(day("2026-11-18"));
  // Down past the month's end goes to the next month.
  key(day("2026-11-18"), "ArrowDown");
  key(day("2026-11-25"), "ArrowDown");
  await settle();
  expect($("#month-title", page.root).textContent).toBe("December 2026");
  expect(document.activeElement).toBe(day("2026-12-02"));
  key(day("2026-12-02"), "PageUp");
  await settle();
  expect($("#month-title", page.root).textContent).toBe("November 2026");
  expect(document.activeElement).toBe(day("2026-11-02"));
  key(day("2026-11-02"), "Enter");
  await settle();
  expect(named(calls, "events_on_days").at(-1)?.args).toEqual({ from: "2026-11-02", to: "2026-11-02" });
  expect(page.root.querySelector("#day-results")).not.toBeNull();
  const esc = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
  day("2026-11-02").dispatchEvent(esc);
  expect(esc.defaultPrevented).toBe(true);
  expect($("#month-view", page.root).hidden).toBe(true);
  expect(document.activeElement).toBe(button);
});
