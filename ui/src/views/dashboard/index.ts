// The dashboard window: mountDashboard lays out the page (top bar, banner, events), loads the
// next days' events and the sync status, reloads on the shell's "data-changed" event, when a sync
// finishes and when the day changes, and cleans up on destroy. Each part lives in its own module
// beside this one.
import {
  errorMessage,
  onDataChanged,
  onSyncState,
  syncStatus,
  upcomingEvents,
  type EventView,
  type UnlistenFn,
} from "../../api";
import { dayKey } from "../../format";
import { createBanner } from "./banner";
import { createBrowse } from "./browse";
import { createContent } from "./content";
import { createDetails } from "./details";
import { createHeader } from "./header";
import { createState } from "./state";

export type DashboardOptions = {
  /** The clock (tests inject a fixed one). */
  now?: () => Date;
  /** Locale for dates and times; undefined = the system's. */
  locale?: string;
  /** How many days ahead to show. */
  days?: number;
};

export type MountedView = {
  /** Resolves once the first load finished and the event listeners are registered. */
  ready: Promise<void>;
  destroy(): void;
};

export function mountDashboard(root: HTMLElement, opts: DashboardOptions = {}): MountedView {
  const now = opts.now ?? (() => new Date());
  const state = createState(now, opts.locale, opts.days ?? 7);
  let shownDay = dayKey(now());

  async function act(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      state.actionError = errorMessage(e);
      banner.render();
    }
  }

  const details = createDetails(state, { act, zoneOf: (id) => browse.zoneOf(id) });
  const content = createContent(state, { act, reload,
    openEvent: (ev, card) => details.open(ev, card, state.events ?? []) });
  /** Every loaded event; state.events holds those of the calendars the filter shows. */
  let allEvents: EventView[] | null = null;
  const browse = createBrowse(state, content.element, {
    act,
    openEvent: (ev, card, context) => details.open(ev, card, context),
    showUpcoming: () => {
      content.invalidate();
      content.render();
    },
    filterChanged: () => {
      if (allEvents) state.events = browse.visible(allEvents);
      renderAll();
    },
  });
  const header = createHeader(state, { act, renderBanner: () => banner.render(), renderAll, browseBar: browse.bar });
  const banner = createBanner(state, { reload });

  root.replaceChildren(header.topbar, banner.element, header.liveStatus, content.element, details.element);

  function renderAll(): void {
    header.render();
    banner.render();
    renderMain();
  }

  /** The upcoming list, or what browsing shows in its place. */
  function renderMain(): void {
    if (browse.active()) browse.render();
    else content.render();
  }

  // ---- loading ----
  async function loadOnce(): Promise<void> {
    const seq = state.statusSeq;
    const [ev, st] = await Promise.allSettled([upcomingEvents(state.days), syncStatus()]);
    if (state.destroyed) return;
    state.loadError = null;
    if (ev.status === "fulfilled") {
      allEvents = ev.value;
      state.events = browse.visible(ev.value);
    } else state.loadError = errorMessage(ev.reason);
    if (st.status === "fulfilled") {
      if (seq === state.statusSeq) state.status = st.value;
    } else {
      state.loadError ??= errorMessage(st.reason);
    }
    renderAll();
    browse.reload(); // search results, the month's dots and the calendars may have changed too
  }

  let inFlight: Promise<void> | null = null;
  let again = false;
  function reload(): Promise<void> {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      do {
        again = false;
        await loadOnce();
      } while (again && !state.destroyed);
    })().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  // ---- live updates ----
  const unlisteners: UnlistenFn[] = [];
  const keep = (p: Promise<UnlistenFn>) =>
    p.then((u) => (state.destroyed ? u() : void unlisteners.push(u)));
  const listening = Promise.all([
    keep(onSyncState((s) => {
      if (state.destroyed) return;
      state.statusSeq++;
      state.status = s;
      header.render();
      banner.render();
      if (!s.syncing) void reload();
    })),
    keep(onDataChanged(() => void reload())),
  ]).catch((e) => {
    state.loadError = `Live updates are off: ${errorMessage(e)}`;
    banner.render();
  });

  const timer = setInterval(() => {
    const k = dayKey(now());
    if (k !== shownDay) {
      shownDay = k;
      void reload();
    }
    header.render();
    renderMain(); // ongoing highlights, ended events, day labels
  }, 60_000);

  const ready = Promise.all([listening, reload()]).then(() => undefined);

  return {
    ready,
    destroy() {
      state.destroyed = true;
      clearInterval(timer);
      browse.destroy();
      for (const u of unlisteners.splice(0)) {
        try {
          u();
        } catch {
          /* already gone */
        }
      }
    },
  };
}
