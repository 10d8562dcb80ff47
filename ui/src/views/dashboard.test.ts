// Dashboard view against a mocked shell: loading, empty, error, events, re-auth, sync progress.
import { emit } from "@tauri-apps/api/event";
import { describe, expect, test, vi } from "vitest";
import type { SyncStatus } from "../api";
import { $, account, backend, event, named, NOW, settle, status, usePage } from "../test-helpers";
import { mountDashboard, type MountedView } from "./dashboard";

const page = usePage<MountedView>();

function mount(): MountedView {
  page.view = mountDashboard(page.root, { now: () => NOW, locale: "en-GB" });
  return page.view;
}

const texts = (sel: string) => [...page.root.querySelectorAll(sel)].map((e) => e.textContent);

describe("states", () => {
  test("loading until the first answer", async () => {
    backend({ upcoming_events: () => new Promise(() => {}), sync_status: () => status() });
    mount();
    await settle();
    const loading = $("#loading", page.root);
    expect(loading.getAttribute("role")).toBe("status");
    expect(loading.textContent).toBe("Loading…");
  });

  test("empty with no account: call to action opens settings", async () => {
    const calls = backend({ upcoming_events: () => [], sync_status: () => status({ accounts: [], last_synced_at: null }) });
    await mount().ready;
    const empty = $("#empty-state", page.root);
    expect(empty.textContent).toContain("No calendars connected");
    expect(empty.textContent).toContain("Microsoft 365 / Outlook");
    expect(page.root.querySelector("#loading")).toBeNull();
    const cta = [...empty.querySelectorAll("button")].find((b) => b.textContent === "Connect a calendar");
    expect(cta).toBeDefined();
    cta!.click();
    await settle();
    expect(named(calls, "open_window").map((c) => c.args)).toEqual([{ which: "settings" }]);
    expect($("#last-synced", page.root).textContent).toBe("Not synced yet");
  });

  test("empty with accounts: nothing in the next 7 days", async () => {
    backend({ upcoming_events: () => [], sync_status: () => status() });
    await mount().ready;
    expect($("#empty-state", page.root).textContent).toContain("Nothing in the next 7 days");
    expect($("#error-banner", page.root).hidden).toBe(true);
  });

  test("a failing command shows the error banner", async () => {
    backend({
      upcoming_events: () => Promise.reject({ code: "database", message: "The database is locked" }),
      sync_status: () => status(),
    });
    await mount().ready;
    const banner = $("#error-banner", page.root);
    expect(banner.getAttribute("role")).toBe("alert");
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain("The database is locked");
    expect($("#retry", page.root)).toBeTruthy();
  });

  test("sync_status.last_error shows in the banner", async () => {
    backend({ upcoming_events: () => [event()], sync_status: () => status({ last_error: "Google answered 500" }) });
    await mount().ready;
    expect($("#error-banner", page.root).textContent).toContain("Google answered 500");
    expect(page.root.querySelectorAll(".event")).toHaveLength(1);
  });
});

describe("events", () => {
  const url = "https://meet.google.com/abc-defg-hij";
  const events = [
    event({ id: "later", title: "Review", start: "2026-11-25T13:00:00Z", end: "2026-11-25T14:00:00Z" }),
    event({ id: "now", title: "Stand-up", start: "2026-11-25T09:30:00Z", end: "2026-11-25T10:00:00Z",
      meeting_url: url, location: url }),
    event({ id: "holiday", title: "Team day", all_day: true, start: "2026-11-25", end: "2026-11-26", calendar_color: null }),
    event({ id: "tmrw", title: "1:1", start: "2026-11-26T08:00:00Z", end: "2026-11-26T08:30:00Z", location: "Room 4",
      description: "Agenda:\n- things" }),
    event({ id: "fri", title: "Retro", start: "2026-11-27T15:00:00Z", end: "2026-11-27T16:00:00Z" }),
  ];

  test("grouped by day, all-day first, times, calendar and location", async () => {
    backend({ upcoming_events: () => events, sync_status: () => status() });
    await mount().ready;
    expect(texts(".day > h2")).toEqual(["Today", "Tomorrow", "Friday 27 November"]);
    const today = page.root.querySelectorAll(".day")[0]!;
    expect([...today.querySelectorAll(".event")].map((e) => e.getAttribute("data-event-id"))).toEqual(["holiday", "now", "later"]);
    expect(texts(".event-title")).toEqual(["Team day", "Stand-up", "Review", "1:1", "Retro"]);
    expect($('[data-event-id="now"] .event-time', page.root).textContent).toBe("09:30 – 10:00");
    expect($('[data-event-id="holiday"] .event-time', page.root).textContent).toBe("All day");
    expect($('[data-event-id="later"] .event-calendar', page.root).textContent).toBe("Work");
    expect($('[data-event-id="later"] .cal-dot', page.root).style.getPropertyValue("--cal")).toBe("#3366ff");
    expect($('[data-event-id="holiday"] .cal-dot', page.root).style.getPropertyValue("--cal")).toBe("");
    // location equal to the meeting link is not repeated; a real one is shown
    expect(page.root.querySelector('[data-event-id="now"] .event-location')).toBeNull();
    expect($('[data-event-id="tmrw"] .event-location', page.root).textContent).toBe("Room 4");
    // the description is not on the card: opening the card shows it in the details panel, as text
    expect($('[data-event-id="tmrw"]', page.root).textContent).not.toContain("Agenda");
    $('[data-event-id="tmrw"]', page.root).click();
    expect($("#event-details .details-description", page.root).textContent).toBe("Agenda:\n- things");
  });

  test("an event under way since yesterday is under Today and says when it began", async () => {
    const overnight = event({ id: "overnight", title: "Release", start: "2026-11-24T23:00:00Z", end: "2026-11-25T11:00:00Z" });
    backend({ upcoming_events: () => [overnight, ...events], sync_status: () => status() });
    await mount().ready;
    const today = page.root.querySelectorAll(".day")[0]!;
    expect(today.querySelector("h2")?.textContent).toBe("Today");
    const card = $('[data-event-id="overnight"]', today);
    expect(card.querySelector(".event-since")?.textContent).toBe("Since yesterday 23:00");
    expect(card.classList.contains("ongoing")).toBe(true);
    // events that start today say nothing of the kind
    expect(page.root.querySelectorAll(".event-since")).toHaveLength(1);
  });

  test("the ongoing event is highlighted with a Now badge", async () => {
    backend({ upcoming_events: () => events, sync_status: () => status() });
    await mount().ready;
    const ongoing = page.root.querySelectorAll(".event.ongoing");
    expect(ongoing).toHaveLength(1);
    expect(ongoing[0]!.getAttribute("data-event-id")).toBe("now");
    expect(ongoing[0]!.querySelector(".badge-now")?.textContent).toBe("Now");
    expect(page.root.querySelectorAll(".badge-now")).toHaveLength(1);
  });

  test("Join opens the meeting link through open_link", async () => {
    const calls = backend({ upcoming_events: () => events, sync_status: () => status() });
    await mount().ready;
    expect(page.root.querySelectorAll(".join")).toHaveLength(1);
    const join = $('[data-event-id="now"] .join', page.root) as HTMLButtonElement;
    expect(join.getAttribute("aria-label")).toBe("Join Stand-up");
    join.click();
    await settle();
    expect(named(calls, "open_link").map((c) => c.args)).toEqual([{ url }]);
  });

  test("no Join button for a non-web link", async () => {
    backend({ upcoming_events: () => [event({ meeting_url: "javascript:alert(1)" })], sync_status: () => status() });
    await mount().ready;
    expect(page.root.querySelector(".join")).toBeNull();
  });

  test("asks for 7 days", async () => {
    const calls = backend({ upcoming_events: () => [], sync_status: () => status() });
    await mount().ready;
    expect(named(calls, "upcoming_events")[0]!.args).toEqual({ days: 7 });
  });
});

describe("re-auth", () => {
  test("banner names the account and Reconnect calls connect_google", async () => {
    let resolveConnect: (v: unknown) => void = () => {};
    const calls = backend({
      upcoming_events: () => [],
      sync_status: () => status({ accounts: [account({ name: "Work", needs_reauth: true })] }),
      connect_google: () => new Promise((r) => { resolveConnect = r; }),
    });
    await mount().ready;
    const banner = $("#error-banner", page.root);
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain("Work needs you to sign in again");
    const btn = $("#reconnect", page.root) as HTMLButtonElement;
    btn.click();
    await settle();
    expect(named(calls, "connect_google")).toHaveLength(1);
    expect(($("#reconnect", page.root) as HTMLButtonElement).disabled).toBe(true);
    resolveConnect(account({ name: "Work" }));
    await settle();
    expect(named(calls, "upcoming_events").length).toBeGreaterThanOrEqual(2);
  });
});

describe("re-auth of a Microsoft account", () => {
  test("Reconnect starts the Microsoft sign-in, not Google's", async () => {
    const calls = backend({
      upcoming_events: () => [],
      sync_status: () => status({ accounts: [account({ provider: "microsoft", name: "me@contoso.com", needs_reauth: true })] }),
      connect_microsoft: () => account({ provider: "microsoft", name: "me@contoso.com" }),
    });
    await mount().ready;
    expect($("#error-banner", page.root).textContent).toContain("me@contoso.com needs you to sign in again");
    ($("#reconnect", page.root) as HTMLButtonElement).click();
    await settle();
    expect(named(calls, "connect_microsoft")).toHaveLength(1);
    expect(named(calls, "connect_google")).toHaveLength(0);
    expect(named(calls, "upcoming_events").length).toBeGreaterThanOrEqual(2);
  });
});

describe("re-auth of a calendar link", () => {
  test("says the link was refused, with no Reconnect", async () => {
    backend({
      upcoming_events: () => [],
      sync_status: () => status({ accounts: [account({ provider: "ics", name: "Team rota", needs_reauth: true })] }),
    });
    await mount().ready;
    const banner = $("#error-banner", page.root);
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain("Team rota: the calendar link needs a login or is no longer valid");
    expect(banner.textContent).not.toContain("sign in again");
    expect(page.root.querySelector(".reconnect")).toBeNull();
  });
});

describe("sync", () => {
  test("progress text while syncing, reload when the sync finishes", async () => {
    const syncing: SyncStatus = status({ syncing: true, progress: { account_id: 1, calendar: "Work", fetched: 120 } });
    let current = syncing;
    const calls = backend({ upcoming_events: () => [], sync_status: () => current });
    await mount().ready;
    const btn = $("#sync-now", page.root) as HTMLButtonElement;
    expect(btn.disabled).toBe(true);
    expect(btn.textContent).toBe("Syncing Work… 120 events");

    await emit("sync-state", status({ syncing: true, progress: { account_id: 1, calendar: "Home", fetched: 7 } }));
    expect(btn.textContent).toBe("Syncing Home… 7 events");

    const before = named(calls, "upcoming_events").length;
    current = status({ last_synced_at: "2026-11-25T09:45:00Z" });
    await emit("sync-state", current);
    await settle();
    expect(btn.disabled).toBe(false);
    expect(btn.textContent).toBe("Sync now");
    expect($("#last-synced", page.root).textContent).toBe("Last synced just now");
    expect(named(calls, "upcoming_events").length).toBe(before + 1);
  });

  test("Sync now calls sync_now and disables the button", async () => {
    let finish: (v: unknown) => void = () => {};
    const calls = backend({
      upcoming_events: () => [],
      sync_status: () => status(),
      sync_now: () => new Promise((r) => { finish = r; }),
    });
    await mount().ready;
    const btn = $("#sync-now", page.root) as HTMLButtonElement;
    expect($("#last-synced", page.root).textContent).toBe("Last synced 3 min ago");
    btn.click();
    await settle();
    expect(named(calls, "sync_now")).toHaveLength(1);
    expect(btn.disabled).toBe(true);
    expect(btn.textContent).toBe("Syncing…");
    finish(null);
    await settle();
    expect(btn.disabled).toBe(false);
  });

  test("a sync that fails ends with its error shown and Sync now usable again", async () => {
    const message = "no Google OAuth client is configured.";
    let current = status();
    backend({ upcoming_events: () => [], sync_status: () => current, sync_now: () => null });
    await mount().ready;
    const btn = $("#sync-now", page.root) as HTMLButtonElement;
    btn.click();
    current = status({ syncing: true });
    await emit("sync-state", current);
    await settle();
    expect(btn.disabled).toBe(true);

    current = status({ last_error: message, accounts: [account({ last_error: message })] });
    await emit("sync-state", current);
    await settle();
    expect(btn.disabled).toBe(false);
    expect(btn.textContent).toBe("Sync now");
    const banner = $("#error-banner", page.root);
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain(message);
  });

  test("data-changed reloads", async () => {
    let list = [event({ id: "one" })];
    const calls = backend({ upcoming_events: () => list, sync_status: () => status() });
    await mount().ready;
    list = [event({ id: "one" }), event({ id: "two", start: "2026-11-25T12:00:00Z", end: "2026-11-25T13:00:00Z" })];
    await emit("data-changed", null);
    await settle();
    expect(named(calls, "upcoming_events")).toHaveLength(2);
    expect(page.root.querySelectorAll(".event")).toHaveLength(2);
  });

  test("the minute timer updates the last-synced line", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      let t = NOW;
      backend({ upcoming_events: () => [], sync_status: () => status() });
      page.view = mountDashboard(page.root, { now: () => t, locale: "en-GB" });
      await page.view.ready;
      expect($("#last-synced", page.root).textContent).toBe("Last synced 3 min ago");
      t = new Date(NOW.getTime() + 60_000);
      vi.advanceTimersByTime(60_000);
      expect($("#last-synced", page.root).textContent).toBe("Last synced 4 min ago");
    } finally {
      vi.useRealTimers();
    }
  });
});
