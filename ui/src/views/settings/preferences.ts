// The Notifications, Sync and General preferences: checkbox and number fields, each saved as soon
// as it changes (numbers after a debounce pause or on change), with "Saved" or the shell's error
// beside the field; turning reminders off disables their options.
import type { Settings } from "../../api";
import { h, setText } from "../../dom";
import type { SettingsState, Timer } from "./state";

type Editable = Omit<Settings, "google" | "microsoft">;
type Field =
  | { kind: "bool"; id: string; label: string; hint?: string; get: (s: Editable) => boolean; set: (s: Editable, v: boolean) => void }
  | { kind: "number"; id: string; label: string; hint?: string; min: number; max: number; unit: string;
      get: (s: Editable) => number; set: (s: Editable, v: number) => void }
  | { kind: "choice"; id: string; label: string; hint?: string; options: [string, string][];
      get: (s: Editable) => string; set: (s: Editable, v: string) => void }
  | { kind: "minutes"; id: string; label: string; hint?: string; max: number; count: number;
      get: (s: Editable) => number[]; set: (s: Editable, v: number[]) => void }
  | { kind: "shortcut"; id: string; label: string; hint?: string; fallback: string;
      get: (s: Editable) => string | null; set: (s: Editable, v: string | null) => void };

/** "10, 1" (commas or spaces) as minutes, or null when a part is not a whole number in range. */
function parseMinutes(raw: string, max: number, count: number): number[] | null {
  const parts = raw.split(/[\s,]+/).filter((p) => p !== "");
  if (parts.length > count) return null;
  const values = parts.map(Number);
  return values.every((v, i) => /^\d+$/.test(parts[i]!) && v <= max) ? values : null;
}

const NOTIFY_ENABLED: Field = {
  kind: "bool", id: "notify-enabled", label: "Remind me before events",
  get: (s) => s.notifications.enabled, set: (s, v) => { s.notifications.enabled = v; },
};
const NOTIFY_FIELDS: Field[] = [
  { kind: "number", id: "notify-lead", label: "Minutes before", min: 0, max: 1440, unit: "min",
    get: (s) => s.notifications.lead_minutes, set: (s, v) => { s.notifications.lead_minutes = v; } },
  { kind: "minutes", id: "notify-more-leads", label: "More reminders, minutes before", max: 1440, count: 4,
    hint: "For example 1, or 30, 5. Leave empty for one reminder.",
    get: (s) => s.notifications.lead_times, set: (s, v) => { s.notifications.lead_times = v; } },
  { kind: "bool", id: "notify-at-start", label: "Also remind me when an event starts",
    get: (s) => s.notifications.at_start, set: (s, v) => { s.notifications.at_start = v; } },
  { kind: "bool", id: "notify-only-link", label: "Only events with a meeting link",
    get: (s) => s.notifications.only_with_meeting_link, set: (s, v) => { s.notifications.only_with_meeting_link = v; } },
  { kind: "bool", id: "notify-skip-declined", label: "Skip events I declined",
    get: (s) => s.notifications.skip_declined, set: (s, v) => { s.notifications.skip_declined = v; } },
];
/** Shown only when the shell's settings have the field (an engine that reads events' own reminders). */
const USE_EVENT_REMINDERS: Field = {
  kind: "bool", id: "notify-event-reminders", label: "Use each event's own reminder times when the calendar has them",
  get: (s) => s.notifications.use_event_reminders ?? false,
  set: (s, v) => { s.notifications.use_event_reminders = v; },
};
const SYNC_INTERVAL: Field = {
  kind: "number", id: "sync-interval", label: "Sync every", min: 1, max: 1440, unit: "min",
  hint: "Calendars are also synced when the app starts and when you press Sync now.",
  get: (s) => s.sync.interval_minutes, set: (s, v) => { s.sync.interval_minutes = v; },
};
const START_AT_LOGIN: Field = {
  kind: "bool", id: "start-at-login", label: "Start Calendar Buddy when I log in",
  get: (s) => s.general.start_at_login, set: (s, v) => { s.general.start_at_login = v; },
};

const TIME_FORMAT: Field = {
  kind: "choice", id: "time-format", label: "Clock",
  options: [["system", "As the system (locale)"], ["12h", "12-hour (11:50 PM)"], ["24h", "24-hour (23:50)"]],
  hint: "For the dashboard, the tray and reminders.",
  get: (s) => s.general.time_format,
  set: (s, v) => { s.general.time_format = v === "12h" || v === "24h" ? v : "system"; },
};
/** Off (null) by default; the shell checks the shortcut and registers it, or refuses it with a message. */
const JOIN_SHORTCUT: Field = {
  kind: "shortcut", id: "join-shortcut", label: "Join the next meeting with a keyboard shortcut", fallback: "CmdOrCtrl+Alt+J",
  hint: "Works from any app. CmdOrCtrl is Ctrl on Linux and Windows, Cmd on macOS.",
  get: (s) => s.general.join_shortcut ?? null, set: (s, v) => { s.general.join_shortcut = v; },
};
const TRAY_ALL_DAY: Field = {
  kind: "bool", id: "tray-all-day", label: "Show all-day events in the tray menu",
  get: (s) => s.general.tray_all_day, set: (s, v) => { s.general.tray_all_day = v; },
};

export type PreferenceFields = {
  /** Builds the fields from `s`: what goes in the Notifications, Sync and General sections. */
  render(s: Settings): { notifications: Node[]; sync: Node; general: Node[] };
  /** Enables the reminder options only while reminders are on (call once they are in the page). */
  syncNotifyEnabled(): void;
};

export function createPreferences(state: SettingsState): PreferenceFields {
  const fieldEls = new Map<string, { input: HTMLInputElement | HTMLSelectElement; status: HTMLElement; error: HTMLElement }>();
  const statusTimers = new Map<string, Timer>();
  let notifyFieldset: HTMLFieldSetElement | null = null;

  /** Saves one field's new value; shows "Saved" or the error next to it. Resolves true if saved. */
  function saveField(f: Field, value: boolean | number | string | number[] | null): Promise<boolean> {
    const els = fieldEls.get(f.id);
    if (!els) return Promise.resolve(false);
    state.cancelLater(statusTimers.get(f.id));
    return state.enqueueSave((input) => {
      if (f.kind === "bool") f.set(input, value as boolean);
      else if (f.kind === "choice") f.set(input, value as string);
      else if (f.kind === "minutes") f.set(input, value as number[]);
      else if (f.kind === "shortcut") f.set(input, value as string | null);
      else f.set(input, value as number);
    }, (message) => showFieldError(f.id, message)).then((ok) => {
      if (state.destroyed) return ok;
      if (!ok) {
        // A checkbox shows what is saved; a number keeps the typed value next to its error.
        if (f.kind === "bool" && state.saved && els.input instanceof HTMLInputElement) els.input.checked = f.get(state.saved);
        if (f.kind === "choice" && state.saved) els.input.value = f.get(state.saved);
        // The typed shortcut stays beside its error; the switch shows whether one is saved.
        if (f.kind === "shortcut" && state.saved) {
          const on = els.input.parentElement?.querySelector<HTMLInputElement>(`#${f.id}-on`);
          if (on) on.checked = f.get(state.saved) !== null;
          els.input.disabled = !on?.checked;
        }
        return ok;
      }
      showFieldError(f.id, null);
      setText(els.status, "Saved");
      statusTimers.set(f.id, state.later(() => { setText(els.status, ""); }, 2500));
      if (f === NOTIFY_ENABLED) syncNotifyEnabled();
      return ok;
    });
  }

  function showFieldError(id: string, message: string | null): void {
    const els = fieldEls.get(id);
    if (!els) return;
    setText(els.error, message ?? "");
    if (message) {
      setText(els.status, "");
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
    if (f.kind === "choice") {
      const select = h("select", { id: f.id, "aria-describedby": describedBy, onchange: () => void saveField(f, select.value) },
        f.options.map(([value, label]) => h("option", { value, selected: value === f.get(s) }, label)));
      fieldEls.set(f.id, { input: select, status: statusEl, error: errorEl });
      return h("div", { class: "field field-choice" }, h("label", { for: f.id }, f.label), select, statusEl, errorEl, hint);
    }
    if (f.kind === "shortcut") {
      const saved = f.get(s);
      const onId = `${f.id}-on`;
      const input = h("input", { type: "text", id: f.id, value: saved ?? f.fallback, class: "shortcut-input",
        autocomplete: "off", spellcheck: "false", disabled: saved === null, "aria-describedby": describedBy });
      const on = h("input", { type: "checkbox", id: onId, checked: saved !== null, "aria-describedby": describedBy });
      on.addEventListener("change", () => {
        input.disabled = !on.checked;
        showFieldError(f.id, null);
        void saveField(f, on.checked ? input.value.trim() : null);
      });
      // Saved on change (Enter or leaving the field), as a shortcut is typed over several keys.
      input.addEventListener("change", () => {
        const value = input.value.trim();
        if (!on.checked || (state.saved && value === f.get(state.saved))) return;
        void saveField(f, value);
      });
      fieldEls.set(f.id, { input, status: statusEl, error: errorEl });
      if (s.join_shortcut_problem) setText(errorEl, s.join_shortcut_problem);
      return h("div", { class: "field field-check field-shortcut" }, on, h("label", { for: onId }, f.label),
        h("label", { for: f.id, class: "sr-only" }, "Shortcut"), input, statusEl, errorEl, hint);
    }
    if (f.kind === "minutes") {
      // Saved on change (Enter or leaving the field), as a list is typed over several keys.
      const input = h("input", { type: "text", id: f.id, inputmode: "numeric", value: f.get(s).join(", "),
        class: "number-input", "aria-describedby": describedBy });
      input.addEventListener("change", () => {
        const values = parseMinutes(input.value, f.max, f.count);
        if (!values) {
          showFieldError(f.id, `Enter up to ${f.count} whole numbers from 0 to ${f.max}, separated by commas.`);
          return;
        }
        if (state.saved && values.join() === f.get(state.saved).join()) {
          showFieldError(f.id, null);
          return;
        }
        void saveField(f, values);
      });
      fieldEls.set(f.id, { input, status: statusEl, error: errorEl });
      return h("div", { class: "field field-number" }, h("label", { for: f.id }, f.label), input, statusEl, errorEl, hint);
    }
    const input = h("input", { type: "number", id: f.id, min: f.min, max: f.max, step: 1, inputmode: "numeric",
      value: f.get(s), class: "number-input", "aria-describedby": describedBy });
    let debounce: Timer | undefined;
    let sending: number | null = null; // the value on its way, so blur after the debounce does not resend it
    const flush = () => {
      state.cancelLater(debounce);
      debounce = undefined;
      const raw = input.value.trim();
      const v = Number(raw);
      if (raw === "" || !Number.isInteger(v) || v < f.min || v > f.max) {
        showFieldError(f.id, `Enter a whole number from ${f.min} to ${f.max}.`);
        return;
      }
      if (v === sending) return;
      if (state.saved && v === f.get(state.saved)) {
        showFieldError(f.id, null);
        return;
      }
      sending = v;
      void saveField(f, v).then(() => {
        sending = null;
      });
    };
    input.addEventListener("input", () => {
      state.cancelLater(debounce);
      debounce = state.later(flush, state.debounceMs);
    });
    input.addEventListener("change", flush);
    fieldEls.set(f.id, { input, status: statusEl, error: errorEl });
    return h("div", { class: "field field-number" },
      h("label", { for: f.id }, f.label),
      h("span", { class: "number-wrap" }, input, h("span", { class: "unit muted", "aria-hidden": "true" }, f.unit)),
      statusEl, errorEl, hint);
  }

  function syncNotifyEnabled(): void {
    const box = fieldEls.get(NOTIFY_ENABLED.id)?.input;
    if (notifyFieldset && box instanceof HTMLInputElement) notifyFieldset.disabled = !box.checked;
  }

  return {
    render(s) {
      notifyFieldset = h("fieldset", { class: "subfields" },
        h("legend", { class: "sr-only" }, "Reminder options"),
        NOTIFY_FIELDS.map((f) => renderField(f, s)),
        s.notifications.use_event_reminders === undefined ? null : renderField(USE_EVENT_REMINDERS, s));
      return {
        notifications: [renderField(NOTIFY_ENABLED, s), notifyFieldset],
        sync: renderField(SYNC_INTERVAL, s),
        general: [renderField(START_AT_LOGIN, s), renderField(TIME_FORMAT, s), renderField(TRAY_ALL_DAY, s),
          renderField(JOIN_SHORTCUT, s)],
      };
    },
    syncNotifyEnabled,
  };
}
