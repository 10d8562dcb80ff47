// Settings view against a mocked shell: accounts, disconnect confirmation, Google connect flow,
// the OAuth client form, calendars and saving preferences.
import { emit } from "@tauri-apps/api/event";
import { describe, expect, test, vi } from "vitest";
import type { SettingsInput } from "../api";
import { $, account, backend, calendar, named, NOW, settings, settle, usePage } from "../test-helpers";
import type { MountedView } from "./dashboard";
import { mountSettings } from "./settings";

/** A save_settings handler answering with the defaults and the saved values of `sections`. */
function echoSaved(...sections: ("notifications" | "general")[]) {
  return (args: Record<string, unknown> | undefined) => {
    const saved = (args as { settings: SettingsInput }).settings;
    return { ...settings(), ...Object.fromEntries(sections.map((k) => [k, saved[k]])) };
  };
}

const page = usePage<MountedView>();

function mount(): MountedView {
  page.view = mountSettings(page.root, { now: () => NOW });
  return page.view;
}

const base = {
  settings: () => settings(),
  accounts: () => [
    account({ id: 1, name: "me@example.com" }),
    account({ id: 2, provider: "demo", name: "Demo calendar", last_synced_at: null }),
    account({ id: 3, name: "old@example.com", needs_reauth: true }),
  ],
  calendars: () => [
    calendar({ id: 10, account_id: 1, name: "Work" }),
    calendar({ id: 11, account_id: 1, name: "Family", color: null, primary: false, enabled: false }),
  ],
};

const input = (sel: string) => $(sel, page.root) as HTMLInputElement;
const button = (sel: string) => $(sel, page.root) as HTMLButtonElement;

describe("layout", () => {
  test("sections with headings and a label for every input", async () => {
    backend(base);
    await mount().ready;
    expect([...page.root.querySelectorAll("section > h2")].map((h) => h.textContent))
      .toEqual(["Accounts", "Calendars", "Notifications", "Sync", "General"]);
    for (const el of page.root.querySelectorAll("input")) {
      const labelled = el.getAttribute("aria-label") || (el.id && page.root.querySelector(`label[for="${el.id}"]`));
      expect(labelled, `input #${el.id}`).toBeTruthy();
    }
    expect(input("#notify-lead").value).toBe("10");
    expect(input("#sync-interval").value).toBe("15");
    expect(input("#notify-enabled").checked).toBe(true);
    expect(input("#notify-skip-declined").checked).toBe(true);
    expect(input("#start-at-login").checked).toBe(false);
  });
});

describe("accounts", () => {
  test("lists accounts with provider, status and the right buttons", async () => {
    backend(base);
    await mount().ready;
    const items = page.root.querySelectorAll("#account-list .account");
    expect([...items].map((a) => a.getAttribute("data-account-id"))).toEqual(["1", "2", "3"]);
    const first = $('.account[data-account-id="1"]', page.root);
    expect(first.querySelector(".account-name")?.textContent).toBe("me@example.com");
    expect(first.querySelector(".account-provider")?.textContent).toBe("Google");
    expect(first.querySelector(".account-status")?.textContent).toBe("Synced 5 min ago");
    expect(first.querySelector(".reconnect")).toBeNull();
    expect($('.account[data-account-id="2"] .account-status', page.root).textContent).toBe("Not synced yet");
    const stale = $('.account[data-account-id="3"]', page.root);
    expect(stale.querySelector(".account-status")?.textContent).toBe("Needs sign-in");
    expect(stale.querySelector(".reconnect")).not.toBeNull();
    expect(page.root.querySelectorAll(".disconnect")).toHaveLength(3);
    // a demo account exists, so no "Add demo calendar"
    expect(button("#add-demo").hidden).toBe(true);
  });

  test("a failed sync shows its error on the account when it finishes", async () => {
    const message = "no Google OAuth client is configured.";
    let list = base.accounts();
    backend({ ...base, accounts: () => list });
    await mount().ready;
    const statusLine = () => $('.account[data-account-id="1"] .account-status', page.root);

    await emit("sync-state", { syncing: true, last_synced_at: null, accounts: list, last_error: null,
      progress: { account_id: 1, calendar: "Work", fetched: 0 } });
    await settle();
    expect(statusLine().textContent).toBe("Syncing…");

    list = list.map((a) => (a.id === 1 ? { ...a, last_error: message } : a));
    await emit("sync-state", { syncing: false, last_synced_at: null, accounts: list, last_error: message, progress: null });
    await settle();
    expect(statusLine().textContent).toBe(message);
    expect(statusLine().classList.contains("warn")).toBe(true);
  });

  test("disconnect asks first and calls nothing before confirm-yes", async () => {
    let list = base.accounts();
    const calls = backend({ ...base, accounts: () => list });
    await mount().ready;
    const dialog = $("#confirm-dialog", page.root) as HTMLDialogElement;
    expect(dialog.tagName).toBe("DIALOG");
    expect(dialog.open).toBe(false);

    button('.account[data-account-id="1"] .disconnect').click();
    await settle();
    expect(dialog.open).toBe(true);
    expect(dialog.textContent).toContain("Disconnect me@example.com?");
    expect(named(calls, "disconnect")).toHaveLength(0);
    button("#confirm-no").click();
    await settle();
    expect(dialog.open).toBe(false);
    expect(named(calls, "disconnect")).toHaveLength(0);

    button('.account[data-account-id="1"] .disconnect').click();
    await settle();
    expect(named(calls, "disconnect")).toHaveLength(0);
    list = list.filter((a) => a.id !== 1);
    button("#confirm-yes").click();
    await settle();
    expect(named(calls, "disconnect").map((c) => c.args)).toEqual([{ accountId: 1 }]);
    expect(dialog.open).toBe(false);
    expect(page.root.querySelector('.account[data-account-id="1"]')).toBeNull();
  });

  test("add demo calendar when there is none", async () => {
    let list = [account({ id: 1 })];
    const calls = backend({
      ...base,
      accounts: () => list,
      add_demo: () => {
        list = [...list, account({ id: 2, provider: "demo", name: "Demo calendar" })];
        return list[1];
      },
    });
    await mount().ready;
    expect(button("#add-demo").hidden).toBe(false);
    button("#add-demo").click();
    await settle();
    expect(named(calls, "add_demo")).toHaveLength(1);
    expect(page.root.querySelector('.account[data-account-id="2"]')).not.toBeNull();
    expect(button("#add-demo").hidden).toBe(true);
  });
});

describe("connect Google", () => {
  test("waiting state with Cancel calling cancel_connect", async () => {
    let reject: (e: unknown) => void = () => {};
    const calls = backend({
      ...base,
      connect_google: () => new Promise((_, rej) => { reject = rej; }),
      cancel_connect: () => {
        reject({ code: "sign_in_cancelled", message: "Sign-in was cancelled" });
        return null;
      },
    });
    await mount().ready;
    expect($("#connect-waiting", page.root).hidden).toBe(true);
    button("#connect-google").click();
    await settle();
    expect(named(calls, "connect_google")).toHaveLength(1);
    const waiting = $("#connect-waiting", page.root);
    expect(waiting.hidden).toBe(false);
    expect(waiting.textContent).toContain("Finish signing in using the browser window that opened…");
    expect(button("#connect-google").disabled).toBe(true);

    button("#connect-cancel").click();
    await settle();
    expect(named(calls, "cancel_connect")).toHaveLength(1);
    expect(waiting.hidden).toBe(true);
    expect(button("#connect-google").disabled).toBe(false);
    expect($("#connect-error", page.root).textContent).toBe("");
  });

  test("success shows the new account", async () => {
    let list = [account({ id: 1 })];
    backend({
      ...base,
      accounts: () => list,
      connect_google: () => {
        list = [...list, account({ id: 5, name: "new@example.com" })];
        return list[1];
      },
    });
    await mount().ready;
    button("#connect-google").click();
    await settle();
    expect($("#connect-waiting", page.root).hidden).toBe(true);
    expect(page.root.querySelector('.account[data-account-id="5"]')?.textContent).toContain("new@example.com");
    expect($("#connect-result", page.root).textContent).toBe("Connected new@example.com.");
  });

  test("a failure shows the AppError message", async () => {
    backend({ ...base, connect_google: () => Promise.reject({ code: "sign_in_denied", message: "You denied access at Google." }) });
    await mount().ready;
    button("#connect-google").click();
    await settle();
    const err = $("#connect-error", page.root);
    expect(err.getAttribute("role")).toBe("alert");
    expect(err.textContent).toBe("You denied access at Google.");
    expect($("#connect-waiting", page.root).hidden).toBe(true);
  });

  test("without a client ID, the client form comes first, then connect", async () => {
    let current = settings({ google: { client_id: null, client_secret_set: false, from_environment: false } });
    const calls = backend({
      ...base,
      settings: () => current,
      save_settings: (args) => {
        const s = (args as { settings: SettingsInput }).settings;
        current = { ...current, google: { client_id: s.google.client_id, client_secret_set: !!s.google.client_secret, from_environment: false } };
        return current;
      },
      connect_google: () => account({ id: 9 }),
    });
    await mount().ready;
    const form = $("#google-client-form", page.root);
    expect(form.hidden).toBe(true);
    button("#connect-google").click();
    await settle();
    expect(named(calls, "connect_google")).toHaveLength(0);
    expect(form.hidden).toBe(false);
    expect(form.textContent).toContain("Desktop app");
    expect(form.textContent).toContain("Google Calendar API");
    expect(input("#google-client-secret").type).toBe("password");
    expect(input("#google-client-secret").placeholder).toBe("");

    // an empty ID is refused before any call
    (form as HTMLFormElement).requestSubmit();
    await settle();
    expect($("#google-client-error", page.root).textContent).toBe("Enter the client ID.");
    expect(named(calls, "save_settings")).toHaveLength(0);

    input("#google-client-id").value = " 123-abc.apps.googleusercontent.com ";
    input("#google-client-secret").value = "s3cret";
    (form as HTMLFormElement).requestSubmit();
    await settle();
    const saved = named(calls, "save_settings")[0]!.args as { settings: SettingsInput };
    expect(saved.settings.google).toEqual({ client_id: "123-abc.apps.googleusercontent.com", client_secret: "s3cret" });
    expect(saved.settings.notifications.lead_minutes).toBe(10);
    expect(named(calls, "connect_google")).toHaveLength(1);
    expect(form.hidden).toBe(true);
  });

  test("the console link goes through open_link", async () => {
    const calls = backend({ ...base, settings: () => settings({ google: { client_id: null, client_secret_set: false, from_environment: false } }) });
    await mount().ready;
    button("#connect-google").click();
    await settle();
    button("#open-console").click();
    await settle();
    expect(named(calls, "open_link").map((c) => c.args)).toEqual([{ url: "https://console.cloud.google.com/apis/credentials" }]);
  });

  test("editing a saved client: placeholder says saved, empty secret keeps it", async () => {
    const calls = backend({ ...base, save_settings: () => settings() });
    await mount().ready;
    button("#google-client-edit").click();
    expect(input("#google-client-secret").placeholder).toBe("saved");
    expect(input("#google-client-id").value).toBe("client.apps.googleusercontent.com");
    ($("#google-client-form", page.root) as HTMLFormElement).requestSubmit();
    await settle();
    const saved = named(calls, "save_settings")[0]!.args as { settings: SettingsInput };
    expect(saved.settings.google).toEqual({ client_id: "client.apps.googleusercontent.com", client_secret: null });
    expect(named(calls, "connect_google")).toHaveLength(0);
  });
  test("a client set in the environment connects at once and cannot be edited here", async () => {
    const fromEnv = settings({ google: { client_id: "env.apps.googleusercontent.com", client_secret_set: true, from_environment: true } });
    const calls = backend({ ...base, settings: () => fromEnv });
    await mount().ready;
    expect(button("#google-client-edit").hidden).toBe(true);
    button("#connect-google").click();
    await settle();
    expect(($("#google-client-form", page.root) as HTMLFormElement).hidden).toBe(true);
    expect(named(calls, "connect_google")).toHaveLength(1);
  });
});

describe("calendars", () => {
  test("toggle calls set_calendar_enabled; colour calls set_calendar_color", async () => {
    const calls = backend(base);
    await mount().ready;
    const cals = page.root.querySelectorAll(".calendar");
    expect([...cals].map((c) => c.getAttribute("data-calendar-id"))).toEqual(["10", "11"]);
    const box = input('.calendar[data-calendar-id="10"] input[type=checkbox]');
    expect(box.checked).toBe(true);
    expect(page.root.querySelector(`label[for="${box.id}"]`)?.textContent).toContain("Work");
    box.click();
    await settle();
    expect(named(calls, "set_calendar_enabled").map((c) => c.args)).toEqual([{ id: 10, enabled: false }]);

    const color = input('.calendar[data-calendar-id="11"] input[type=color]');
    expect(color.value).toBe("#4f7cff"); // default for a calendar without a colour
    color.value = "#aa3300";
    color.dispatchEvent(new Event("change"));
    await settle();
    expect(named(calls, "set_calendar_color").map((c) => c.args)).toEqual([{ id: 11, color: "#aa3300" }]);
  });

  test("one row per calendar: Show, Reminders (a labelled bell) and colour; reminders save at once", async () => {
    const calls = backend({ ...base, calendars: () => [
      calendar({ id: 10, account_id: 1, name: "Work" }),
      calendar({ id: 11, account_id: 1, name: "Family", primary: false, reminders: false }),
      calendar({ id: 12, account_id: 1, name: "Hidden", primary: false, enabled: false }),
    ] });
    await mount().ready;
    const row = $('.calendar[data-calendar-id="10"] .calendar-main', page.root);
    expect([...row.querySelectorAll("input")].map((i) => i.className)).toEqual(["calendar-show", "calendar-remind", "color-input"]);
    const bell = input("#calendar-reminders-10");
    expect(bell.checked).toBe(true);
    expect(page.root.querySelector('label[for="calendar-reminders-10"]')?.textContent).toContain("Reminders for Work");
    expect(input("#calendar-reminders-11").checked).toBe(false);
    expect(input("#calendar-reminders-12").disabled).toBe(true); // a hidden calendar reminds of nothing
    bell.click();
    input("#calendar-reminders-11").click();
    await settle();
    expect(named(calls, "set_calendar_reminders").map((c) => c.args)).toEqual([{ id: 10, on: false }, { id: 11, on: true }]);
    expect(named(calls, "set_calendar_enabled")).toHaveLength(0);

    input("#calendar-enabled-12").click();
    await settle();
    expect(input("#calendar-reminders-12").disabled).toBe(false);
  });

  test("a refused reminders toggle is undone and explained", async () => {
    backend({ ...base, set_calendar_reminders: () => Promise.reject({ code: "not_found", message: "No such calendar" }) });
    await mount().ready;
    const bell = input("#calendar-reminders-10");
    bell.click();
    await settle();
    expect(bell.checked).toBe(true);
    expect($('.calendar[data-calendar-id="10"] .field-error', page.root).textContent).toBe("No such calendar");
  });

  test("a failed toggle is undone and explained", async () => {
    backend({ ...base, set_calendar_enabled: () => Promise.reject({ code: "db", message: "Could not save" }) });
    await mount().ready;
    const box = input('.calendar[data-calendar-id="10"] input[type=checkbox]');
    box.click();
    await settle();
    expect(box.checked).toBe(true);
    expect($('.calendar[data-calendar-id="10"] .field-error', page.root).textContent).toBe("Could not save");
  });

  test("data-changed reloads accounts and calendars", async () => {
    let cals = base.calendars();
    const calls = backend({ ...base, calendars: () => cals });
    await mount().ready;
    cals = [...cals, calendar({ id: 12, name: "Birthdays", primary: false })];
    await emit("data-changed", null);
    await settle();
    expect(named(calls, "calendars")).toHaveLength(2);
    expect(page.root.querySelector('.calendar[data-calendar-id="12"]')).not.toBeNull();
  });
});

describe("preferences", () => {
  test("lead time saves after a 300 ms pause with the whole settings", async () => {
    const calls = backend({
      ...base,
      save_settings: echoSaved("notifications"),
    });
    await mount().ready;
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const lead = input("#notify-lead");
    expect(lead.min).toBe("0");
    expect(lead.max).toBe("1440");
    lead.value = "1";
    lead.dispatchEvent(new Event("input"));
    await vi.advanceTimersByTimeAsync(100);
    lead.value = "15";
    lead.dispatchEvent(new Event("input"));
    await vi.advanceTimersByTimeAsync(299);
    expect(named(calls, "save_settings")).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(0);
    const saves = named(calls, "save_settings");
    expect(saves).toHaveLength(1);
    const sent = (saves[0]!.args as { settings: SettingsInput }).settings;
    expect(sent).toEqual({
      sync: { days_back: 30, days_ahead: 90, interval_minutes: 15 },
      notifications: { enabled: true, lead_minutes: 15, lead_times: [], at_start: false, only_with_meeting_link: false, skip_declined: true },
      google: { client_id: "client.apps.googleusercontent.com", client_secret: null },
      microsoft: { client_id: "00000000-0000-0000-0000-0000000000aa", tenant: "common" },
      general: { start_at_login: false, time_format: "system", tray_all_day: true },
    });
    const status = lead.closest(".field")!.querySelector('[role="status"]')!;
    expect(status.textContent).toBe("Saved");
  });

  test("several lead times are typed as a list and saved as numbers", async () => {
    const calls = backend({
      ...base,
      save_settings: echoSaved("notifications"),
    });
    await mount().ready;
    const more = input("#notify-more-leads");
    expect(more.value).toBe("");
    more.value = " 1, 30 ";
    more.dispatchEvent(new Event("change"));
    await settle();
    const saves = named(calls, "save_settings");
    expect(saves).toHaveLength(1);
    const sent = (saves[0]!.args as { settings: SettingsInput }).settings;
    expect(sent.notifications.lead_times).toEqual([1, 30]);
    expect(sent.notifications.lead_minutes).toBe(10);
    expect(more.closest(".field")!.querySelector('[role="status"]')!.textContent).toBe("Saved");
  });

  test("a bad list of lead times is refused without a call", async () => {
    const calls = backend(base);
    await mount().ready;
    const more = input("#notify-more-leads");
    for (const bad of ["soon", "1, -2", "1441", "1.5", "1 2 3 4 5"]) {
      more.value = bad;
      more.dispatchEvent(new Event("change"));
      await settle();
      expect($("#notify-more-leads-error", page.root).textContent).toBe(
        "Enter up to 4 whole numbers from 0 to 1440, separated by commas.",
      );
    }
    expect(named(calls, "save_settings")).toHaveLength(0);
  });

  test("an out-of-range number is refused without a call", async () => {
    const calls = backend(base);
    await mount().ready;
    const interval = input("#sync-interval");
    interval.value = "0";
    interval.dispatchEvent(new Event("change"));
    await settle();
    expect(named(calls, "save_settings")).toHaveLength(0);
    expect($("#sync-interval-error", page.root).textContent).toBe("Enter a whole number from 1 to 1440.");
    expect(interval.getAttribute("aria-invalid")).toBe("true");
  });

  test("the shell's settings error shows next to the field", async () => {
    backend({ ...base, save_settings: () => Promise.reject({ code: "settings", message: "sync.interval_minutes must be 1–1440" }) });
    await mount().ready;
    const interval = input("#sync-interval");
    interval.value = "30";
    interval.dispatchEvent(new Event("change"));
    await settle();
    const err = $("#sync-interval-error", page.root);
    expect(err.getAttribute("role")).toBe("alert");
    expect(err.textContent).toBe("sync.interval_minutes must be 1–1440");
  });

  test("checkboxes save at once; turning reminders off disables their options", async () => {
    const calls = backend({
      ...base,
      save_settings: echoSaved("notifications", "general"),
    });
    await mount().ready;
    input("#start-at-login").click();
    await settle();
    input("#notify-enabled").click();
    await settle();
    const saves = named(calls, "save_settings").map((c) => (c.args as { settings: SettingsInput }).settings);
    expect(saves).toHaveLength(2);
    expect(saves[0]!.general.start_at_login).toBe(true);
    expect(saves[1]!.notifications.enabled).toBe(false);
    expect(saves[1]!.general.start_at_login).toBe(true); // built on the first save's result
    expect((page.root.querySelector("fieldset.subfields") as HTMLFieldSetElement).disabled).toBe(true);
  });

  test("events' own reminder times: a checkbox when the shell has the setting, saved at once", async () => {
    const withField = () => {
      const s = settings();
      return { ...s, notifications: { ...s.notifications, use_event_reminders: false } };
    };
    const calls = backend({
      ...base,
      settings: withField,
      save_settings: (args) => ({ ...withField(), notifications: (args as { settings: SettingsInput }).settings.notifications }),
    });
    await mount().ready;
    const box = input("#notify-event-reminders");
    expect(box.checked).toBe(false);
    expect(page.root.querySelector('label[for="notify-event-reminders"]')?.textContent)
      .toBe("Use each event's own reminder times when the calendar has them");
    expect(box.closest("fieldset.subfields")).not.toBeNull(); // off with reminders
    box.click();
    await settle();
    const saves = named(calls, "save_settings").map((c) => (c.args as { settings: SettingsInput }).settings);
    expect(saves.map((s) => s.notifications.use_event_reminders)).toEqual([true]);
    expect(saves[0]!.notifications.lead_minutes).toBe(10);
  });

  test("no events' own reminder times checkbox when the shell's settings lack it", async () => {
    backend(base);
    await mount().ready;
    expect(page.root.querySelector("#notify-event-reminders")).toBeNull();
  });

  test("the join shortcut is off by default; turning it on saves CmdOrCtrl+Alt+J, an edit saves on change", async () => {
    const calls = backend({
      ...base,
      save_settings: echoSaved("general"),
    });
    await mount().ready;
    const on = input("#join-shortcut-on");
    const field = input("#join-shortcut");
    expect(on.checked).toBe(false);
    expect(field.disabled).toBe(true);
    expect(field.value).toBe("CmdOrCtrl+Alt+J");
    expect(page.root.querySelector('label[for="join-shortcut-on"]')?.textContent).toBe("Join the next meeting with a keyboard shortcut");
    on.click();
    await settle();
    expect(field.disabled).toBe(false);
    field.value = " Ctrl+Shift+M ";
    field.dispatchEvent(new Event("change"));
    await settle();
    on.click();
    await settle();
    const saves = named(calls, "save_settings").map((c) => (c.args as { settings: SettingsInput }).settings.general.join_shortcut);
    expect(saves).toEqual(["CmdOrCtrl+Alt+J", "Ctrl+Shift+M", null]);
    expect(field.disabled).toBe(true);
  });

  test("a refused shortcut shows the shell's message inline and is not kept as saved", async () => {
    backend({
      ...base,
      save_settings: () => Promise.reject({ code: "invalid_shortcut", message: "\"Ctrl+Banana\" is not a shortcut; write it like CmdOrCtrl+Alt+J" }),
    });
    await mount().ready;
    const field = input("#join-shortcut");
    field.value = "Ctrl+Banana";
    input("#join-shortcut-on").click();
    await settle();
    expect($("#join-shortcut-error", page.root).textContent).toBe("\"Ctrl+Banana\" is not a shortcut; write it like CmdOrCtrl+Alt+J");
    expect(input("#join-shortcut-on").checked).toBe(false);
    expect(field.value).toBe("Ctrl+Banana");
    expect(field.getAttribute("aria-invalid")).toBe("true");
  });

  test("a shortcut another app took at start is reported beside the field", async () => {
    backend({
      ...base,
      settings: () => ({ ...settings(), general: { ...settings().general, join_shortcut: "CmdOrCtrl+Alt+J" },
        join_shortcut_problem: "CmdOrCtrl+Alt+J cannot be used: another app may have it. Choose another shortcut." }),
    });
    await mount().ready;
    expect(input("#join-shortcut-on").checked).toBe(true);
    expect($("#join-shortcut-error", page.root).textContent).toContain("another app may have it");
  });

  test("the clock choice and the tray's all-day events save at once, keeping each other", async () => {
    const calls = backend({
      ...base,
      save_settings: echoSaved("notifications", "general"),
    });
    await mount().ready;
    const clock = $("#time-format", page.root) as HTMLSelectElement;
    expect(clock.value).toBe("system");
    expect([...clock.options].map((o) => o.value)).toEqual(["system", "12h", "24h"]);
    clock.value = "12h";
    clock.dispatchEvent(new Event("change"));
    await settle();
    input("#tray-all-day").click();
    await settle();
    const saves = named(calls, "save_settings").map((c) => (c.args as { settings: SettingsInput }).settings);
    expect(saves).toHaveLength(2);
    expect(saves[0]!.general.time_format).toBe("12h");
    expect(saves[1]!.general.tray_all_day).toBe(false);
    expect(saves[1]!.general.time_format).toBe("12h");
  });
});

describe("failed saves", () => {
  test("a refused checkbox shows what is really saved, with the error", async () => {
    let current = settings();
    const calls = backend({
      ...base,
      settings: () => current,
      save_settings: () => {
        // the file was written, but the autostart entry could not be made
        current = { ...current, general: { ...current.general, start_at_login: true } };
        return Promise.reject({ code: "autostart", message: "cannot change start at login: denied" });
      },
    });
    await mount().ready;
    input("#start-at-login").click();
    await settle();
    expect($("#start-at-login-error", page.root).textContent).toBe("cannot change start at login: denied");
    expect(named(calls, "settings")).toHaveLength(2);
    expect(input("#start-at-login").checked).toBe(true);
    // the next save starts from the re-read settings
    input("#notify-at-start").click();
    await settle();
    const last = named(calls, "save_settings").at(-1)!.args as { settings: SettingsInput };
    expect(last.settings.general.start_at_login).toBe(true);
    expect(last.settings.notifications.at_start).toBe(true);
  });
});
