// The settings window: accounts (connect Google with its OAuth client form, demo calendar,
// reconnect, disconnect behind an in-page confirmation), calendars (enable, colour),
// notifications, sync interval and start at login. Every change is saved at once.
import {
  accounts as fetchAccounts,
  addDemo,
  calendars as fetchCalendars,
  cancelConnect,
  connectGoogle,
  disconnect,
  errorMessage,
  getSettings,
  onDataChanged,
  onSyncState,
  openLink,
  saveSettings,
  setCalendarColor,
  setCalendarEnabled,
  toCommandError,
  type Account,
  type Calendar,
  type Settings,
  type SettingsInput,
  type UnlistenFn,
} from "../api";
import { askInDialog, colorDot, h, replace, safeColor } from "../dom";
import { accountStatusText } from "../format";
import type { MountedView } from "./dashboard";

export type SettingsOptions = {
  now?: () => Date;
  /** Debounce for number inputs, in ms. */
  debounceMs?: number;
};

export const GOOGLE_CONSOLE_URL = "https://console.cloud.google.com/apis/credentials";
const DEFAULT_COLOR = "#4f7cff";
const PROVIDERS: Record<string, string> = { google: "Google", demo: "Demo" };

type Editable = Omit<Settings, "google">;
type Field =
  | { kind: "bool"; id: string; label: string; hint?: string; get: (s: Editable) => boolean; set: (s: Editable, v: boolean) => void }
  | { kind: "number"; id: string; label: string; hint?: string; min: number; max: number; unit: string;
      get: (s: Editable) => number; set: (s: Editable, v: number) => void };

const NOTIFY_ENABLED: Field = {
  kind: "bool", id: "notify-enabled", label: "Remind me before events",
  get: (s) => s.notifications.enabled, set: (s, v) => { s.notifications.enabled = v; },
};
const NOTIFY_FIELDS: Field[] = [
  { kind: "number", id: "notify-lead", label: "Minutes before", min: 0, max: 1440, unit: "min",
    get: (s) => s.notifications.lead_minutes, set: (s, v) => { s.notifications.lead_minutes = v; } },
  { kind: "bool", id: "notify-at-start", label: "Also remind me when an event starts",
    get: (s) => s.notifications.at_start, set: (s, v) => { s.notifications.at_start = v; } },
  { kind: "bool", id: "notify-only-link", label: "Only events with a meeting link",
    get: (s) => s.notifications.only_with_meeting_link, set: (s, v) => { s.notifications.only_with_meeting_link = v; } },
  { kind: "bool", id: "notify-skip-declined", label: "Skip events I declined",
    get: (s) => s.notifications.skip_declined, set: (s, v) => { s.notifications.skip_declined = v; } },
];
const SYNC_INTERVAL: Field = {
  kind: "number", id: "sync-interval", label: "Sync every", min: 1, max: 1440, unit: "min",
  hint: "Calendars are also synced when the app starts and when you press Sync now.",
  get: (s) => s.sync.interval_minutes, set: (s, v) => { s.sync.interval_minutes = v; },
};
const START_AT_LOGIN: Field = {
  kind: "bool", id: "start-at-login", label: "Start Calendar Buddy when I log in",
  get: (s) => s.general.start_at_login, set: (s, v) => { s.general.start_at_login = v; },
};

/** The input save_settings expects, from saved settings; the client secret is kept (null). */
function toInput(s: Settings): SettingsInput {
  return {
    sync: { ...s.sync },
    notifications: { ...s.notifications },
    general: { ...s.general },
    google: { client_id: s.google.client_id, client_secret: null },
  };
}

export function mountSettings(root: HTMLElement, opts: SettingsOptions = {}): MountedView {
  const now = opts.now ?? (() => new Date());
  const debounceMs = opts.debounceMs ?? 300;

  // ---- state ----
  let saved: Settings | null = null;
  let accounts: Account[] = [];
  let calendars: Calendar[] = [];
  let syncingAccount: number | null = null;
  let connecting = false;
  let destroyed = false;
  let saveQueue: Promise<void> = Promise.resolve();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const cancelLater = (t: ReturnType<typeof setTimeout> | undefined) => {
    if (t === undefined) return;
    clearTimeout(t);
    timers.delete(t);
  };

  // ---- skeleton ----
  const pageError = h("div", { id: "settings-error", class: "banner", role: "alert", hidden: true });
  const main = h("main", { class: "settings" }, h("p", { id: "loading", class: "loading", role: "status" }, "Loading…"));
  const dialog = h("dialog", { id: "confirm-dialog", class: "dialog", "aria-labelledby": "confirm-message" },
    h("p", { id: "confirm-message" }),
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", class: "btn", id: "confirm-no" }, "Cancel"),
      h("button", { type: "button", class: "btn btn-danger", id: "confirm-yes" }, "Disconnect")));
  root.replaceChildren(h("header", { class: "topbar" }, h("h1", null, "Settings")), pageError, main, dialog);

  function showPageError(message: string | null): void {
    replace(pageError, message);
    pageError.hidden = !message;
  }

  // ---- accounts ----
  const accountList = h("ul", { id: "account-list", class: "list" });
  const accountsError = h("p", { class: "field-error", id: "accounts-error", role: "alert" });
  const connectBtn = h("button", { type: "button", class: "btn btn-primary", id: "connect-google",
    onclick: () => void startConnect() }, "Connect Google Calendar");
  const demoBtn = h("button", { type: "button", class: "btn", id: "add-demo", onclick: () => void doAddDemo() },
    "Add demo calendar");
  const cancelBtn = h("button", { type: "button", class: "btn btn-small", id: "connect-cancel",
    onclick: () => void doCancelConnect() }, "Cancel");
  const waiting = h("div", { id: "connect-waiting", class: "waiting", role: "status", hidden: true },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    h("span", null, "Waiting for you to sign in in your browser…"), cancelBtn);
  const connectResult = h("p", { id: "connect-result", class: "field-status", role: "status" });
  const connectError = h("p", { id: "connect-error", class: "field-error", role: "alert" });

  // Google OAuth client form
  const clientId = h("input", { id: "google-client-id", type: "text", autocomplete: "off", spellcheck: "false",
    placeholder: "1234567890-abc.apps.googleusercontent.com", "aria-describedby": "google-client-error" });
  const clientSecret = h("input", { id: "google-client-secret", type: "password", autocomplete: "off",
    spellcheck: "false", "aria-describedby": "google-client-error" });
  const clientError = h("p", { id: "google-client-error", class: "field-error", role: "alert" });
  const clientSubmit = h("button", { type: "submit", class: "btn btn-primary", id: "google-client-save" }, "Save and connect");
  let connectAfterSave = true;
  const clientForm = h("form", { id: "google-client-form", class: "card", hidden: true, novalidate: true,
    "aria-labelledby": "google-client-heading", onsubmit: (e: Event) => { e.preventDefault(); void saveClient(); } },
    h("h3", { id: "google-client-heading" }, "Your Google OAuth client"),
    h("p", { class: "muted" }, "Calendar Buddy signs in with your own Google Cloud OAuth client. Once:"),
    h("ol", { class: "guide" },
      h("li", null, "In the Google Cloud console, create a project and enable the Google Calendar API."),
      h("li", null, "Set up the OAuth consent screen (External) and add yourself as a test user."),
      h("li", null, "Create credentials → OAuth client ID → Desktop app, and paste its ID and secret below.")),
    h("p", null, h("button", { type: "button", class: "link-btn", id: "open-console",
      onclick: () => void openLink(GOOGLE_CONSOLE_URL).catch((e) => { clientError.textContent = errorMessage(e); }) },
      "Open the Google Cloud console")),
    h("div", { class: "field field-stack" }, h("label", { for: "google-client-id" }, "Client ID"), clientId),
    h("div", { class: "field field-stack" }, h("label", { for: "google-client-secret" }, "Client secret"), clientSecret),
    clientError,
    h("div", { class: "row-actions" }, clientSubmit,
      h("button", { type: "button", class: "btn", id: "google-client-close", onclick: () => hideClientForm() }, "Cancel")));
  const editClientBtn = h("button", { type: "button", class: "link-btn", id: "google-client-edit",
    onclick: () => showClientForm(false) }, "Change Google OAuth client");

  function showClientForm(thenConnect: boolean): void {
    connectAfterSave = thenConnect;
    clientSubmit.textContent = thenConnect ? "Save and connect" : "Save";
    clientId.value = saved?.google.client_id ?? "";
    clientSecret.value = "";
    clientSecret.placeholder = saved?.google.client_secret_set ? "saved" : "";
    clientError.textContent = "";
    clientForm.hidden = false;
    editClientBtn.hidden = true;
    clientId.focus();
  }
  function hideClientForm(): void {
    clientForm.hidden = true;
    editClientBtn.hidden = !saved?.google.client_id;
  }

  async function saveClient(): Promise<void> {
    if (!saved) return;
    const id = clientId.value.trim();
    const secret = clientSecret.value.trim();
    clientError.textContent = "";
    if (!id) {
      clientError.textContent = "Enter the client ID.";
      clientId.focus();
      return;
    }
    if (!secret && !saved.google.client_secret_set) {
      clientError.textContent = "Enter the client secret.";
      clientSecret.focus();
      return;
    }
    clientSubmit.disabled = true;
    const ok = await enqueueSave((input) => {
      input.google = { client_id: id, client_secret: secret || null };
    }, (message) => {
      clientError.textContent = message;
    });
    clientSubmit.disabled = false;
    if (!ok || destroyed) return;
    clientSecret.value = "";
    hideClientForm();
    if (connectAfterSave) void startConnect();
    else connectResult.textContent = "Google OAuth client saved.";
  }

  async function startConnect(): Promise<void> {
    if (connecting || !saved) return;
    connectError.textContent = "";
    connectResult.textContent = "";
    if (!saved.google.client_id) {
      showClientForm(true);
      return;
    }
    connecting = true;
    renderConnect();
    cancelBtn.disabled = false;
    cancelBtn.focus();
    try {
      const account = await connectGoogle();
      connectResult.textContent = `Connected ${account.name}.`;
      await reloadData();
    } catch (e) {
      const err = toCommandError(e);
      if (err.code === "sign_in_cancelled") {
        connectResult.textContent = "Sign-in cancelled.";
      } else if (err.code === "no_google_client") {
        showClientForm(true);
        clientError.textContent = err.message;
      } else {
        connectError.textContent = err.message;
      }
    }
    connecting = false;
    if (destroyed) return;
    const hadFocus = waiting.contains(document.activeElement);
    renderConnect();
    if (hadFocus) connectBtn.focus();
  }

  async function doCancelConnect(): Promise<void> {
    cancelBtn.disabled = true;
    try {
      await cancelConnect();
    } catch (e) {
      connectError.textContent = errorMessage(e);
      cancelBtn.disabled = false;
    }
  }

  async function doAddDemo(): Promise<void> {
    demoBtn.disabled = true;
    accountsError.textContent = "";
    try {
      const a = await addDemo();
      connectResult.textContent = `Added ${a.name}.`;
      await reloadData();
    } catch (e) {
      accountsError.textContent = errorMessage(e);
    }
    demoBtn.disabled = false;
    renderConnect();
  }

  async function doDisconnect(a: Account): Promise<void> {
    const what = a.provider === "google"
      ? `Disconnect ${a.name}? Its events are removed from this computer and Calendar Buddy's access is revoked at Google.`
      : `Disconnect ${a.name}? Its events are removed from this computer.`;
    if (!(await askInDialog(dialog, what))) return;
    accountsError.textContent = "";
    try {
      await disconnect(a.id);
      connectResult.textContent = `Disconnected ${a.name}.`;
      await reloadData();
    } catch (e) {
      accountsError.textContent = errorMessage(e);
    }
  }

  function renderConnect(): void {
    connectBtn.disabled = connecting;
    waiting.hidden = !connecting;
    demoBtn.hidden = accounts.some((a) => a.provider === "demo");
    if (clientForm.hidden) editClientBtn.hidden = !saved?.google.client_id;
  }

  let accountsKey = "";
  function renderAccounts(): void {
    const key = JSON.stringify(accounts.map((a) => [a.id, a.name, a.provider, a.needs_reauth]));
    if (key !== accountsKey) {
      accountsKey = key;
      replace(accountList, accounts.length === 0
        ? h("li", { class: "list-empty muted" }, "No accounts yet. Connect Google Calendar or try the demo calendar.")
        : accounts.map((a) => h("li", { class: "account", "data-account-id": a.id },
            h("div", { class: "account-info" },
              h("span", { class: "account-name" }, a.name),
              h("span", { class: "account-provider badge" }, PROVIDERS[a.provider] ?? a.provider),
              h("span", { class: "account-status small" })),
            h("div", { class: "account-actions" },
              a.needs_reauth && a.provider === "google" && h("button", {
                type: "button", class: "btn btn-small btn-primary reconnect", "aria-label": `Reconnect ${a.name}`,
                onclick: () => void startConnect() }, "Reconnect"),
              h("button", { type: "button", class: "btn btn-small disconnect", "aria-label": `Disconnect ${a.name}`,
                onclick: () => void doDisconnect(a) }, "Disconnect")))));
    }
    updateAccountStatuses();
    renderConnect();
  }

  /** Status lines change every minute and with sync progress: updated in place (keeps focus). */
  function updateAccountStatuses(): void {
    const t = now();
    for (const li of accountList.querySelectorAll<HTMLElement>(".account")) {
      const a = accounts.find((x) => String(x.id) === li.dataset.accountId);
      const el = li.querySelector<HTMLElement>(".account-status");
      if (!a || !el) continue;
      const text = syncingAccount === a.id ? "Syncing…" : accountStatusText(a, t);
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("warn", a.needs_reauth || (!!a.last_error && syncingAccount !== a.id));
    }
  }

  // ---- calendars ----
  const calendarList = h("div", { id: "calendar-list" });

  let calendarsKey = "";
  function renderCalendars(): void {
    const key = JSON.stringify([accounts.map((a) => [a.id, a.name]), calendars.map((c) => [c.id, c.account_id, c.name])]);
    if (key !== calendarsKey) {
      calendarsKey = key;
      if (calendars.length === 0) {
        replace(calendarList, h("p", { class: "muted" }, "No calendars yet."));
      } else {
        const groups: { title: string; items: Calendar[] }[] = [];
        for (const a of accounts) {
          const items = calendars.filter((c) => c.account_id === a.id);
          if (items.length) groups.push({ title: a.name, items });
        }
        const orphans = calendars.filter((c) => !accounts.some((a) => a.id === c.account_id));
        if (orphans.length) groups.push({ title: "Other", items: orphans });
        replace(calendarList, groups.map((g) => h("div", { class: "calendar-group" },
          h("h3", { class: "group-heading" }, g.title),
          h("ul", { class: "list" }, g.items.map(renderCalendar)))));
      }
    }
    // Values change in place, so the checkbox you just toggled keeps focus.
    for (const li of calendarList.querySelectorAll<HTMLElement>(".calendar")) {
      const c = calendars.find((x) => String(x.id) === li.dataset.calendarId);
      if (!c) continue;
      const box = li.querySelector<HTMLInputElement>("input[type=checkbox]");
      const color = li.querySelector<HTMLInputElement>("input[type=color]");
      const dot = li.querySelector<HTMLElement>(".cal-dot");
      const note = li.querySelector<HTMLElement>(".calendar-note");
      if (box) box.checked = c.enabled;
      const col = safeColor(c.color) ?? DEFAULT_COLOR;
      if (color && color.value.toLowerCase() !== col.toLowerCase()) color.value = col;
      dot?.style.setProperty("--cal", col);
      if (note) note.textContent = c.last_error ?? "";
    }
  }

  function renderCalendar(c: Calendar): HTMLLIElement {
    const boxId = `calendar-enabled-${c.id}`;
    const colorId = `calendar-color-${c.id}`;
    const errId = `calendar-error-${c.id}`;
    const err = h("span", { class: "field-error", id: errId, role: "alert" });
    const box = h("input", { type: "checkbox", id: boxId, checked: c.enabled, "aria-describedby": errId });
    const color = h("input", { type: "color", id: colorId, class: "color-input", value: safeColor(c.color) ?? DEFAULT_COLOR,
      "aria-label": `Colour for ${c.name}`, "aria-describedby": errId });
    box.addEventListener("change", () => {
      const want = box.checked;
      err.textContent = "";
      setCalendarEnabled(c.id, want).then(
        () => { c.enabled = want; },
        (e) => { box.checked = !want; err.textContent = errorMessage(e); });
    });
    let lastColor = color.value;
    color.addEventListener("change", () => {
      const value = safeColor(color.value);
      err.textContent = "";
      if (!value) return;
      const before = lastColor;
      lastColor = value;
      li.querySelector<HTMLElement>(".cal-dot")?.style.setProperty("--cal", value);
      setCalendarColor(c.id, value).then(
        () => { c.color = value; },
        (e) => {
          lastColor = before;
          color.value = before;
          li.querySelector<HTMLElement>(".cal-dot")?.style.setProperty("--cal", before);
          err.textContent = errorMessage(e);
        });
    });
    const li = h("li", { class: "calendar", "data-calendar-id": c.id },
      h("div", { class: "calendar-main" },
        box,
        h("label", { for: boxId, class: "calendar-label" }, colorDot(c.color ?? DEFAULT_COLOR),
          h("span", { class: "calendar-name" }, c.name),
          c.primary && h("span", { class: "badge" }, "Primary")),
        color),
      h("span", { class: "calendar-note small muted" }, c.last_error ?? ""),
      err);
    return li;
  }

  // ---- preference fields ----
  const fieldEls = new Map<string, { input: HTMLInputElement; status: HTMLElement; error: HTMLElement }>();

  /** Saves `edit` applied to the last saved settings, after any earlier save. true if saved. */
  function enqueueSave(edit: (input: SettingsInput) => void, onError: (message: string) => void): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      if (!saved || destroyed) return false;
      const input = toInput(saved);
      edit(input);
      try {
        saved = await saveSettings(input);
        return true;
      } catch (e) {
        onError(errorMessage(e));
        // The shell may have saved part of it (e.g. the file, but not the autostart entry):
        // start the next save from what is really saved.
        try {
          saved = await getSettings();
        } catch {
          /* keep what we had */
        }
        return false;
      }
    };
    const result = saveQueue.then(run);
    saveQueue = result.then(() => undefined);
    return result;
  }

  const statusTimers = new Map<string, ReturnType<typeof setTimeout>>();

  /** Saves one field's new value; shows "Saved" or the error next to it. Resolves true if saved. */
  function saveField(f: Field, value: boolean | number): Promise<boolean> {
    const els = fieldEls.get(f.id);
    if (!els) return Promise.resolve(false);
    cancelLater(statusTimers.get(f.id));
    return enqueueSave((input) => {
      if (f.kind === "bool") f.set(input, value as boolean);
      else f.set(input, value as number);
    }, (message) => showFieldError(f.id, message)).then((ok) => {
      if (destroyed) return ok;
      if (!ok) {
        // A checkbox shows what is saved; a number keeps the typed value next to its error.
        if (f.kind === "bool" && saved) els.input.checked = f.get(saved);
        return ok;
      }
      showFieldError(f.id, null);
      els.status.textContent = "Saved";
      statusTimers.set(f.id, later(() => { els.status.textContent = ""; }, 2500));
      if (f === NOTIFY_ENABLED) syncNotifyEnabled();
      return ok;
    });
  }

  function showFieldError(id: string, message: string | null): void {
    const els = fieldEls.get(id);
    if (!els) return;
    els.error.textContent = message ?? "";
    if (message) {
      els.status.textContent = "";
      els.input.setAttribute("aria-invalid", "true");
    } else {
      els.input.removeAttribute("aria-invalid");
    }
  }

  function renderField(f: Field, s: Settings): HTMLElement {
    const statusEl = h("span", { class: "field-status", role: "status", "aria-live": "polite" });
    const errId = `${f.id}-error`;
    const hintId = `${f.id}-hint`;
    const errorEl = h("span", { class: "field-error", id: errId, role: "alert" });
    const hint = f.hint ? h("span", { class: "field-hint small muted", id: hintId }, f.hint) : null;
    const describedBy = [errId, hint ? hintId : ""].filter(Boolean).join(" ");
    if (f.kind === "bool") {
      const input = h("input", { type: "checkbox", id: f.id, checked: f.get(s), "aria-describedby": describedBy,
        onchange: () => void saveField(f, input.checked) });
      fieldEls.set(f.id, { input, status: statusEl, error: errorEl });
      return h("div", { class: "field field-check" }, input, h("label", { for: f.id }, f.label), statusEl, errorEl, hint);
    }
    const input = h("input", { type: "number", id: f.id, min: f.min, max: f.max, step: 1, inputmode: "numeric",
      value: f.get(s), class: "number-input", "aria-describedby": describedBy });
    let debounce: ReturnType<typeof setTimeout> | undefined;
    let sending: number | null = null; // the value on its way, so blur after the debounce does not resend it
    const flush = () => {
      cancelLater(debounce);
      debounce = undefined;
      const raw = input.value.trim();
      const v = Number(raw);
      if (raw === "" || !Number.isInteger(v) || v < f.min || v > f.max) {
        showFieldError(f.id, `Enter a whole number from ${f.min} to ${f.max}.`);
        return;
      }
      if (v === sending) return;
      if (saved && v === f.get(saved)) {
        showFieldError(f.id, null);
        return;
      }
      sending = v;
      void saveField(f, v).then(() => {
        sending = null;
      });
    };
    input.addEventListener("input", () => {
      cancelLater(debounce);
      debounce = later(flush, debounceMs);
    });
    input.addEventListener("change", flush);
    fieldEls.set(f.id, { input, status: statusEl, error: errorEl });
    return h("div", { class: "field field-number" },
      h("label", { for: f.id }, f.label),
      h("span", { class: "number-wrap" }, input, h("span", { class: "unit muted", "aria-hidden": "true" }, f.unit)),
      statusEl, errorEl, hint);
  }

  let notifyFieldset: HTMLFieldSetElement | null = null;
  function syncNotifyEnabled(): void {
    const box = fieldEls.get(NOTIFY_ENABLED.id)?.input;
    if (notifyFieldset && box) notifyFieldset.disabled = !box.checked;
  }

  const section = (id: string, title: string, ...children: (Node | null)[]) =>
    h("section", { class: "section", "aria-labelledby": id }, h("h2", { id }, title), children);

  function renderPage(s: Settings): void {
    notifyFieldset = h("fieldset", { class: "subfields" },
      h("legend", { class: "sr-only" }, "Reminder options"),
      NOTIFY_FIELDS.map((f) => renderField(f, s)));
    replace(main,
      section("accounts-heading", "Accounts",
        accountList, accountsError,
        h("div", { class: "row-actions" }, connectBtn, demoBtn),
        waiting, connectResult, connectError, clientForm, editClientBtn),
      section("calendars-heading", "Calendars",
        h("p", { class: "muted small" }, "Choose which calendars appear in Calendar Buddy and their colours."),
        calendarList),
      section("notifications-heading", "Notifications", renderField(NOTIFY_ENABLED, s), notifyFieldset),
      section("sync-heading", "Sync", renderField(SYNC_INTERVAL, s)),
      section("general-heading", "General", renderField(START_AT_LOGIN, s)));
    syncNotifyEnabled();
    renderAccounts();
    renderCalendars();
  }

  // ---- loading ----
  async function reloadData(): Promise<void> {
    const [a, c] = await Promise.allSettled([fetchAccounts(), fetchCalendars()]);
    if (destroyed) return;
    if (a.status === "fulfilled") accounts = a.value;
    if (c.status === "fulfilled") calendars = c.value;
    const failed = a.status === "rejected" ? a.reason : c.status === "rejected" ? c.reason : null;
    showPageError(failed ? errorMessage(failed) : null);
    if (saved) {
      renderAccounts();
      renderCalendars();
    }
  }

  async function load(): Promise<void> {
    try {
      saved = await getSettings();
    } catch (e) {
      showPageError(errorMessage(e));
      replace(main, h("div", { class: "empty", id: "empty-state" },
        h("p", { class: "empty-title" }, "Couldn't load the settings"),
        h("button", { type: "button", class: "btn", id: "retry", onclick: () => void load() }, "Try again")));
      return;
    }
    if (destroyed) return;
    renderPage(saved);
    await reloadData();
  }

  // ---- live updates ----
  const unlisteners: UnlistenFn[] = [];
  const keep = (p: Promise<UnlistenFn>) => p.then((u) => (destroyed ? u() : void unlisteners.push(u)));
  const listening = Promise.all([
    keep(onDataChanged(() => void reloadData())),
    keep(onSyncState((s) => {
      if (destroyed) return;
      syncingAccount = s.syncing ? (s.progress?.account_id ?? null) : null;
      if (s.syncing) updateAccountStatuses();
      else void reloadData();
    })),
  ]).catch(() => {
    /* outside the shell: no live updates */
  });
  const tick = setInterval(updateAccountStatuses, 60_000);

  const ready = Promise.all([listening, load()]).then(() => undefined);
  return {
    ready,
    destroy() {
      destroyed = true;
      clearInterval(tick);
      for (const t of timers) clearTimeout(t);
      timers.clear();
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
