// Test-only helpers (never imported by the app): fixtures in the shapes the Rust side sends
// and a fake backend over mockIPC that records every command call.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, vi } from "vitest";
import type { Account, Calendar, EventView, Settings, SyncStatus } from "./api";

export const NOW = new Date("2026-11-25T09:45:00Z"); // a Wednesday; tests run with TZ=UTC

export function event(over: Partial<EventView> = {}): EventView {
  return {
    id: "ev1",
    account_id: 1,
    calendar_id: 10,
    calendar_name: "Work",
    calendar_color: "#3366ff",
    provider: "google",
    external_id: "x1",
    title: "Planning",
    description: null,
    location: null,
    start: "2026-11-25T10:00:00Z",
    end: "2026-11-25T10:30:00Z",
    all_day: false,
    recurring: false,
    status: "confirmed",
    my_response: "accepted",
    meeting_url: null,
    ...over,
  };
}

export function account(over: Partial<Account> = {}): Account {
  return {
    id: 1,
    provider: "google",
    name: "me@example.com",
    needs_reauth: false,
    last_synced_at: "2026-11-25T09:40:00Z",
    last_error: null,
    ...over,
  };
}

export function calendar(over: Partial<Calendar> = {}): Calendar {
  return {
    id: 10,
    account_id: 1,
    external_id: "primary",
    name: "Work",
    color: "#3366ff",
    time_zone: "Europe/Berlin",
    primary: true,
    read_only: false,
    enabled: true,
    reminders: true,
    last_attempt_at: null,
    last_success_at: null,
    last_error: null,
    ...over,
  };
}

export function status(over: Partial<SyncStatus> = {}): SyncStatus {
  return {
    syncing: false,
    last_synced_at: "2026-11-25T09:42:00Z",
    accounts: [account()],
    progress: null,
    last_error: null,
    ...over,
  };
}

export function settings(over: Partial<Settings> = {}): Settings {
  return {
    sync: { days_back: 30, days_ahead: 90, interval_minutes: 15 },
    notifications: { enabled: true, lead_minutes: 10, lead_times: [], at_start: false, only_with_meeting_link: false, skip_declined: true },
    google: { client_id: "client.apps.googleusercontent.com", client_secret_set: true, from_environment: false },
    microsoft: { client_id: "00000000-0000-0000-0000-0000000000aa", tenant: "common", from_environment: false },
    general: { start_at_login: false, time_format: "system", tray_all_day: true },
    ...over,
  };
}

export type Call = { cmd: string; args: Record<string, unknown> | undefined };
type Handler = (args: Record<string, unknown> | undefined) => unknown;

/**
 * Installs a fake backend: `handlers[cmd]` answers a command (a thrown value or rejected
 * promise becomes the command's rejection); unknown commands resolve null. Events are mocked
 * too, so tests can emit() "sync-state" / "data-changed".
 */
export function backend(handlers: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  mockIPC(
    (cmd, payload) => {
      const args = payload as Record<string, unknown> | undefined;
      calls.push({ cmd, args });
      const fn = handlers[cmd];
      return fn ? fn(args) : null;
    },
    { shouldMockEvents: true },
  );
  return calls;
}

export const named = (calls: Call[], cmd: string) => calls.filter((c) => c.cmd === cmd);

/** Lets pending promises and IPC callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}

export function $(sel: string, root: ParentNode = document): HTMLElement {
  const el = root.querySelector<HTMLElement>(sel);
  if (!el) throw new Error(`no element matches ${sel}`);
  return el;
}

/** Where a test mounts its view: a fresh root element, and the view to destroy afterwards. */
export type Page<V extends { destroy(): void }> = { root: HTMLElement; view: V | null };

/**
 * Gives each test of the calling file a fresh root element in an empty document and empty local
 * storage; after each test the view kept in `page.view` is destroyed, the IPC mocks cleared and
 * real timers restored.
 */
export function usePage<V extends { destroy(): void }>(): Page<V> {
  const page: Page<V> = { root: document.createElement("div"), view: null };
  beforeEach(() => {
    page.root = document.createElement("div");
    document.body.replaceChildren(page.root);
    localStorage.clear();
  });
  afterEach(() => {
    page.view?.destroy();
    page.view = null;
    clearMocks();
    vi.useRealTimers();
  });
  return page;
}
