// The day list: all-day and multi-day events as one line a day, the 12/24-hour setting (read at
// start and again when the window gets focus), answer styles, keyboard reach and opening,
// Ctrl/Cmd+R and focus after Sync now.
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, test } from "vitest";
import type { EventView, Settings } from "../../api";
import { $, backend, event, named, NOW, settings, settle, status, usePage } from "../../test-helpers";
import { useStyles } from "../../test-styles";
import { mountDashboard, type MountedView } from "./index";

const page = usePage<MountedView>();

async function mountWith(events: EventView[], extra: Record<string, (a: Record<string, unknown> | undefined) => unknown> = {}) {
  const calls = backend({ upcoming_events: () => events, sync_status: () => status(), ...extra });
  page.view = mountDashboard(page.root, { now: () => NOW, locale: "en-GB" });
  await page.view.ready;
  return calls;
}

const withFormat = (time_format: "system" | "12h" | "24h"): Settings =>
  settings({ general: { start_at_login: false, time_format, tray_all_day: true } });

describe("all-day lines", () => {
  test("a multi-day event is one compact line on each of its 3 days", async () => {
    await mountWith([
      event({ id: "conf", title: "RustConf", all_day: true, start: "2026-11-25", end: "2026-11-28" }),
      event({ id: "t", title: "Talk", start: "2026-11-26T10:00:00Z", end: "2026-11-26T11:00:00Z" }),
    ]);
    const days = [...page.root.querySelectorAll(".day")];
    expect(days.map((d) => d.querySelector("h2")?.textContent)).toEqual(["Today", "Tomorrow", "Friday 27 November"]);
    const lines = days.map((d) => [...d.querySelectorAll(".allday-line")].map((l) => l.textContent));
    expect(lines).toEqual([["All dayRustConfday 1 of 3"], ["All dayRustConfday 2 of 3"], ["All dayRustConfday 3 of 3"]]);
    // the line sits above the day's timed cards, and is not a full card
    const tomorrow = days[1]!;
    const line = $(".allday-line", tomorrow);
    expect(line.compareDocumentPosition($('[data-event-id="t"]', tomorrow)) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(line.querySelector(".event-meta, .join, details")).toBeNull();
  });

  test("a one-day all-day event has no day count", async () => {
    await mountWith([event({ id: "h", title: "Holiday", all_day: true, start: "2026-11-25", end: "2026-11-26" })]);
    expect($(".allday-line", page.root).textContent).toBe("All dayHoliday");
  });
});

describe("time format from the settings", () => {
  const ev = event({ id: "e", start: "2026-11-25T14:00:00Z", end: "2026-11-25T15:30:00Z" });

  test("12h", async () => {
    await mountWith([ev], { settings: () => withFormat("12h") });
    expect($('[data-event-id="e"] .event-time', page.root).textContent).toMatch(/^2:00\spm – 3:30\spm$/i);
    expect($(".next-up-when", page.root).textContent).toBe("in 4 h 15 min");
  });

  test("24h in a 12-hour locale", async () => {
    backend({ upcoming_events: () => [ev, event({ id: "tm", start: "2026-11-26T15:00:00Z", end: "2026-11-26T16:00:00Z" })],
      sync_status: () => status(), settings: () => withFormat("24h") });
    page.view = mountDashboard(page.root, { now: () => NOW, locale: "en-US" });
    await page.view.ready;
    expect($('[data-event-id="e"] .event-time', page.root).textContent).toBe("14:00 – 15:30");
    expect($('[data-event-id="tm"] .event-time', page.root).textContent).toBe("15:00 – 16:00");
  });

  test("the shell's resolved hour cycle wins over system", async () => {
    await mountWith([ev], { settings: () => ({ ...withFormat("system"), hour_cycle: "12h" }) });
    expect($('[data-event-id="e"] .event-time', page.root).textContent).toMatch(/pm/i);
  });

  test("read again when the window gets focus and on data-changed", async () => {
    let current = withFormat("24h");
    const tomorrow = event({ id: "t", title: "Early", start: "2026-11-26T09:00:00Z", end: "2026-11-26T09:30:00Z" });
    await mountWith([ev, tomorrow], { settings: () => current });
    expect($('[data-event-id="e"] .event-time', page.root).textContent).toBe("14:00 – 15:30");
    current = withFormat("12h");
    window.dispatchEvent(new Event("focus"));
    await settle();
    expect($('[data-event-id="e"] .event-time', page.root).textContent).toMatch(/^2:00\spm/i);
    current = withFormat("24h");
    await emit("data-changed", null);
    await settle();
    expect($('[data-event-id="e"] .event-time', page.root).textContent).toBe("14:00 – 15:30");
  });
});

describe("answers", () => {
  test("tentative and unanswered differ from accepted; declined is marked", async () => {
    await mountWith([
      event({ id: "acc", start: "2026-11-25T11:00:00Z", end: "2026-11-25T12:00:00Z" }),
      event({ id: "ten", my_response: "tentative", start: "2026-11-25T12:00:00Z", end: "2026-11-25T13:00:00Z" }),
      event({ id: "na", my_response: "needs_action", start: "2026-11-25T13:00:00Z", end: "2026-11-25T14:00:00Z" }),
      event({ id: "st", status: "tentative", start: "2026-11-25T14:00:00Z", end: "2026-11-25T15:00:00Z" }),
      event({ id: "dec", my_response: "declined", start: "2026-11-25T15:00:00Z", end: "2026-11-25T16:00:00Z" }),
    ]);
    const cls = (id: string) => $(`[data-event-id="${id}"]`, page.root).classList;
    expect(cls("acc").contains("tentative")).toBe(false);
    expect(cls("acc").contains("declined")).toBe(false);
    for (const id of ["ten", "na", "st"]) expect(cls(id).contains("tentative")).toBe(true);
    expect(cls("dec").contains("declined")).toBe(true);
  });
});

describe("badges", () => {
  let unstyle: (() => void) | null = null;
  afterEach(() => {
    unstyle?.();
    unstyle = null;
  });

  test("tentative and unanswered each name their answer and differ in their border", async () => {
    unstyle = useStyles(420);
    await mountWith([
      event({ id: "acc", start: "2026-11-25T11:00:00Z", end: "2026-11-25T12:00:00Z" }),
      event({ id: "ten", my_response: "tentative", start: "2026-11-25T12:00:00Z", end: "2026-11-25T13:00:00Z" }),
      event({ id: "na", my_response: "needs_action", status: "tentative", start: "2026-11-25T13:00:00Z", end: "2026-11-25T14:00:00Z" }),
      event({ id: "st", status: "tentative", start: "2026-11-25T14:00:00Z", end: "2026-11-25T15:00:00Z" }),
      event({ id: "dec", my_response: "declined", start: "2026-11-25T15:00:00Z", end: "2026-11-25T16:00:00Z" }),
    ]);
    const badge = (id: string) => page.root.querySelector(`#content [data-event-id="${id}"] .answer-badge`)?.textContent ?? null;
    expect(["acc", "ten", "na", "st", "dec"].map(badge)).toEqual([null, "Tentative", "Not answered", "Tentative", null]);
    const border = (id: string) => getComputedStyle($(`#content [data-event-id="${id}"]`, page.root)).borderTopStyle;
    expect(border("ten")).toBe("dashed");
    expect(border("na")).toBe("dotted");
    expect(border("acc")).not.toMatch(/dashed|dotted/);
  });

  test("a meeting that overlaps another is flagged on its card, naming it", async () => {
    await mountWith([
      event({ id: "one", title: "Planning" }),
      event({ id: "two", title: "Design review", start: "2026-11-25T10:15:00Z", end: "2026-11-25T11:00:00Z" }),
      event({ id: "gone", title: "Declined one", start: "2026-11-25T10:00:00Z", end: "2026-11-25T10:30:00Z", my_response: "declined" }),
      event({ id: "off", title: "Cancelled one", start: "2026-11-25T10:00:00Z", end: "2026-11-25T10:30:00Z", status: "cancelled" }),
      event({ id: "next", title: "Right after", start: "2026-11-25T11:00:00Z", end: "2026-11-25T11:30:00Z" }),
      event({ id: "day", title: "Holiday", all_day: true, start: "2026-11-25", end: "2026-11-26" }),
    ]);
    const flag = (id: string) => page.root.querySelector<HTMLElement>(`#content [data-event-id="${id}"] .overlap-badge`);
    expect(flag("one")?.getAttribute("title")).toBe("Overlaps with Design review");
    expect(flag("one")?.textContent).toBe("OverlapsOverlaps with Design review");
    expect(flag("one")?.querySelector(".sr-only")?.textContent).toBe("Overlaps with Design review");
    expect(flag("two")?.getAttribute("title")).toBe("Overlaps with Planning");
    for (const id of ["gone", "off", "next", "day"]) expect(flag(id), id).toBeNull();
  });

  test("a merged meeting names the other calendars after its own", async () => {
    const cal = (calendar_id: number, calendar_name: string) => ({ calendar_id, calendar_name, calendar_color: null, account_id: 1 });
    await mountWith([
      event({ id: "m1", also_in: [cal(11, "Team")] }),
      event({ id: "m2", start: "2026-11-25T11:00:00Z", end: "2026-11-25T11:30:00Z", also_in: [cal(11, "Team"), cal(12, "Home")] }),
      event({ id: "solo", start: "2026-11-25T12:00:00Z", end: "2026-11-25T12:30:00Z" }),
    ]);
    const part = (id: string, sel: string) => page.root.querySelector(`#content [data-event-id="${id}"] ${sel}`);
    expect(part("m1", ".event-calendar")?.textContent).toBe("Work(also in Team)");
    expect(part("m1", ".event-calendar-name")?.textContent).toBe("Work");
    expect(part("m2", ".event-also-in")?.textContent).toBe("(also in Team + 1)");
    expect(part("m2", ".event-also-in")?.getAttribute("title")).toBe("Also in Team, Home");
    expect(part("solo", ".event-also-in")).toBeNull();
  });
});

describe("keyboard", () => {
  const url = "https://meet.example.com/x";
  const events = [
    event({ id: "now", title: "Stand-up", start: "2026-11-25T09:30:00Z", end: "2026-11-25T10:00:00Z", meeting_url: url }),
    event({ id: "hol", title: "Holiday", all_day: true, start: "2026-11-25", end: "2026-11-26" }),
    event({ id: "desc", title: "1:1", description: "Agenda", start: "2026-11-25T12:00:00Z", end: "2026-11-25T12:30:00Z" }),
  ];

  /** What Tab visits, in order: focusable elements in document order (none has a positive tabindex). */
  function tabOrder(): string[] {
    const all = [...page.root.querySelectorAll<HTMLElement>("button, summary, [tabindex]")]
      .filter((el) => !(el as HTMLButtonElement).disabled && el.tabIndex >= 0 && !el.closest("[hidden]"));
    expect(all.every((el) => el.tabIndex === 0)).toBe(true);
    return all.map((el) => {
      const id = el.closest<HTMLElement>("[data-event-id]")?.dataset.eventId;
      const what = el.dataset.eventId ? "item" : el.tagName === "SUMMARY" ? "details" : el.className.split(" ").pop();
      return el.id ? `#${el.id}` : `${el.closest("#next-up") ? "next-up " : ""}${id}:${what}`;
    });
  }

  test("every card and next-up item is reachable with Tab in reading order", async () => {
    await mountWith(events);
    expect(tabOrder()).toEqual([
      "#sync-now", "#open-settings", "#month-button", "#calendar-filter",
      "next-up now:item", "next-up now:next-up-join", "next-up desc:item",
      "hol:item", "now:item", "now:join", "desc:item",
    ]);
  });

  test("Enter or Space on a card opens its details; Enter on a next-up item opens its card", async () => {
    await mountWith(events);
    const card = $('[data-event-id="desc"].event', page.root);
    const panel = $("#event-details", page.root);
    for (const key of ["Enter", " "]) {
      card.focus();
      card.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
      expect(panel.hidden).toBe(false);
      expect($("#details-title", page.root).textContent).toBe(card.querySelector(".event-title")?.textContent);
      panel.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true }));
      expect(panel.hidden).toBe(true);
      expect(document.activeElement).toBe(card);
    }

    const item = $('#next-up [data-event-id="desc"]', page.root);
    item.focus();
    item.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
    expect(panel.hidden).toBe(false);
    panel.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true }));
    expect(document.activeElement).toBe(card);
  });

  test("focus on a card survives a redraw", async () => {
    let list = events;
    await mountWith([], { upcoming_events: () => list });
    $('[data-event-id="desc"].event', page.root).focus();
    list = [...events, event({ id: "new", start: "2026-11-25T11:00:00Z", end: "2026-11-25T11:30:00Z" })];
    await emit("data-changed", null);
    await settle();
    expect(page.root.querySelectorAll(".event")).toHaveLength(4);
    expect((document.activeElement as HTMLElement).dataset.eventId).toBe("desc");
  });

  test("Ctrl+R and Cmd+R sync instead of reloading", async () => {
    const calls = await mountWith([], { sync_now: () => null });
    const ctrl = new KeyboardEvent("keydown", { key: "r", ctrlKey: true, bubbles: true, cancelable: true });
    document.body.dispatchEvent(ctrl);
    await settle();
    expect(ctrl.defaultPrevented).toBe(true);
    expect(named(calls, "sync_now")).toHaveLength(1);
    const cmd = new KeyboardEvent("keydown", { key: "R", metaKey: true, bubbles: true, cancelable: true });
    document.body.dispatchEvent(cmd);
    await settle();
    expect(cmd.defaultPrevented).toBe(true);
    expect(named(calls, "sync_now")).toHaveLength(2);
    // a plain r is typing, not a sync
    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "r", bubbles: true, cancelable: true }));
    await settle();
    expect(named(calls, "sync_now")).toHaveLength(2);
  });

  test("after Sync now, focus is back on Sync now", async () => {
    let finish: (v: unknown) => void = () => {};
    await mountWith([], { sync_now: () => new Promise((r) => { finish = r; }) });
    const btn = $("#sync-now", page.root) as HTMLButtonElement;
    btn.focus();
    btn.click();
    await settle();
    expect(btn.disabled).toBe(true);
    // WebKit takes focus away from a button that becomes disabled (jsdom does not): lose it here
    const elsewhere = document.body.appendChild(document.createElement("input"));
    elsewhere.focus();
    elsewhere.remove();
    expect(document.activeElement).toBe(document.body);
    finish(null);
    await settle();
    expect(btn.disabled).toBe(false);
    expect(document.activeElement).toBe(btn);
  });
});
