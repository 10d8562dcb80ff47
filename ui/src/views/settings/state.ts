// Shared state of one mounted settings view: the last saved settings, accounts, calendars, sync
// progress, the destroyed flag, timers cleared on destroy, and the save queue that applies each
// edit to what is really saved, one save after another.
import { errorMessage, getSettings, saveSettings } from "../../api";
import type { Account, Calendar, Settings, SettingsInput } from "../../api";

export type Timer = ReturnType<typeof setTimeout>;

/** The input save_settings expects, from saved settings; the client secret is kept (null). */
export function toInput(s: Settings): SettingsInput {
  return {
    sync: { ...s.sync },
    notifications: { ...s.notifications },
    general: { ...s.general },
    google: { client_id: s.google.client_id, client_secret: null },
    microsoft: { client_id: s.microsoft.client_id, tenant: s.microsoft.tenant },
  };
}

export type SettingsState = {
  saved: Settings | null;
  accounts: Account[];
  calendars: Calendar[];
  syncingAccount: number | null;
  destroyed: boolean;
  readonly now: () => Date;
  /** Debounce for number inputs, in ms. */
  readonly debounceMs: number;
  /** setTimeout that destroy() clears. */
  later(fn: () => void, ms: number): Timer;
  cancelLater(t: Timer | undefined): void;
  /** Saves `edit` applied to the last saved settings, after any earlier save. true if saved. */
  enqueueSave(edit: (input: SettingsInput) => void, onError: (message: string) => void): Promise<boolean>;
  /** Marks the view destroyed and clears its timers. */
  destroy(): void;
};

export function createState(now: () => Date, debounceMs: number): SettingsState {
  let saveQueue: Promise<void> = Promise.resolve();
  const timers = new Set<Timer>();

  const state: SettingsState = {
    saved: null,
    accounts: [],
    calendars: [],
    syncingAccount: null,
    destroyed: false,
    now,
    debounceMs,
    later(fn, ms) {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
      return t;
    },
    cancelLater(t) {
      if (t === undefined) return;
      clearTimeout(t);
      timers.delete(t);
    },
    enqueueSave(edit, onError) {
      const run = async (): Promise<boolean> => {
        if (!state.saved || state.destroyed) return false;
        const input = toInput(state.saved);
        edit(input);
        try {
          state.saved = await saveSettings(input);
          return true;
        } catch (e) {
          onError(errorMessage(e));
          // The shell may have saved part of it (e.g. the file, but not the autostart entry):
          // start the next save from what is really saved.
          try {
            state.saved = await getSettings();
          } catch {
            /* keep what we had */
          }
          return false;
        }
      };
      const result = saveQueue.then(run);
      saveQueue = result.then(() => undefined);
      return result;
    },
    destroy() {
      state.destroyed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
  return state;
}
