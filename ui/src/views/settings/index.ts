// The settings window: mountSettings lays out the page (accounts, calendars, notifications, sync,
// general), loads the settings, accounts and calendars, follows the shell's live updates and
// cleans up on destroy. Each section lives in its own module beside this one.
import {
  accounts as fetchAccounts,
  calendars as fetchCalendars,
  errorMessage,
  getSettings,
  onDataChanged,
  onSyncState,
  type Settings,
  type UnlistenFn,
} from "../../api";
import { h, replace } from "../../dom";
import type { MountedView } from "../dashboard";
import { createAccounts } from "./accounts";
import { createCaldavForm } from "./caldav";
import { createCalendars } from "./calendars";
import { createGoogleClientForm } from "./google-client";
import { createMicrosoftClientForm } from "./microsoft-client";
import { createPreferences } from "./preferences";
import { createState } from "./state";
import { createSubscribeForm } from "./subscribe";

export { GOOGLE_CONSOLE_URL } from "./google-client";

export type SettingsOptions = {
  now?: () => Date;
  /** Debounce for number inputs, in ms. */
  debounceMs?: number;
};

const section = (id: string, title: string, ...children: (Node | Node[] | null)[]) =>
  h("section", { class: "section", "aria-labelledby": id }, h("h2", { id }, title), children);

export function mountSettings(root: HTMLElement, opts: SettingsOptions = {}): MountedView {
  const state = createState(opts.now ?? (() => new Date()), opts.debounceMs ?? 300);

  const client = createGoogleClientForm(state, {
    connect: () => void accounts.startConnect("google"),
    announce: (message) => accounts.announce(message),
  });
  const microsoft = createMicrosoftClientForm(state, {
    connect: () => void accounts.startConnect("microsoft"),
    announce: (message) => accounts.announce(message),
  });
  const subscribe = createSubscribeForm(state, { reloadData });
  const caldav = createCaldavForm(state, { reloadData, announce: (message) => accounts.announce(message) });
  const accounts = createAccounts(state, { client, microsoft, subscribe, caldav, reloadData });
  const calendars = createCalendars(state);
  const preferences = createPreferences(state);

  // ---- skeleton ----
  const pageError = h("div", { id: "settings-error", class: "banner", role: "alert", hidden: true });
  const main = h("main", { class: "settings" }, h("p", { id: "loading", class: "loading", role: "status" }, "Loading…"));
  root.replaceChildren(h("header", { class: "topbar" }, h("h1", null, "Settings")), pageError, main, accounts.dialog);

  function showPageError(message: string | null): void {
    replace(pageError, message);
    pageError.hidden = !message;
  }

  function renderPage(s: Settings): void {
    const fields = preferences.render(s);
    replace(main,
      section("accounts-heading", "Accounts", accounts.contents()),
      section("calendars-heading", "Calendars",
        h("p", { class: "muted small" }, "Choose which calendars appear in Calendar Buddy and their colours."),
        calendars.list),
      section("notifications-heading", "Notifications", fields.notifications),
      section("sync-heading", "Sync", fields.sync),
      section("general-heading", "General", fields.general));
    preferences.syncNotifyEnabled();
    accounts.render();
    calendars.render();
  }

  // ---- loading ----
  async function reloadData(): Promise<void> {
    const [a, c] = await Promise.allSettled([fetchAccounts(), fetchCalendars()]);
    if (state.destroyed) return;
    if (a.status === "fulfilled") state.accounts = a.value;
    if (c.status === "fulfilled") state.calendars = c.value;
    const failed = a.status === "rejected" ? a.reason : c.status === "rejected" ? c.reason : null;
    showPageError(failed ? errorMessage(failed) : null);
    if (state.saved) {
      accounts.render();
      calendars.render();
    }
  }

  async function load(): Promise<void> {
    let saved: Settings;
    try {
      saved = state.saved = await getSettings();
    } catch (e) {
      showPageError(errorMessage(e));
      replace(main, h("div", { class: "empty", id: "empty-state" },
        h("p", { class: "empty-title" }, "Couldn't load the settings"),
        h("button", { type: "button", class: "btn", id: "retry", onclick: () => void load() }, "Try again")));
      return;
    }
    if (state.destroyed) return;
    renderPage(saved);
    await reloadData();
  }

  // ---- live updates ----
  const unlisteners: UnlistenFn[] = [];
  const keep = (p: Promise<UnlistenFn>) => p.then((u) => (state.destroyed ? u() : void unlisteners.push(u)));
  const listening = Promise.all([
    keep(onDataChanged(() => void reloadData())),
    keep(onSyncState((s) => {
      if (state.destroyed) return;
      state.syncingAccount = s.syncing ? (s.progress?.account_id ?? null) : null;
      if (s.syncing) accounts.updateStatuses();
      else void reloadData();
    })),
  ]).catch(() => {
    /* outside the shell: no live updates */
  });
  const tick = setInterval(() => accounts.updateStatuses(), 60_000);

  const ready = Promise.all([listening, load()]).then(() => undefined);
  return {
    ready,
    destroy() {
      state.destroy();
      accounts.destroy();
      clearInterval(tick);
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
