// The error banner: human sentences first with the raw text behind "Details", the action that
// fixes each problem, Dismiss until a different error, and Copy link when no browser opened.
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, test, vi } from "vitest";
import { $, account, backend, event, named, NOW, settle, status, usePage } from "../../test-helpers";
import { mountDashboard, type MountedView } from "./index";
import { classify, notices } from "./notices";

const page = usePage<MountedView>();

afterEach(() => {
  vi.unstubAllGlobals();
});

async function mount() {
  page.view = mountDashboard(page.root, { now: () => NOW, locale: "en-GB" });
  await page.view.ready;
}

const lines = () => [...page.root.querySelectorAll<HTMLElement>("#error-banner .banner-line")];
const sentences = () => lines().map((l) => l.querySelector(".banner-text")?.textContent);

describe("what errors say", () => {
  test("the engine's and shell's wording, classified", () => {
    expect(classify("cannot open the browser: Launcher \"gio\" \"open\" ExitStatus(1)")).toBe("browser");
    expect(classify("whatever", "open_link")).toBe("browser");
    expect(classify("could not reach the server: dns error")).toBe("network");
    expect(classify("the feed https://x/… did not answer within 30 seconds")).toBe("network");
    expect(classify("rate limited by the server (429)")).toBe("rate");
    expect(classify("access was revoked or expired; reconnect the account (invalid_grant)")).toBe("reauth");
    expect(classify("the feed https://x/… is gone (HTTP 410); check the link")).toBe("gone");
    expect(classify("calendar not found on the server")).toBe("gone");
    expect(classify("The database is locked", "database")).toBe("other");
  });

  test("an account's failure is named; the same text from the last sync is said once", () => {
    const raw = "could not reach the server: connection refused";
    const out = notices({ status: status({ last_error: raw, accounts: [account({ name: "Work", last_error: raw })] }),
      loadError: null, actionError: null, signIn: null });
    expect(out.map((n) => [n.text, n.detail, n.action])).toEqual([
      ["Work: couldn't reach the calendar server. Check your internet connection.", raw, { kind: "sync" }],
    ]);
  });
});

describe("the banner", () => {
  const raw = 'cannot open the browser: Launcher "gio" "open" "https://meet.example.com/x" ExitStatus(unix_wait_status(1024))';

  test("a human sentence first, the raw text behind Details", async () => {
    backend({ upcoming_events: () => [], sync_status: () => status({ last_error: "rate limited by the server (429 Too Many Requests)" }) });
    await mount();
    const banner = $("#error-banner", page.root);
    expect(banner.hidden).toBe(false);
    expect(sentences()).toEqual(["The calendar server asked to slow down. It will sync again shortly."]);
    const details = $("details.banner-details", banner) as HTMLDetailsElement;
    expect(details.open).toBe(false);
    expect(details.querySelector("summary")?.textContent).toBe("Details");
    expect(details.querySelector(".banner-detail")?.textContent).toBe("rate limited by the server (429 Too Many Requests)");
    // the sentence comes before the detail
    expect(banner.textContent!.indexOf("slow down")).toBeLessThan(banner.textContent!.indexOf("rate limited"));
  });

  test("text from outside stays text", async () => {
    backend({ upcoming_events: () => [], sync_status: () => status({ last_error: "<img src=x onerror=alert(1)>" }) });
    await mount();
    expect(page.root.querySelector("#error-banner img")).toBeNull();
    expect($(".banner-detail", page.root).textContent).toBe("<img src=x onerror=alert(1)>");
  });

  test("Try again syncs", async () => {
    const calls = backend({ upcoming_events: () => [], sync_status: () => status({ last_error: "could not reach the server: dns error" }), sync_now: () => null });
    await mount();
    expect(sentences()).toEqual(["Couldn't reach the calendar server. Check your internet connection."]);
    ($(".banner-retry", page.root) as HTMLButtonElement).click();
    await settle();
    expect(named(calls, "sync_now")).toHaveLength(1);
  });

  test("a CalDAV account to sign in again: Reconnect opens the settings", async () => {
    const calls = backend({ upcoming_events: () => [],
      sync_status: () => status({ accounts: [account({ provider: "caldav", name: "Fastmail", needs_reauth: true, last_error: "wrong user name or password" })] }) });
    await mount();
    expect(sentences()).toEqual(["Fastmail needs you to sign in again."]);
    const btn = $(".banner-action", page.root) as HTMLButtonElement;
    expect(btn.textContent).toBe("Reconnect");
    btn.click();
    await settle();
    expect(named(calls, "open_window").map((c) => c.args)).toEqual([{ which: "settings" }]);
  });

  test("Dismiss hides a message until a different error arrives", async () => {
    let current = status({ last_error: "could not reach the server: dns error" });
    backend({ upcoming_events: () => [], sync_status: () => current });
    await mount();
    const dismiss = $(".banner-dismiss", page.root) as HTMLButtonElement;
    expect(dismiss.getAttribute("aria-label")).toBe("Dismiss");
    dismiss.click();
    expect($("#error-banner", page.root).hidden).toBe(true);
    // the next sync fails the same way: still hidden
    await emit("sync-state", current);
    await settle();
    expect($("#error-banner", page.root).hidden).toBe(true);
    // a different error shows
    current = status({ last_error: "the server refused the request: 403" });
    await emit("sync-state", current);
    await settle();
    expect($("#error-banner", page.root).hidden).toBe(false);
    expect(sentences()).toEqual(["Couldn't sync your calendars."]);
  });

  test("no browser for Join: Copy link puts the link on the clipboard", async () => {
    const url = "https://meet.example.com/x";
    const writeText = vi.fn(() => Promise.resolve());
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    backend({
      upcoming_events: () => [event({ meeting_url: url })],
      sync_status: () => status(),
      open_link: () => Promise.reject({ code: "open_link", message: raw }),
    });
    await mount();
    ($(".join", page.root) as HTMLButtonElement).click();
    await settle();
    expect(sentences()).toEqual(["Couldn't open your web browser. Copy the link and open it in your browser."]);
    expect($(".banner-detail", page.root).textContent).toBe(raw);
    const copy = $(".banner-copy", page.root) as HTMLButtonElement;
    expect(copy.textContent).toBe("Copy link");
    copy.click();
    await settle();
    expect(writeText).toHaveBeenCalledWith(url);
    expect($(".banner-copy", page.root).textContent).toBe("Copied");
  });

  test("when the clipboard refuses, the link is shown selected in a read-only field", async () => {
    const url = "https://meet.example.com/x";
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText: () => Promise.reject(new Error("denied")) } });
    backend({
      upcoming_events: () => [event({ meeting_url: url })],
      sync_status: () => status(),
      open_link: () => Promise.reject({ code: "open_link", message: raw }),
    });
    await mount();
    ($(".join", page.root) as HTMLButtonElement).click();
    await settle();
    ($(".banner-copy", page.root) as HTMLButtonElement).click();
    await settle();
    const input = $(".banner-link", page.root) as HTMLInputElement;
    expect(input.readOnly).toBe(true);
    expect(input.value).toBe(url);
    expect(document.activeElement).toBe(input);
    expect([input.selectionStart, input.selectionEnd]).toEqual([0, url.length]);
  });

  test("Reconnect with no browser: the sign-in page is offered to copy until the sign-in ends", async () => {
    const signInUrl = "https://accounts.example.com/o/oauth2/auth?client_id=abc";
    const writeText = vi.fn(() => Promise.resolve());
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    let finish: (v: unknown) => void = () => {};
    backend({
      upcoming_events: () => [],
      sync_status: () => status({ accounts: [account({ name: "Work", needs_reauth: true })] }),
      connect_google: () => new Promise((r) => { finish = r; }),
    });
    await mount();
    // a sign-in started elsewhere (the settings window) is not the dashboard's to offer
    await emit("sign-in-url", { url: signInUrl, opened: false });
    await settle();
    expect(page.root.querySelector(".banner-copy")).toBeNull();

    ($("#reconnect", page.root) as HTMLButtonElement).click();
    await settle();
    await emit("sign-in-url", { url: signInUrl, opened: false });
    await settle();
    expect(sentences()).toEqual([
      "Work needs you to sign in again.",
      "Couldn't open your web browser for the sign-in. Copy the link and open it in your browser.",
    ]);
    ($(".banner-copy", page.root) as HTMLButtonElement).click();
    await settle();
    expect(writeText).toHaveBeenCalledWith(signInUrl);
    finish(account({ name: "Work" }));
    await settle();
    expect(page.root.querySelector(".banner-copy")).toBeNull();
  });
});
