// The calendar filter: a button (#calendar-filter) opening a small menu of the enabled
// calendars with a checkbox each. Unchecked calendars' events are hidden from the dashboard's
// lists, next-up and search results (they stay synced and stored); the choice is kept in
// localStorage across restarts and summed up as "2 calendars hidden" with Show all.
import { calendars as loadCalendars, type Calendar, type EventView } from "../../api";
import { colorDot, h, replace, setText } from "../../dom";

const STORAGE_KEY = "calbuddy.dashboard.hiddenCalendars";

export type FilterHooks = {
  /** The set of hidden calendars changed. */
  changed: () => void;
};

export type Filter = {
  button: HTMLButtonElement;
  menu: HTMLElement;
  /** "2 calendars hidden · Show all", hidden when nothing is. */
  note: HTMLElement;
  /** The events of at least one shown calendar (a merged meeting counts all of its calendars). */
  visible(events: EventView[]): EventView[];
  /** Asks for the calendars again (names, colours, new or removed ones). */
  refresh(): Promise<void>;
  close(): void;
  /** The IANA time zone of a known calendar. */
  zoneOf(calendarId: number): string | null;
};

function readHidden(): Set<number> {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]");
    return new Set(Array.isArray(raw) ? raw.filter((n): n is number => Number.isInteger(n)) : []);
  } catch {
    return new Set(); // unreadable: show everything rather than fail
  }
}

function writeHidden(hidden: Set<number>): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify([...hidden]));
  } catch {
    /* storage full or off: the choice lasts until the window closes */
  }
}

export function createFilter(hooks: FilterHooks): Filter {
  const hidden = readHidden();
  let known: Calendar[] = [];

  const button = h("button", {
    type: "button", id: "calendar-filter", class: "btn btn-small", "aria-haspopup": "true",
    "aria-expanded": "false", "aria-controls": "calendar-filter-menu", onclick: () => toggle(),
  }, "Calendars");
  const menu = h("div", { id: "calendar-filter-menu", class: "filter-menu", hidden: true });
  menu.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.stopPropagation(); // Esc closes the menu, not the window
      close();
      button.focus();
    }
  });
  const showAll = h("button", { type: "button", class: "link-btn", id: "show-all-calendars",
    onclick: () => setAll() }, "Show all");
  const noteText = h("span");
  const note = h("p", { id: "calendar-filter-note", class: "filter-note small muted", hidden: true },
    noteText, " · ", showAll);

  /** Hidden calendars that still exist (a removed one's id is kept but not counted). */
  function hiddenCount(): number {
    return known.length ? known.filter((c) => hidden.has(c.id)).length : hidden.size;
  }

  function renderNote(): void {
    const n = hiddenCount();
    note.hidden = n === 0;
    setText(noteText, `${n} calendar${n === 1 ? "" : "s"} hidden`);
    button.classList.toggle("filtering", n > 0);
  }

  function renderMenu(): void {
    const shown = known.filter((c) => c.enabled);
    replace(menu, h("fieldset", { class: "filter-list" },
      h("legend", { class: "small muted" }, "Show calendars"),
      shown.length === 0 && h("p", { class: "small muted" }, "No calendars"),
      shown.map((c) => h("label", { class: "filter-item" },
        h("input", { type: "checkbox", "data-calendar-id": c.id, checked: !hidden.has(c.id),
          onchange: (e: Event) => set(c.id, (e.target as HTMLInputElement).checked) }),
        colorDot(c.color), h("span", { class: "filter-name" }, c.name)))));
  }

  function set(id: number, shown: boolean): void {
    if (shown) hidden.delete(id);
    else hidden.add(id);
    writeHidden(hidden);
    renderNote();
    hooks.changed();
  }

  function setAll(): void {
    hidden.clear();
    writeHidden(hidden);
    renderNote();
    if (!menu.hidden) renderMenu();
    hooks.changed();
  }

  function toggle(): void {
    if (menu.hidden) void open();
    else close();
  }

  async function open(): Promise<void> {
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    renderMenu();
    await refresh();
    menu.querySelector<HTMLInputElement>("input")?.focus();
  }

  function close(): void {
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
  }

  async function refresh(): Promise<void> {
    try {
      const list: unknown = await loadCalendars();
      known = Array.isArray(list) ? (list as Calendar[]) : [];
    } catch {
      /* keep the last list; the banner shows load errors of the events themselves */
    }
    renderNote();
    if (!menu.hidden) renderMenu();
  }

  function visible(events: EventView[]): EventView[] {
    if (hidden.size === 0) return events;
    return events.filter((e) =>
      !hidden.has(e.calendar_id) || (e.also_in ?? []).some((c) => !hidden.has(c.calendar_id)));
  }

  const zoneOf = (id: number) => known.find((c) => c.id === id)?.time_zone ?? null;

  renderNote();
  return { button, menu, note, visible, refresh, close, zoneOf };
}
