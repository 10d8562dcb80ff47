// Shared state of one mounted dashboard: the clock, locale and number of days shown, the hour
// cycle from the settings, the loaded events and sync status, the load and action errors, the
// sign-in address no browser could open, the Sync now / Reconnect flags, the status sequence
// number and the destroyed flag.
import type { EventView, SignInUrl, SyncStatus } from "../../api";
import type { HourCycle } from "../../format";

/** A failed command: its message, its code when the shell gave one, and the link it tried to open. */
export type ActionError = { message: string; code?: string; link?: string | null };

export type DashboardState = {
  readonly now: () => Date;
  readonly locale: string | undefined;
  readonly days: number;
  /** 12 or 24 hours from the settings; undefined = the locale's. */
  hours: HourCycle | undefined;
  events: EventView[] | null;
  status: SyncStatus | null;
  loadError: string | null;
  actionError: ActionError | null;
  /** A sign-in page the shell could not open in a browser (offered as "Copy link"). */
  signIn: SignInUrl | null;
  syncRequested: boolean;
  reconnecting: boolean;
  /** Bumped by each "sync-state" event so an older fetch never overwrites it. */
  statusSeq: number;
  destroyed: boolean;
};

/**
 * Runs a shell command; a failure shows in the banner. `link`: the address the command opens,
 * offered to copy when no browser could be opened.
 */
export type Act = (fn: () => Promise<unknown>, link?: string) => Promise<void>;

export function createState(now: () => Date, locale: string | undefined, days: number): DashboardState {
  return {
    now,
    locale,
    days,
    hours: undefined,
    events: null,
    status: null,
    loadError: null,
    actionError: null,
    signIn: null,
    syncRequested: false,
    reconnecting: false,
    statusSeq: 0,
    destroyed: false,
  };
}
