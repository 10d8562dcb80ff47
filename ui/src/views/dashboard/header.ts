// The top bar: the "Upcoming" title with the last-synced line, Sync now (disabled and showing the
// progress while a sync runs) and the Settings button, plus the screen-reader line that announces
// when a sync starts and ends.
import { openWindow, syncNow, syncStatus, toCommandError } from "../../api";
import { h, icon, ICONS, setText } from "../../dom";
import { lastSyncedText, syncProgressText } from "../../format";
import type { Act, DashboardState } from "./state";

export type HeaderHooks = {
  act: Act;
  renderBanner: () => void;
  /** Redraws the header, the banner and the content. */
  renderAll: () => void;
  /** The browsing row (search, month, calendar filter), placed under the title and buttons. */
  browseBar?: HTMLElement;
};

export type Header = {
  topbar: HTMLElement;
  /** The polite live region (placed after the banner). */
  liveStatus: HTMLParagraphElement;
  render(): void;
  /** What Sync now does (also Ctrl/Cmd+R and the banner's Try again); nothing while syncing. */
  sync(): Promise<void>;
};

export function createHeader(state: DashboardState, hooks: HeaderHooks): Header {
  const syncLabel = h("span", { class: "btn-label" }, "Sync now");
  const syncBtn = h("button", { id: "sync-now", type: "button", class: "btn", onclick: () => void doSyncNow() },
    icon(ICONS.sync), syncLabel);
  const lastSynced = h("p", { id: "last-synced", class: "muted small" });
  const settingsBtn = h("button", {
    type: "button", class: "icon-btn", id: "open-settings", "aria-label": "Settings", title: "Settings",
    onclick: () => void hooks.act(() => openWindow("settings")),
  }, icon(ICONS.gear));
  const liveStatus = h("p", { id: "sync-live", class: "sr-only", role: "status", "aria-live": "polite" });
  const topbar = h("header", { class: "topbar" },
    h("div", { class: "topbar-title" }, h("h1", null, "Upcoming"), lastSynced),
    h("div", { class: "topbar-actions" }, syncBtn, settingsBtn), hooks.browseBar);

  async function doSyncNow(): Promise<void> {
    state.actionError = null;
    state.syncRequested = true;
    const seq = state.statusSeq;
    render();
    hooks.renderBanner();
    try {
      await syncNow();
    } catch (e) {
      const err = toCommandError(e);
      state.actionError = { message: err.message, code: err.code };
    }
    state.syncRequested = false;
    if (seq === state.statusSeq) {
      // No "sync-state" yet: ask, so the button never stays stuck.
      try {
        const s = await syncStatus();
        if (seq === state.statusSeq) state.status = s;
      } catch {
        /* the banner already says what failed */
      }
    }
    if (!state.destroyed) hooks.renderAll();
  }

  // A disabled button loses focus (WebKit moves it to the body): remember it had it, and give it
  // back when the sync ends, unless the user has moved on.
  let refocus = false;
  function render(): void {
    const { status, now } = state;
    const syncing = state.syncRequested || status?.syncing === true;
    if (syncing && !syncBtn.disabled && document.activeElement === syncBtn) refocus = true;
    if (!syncing && syncBtn.disabled && refocus) {
      refocus = false;
      const a = document.activeElement;
      syncBtn.disabled = false;
      if (a === null || a === document.body || a === syncBtn) syncBtn.focus();
    }
    syncBtn.disabled = syncing;
    syncBtn.setAttribute("aria-busy", String(syncing));
    syncBtn.classList.toggle("syncing", syncing);
    setText(syncLabel, syncing ? syncProgressText(status?.syncing ? status.progress : null) : "Sync now");
    setText(lastSynced, status ? lastSyncedText(status.last_synced_at, now()) : "");
    // Announce start and end only, not every progress tick.
    const live = syncing ? "Syncing…" : status ? lastSyncedText(status.last_synced_at, now()) : "";
    if (liveStatus.textContent !== live) setText(liveStatus, live);
  }

  return { topbar, liveStatus, render, sync: () => (syncBtn.disabled ? Promise.resolve() : doSyncNow()) };
}
