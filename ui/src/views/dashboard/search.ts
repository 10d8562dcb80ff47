// The search box in the top bar (<input id="search">): typing (debounced) asks the shell's
// FTS5 search and shows the matches grouped by day in place of the upcoming list, inside
// #search-results with the count in #search-count; "No events match …" when none do. Esc or ×
// clears it and gives the list back. Answers to an older query never replace a newer one's.
import { errorMessage, searchEvents, type EventView } from "../../api";
import { h, setText } from "../../dom";
import { startOfDay } from "../../format";
import { groupFromDay, type Cards, type MainArea } from "./results";
import type { DashboardState } from "./state";

/** Waits this long after the last key before asking, so typing a word is one query. */
export const SEARCH_DEBOUNCE_MS = 200;
const OWNER = "search";

export type SearchHooks = {
  main: MainArea;
  /** The events of the calendars shown (the calendar filter). */
  visible: (events: EventView[]) => EventView[];
  cards: Cards;
};

export type Search = {
  /** The input and its clear button, for the top bar. */
  element: HTMLElement;
  input: HTMLInputElement;
  /** Empties the box and gives the main area back. */
  clear(): void;
  /** Draws the results again (the filter or the clock changed). */
  render(): void;
  /** Asks again for the current query (the stored events changed). */
  rerun(): void;
  destroy(): void;
};

export function createSearch(state: DashboardState, hooks: SearchHooks): Search {
  const input = h("input", {
    id: "search", type: "search", class: "search-input", placeholder: "Search events",
    "aria-label": "Search events", autocomplete: "off", spellcheck: "false",
  });
  const clearBtn = h("button", {
    type: "button", id: "search-clear", class: "search-clear", "aria-label": "Clear search",
    title: "Clear search", hidden: true, onclick: () => { clear(); input.focus(); },
  }, "×");
  const element = h("div", { class: "search", role: "search" }, input, clearBtn);

  /** Bumped by every new query (and by clearing): an answer carrying an older number is dropped. */
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let shown: { query: string; events: EventView[] | null; error: string | null } | null = null;

  input.addEventListener("input", () => {
    clearBtn.hidden = input.value === "";
    if (timer) clearTimeout(timer);
    timer = null;
    const query = input.value.trim();
    if (!query) {
      stop();
      return;
    }
    timer = setTimeout(() => void run(query), SEARCH_DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && (input.value !== "" || shown)) {
      e.preventDefault();
      e.stopPropagation(); // clearing the search must not also close the window
      clear();
    }
  });

  async function run(query: string): Promise<void> {
    timer = null;
    const mine = ++seq;
    let events: EventView[] | null = null;
    let error: string | null = null;
    try {
      const found: unknown = await searchEvents(query);
      events = Array.isArray(found) ? (found as EventView[]) : [];
    } catch (e) {
      error = errorMessage(e);
    }
    if (mine !== seq || state.destroyed) return; // a newer query (or clearing) came since
    shown = { query, events, error };
    render();
  }

  /** What was drawn last: the same again is not redrawn, so focus stays on a result. */
  let drawnKey = "";
  function render(): void {
    if (!shown) return;
    const { query, events, error } = shown;
    const t = state.now();
    const key = JSON.stringify([query, error, events && hooks.visible(events), startOfDay(t).getTime()]);
    if (key === drawnKey && hooks.main.owner() === OWNER) return;
    drawnKey = key;
    const count = h("p", { id: "search-count", class: "search-count small muted", role: "status" });
    const list = h("div", { class: "search-groups" });
    const results = h("section", { id: "search-results", class: "search-results", "aria-label": "Search results" },
      count, list);
    if (error !== null) {
      setText(count, `Couldn't search: ${error}`);
    } else {
      const matches = hooks.visible(events ?? []);
      const n = matches.length;
      setText(count, `${n} result${n === 1 ? "" : "s"}`);
      if (n === 0) {
        // Say so when the calendar filter hid every match, or "no match" would be wrong.
        const where = (events ?? []).length > 0 ? " in the calendars shown" : "";
        list.append(h("p", { class: "empty-title search-empty" }, `No events match “${query}”${where}`));
      } else {
        hooks.cards(list, groupFromDay(matches, startOfDay(t), t, state.locale));
      }
    }
    hooks.main.show(OWNER, results);
  }

  function stop(): void {
    seq++;
    if (timer) clearTimeout(timer);
    timer = null;
    shown = null;
    hooks.main.release(OWNER);
  }

  function clear(): void {
    input.value = "";
    clearBtn.hidden = true;
    stop();
  }

  function rerun(): void {
    if (shown && hooks.main.owner() === OWNER) void run(shown.query);
  }

  return {
    element, input, clear, rerun, destroy: () => { if (timer) clearTimeout(timer); },
    render: () => { if (hooks.main.owner() === OWNER) render(); },
  };
}
