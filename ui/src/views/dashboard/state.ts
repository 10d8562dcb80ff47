// Shared state of one mounted dashboard: the clock, locale and number of days shown, the loaded
// events and sync status, the load and action errors, the Sync now / Reconnect flags, the status
// sequence number and the destroyed flag.
import type { EventView, SyncStatus } from "../../api";

export type DashboardState = {
  readonly now: () => Date;
  readonly locale: string | undefined;
  readonly days: number;
  events: EventView[] | null;
  status: SyncStatus | null;
  loadError: string | null;
  actionError: string | null;
  syncRequested: boolean;
  reconnecting: boolean;
  /** Bumped by each "sync-state" event so an older fetch never overwrites it. */
  statusSeq: number;
  destroyed: boolean;
};

/** Runs a shell command; a failure shows in the banner. */
export type Act = (fn: () => Promise<unknown>) => Promise<void>;

export function createState(now: () => Date, locale: string | undefined, days: number): DashboardState {
  return {
    now,
    locale,
    days,
    events: null,
    status: null,
    loadError: null,
    actionError: null,
    syncRequested: false,
    reconnecting: false,
    statusSeq: 0,
    destroyed: false,
  };
}
