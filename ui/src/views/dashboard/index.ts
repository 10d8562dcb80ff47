// The dashboard window: mountDashboard lays out the page (top bar, banner, next up, events),
// loads the next days' events, the sync status and the time format, reloads on the shell's
// "data-changed" event, when a sync finishes and when the day changes, re-reads the time format
// when the window gets focus (after a change in the settings window), redraws on each minute
// boundary, syncs on Ctrl/Cmd+R, and cleans up on destroy. Each part lives in its own module
// beside this one.
import {
  errorMessage,
  getSettings,
  onDataChanged,
  onSignInUrl,
  onSyncState,
  openWindow,
  syncStatus,
  toCommandError,
  upcomingEvents,
  type EventView,
  type UnlistenFn,
} from "../../api";
import { dayKey, hourCycleOf } from "../../format";
import { refreshOnReloadKey } from "../../keys";
import { createBanner } from "./banner";
import { createBrowse } from "./browse";
import { createContent } from "./content";
import { createDetails } from "./details";
import { createHeader } from "./header";
import { createNextUp } from "./nextup";
import { createState } from "./state";

/** How often the clock is looked at; the view redraws only when the minute changes. */
const CLOCK_POLL_MS = 1_000;

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

  async function act(fn: () => Promise<unknown>, link?: string): Promise<void> {
    try {
      await fn();
    } catch (e) {
      const err = toCommandError(e);
      state.actionError = { message: err.message, code: err.code, link: link ?? null };
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
  const banner = createBanner(state, {
    reload,
    sync: () => header.sync(),
    openSettings: () => act(() => openWindow("settings")),
  });
  const nextUp = createNextUp(state, { act, open: (id) => content.open(id) });

  root.replaceChildren(header.topbar, banner.element, header.liveStatus, nextUp.element, content.element,
    details.element);

  function renderAll(): void {
    header.render();
    banner.render();
    nextUp.render();
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
    const [ev, st, se] = await Promise.allSettled([upcomingEvents(state.days), syncStatus(), getSettings()]);
    if (state.destroyed) return;
    // Without settings the locale's own clock is used; that is no error worth a banner.
    if (se.status === "fulfilled") state.hours = hourCycleOf(se.value);
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
    keep(onSignInUrl((signIn) => {
      // Only for the banner's own Reconnect: a sign-in started in Settings is offered there.
      if (state.destroyed || !state.reconnecting) return;
      state.signIn = signIn.opened ? null : signIn;
      banner.render();
    })),
  ]).catch((e) => {
    state.loadError = `Live updates are off: ${errorMessage(e)}`;
    banner.render();
  });

  // Countdowns must change on the minute, not up to a minute late: the clock is polled and the
  // view redrawn when its minute changes (a poll survives suspend and clock changes, which a
  // timer aimed at the next boundary would not).
  let shownMinute = Math.floor(now().getTime() / 60_000);
  const timer = setInterval(() => {
    const minute = Math.floor(now().getTime() / 60_000);
    if (minute === shownMinute) return;
    shownMinute = minute;
    const k = dayKey(now());
    if (k !== shownDay) {
      shownDay = k;
      void reload();
    }
    header.render();
    nextUp.render();
    renderMain(); // ongoing highlights, ended events, day labels
  }, CLOCK_POLL_MS);

  // A window that was closed while settings changed reads the time format again when it comes
  // back to the front (an open one hears "data-changed").
  const onFocus = () => {
    void getSettings().then((s) => {
      const hours = hourCycleOf(s);
      if (state.destroyed || hours === state.hours) return;
      state.hours = hours;
      nextUp.render();
      content.invalidate();
      renderMain();
    }, () => undefined);
  };
  window.addEventListener("focus", onFocus);
  const removeReloadKey = refreshOnReloadKey(document, () => void header.sync());

  const ready = Promise.all([listening, reload()]).then(() => undefined);

  return {
    ready,
    destroy() {
      state.destroyed = true;
      clearInterval(timer);
      window.removeEventListener("focus", onFocus);
      removeReloadKey();
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
