// Browsing the dashboard beyond the next days: the row under the top bar with the search box,
// the month view and the calendar filter, and which of the upcoming list, the search results or
// a picked day the main area (#content) shows. Ctrl/Cmd+F (or "/" outside a text field)
// focuses the search box.
import "./browse.css";
import type { EventView } from "../../api";
import { h, replace } from "../../dom";
import type { DayGroup } from "../../format";
import { createEvents } from "./events";
import { createFilter } from "./filter";
import { createMonth } from "./month";
import type { Cards, MainArea } from "./results";
import { createSearch } from "./search";
import type { Act, DashboardState } from "./state";

export type BrowseHooks = {
  act: Act;
  /** The main area goes back to the upcoming list: draw it again. */
  showUpcoming: () => void;
  /** The calendar filter changed: filter the upcoming events again and redraw. */
  filterChanged: () => void;
  /** An event card was opened; `context`: the events listed with it. */
  openEvent: (ev: EventView, card: HTMLElement, context: EventView[]) => void;
};

export type Browse = {
  /** The row for the top bar. */
  bar: HTMLElement;
  /** Whether the main area shows search results or a day instead of the upcoming list. */
  active(): boolean;
  /** Draws what browsing shows again (clock, filter). */
  render(): void;
  /** The stored events changed: ask again for what is shown. */
  reload(): void;
  /** The events of the calendars not hidden by the filter. */
  visible(events: EventView[]): EventView[];
  /** The IANA time zone of a calendar, when known. */
  zoneOf(calendarId: number): string | null;
  destroy(): void;
};

export function createBrowse(state: DashboardState, content: HTMLElement, hooks: BrowseHooks): Browse {
  let owner: string | null = null;
  const main: MainArea = {
    show(who, node) {
      owner = who;
      replace(content, node);
    },
    release(who) {
      if (owner !== who) return;
      owner = null;
      hooks.showUpcoming();
    },
    owner: () => owner,
  };

  /** Draws day groups with the upcoming list's cards; a card opens with these events as context. */
  const cards: Cards = (container: HTMLElement, groups: DayGroup[]) => {
    const context = groups.flatMap((g) => g.events);
    createEvents(state, hooks.act, container, (ev, card) => hooks.openEvent(ev, card, context)).render(groups, state.now());
  };

  const filter = createFilter({
    changed: () => {
      hooks.filterChanged();
      search.render();
      month.render();
    },
  });
  const search = createSearch(state, { main, visible: filter.visible, cards });
  const month = createMonth(state, { main, visible: filter.visible, cards, picked: () => search.clear() });
  search.input.addEventListener("input", () => month.close());

  const bar = h("div", { class: "browse-bar" },
    h("div", { class: "browse-row" }, search.element, month.button, h("div", { class: "filter" }, filter.button, filter.menu)),
    filter.note,
    month.panel);

  function isTextField(el: Element | null): boolean {
    return el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement ||
      (el instanceof HTMLInputElement && !["checkbox", "radio", "button", "submit"].includes(el.type)) ||
      (el instanceof HTMLElement && el.isContentEditable);
  }

  function onKey(e: KeyboardEvent): void {
    const find = (e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "f";
    const slash = e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && !isTextField(document.activeElement);
    if (!find && !slash) return;
    e.preventDefault();
    search.input.focus();
    search.input.select();
  }
  document.addEventListener("keydown", onKey);

  function onOutsideClick(e: MouseEvent): void {
    const t = e.target as Node | null;
    if (!filter.menu.hidden && t && !filter.menu.contains(t) && !filter.button.contains(t)) filter.close();
  }
  document.addEventListener("click", onOutsideClick);

  return {
    bar,
    active: () => owner !== null,
    render() {
      search.render();
      month.render();
    },
    reload() {
      void filter.refresh();
      search.rerun();
      month.reload();
    },
    visible: filter.visible,
    zoneOf: filter.zoneOf,
    destroy() {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("click", onOutsideClick);
      search.destroy();
    },
  };
}
