// Connect Google against a mocked shell: the sign-in address offered while waiting when no browser
// could be opened (the "sign-in-url" event), and its listener's lifetime.
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { SignInUrl } from "../../api";
import { $, account, backend, named, NOW, settings, settle, usePage } from "../../test-helpers";
import type { MountedView } from "../dashboard";
import { CANCELLED_NOTE_MS } from "./accounts";
import { mountSettings } from "./index";

// Query characters and markup-like text: it must show as text, never be parsed.
const SIGN_IN_URL = "https://accounts.google.com/o/oauth2/v2/auth?client_id=x&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000&state=<b>s</b>";
const NOTE = "Your browser did not open. Open this address to sign in:";

const page = usePage<MountedView>();

afterEach(() => {
  Reflect.deleteProperty(navigator, "clipboard");
});

const button = (sel: string) => $(sel, page.root) as HTMLButtonElement;

/** A backend whose connect_google waits until cancel_connect (or `finish`) ends it. */
function waitingBackend(extra: Record<string, (args: Record<string, unknown> | undefined) => unknown> = {}) {
  let reject: (e: unknown) => void = () => {};
  let resolve: (v: unknown) => void = () => {};
  const calls = backend({
    settings: () => settings(),
    accounts: () => [account()],
    calendars: () => [],
    connect_google: () => new Promise((res, rej) => { resolve = res; reject = rej; }),
    cancel_connect: () => {
      reject({ code: "sign_in_cancelled", message: "Sign-in was cancelled." });
      return null;
    },
    ...extra,
  });
  // Counts the live "sign-in-url" listeners (the event plugin's calls never reach the handlers).
  const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: (c: string, a?: unknown, o?: unknown) => Promise<unknown> } }).__TAURI_INTERNALS__;
  const invoke = internals.invoke;
  const listeners = new Set<unknown>();
  internals.invoke = async (cmd, args, opts) => {
    const a = args as { event?: string; handler?: unknown; eventId?: unknown } | undefined;
    const result = await invoke(cmd, args, opts);
    if (a?.event === "sign-in-url" && cmd === "plugin:event|listen") listeners.add(result);
    if (a?.event === "sign-in-url" && cmd === "plugin:event|unlisten") listeners.delete(a.eventId);
    return result;
  };
  return {
    calls,
    listeners,
    finish: (v: unknown) => resolve(v),
    fail: (e: unknown) => reject(e),
  };
}

async function startWaiting(): Promise<void> {
  page.view = mountSettings(page.root, { now: () => NOW });
  await page.view.ready;
  button("#connect-google").click();
  await settle();
  expect($("#connect-waiting", page.root).hidden).toBe(false);
}

const sendSignIn = async (payload: SignInUrl) => {
  await emit("sign-in-url", payload);
  await settle();
};

const details = () => $(".sign-in-details", page.root);

describe("sign-in address while waiting", () => {
  test("listens before connect_google, so an early address is not missed", async () => {
    const shell = waitingBackend();
    await startWaiting();
    expect(named(shell.calls, "connect_google")).toHaveLength(1);
    expect(shell.listeners.size).toBe(1);
  });

  test("no browser opened: the address shows as text, with Open in browser calling open_link", async () => {
    const shell = waitingBackend();
    await startWaiting();
    expect(details().hidden).toBe(true);
    expect($("#sign-in-note", page.root).textContent).toBe("");

    await sendSignIn({ url: SIGN_IN_URL, opened: false });
    const waiting = $("#connect-waiting", page.root);
    const note = $("#sign-in-note", page.root);
    expect(waiting.contains(note)).toBe(true);
    expect(note.textContent).toBe(NOTE);
    expect(note.getAttribute("role")).toBe("status");
    expect(details().hidden).toBe(false);
    expect(details().getAttribute("aria-labelledby")).toBe("sign-in-note");
    expect(waiting.textContent).toContain("Finish signing in using the browser window that opened…");

    const url = $("#sign-in-url", page.root);
    expect(waiting.contains(url)).toBe(true);
    expect(url.textContent).toBe(SIGN_IN_URL);
    expect(url.children).toHaveLength(0); // text, never HTML
    expect(page.root.querySelector("b")).toBeNull();

    button("#sign-in-open").click();
    await settle();
    expect(named(shell.calls, "open_link").map((c) => c.args)).toEqual([{ url: SIGN_IN_URL }]);
    // jsdom has no clipboard: no Copy button
    expect(button("#sign-in-copy").hidden).toBe(true);
  });

  test("a refused open_link is explained in the block", async () => {
    waitingBackend({ open_link: () => Promise.reject({ code: "open_link", message: "cannot open the browser: none" }) });
    await startWaiting();
    await sendSignIn({ url: SIGN_IN_URL, opened: false });
    button("#sign-in-open").click();
    await settle();
    const err = $("#sign-in-error", page.root);
    expect(err.getAttribute("role")).toBe("alert");
    expect(err.textContent).toBe("cannot open the browser: none");
  });

  test("Copy writes the address to the clipboard when there is one", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    waitingBackend();
    await startWaiting();
    await sendSignIn({ url: SIGN_IN_URL, opened: false });
    const copy = button("#sign-in-copy");
    expect(copy.hidden).toBe(false);
    expect(copy.getAttribute("aria-label")).toBe("Copy sign-in address");
    copy.click();
    await settle();
    expect(writeText).toHaveBeenCalledWith(SIGN_IN_URL);
    expect($("#sign-in-feedback", page.root).textContent).toBe("Address copied.");
  });

  test("browser opened: nothing extra appears", async () => {
    waitingBackend();
    await startWaiting();
    await sendSignIn({ url: SIGN_IN_URL, opened: true });
    expect(details().hidden).toBe(true);
    expect($("#sign-in-note", page.root).textContent).toBe("");
    expect($("#sign-in-url", page.root).textContent).toBe("");
    expect($("#connect-waiting", page.root).textContent).not.toContain(SIGN_IN_URL);
  });

  test("cancel removes the block and the listener", async () => {
    const shell = waitingBackend();
    await startWaiting();
    await sendSignIn({ url: SIGN_IN_URL, opened: false });
    expect(details().hidden).toBe(false);

    button("#connect-cancel").click();
    await settle();
    expect(named(shell.calls, "cancel_connect")).toHaveLength(1);
    expect($("#connect-waiting", page.root).hidden).toBe(true);
    expect(details().hidden).toBe(true);
    expect($("#sign-in-note", page.root).textContent).toBe("");
    expect($("#sign-in-url", page.root).textContent).toBe("");
    expect($("#connect-result", page.root).textContent).toBe("Sign-in cancelled.");
    expect(shell.listeners.size).toBe(0);

    // A late event changes nothing, and a new attempt starts without the old address.
    await sendSignIn({ url: SIGN_IN_URL, opened: false });
    expect($("#sign-in-url", page.root).textContent).toBe("");
    button("#connect-google").click();
    await settle();
    expect($("#connect-waiting", page.root).hidden).toBe(false);
    expect(details().hidden).toBe(true);
    expect(shell.listeners.size).toBe(1);
  });

  test("Sign-in cancelled. is neutral, not a success, and goes after 10 s or at the next action", async () => {
    waitingBackend();
    await startWaiting();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const flush = async () => {
      for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
    };
    button("#connect-cancel").click();
    await flush();
    const result = $("#connect-result", page.root);
    expect(result.textContent).toBe("Sign-in cancelled.");
    expect(result.classList.contains("field-status-neutral")).toBe(true);
    await vi.advanceTimersByTimeAsync(CANCELLED_NOTE_MS - 1);
    expect(result.textContent).toBe("Sign-in cancelled.");
    await vi.advanceTimersByTimeAsync(1);
    expect(result.textContent).toBe("");

    button("#connect-google").click();
    await flush();
    button("#connect-cancel").click();
    await flush();
    expect(result.textContent).toBe("Sign-in cancelled.");
    button("#connect-google").click();
    await flush();
    expect(result.textContent).toBe("");
    expect(result.classList.contains("field-status-neutral")).toBe(false);
  });

  test("success and errors end the listening too", async () => {
    const shell = waitingBackend();
    await startWaiting();
    await sendSignIn({ url: SIGN_IN_URL, opened: false });
    shell.finish(account({ id: 5, name: "new@example.com" }));
    await settle();
    expect($("#connect-result", page.root).textContent).toBe("Connected new@example.com.");
    expect(details().hidden).toBe(true);
    expect(shell.listeners.size).toBe(0);

    button("#connect-google").click();
    await settle();
    await sendSignIn({ url: SIGN_IN_URL, opened: false });
    shell.fail({ code: "sign_in_denied", message: "You denied access at Google." });
    await settle();
    expect($("#connect-error", page.root).textContent).toBe("You denied access at Google.");
    expect($("#connect-waiting", page.root).hidden).toBe(true);
    expect(details().hidden).toBe(true);
    expect(shell.listeners.size).toBe(0);
  });

  test("Cancel pressed before connect_google was sent: it is never sent", async () => {
    const shell = waitingBackend();
    page.view = mountSettings(page.root, { now: () => NOW });
    await page.view.ready;
    button("#connect-google").click();
    button("#connect-cancel").click(); // the listener is still being set up
    await settle();
    expect(named(shell.calls, "connect_google")).toHaveLength(0);
    expect($("#connect-waiting", page.root).hidden).toBe(true);
    expect($("#connect-result", page.root).textContent).toBe("Sign-in cancelled.");
    expect(shell.listeners.size).toBe(0);
  });

  test("destroy removes the listener", async () => {
    const shell = waitingBackend();
    await startWaiting();
    expect(shell.listeners.size).toBe(1);
    page.view?.destroy();
    page.view = null;
    await settle();
    expect(shell.listeners.size).toBe(0);
  });
});

describe("the account list's look", () => {
  test("the Connect buttons are primary only until the first account exists", async () => {
    let list = [] as ReturnType<typeof account>[];
    backend({
      settings: () => settings(),
      accounts: () => list,
      calendars: () => [],
      connect_google: () => {
        list = [account()];
        return account();
      },
    });
    page.view = mountSettings(page.root, { now: () => NOW });
    await page.view.ready;
    const primary = () => ["#connect-google", "#connect-microsoft"].map((sel) => button(sel).classList.contains("btn-primary"));
    expect(primary()).toEqual([true, true]);
    button("#connect-google").click();
    await settle();
    expect($("#connect-result", page.root).textContent).toBe("Connected me@example.com.");
    expect(primary()).toEqual([false, false]);
    expect(button("#connect-google").classList.contains("btn")).toBe(true);
  });

  test("a display name under the account is plain text; only an address is monospace", async () => {
    backend({
      settings: () => settings(),
      accounts: () => [
        account({ id: 7, provider: "microsoft", name: "megan@contoso.example", detail: "Megan Bowen" }),
        account({ id: 8, provider: "ics", name: "Holidays", detail: "https://example.com/…" }),
        account({ id: 9, provider: "caldav", name: "me@fastmail.com", detail: "caldav.fastmail.com" }),
      ],
      calendars: () => [],
    });
    page.view = mountSettings(page.root, { now: () => NOW });
    await page.view.ready;
    const detail = (id: number) => $(`.account[data-account-id="${id}"] .account-detail`, page.root);
    expect(detail(7).textContent).toBe("Megan Bowen");
    expect(detail(7).classList.contains("account-address")).toBe(false);
    expect(detail(8).classList.contains("account-address")).toBe(true);
    expect(detail(9).classList.contains("account-address")).toBe(true);
    expect($('.account[data-account-id="7"] .account-name', page.root).classList.contains("account-address")).toBe(false);
  });
});
