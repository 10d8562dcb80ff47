// The one typed gateway to the Rust shell: the JSON shapes it sends, one function per command
// and the event listeners. Nothing else in the UI calls invoke() or listen() directly.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

export type { UnlistenFn };

export type Account = {
  id: number;
  provider: string;
  name: string;
  needs_reauth: boolean;
  last_synced_at: string | null;
  last_error: string | null;
  /** A line shown under the name, e.g. a calendar link's redacted address (never the secret one). */
  detail?: string | null;
};

export type Calendar = {
  id: number;
  account_id: number;
  external_id: string;
  name: string;
  color: string | null;
  time_zone: string | null;
  primary: boolean;
  read_only: boolean;
  enabled: boolean;
  /** Whether its events get reminders (on by default; the calendar stays shown when off). */
  reminders: boolean;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
};

/** start/end: timed = RFC 3339 UTC; all-day = "YYYY-MM-DD" with an exclusive end. */
export type EventView = {
  id: string;
  account_id: number;
  calendar_id: number;
  calendar_name: string;
  calendar_color: string | null;
  provider: string;
  external_id: string;
  title: string;
  description: string | null;
  location: string | null;
  start: string;
  end: string;
  all_day: boolean;
  recurring: boolean;
  status: string;
  my_response: string | null;
  meeting_url: string | null;
  // Being added by the engine: optional, so the UI works with and without them.
  ical_uid?: string | null;
  organizer?: Person | null;
  attendees?: Attendee[];
  /** Attendees the provider left out of a long list. */
  attendees_omitted?: number;
  /** The event's page at its provider (Google Calendar, Outlook …). */
  web_link?: string | null;
  reminder_minutes?: number[] | null;
  /** The other calendars the same meeting is in (shown once). */
  also_in?: AlsoIn[];
};

export type Person = { name: string | null; email: string | null };

export type AttendeeResponse = "accepted" | "tentative" | "declined" | "needs_action";

export type Attendee = Person & {
  response: AttendeeResponse | null;
  is_self: boolean;
  optional: boolean;
};

export type AlsoIn = {
  calendar_id: number;
  calendar_name: string;
  calendar_color: string | null;
  account_id: number;
};

export type SyncProgress = { account_id: number; calendar: string; fetched: number };

/** Where the sign-in page (Google's or Microsoft's) is, and whether the shell could open a browser on it. */
export type SignInUrl = { url: string; opened: boolean };

export type SyncStatus = {
  syncing: boolean;
  last_synced_at: string | null;
  accounts: Account[];
  progress: SyncProgress | null;
  last_error: string | null;
};

export type Settings = {
  sync: { days_back: number; days_ahead: number; interval_minutes: number };
  notifications: {
    enabled: boolean;
    lead_minutes: number;
    /** More lead times besides lead_minutes, in minutes before the start. */
    lead_times: number[];
    at_start: boolean;
    only_with_meeting_link: boolean;
    skip_declined: boolean;
    /**
     * Use each event's own reminder times (from the provider) where its calendar has them;
     * absent from a shell whose engine does not read them, and then not shown.
     */
    use_event_reminders?: boolean;
  };
  google: { client_id: string | null; client_secret_set: boolean; from_environment: boolean };
  /**
   * The user's own Microsoft Entra app registration. tenant: "common", "organizations",
   * "consumers", or one tenant's id or domain. from_environment: the client ID comes from
   * CALBUDDY_MICROSOFT_CLIENT_ID and cannot be changed here (the tenant can).
   */
  microsoft: { client_id: string | null; tenant: string; from_environment: boolean };
  /**
   * time_format: how clock times are written ("system" follows the locale); tray_all_day: the
   * tray lists all-day events (one line per day).
   */
  general: {
    start_at_login: boolean;
    time_format: "system" | "12h" | "24h";
    tray_all_day: boolean;
    /** The global "Join next meeting" shortcut, e.g. "CmdOrCtrl+Alt+J"; null (or absent): off. */
    join_shortcut?: string | null;
  };
  /** Why the saved join shortcut could not be registered when the app started (another app has it). */
  join_shortcut_problem?: string | null;
  /** time_format with "system" resolved by the shell from the locale (which the webview cannot read). */
  hour_cycle?: "12h" | "24h";
};

export type SettingsInput = Omit<Settings, "google" | "microsoft"> & {
  /** client_secret null keeps the saved secret. */
  google: { client_id: string | null; client_secret: string | null };
  /** tenant empty or null: "common". A tenant the engine refuses rejects the whole save. */
  microsoft: { client_id: string | null; tenant: string | null };
};

/** What disconnect did: revoked false with revoke_error saying why (for Microsoft, where to remove the access). */
export type Disconnected = { account: Account; revoked: boolean; revoke_error: string | null };

/** The shape every command rejects with. */
export type AppError = { code: string; message: string };

export type WindowName = "dashboard" | "settings";

/** A rejected command, as an Error (so it has a stack) that still carries the AppError fields. */
export class CommandError extends Error implements AppError {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    // defineProperty, not assignment: safe even with the shell's frozen prototypes.
    Object.defineProperty(this, "name", { value: "CommandError" });
    this.code = code;
  }
}

/** Normalises whatever a rejected invoke() gave us into a CommandError. */
export function toCommandError(e: unknown): CommandError {
  if (e instanceof CommandError) return e;
  if (typeof e === "object" && e !== null) {
    const o = e as Record<string, unknown>;
    if (typeof o.message === "string") {
      return new CommandError(typeof o.code === "string" ? o.code : "unknown", o.message);
    }
  }
  if (typeof e === "string" && e !== "") return new CommandError("unknown", e);
  return new CommandError("unknown", "Something went wrong.");
}

/** A message fit to show the user for any thrown value. */
export function errorMessage(e: unknown): string {
  return toCommandError(e).message;
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toCommandError(e);
  }
}

export const upcomingEvents = (days: number) => call<EventView[]>("upcoming_events", { days });
export const syncStatus = () => call<SyncStatus>("sync_status");
export const syncNow = () => call<null>("sync_now");
export const accounts = () => call<Account[]>("accounts");
export const calendars = () => call<Calendar[]>("calendars");
export const setCalendarEnabled = (id: number, enabled: boolean) =>
  call<null>("set_calendar_enabled", { id, enabled });
export const setCalendarReminders = (id: number, on: boolean) =>
  call<null>("set_calendar_reminders", { id, on });
export const setCalendarColor = (id: number, color: string) =>
  call<null>("set_calendar_color", { id, color });
/** Long-running: resolves once the user signed in and the first sync finished. */
export const connectGoogle = () => call<Account>("connect_google");
/** As connectGoogle, for Microsoft 365 / Outlook.com; rejects with no_microsoft_client without an app registration. */
export const connectMicrosoft = () => call<Account>("connect_microsoft");
/**
 * Subscribes to an iCalendar link (https, http, webcal, webcals): adds an "ics" account with one
 * read-only calendar and resolves after its first sync. `name` null: the feed's own name, else
 * the host. Rejects with invalid_url, feed_not_calendar, feed_needs_login, feed_gone, network or
 * another code.
 */
export const connectIcs = (url: string, name: string | null) => call<Account>("connect_ics", { url, name });
/**
 * Adds a CalDAV account (Fastmail, Nextcloud, Radicale …): `url` is a server, a host, a principal
 * or one calendar. Resolves after discovery and the first sync. Rejects with wrong_password,
 * invalid_url, not_caldav, no_calendars, other_site, network or another code.
 */
export const connectCaldav = (url: string, username: string, password: string) =>
  call<Account>("connect_caldav", { url, username, password });
/** Adds an iCloud account (Apple ID and an app-specific password); rejects as connectCaldav. */
export const connectIcloud = (username: string, password: string) =>
  call<Account>("connect_icloud", { username, password });
/** A CalDAV or iCloud account's password again (after wrong_password / needs_reauth). */
export const reconnectCaldav = (accountId: number, password: string) =>
  call<Account>("reconnect_caldav", { accountId, password });
export const cancelConnect = () => call<null>("cancel_connect");
export const disconnect = (accountId: number) => call<Disconnected>("disconnect", { accountId });
export const addDemo = () => call<Account>("add_demo");
export const getSettings = () => call<Settings>("settings");
export const saveSettings = (settings: SettingsInput) => call<Settings>("save_settings", { settings });
export const openLink = (url: string) => call<null>("open_link", { url });
export const openWindow = (which: WindowName) => call<null>("open_window", { which });
/**
 * Stored events matching every word of `query` (title, location, description), as occurrences
 * from `from` (default today) to `to` (default a year on); dates "YYYY-MM-DD". Rejects with
 * bad_date, bad_range, range_too_long or query_too_long.
 */
export const searchEvents = (query: string, from: string | null = null, to: string | null = null) =>
  call<EventView[]>("search_events", { query, from, to });
/** Every occurrence on the local days `from` to `to` (both included, at most 62 days). */
export const eventsOnDays = (from: string, to: string) => call<EventView[]>("events_on_days", { from, to });

/** Emitted when a sync starts, progresses and finishes. */
export const onSyncState = (cb: (status: SyncStatus) => void): Promise<UnlistenFn> =>
  listen<SyncStatus>("sync-state", (e) => cb(e.payload));

/** Accounts, calendars or events changed: reload what is shown. */
export const onDataChanged = (cb: () => void): Promise<UnlistenFn> =>
  listen<null>("data-changed", () => cb());

/** While connect_google or connect_microsoft waits for the sign-in: the address, so it can be offered if no browser opened. */
export const onSignInUrl = (cb: (signIn: SignInUrl) => void): Promise<UnlistenFn> =>
  listen<SignInUrl>("sign-in-url", (e) => cb(e.payload));
