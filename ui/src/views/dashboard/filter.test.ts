// The calendar filter against a mocked shell: unchecking a calendar hides its events (without
// touching its sync), the choice survives a restart, and Show all brings everything back.
import { expect, test } from "vitest";
import { $, backend, calendar, event, named, NOW, settle, status, usePage } from "../../test-helpers";
import { mountDashboard, type MountedView } from ".";

const KEY = "calbuddy.dashboard.hiddenCalendars";
const page = usePage<MountedView>();

const events = [
  event({ id: "w", title: "Planning" }),
  event({ id: "p", title: "Dentist", calendar_id: 11, calendar_name: "Personal", start: "2026-11-25T12:00:00Z", end: "2026-11-25T13:00:00Z" }),
  // One meeting in Personal and Work: shown while either is.
  event({ id: "m", title: "Offsite", calendar_id: 11, calendar_name: "Personal", start: "2026-11-25T14:00:00Z", end: "2026-11-25T15:00:00Z",
    also_in: [{ calendar_id: 10, calendar_name: "Work", calendar_color: null, account_id: 1 }] }),
];
const titles = () => [...page.root.querySelectorAll("#content .event-title")].map((e) => e.textContent);

async function mount() {
  const calls = backend({
    upcoming_events: () => events, sync_status: () => status(),
    calendars: () => [calendar(), calendar({ id: 11, name: "Personal", color: "#22aa55" }),
      calendar({ id: 12, name: "Old", enabled: false })],
  });
  page.view = mountDashboard(page.root, { now: () => NOW, locale: "en-GB" });
  await page.view.ready;
  await settle();
  return calls;
}

function checkbox(id: number): HTMLInputElement {
  return $(`#calendar-filter-menu input[data-calendar-id="${id}"]`, page.root) as HTMLInputElement;
}

test("unchecking a calendar hides its events, not its sync, and is remembered", async () => {
  const calls = await mount();
  expect(titles()).toEqual(["Planning", "Dentist", "Offsite"]);
  const button = $("#calendar-filter", page.root);
  expect($("#calendar-filter-note", page.root).hidden).toBe(true);
  button.click();
  await settle();
  expect(button.getAttribute("aria-expanded")).toBe("true");
  // Only the calendars that are synced are offered.
  expect([...page.root.querySelectorAll("#calendar-filter-menu .filter-name")].map((e) => e.textContent)).toEqual(["Work", "Personal"]);
  expect(checkbox(11).checked).toBe(true);
  checkbox(11).click();
  expect(titles()).toEqual(["Planning", "Offsite"]);
  expect($("#calendar-filter-note", page.root).hidden).toBe(false);
  expect($("#calendar-filter-note", page.root).textContent).toContain("1 calendar hidden");
  expect(JSON.parse(localStorage.getItem(KEY) ?? "null")).toEqual([11]);
  expect(named(calls, "set_calendar_enabled")).toEqual([]);
  // Hiding Work too hides the meeting in both.
  checkbox(10).click();
  expect(titles()).toEqual([]);
  expect($("#calendar-filter-note", page.root).textContent).toContain("2 calendars hidden");
  // Esc closes the menu and goes back to its button.
  checkbox(10).dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
  expect($("#calendar-filter-menu", page.root).hidden).toBe(true);
  expect(document.activeElement).toBe(button);
});

test("the hidden calendars survive a restart, and Show all brings them back", async () => {
  localStorage.setItem(KEY, "[11]");
  await mount();
  expect(titles()).toEqual(["Planning", "Offsite"]);
  expect($("#calendar-filter-note", page.root).textContent).toContain("1 calendar hidden");
  $("#show-all-calendars", page.root).click();
  expect(titles()).toEqual(["Planning", "Dentist", "Offsite"]);
  expect($("#calendar-filter-note", page.root).hidden).toBe(true);
  expect(JSON.parse(localStorage.getItem(KEY) ?? "null")).toEqual([]);
});

test("a damaged stored choice shows every calendar", async () => {
  localStorage.setItem(KEY, "{not json");
  await mount();
  expect(titles()).toEqual(["Planning", "Dentist", "Offsite"]);
});
