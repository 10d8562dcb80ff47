// The dashboard window: the next 7 days of events grouped by local day, the sync button and
// "last synced" line, the error / re-auth banner, and the loading and empty states. Reloads on
// the shell's "data-changed" event and when a sync finishes.
import {
  connectGoogle,
  errorMessage,
  onDataChanged,
  onSyncState,
  openLink,
  openWindow,
  syncNow,
  syncStatus,
  toCommandError,
  upcomingEvents,
  type EventView,
  type SyncStatus,
  type UnlistenFn,
} from "../api";
import { colorDot, h, icon, ICONS, replace } from "../dom";
import {
  dayKey,
  formatEventWhen,
  groupByDay,
  isOngoing,
  isWebLink,
  lastSyncedText,
  syncProgressText,
  visibleLocation,
} from "../format";

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
  const locale = opts.locale;
  const days = opts.days ?? 7;

  // ---- state ----
  let events: EventView[] | null = null;
  let status: SyncStatus | null = null;
  let loadError: string | null = null;
  let actionError: string | null = null;
  let syncRequested = false;
  let reconnecting = false;
  let statusSeq = 0; // bumped by each "sync-state" event so an older fetch never overwrites it
  let shownDay = dayKey(now());
  let destroyed = false;
  const openDescriptions = new Set<string>();

  // ---- skeleton ----
  const syncLabel = h("span", { class: "btn-label" }, "Sync now");
  const syncBtn = h("button", { id: "sync-now", type: "button", class: "btn", onclick: () => void doSyncNow() },
    icon(ICONS.sync), syncLabel);
  const lastSynced = h("p", { id: "last-synced", class: "muted small" });
  const settingsBtn = h("button", {
    type: "button", class: "icon-btn", id: "open-settings", "aria-label": "Settings", title: "Settings",
    onclick: () => void act(() => openWindow("settings")),
  }, icon(ICONS.gear));
  const liveStatus = h("p", { id: "sync-live", class: "sr-only", role: "status", "aria-live": "polite" });
  const banner = h("div", { id: "error-banner", class: "banner", role: "alert", hidden: true });
  const content = h("main", { id: "content", class: "content", "aria-label": "Upcoming events" },
    h("p", { id: "loading", class: "loading", role: "status" }, "Loading…"));

  root.replaceChildren(
    h("header", { class: "topbar" },
      h("div", { class: "topbar-title" }, h("h1", null, "Upcoming"), lastSynced),
      h("div", { class: "topbar-actions" }, syncBtn, settingsBtn)),
    banner,
    liveStatus,
    content,
  );

  // ---- actions ----
  async function act(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      actionError = errorMessage(e);
      renderBanner();
    }
  }

  async function doSyncNow(): Promise<void> {
    actionError = null;
    syncRequested = true;
    const seq = statusSeq;
    renderHeader();
    renderBanner();
    try {
      await syncNow();
    } catch (e) {
      actionError = errorMessage(e);
    }
    syncRequested = false;
    if (seq === statusSeq) {
      // No "sync-state" yet: ask, so the button never stays stuck.
      try {
        const s = await syncStatus();
        if (seq === statusSeq) status = s;
      } catch {
        /* the banner already says what failed */
      }
    }
    if (!destroyed) renderAll();
  }

  async function doReconnect(): Promise<void> {
    actionError = null;
    reconnecting = true;
    renderBanner();
    try {
      await connectGoogle();
      void reload();
    } catch (e) {
      const err = toCommandError(e);
      if (err.code !== "sign_in_cancelled") actionError = err.message;
    }
    reconnecting = false;
    if (!destroyed) renderBanner();
  }

  // ---- loading ----
  async function loadOnce(): Promise<void> {
    const seq = statusSeq;
    const [ev, st] = await Promise.allSettled([upcomingEvents(days), syncStatus()]);
    if (destroyed) return;
    loadError = null;
    if (ev.status === "fulfilled") events = ev.value;
    else loadError = errorMessage(ev.reason);
    if (st.status === "fulfilled") {
      if (seq === statusSeq) status = st.value;
    } else {
      loadError ??= errorMessage(st.reason);
    }
    renderAll();
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
      } while (again && !destroyed);
    })().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  // ---- rendering ----
  function renderAll(): void {
    renderHeader();
    renderBanner();
    renderContent();
  }

  function renderHeader(): void {
    const syncing = syncRequested || status?.syncing === true;
    syncBtn.disabled = syncing;
    syncBtn.setAttribute("aria-busy", String(syncing));
    syncBtn.classList.toggle("syncing", syncing);
    syncLabel.textContent = syncing ? syncProgressText(status?.syncing ? status.progress : null) : "Sync now";
    lastSynced.textContent = status ? lastSyncedText(status.last_synced_at, now()) : "";
    // Announce start and end only, not every progress tick.
    const live = syncing ? "Syncing…" : status ? lastSyncedText(status.last_synced_at, now()) : "";
    if (liveStatus.textContent !== live) liveStatus.textContent = live;
  }

  let bannerKey = "";
  function renderBanner(): void {
    const reauth = (status?.accounts ?? []).filter((a) => a.needs_reauth);
    const messages = [...new Set([loadError, actionError, status?.last_error ?? null].filter((m): m is string => !!m))];
    const key = JSON.stringify([reauth.map((a) => [a.id, a.name, a.provider]), messages, reconnecting]);
    if (key === bannerKey) return; // keep focus on the Reconnect button across updates
    bannerKey = key;
    const lines: Node[] = [];
    let first = true;
    for (const a of reauth) {
      const canReconnect = a.provider === "google";
      lines.push(h("div", { class: "banner-line" },
        h("span", null, `${a.name} needs you to sign in again`),
        canReconnect && h("button", {
          type: "button", class: "btn btn-small reconnect", id: first ? "reconnect" : null,
          disabled: reconnecting, onclick: () => void doReconnect(),
        }, reconnecting ? "Waiting for sign-in…" : "Reconnect")));
      if (canReconnect) first = false;
    }
    for (const m of messages) lines.push(h("div", { class: "banner-line" }, h("span", null, m)));
    replace(banner, lines);
    banner.hidden = lines.length === 0;
  }

  let contentKey = "";
  function renderContent(): void {
    const t = now();
    if (events === null) {
      const key = loadError ? "failed" : "loading";
      if (key === contentKey) return;
      contentKey = key;
      if (loadError) {
        replace(content, h("div", { class: "empty", id: "empty-state" },
          h("p", { class: "empty-title" }, "Couldn't load your events"),
          h("button", { type: "button", class: "btn", id: "retry", onclick: () => void reload() }, "Try again")));
      } else {
        replace(content, h("p", { id: "loading", class: "loading", role: "status" }, "Loading…"));
      }
      return;
    }

    const groups = groupByDay(events, t, days, locale);
    const ongoing = events.filter((e) => isOngoing(e, t)).map((e) => e.id);
    const key = JSON.stringify([events, groups.map((g) => [g.key, g.label, g.events.length]), ongoing,
      status?.accounts.length ?? -1, status?.syncing ?? false]);
    if (key === contentKey) return;
    contentKey = key;

    if (groups.length === 0) {
      replace(content, renderEmpty());
      return;
    }
    const focus = rememberFocus();
    replace(content, groups.map((g) => {
      const headingId = `day-${g.key}`;
      return h("section", { class: "day", "aria-labelledby": headingId },
        h("h2", { class: "day-heading", id: headingId }, g.label),
        h("ul", { class: "events" }, g.events.map((e) => renderEvent(e, t))));
    }));
    restoreFocus(focus);
  }

  function renderEmpty(): HTMLElement {
    const noAccounts = status !== null && status.accounts.length === 0;
    if (noAccounts) {
      return h("div", { class: "empty", id: "empty-state" },
        h("p", { class: "empty-title" }, "No calendars connected"),
        h("p", { class: "muted" }, "Connect Google Calendar or add the demo calendar to see what is coming up."),
        h("button", { type: "button", class: "btn btn-primary", id: "connect-calendar",
          onclick: () => void act(() => openWindow("settings")) }, "Connect a calendar"));
    }
    return h("div", { class: "empty", id: "empty-state" },
      h("p", { class: "empty-title" }, `Nothing in the next ${days} days`),
      h("p", { class: "muted" }, status?.syncing ? "Still syncing your calendars…" : "Enjoy the free time."));
  }

  function renderEvent(ev: EventView, t: Date): HTMLLIElement {
    const ongoing = isOngoing(ev, t);
    const title = ev.title.trim() || "(No title)";
    const location = visibleLocation(ev);
    const description = ev.description?.trim();
    let details: HTMLDetailsElement | null = null;
    if (description) {
      details = h("details", { class: "event-description", open: openDescriptions.has(ev.id) },
        h("summary", null, "Details"),
        h("p", { class: "event-description-text" }, description));
      const d = details;
      d.addEventListener("toggle", () => {
        if (d.open) openDescriptions.add(ev.id);
        else openDescriptions.delete(ev.id);
      });
    }
    const join = isWebLink(ev.meeting_url)
      ? h("button", {
          type: "button", class: "btn btn-primary btn-small join", "aria-label": `Join ${title}`,
          onclick: () => void act(() => openLink((ev.meeting_url ?? "").trim())),
        }, icon(ICONS.video), "Join")
      : null;
    const classes = ["event", ev.all_day ? "all-day" : "timed", ongoing ? "ongoing" : ""].filter(Boolean).join(" ");
    return h("li", { class: classes, "data-event-id": ev.id },
      h("div", { class: "event-time" }, formatEventWhen(ev, locale)),
      h("div", { class: "event-main" },
        h("div", { class: "event-head" },
          h("span", { class: "event-title", title }, title),
          ongoing && h("span", { class: "badge-now" }, "Now")),
        h("div", { class: "event-meta" },
          h("span", { class: "event-calendar" }, colorDot(ev.calendar_color),
            h("span", { class: "event-calendar-name" }, ev.calendar_name)),
          location && h("span", { class: "event-location" }, icon(ICONS.pin), location)),
        details),
      join);
  }

  type Focus = { id: string; cls: string } | null;
  function rememberFocus(): Focus {
    const a = document.activeElement;
    if (!(a instanceof HTMLElement) || !content.contains(a)) return null;
    const li = a.closest<HTMLElement>(".event");
    if (!li) return null;
    const cls = a.classList.contains("join") ? "join" : a.tagName === "SUMMARY" ? "summary" : "";
    return cls ? { id: li.dataset.eventId ?? "", cls } : null;
  }
  function restoreFocus(f: Focus): void {
    if (!f) return;
    for (const li of content.querySelectorAll<HTMLElement>(".event")) {
      if (li.dataset.eventId === f.id) {
        li.querySelector<HTMLElement>(f.cls === "join" ? ".join" : "summary")?.focus();
        return;
      }
    }
  }

  // ---- live updates ----
  const unlisteners: UnlistenFn[] = [];
  const keep = (p: Promise<UnlistenFn>) =>
    p.then((u) => (destroyed ? u() : void unlisteners.push(u)));
  const listening = Promise.all([
    keep(onSyncState((s) => {
      if (destroyed) return;
      statusSeq++;
      status = s;
      renderHeader();
      renderBanner();
      if (!s.syncing) void reload();
    })),
    keep(onDataChanged(() => void reload())),
  ]).catch((e) => {
    loadError = `Live updates are off: ${errorMessage(e)}`;
    renderBanner();
  });

  const timer = setInterval(() => {
    const k = dayKey(now());
    if (k !== shownDay) {
      shownDay = k;
      void reload();
    }
    renderHeader();
    renderContent(); // ongoing highlights, ended events, day labels
  }, 60_000);

  const ready = Promise.all([listening, reload()]).then(() => undefined);

  return {
    ready,
    destroy() {
      destroyed = true;
      clearInterval(timer);
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
