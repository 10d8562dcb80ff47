// The month view: a button in the top bar (#month-button) opens a small month grid (#month-grid,
// six weeks from Monday, ←/→ months and Today) with a dot on the days that have events (asked
// for the visible weeks with eventsOnDays). Picking a day shows its events, past or future, in
// place of the upcoming list with "Back to upcoming". Keyboard: arrow keys move between days
// (roving tabindex), PageUp/PageDown change month, Enter picks, Esc closes.
import { errorMessage, eventsOnDays, type EventView } from "../../api";
import { h, replace, setText } from "../../dom";
import { addDays, dayKey, dayLabel, parseEventTime, parseLocalDate, startOfDay } from "../../format";
import { groupFromDay, longDate, type Cards, type MainArea } from "./results";
import type { DashboardState } from "./state";

const OWNER = "day";
const GRID_DAYS = 42;

export type MonthHooks = {
  main: MainArea;
  visible: (events: EventView[]) => EventView[];
  cards: Cards;
  /** A day was picked (the search box gives way). */
  picked: () => void;
};

export type Month = {
  button: HTMLButtonElement;
  panel: HTMLElement;
  /** Draws the grid's dots and the picked day again (the filter or the data changed). */
  render(): void;
  /** Asks again for the visible weeks and the picked day (the stored events changed). */
  reload(): void;
  close(): void;
};

/** The Monday on or before the 1st of the month: the grid's first day. */
export function gridStart(year: number, month: number): Date {
  const first = new Date(year, month, 1);
  return addDays(first, -((first.getDay() + 6) % 7));
}

/** How many events touch each local day ("YYYY-MM-DD") from `from` for `days` days. */
export function countByDay(events: EventView[], from: Date, days: number): Map<string, number> {
  const counts = new Map<string, number>();
  const end = addDays(from, days);
  for (const ev of events) {
    const start = parseEventTime(ev.start, ev.all_day);
    const stop = parseEventTime(ev.end, ev.all_day);
    if (Number.isNaN(start.getTime())) continue;
    // The last day touched: an all-day end and a timed end at midnight are exclusive.
    let last = Number.isNaN(stop.getTime()) || stop <= start ? startOfDay(start) : startOfDay(stop);
    if (!Number.isNaN(stop.getTime()) && stop > start && stop.getTime() === last.getTime()) last = addDays(last, -1);
    let d = startOfDay(start) < from ? from : startOfDay(start);
    for (let i = 0; i < days && d <= last && d < end; i++, d = addDays(d, 1)) {
      counts.set(dayKey(d), (counts.get(dayKey(d)) ?? 0) + 1);
    }
  }
  return counts;
}

export function createMonth(state: DashboardState, hooks: MonthHooks): Month {
  const today = () => startOfDay(state.now());
  let year = today().getFullYear();
  let month = today().getMonth();
  /** The day with the roving tabindex (and focus while the grid has it). */
  let cursor = dayKey(today());
  let monthEvents: EventView[] = [];
  let monthSeq = 0;
  let picked: { day: string; events: EventView[] | null; error: string | null } | null = null;
  let daySeq = 0;

  const button = h("button", {
    type: "button", id: "month-button", class: "btn btn-small", "aria-expanded": "false",
    "aria-controls": "month-view", onclick: () => (panel.hidden ? open() : close()),
  }, "Month");
  const title = h("h2", { id: "month-title", class: "month-title", "aria-live": "polite" });
  const grid = h("div", { id: "month-grid", class: "month-grid", role: "grid", "aria-labelledby": "month-title" });
  const panel = h("div", { id: "month-view", class: "month", hidden: true },
    h("div", { class: "month-head" },
      h("button", { type: "button", class: "icon-btn", id: "month-prev", "aria-label": "Previous month",
        onclick: () => move(-1) }, "←"),
      title,
      h("button", { type: "button", class: "icon-btn", id: "month-next", "aria-label": "Next month",
        onclick: () => move(1) }, "→"),
      h("button", { type: "button", class: "btn btn-small", id: "month-today", onclick: () => goToday() }, "Today"),
      h("button", { type: "button", class: "icon-btn", id: "month-close", "aria-label": "Close month view",
        onclick: () => { close(); button.focus(); } }, "×")),
    grid);
  panel.addEventListener("keydown", onKey);

  function open(): void {
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    drawGrid();
    void loadMonth();
    focusCursor();
  }

  function close(): void {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
  }

  function move(months: number): void {
    const d = new Date(year, month + months, 1);
    year = d.getFullYear();
    month = d.getMonth();
    // Keep the cursor's day of the month where the new month has it.
    const c = parseLocalDate(cursor);
    const last = new Date(year, month + 1, 0).getDate();
    cursor = dayKey(new Date(year, month, Math.min(c.getDate(), last)));
    drawGrid();
    void loadMonth();
  }

  function goToday(): void {
    const t = today();
    year = t.getFullYear();
    month = t.getMonth();
    cursor = dayKey(t);
    drawGrid();
    void loadMonth();
    focusCursor();
  }

  async function loadMonth(): Promise<void> {
    const mine = ++monthSeq;
    const from = gridStart(year, month);
    try {
      const found: unknown = await eventsOnDays(dayKey(from), dayKey(addDays(from, GRID_DAYS - 1)));
      if (mine !== monthSeq || state.destroyed) return; // the month changed meanwhile
      monthEvents = Array.isArray(found) ? (found as EventView[]) : [];
    } catch {
      if (mine !== monthSeq) return;
      monthEvents = []; // no dots; picking a day still says what went wrong
    }
    drawGrid();
  }

  function drawGrid(): void {
    const from = gridStart(year, month);
    const counts = countByDay(hooks.visible(monthEvents), from, GRID_DAYS);
    const refocus = grid.contains(document.activeElement);
    setText(title, new Intl.DateTimeFormat(state.locale, { month: "long", year: "numeric" })
      .format(new Date(year, month, 1)));
    const weekdays = h("div", { role: "row", class: "month-row month-weekdays" },
      Array.from({ length: 7 }, (_, i) => {
        const d = addDays(from, i);
        return h("span", { role: "columnheader", class: "month-weekday",
          "aria-label": new Intl.DateTimeFormat(state.locale, { weekday: "long" }).format(d) },
          new Intl.DateTimeFormat(state.locale, { weekday: "narrow" }).format(d));
      }));
    const todayKey = dayKey(today());
    const rows = Array.from({ length: GRID_DAYS / 7 }, (_, w) =>
      h("div", { role: "row", class: "month-row" }, Array.from({ length: 7 }, (_, i) => {
        const d = addDays(from, w * 7 + i);
        const key = dayKey(d);
        const n = counts.get(key) ?? 0;
        const classes = ["month-day", d.getMonth() === month ? "" : "other-month", key === todayKey ? "today" : "",
          picked?.day === key ? "picked" : "", n > 0 ? "has-events" : ""].filter(Boolean).join(" ");
        return h("span", { role: "gridcell", "aria-selected": picked?.day === key ? "true" : "false" },
          h("button", {
            type: "button", class: classes, "data-date": key, tabindex: key === cursor ? "0" : "-1",
            "aria-label": `${longDate(d, state.locale)}, ${n === 0 ? "no events" : `${n} event${n === 1 ? "" : "s"}`}`,
            "aria-current": key === todayKey ? "date" : null,
            onclick: () => pick(key),
          }, String(d.getDate()), n > 0 && h("span", { class: "month-dot", "aria-hidden": "true" })));
      })));
    replace(grid, weekdays, rows);
    if (refocus) focusCursor();
  }

  function focusCursor(): void {
    grid.querySelector<HTMLElement>(`button[data-date="${cursor}"]`)?.focus();
  }

  function onKey(e: KeyboardEvent): void {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation(); // Esc closes the grid, not the window
      close();
      button.focus();
      return;
    }
    const target = e.target as HTMLElement | null;
    if (!target?.dataset.date) return;
    if (e.key === "Enter") {
      e.preventDefault(); // picked here, so the button's own click does not pick it twice
      void pick(target.dataset.date);
      return;
    }
    const steps: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    const c = parseLocalDate(cursor);
    let next: Date | null = null;
    if (e.key in steps) next = addDays(c, steps[e.key] ?? 0);
    else if (e.key === "PageUp" || e.key === "PageDown") {
      const m = new Date(c.getFullYear(), c.getMonth() + (e.key === "PageUp" ? -1 : 1), 1);
      next = new Date(m.getFullYear(), m.getMonth(), Math.min(c.getDate(), new Date(m.getFullYear(), m.getMonth() + 1, 0).getDate()));
    } else if (e.key === "Home") next = addDays(c, -((c.getDay() + 6) % 7));
    else if (e.key === "End") next = addDays(c, 6 - ((c.getDay() + 6) % 7));
    if (!next) return;
    e.preventDefault();
    cursor = dayKey(next);
    if (next.getMonth() !== month || next.getFullYear() !== year) {
      year = next.getFullYear();
      month = next.getMonth();
      drawGrid();
      void loadMonth();
    } else {
      for (const b of grid.querySelectorAll<HTMLElement>("button[data-date]")) {
        b.tabIndex = b.dataset.date === cursor ? 0 : -1;
      }
    }
    focusCursor();
  }

  async function pick(day: string): Promise<void> {
    cursor = day;
    hooks.picked();
    const mine = ++daySeq;
    picked = { day, events: null, error: null };
    drawGrid();
    drawDay();
    try {
      const found: unknown = await eventsOnDays(day, day);
      if (mine !== daySeq || state.destroyed) return;
      picked = { day, events: Array.isArray(found) ? (found as EventView[]) : [], error: null };
    } catch (e) {
      if (mine !== daySeq) return;
      picked = { day, events: null, error: errorMessage(e) };
    }
    drawDay();
  }

  /** What was drawn last: the same again is not redrawn, so focus stays on an event. */
  let drawnKey = "";
  function drawDay(): void {
    if (!picked) return;
    const date = parseLocalDate(picked.day);
    const t = state.now();
    const key = JSON.stringify([picked, picked.events && hooks.visible(picked.events), startOfDay(t).getTime()]);
    if (key === drawnKey && hooks.main.owner() === OWNER) return;
    drawnKey = key;
    const list = h("div", { class: "day-results-list" });
    const back = h("button", { type: "button", class: "btn btn-small", id: "back-to-upcoming",
      onclick: () => backToUpcoming() }, "Back to upcoming");
    const section = h("section", { id: "day-results", class: "day-results", "aria-label": dayLabel(date, t, state.locale) },
      h("div", { class: "day-results-head" }, back), list);
    if (picked.error !== null) {
      list.append(h("p", { class: "muted" }, `Couldn't load that day: ${picked.error}`));
    } else if (picked.events === null) {
      list.append(h("p", { class: "loading", role: "status" }, "Loading…"));
    } else {
      const events = hooks.visible(picked.events);
      if (events.length === 0) {
        list.append(h("h2", { class: "day-heading" }, dayLabel(date, t, state.locale)),
          h("p", { class: "muted day-empty" }, "Nothing on this day"));
      } else {
        hooks.cards(list, groupFromDay(events, date, t, state.locale));
      }
    }
    hooks.main.show(OWNER, section);
  }

  function backToUpcoming(): void {
    daySeq++;
    picked = null;
    hooks.main.release(OWNER);
    if (!panel.hidden) drawGrid();
  }

  return {
    button,
    panel,
    close,
    render() {
      if (!panel.hidden) drawGrid();
      if (hooks.main.owner() === OWNER) drawDay();
    },
    reload() {
      if (!panel.hidden) void loadMonth();
      if (picked && hooks.main.owner() === OWNER) void pick(picked.day);
    },
  };
}
