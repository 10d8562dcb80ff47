// Subscribe to a calendar link against a mocked shell: the form, the checks made before any call,
// connect_ics with its waiting state, success and each refusal, and how a calendar link is listed
// among the accounts (its address, no Reconnect, Unsubscribe behind the confirmation).
import { describe, expect, test } from "vitest";
import type { Account } from "../../api";
import { $, account, backend, calendar, named, NOW, settings, settle, usePage } from "../../test-helpers";
import type { MountedView } from "../dashboard";
import { ICS_ERROR_HINT } from "./accounts";
import { mountSettings } from "./index";
import { linkProblem } from "./subscribe";

const FEED = "webcal://calendar.example.org/team/rota.ics?token=s3cret";
const DETAIL = "https://calendar.example.org/team/…/rota.ics";
const HOSTILE = "<img src=x onerror=alert(1)>";

const page = usePage<MountedView>();

const input = (sel: string) => $(sel, page.root) as HTMLInputElement;
const button = (sel: string) => $(sel, page.root) as HTMLButtonElement;
const form = () => $("#subscribe-form", page.root) as HTMLFormElement;

function icsAccount(over: Partial<Account> = {}): Account {
  return account({ id: 7, provider: "ics", name: "Team rota", detail: DETAIL, ...over });
}

/** A shell where connect_ics answers with `answer` and then lists the account it added. */
function shell(answer: (args: Record<string, unknown> | undefined) => unknown) {
  let list: Account[] = [account({ id: 1, name: "me@example.com" })];
  let cals = [calendar({ id: 10, account_id: 1, name: "Work" })];
  const calls = backend({
    settings: () => settings(),
    accounts: () => list,
    calendars: () => cals,
    connect_ics: async (args) => {
      const added = (await answer(args)) as Account;
      list = [...list, added];
      cals = [...cals, calendar({ id: 70, account_id: added.id, name: added.name, read_only: true, primary: false })];
      return added;
    },
  });
  return { calls };
}

async function mount(): Promise<void> {
  page.view = mountSettings(page.root, { now: () => NOW });
  await page.view.ready;
}

async function fill(url: string, name = ""): Promise<void> {
  input("#subscribe-url").value = url;
  input("#subscribe-name").value = name;
  form().requestSubmit();
  await settle();
}

describe("subscribe to a calendar link", () => {
  test("the form renders in the Accounts section with labelled fields", async () => {
    shell(() => icsAccount());
    await mount();
    const f = form();
    expect(f.closest("section")?.querySelector("h2")?.textContent).toBe("Accounts");
    expect($("#subscribe-heading", page.root).textContent).toBe("Subscribe to a calendar link");
    expect(f.getAttribute("aria-labelledby")).toBe("subscribe-heading");
    const url = input("#subscribe-url");
    expect(url.type).toBe("url");
    expect(url.placeholder).toBe("https://… or webcal://…");
    expect(page.root.querySelector('label[for="subscribe-url"]')?.textContent).toBe("Calendar link");
    expect(page.root.querySelector('label[for="subscribe-name"]')?.textContent).toBe("Name (optional)");
    expect(button("#subscribe-submit").type).toBe("submit");
    expect(button("#subscribe-submit").textContent).toBe("Subscribe");
    expect($("#subscribe-status", page.root).getAttribute("role")).toBe("status");
    expect($("#subscribe-error", page.root).getAttribute("role")).toBe("alert");
    expect($("#subscribe-url-error", page.root).getAttribute("role")).toBe("alert");
    expect($("#subscribe-error-extra", page.root).hidden).toBe(true);
  });

  test("an empty, ftp:// or other non-web link is refused without calling connect_ics", async () => {
    const { calls } = shell(() => icsAccount());
    await mount();
    const url = input("#subscribe-url");

    await fill("   ");
    expect($("#subscribe-url-error", page.root).textContent).toBe("Paste the calendar's link.");
    expect(url.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(url);

    for (const bad of [" ftp://example.org/cal.ics ", "javascript:alert(1)", "calendar.example.org/rota.ics",
      "mailto:me@example.org", "file:///etc/passwd"]) {
      await fill(bad);
      expect($("#subscribe-url-error", page.root).textContent, bad).toContain("That isn't a web address.");
      expect(url.value, "trimmed, kept to correct").toBe(bad.trim());
    }
    await fill("https://");
    expect($("#subscribe-url-error", page.root).textContent).toContain("looks incomplete");
    expect(named(calls, "connect_ics")).toHaveLength(0);

    // a good link clears the mark
    await fill(FEED);
    expect($("#subscribe-url-error", page.root).textContent).toBe("");
    expect(url.hasAttribute("aria-invalid")).toBe(false);
    expect(named(calls, "connect_ics")).toHaveLength(1);
  });

  test("a webcal link calls connect_ics with the trimmed link and name null when Name is empty", async () => {
    const { calls } = shell(() => icsAccount());
    await mount();
    await fill(`  ${FEED}\n`, "   ");
    expect(named(calls, "connect_ics").map((c) => c.args)).toEqual([{ url: FEED, name: null }]);
  });

  test("a name is sent trimmed", async () => {
    const { calls } = shell(() => icsAccount());
    await mount();
    await fill("HTTPS://example.org/holidays.ics", "  Team rota ");
    expect(named(calls, "connect_ics").map((c) => c.args)).toEqual([{ url: "HTTPS://example.org/holidays.ics", name: "Team rota" }]);
  });

  test("Enter in a field submits", async () => {
    const { calls } = shell(() => icsAccount());
    await mount();
    input("#subscribe-url").value = FEED;
    const name = input("#subscribe-name");
    name.value = "Team rota";
    const enter = new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
    name.dispatchEvent(enter);
    await settle();
    expect(enter.defaultPrevented).toBe(true);
    expect(named(calls, "connect_ics").map((c) => c.args)).toEqual([{ url: FEED, name: "Team rota" }]);
  });

  test("while subscribing the form is disabled and says Subscribing…", async () => {
    let finish: (a: Account) => void = () => {};
    const { calls } = shell(() => new Promise<Account>((resolve) => { finish = resolve; }));
    await mount();
    input("#subscribe-url").focus();
    await fill(FEED, "Team rota");
    const f = form();
    expect(input("#subscribe-url").disabled).toBe(true);
    expect(input("#subscribe-name").disabled).toBe(true);
    expect(button("#subscribe-submit").disabled).toBe(true);
    expect(button("#subscribe-submit").textContent).toBe("Subscribing…");
    expect($("#subscribe-status", page.root).textContent).toBe("Subscribing…");
    expect(f.getAttribute("aria-busy")).toBe("true");

    // a second submit (Enter pressed again) is not a second subscription
    f.requestSubmit();
    await settle();
    expect(named(calls, "connect_ics")).toHaveLength(1);

    finish(icsAccount());
    await settle();
    expect(input("#subscribe-url").disabled).toBe(false);
    expect(button("#subscribe-submit").textContent).toBe("Subscribe");
    expect(f.hasAttribute("aria-busy")).toBe(false);
    expect(document.activeElement).toBe(input("#subscribe-url"));
  });

  test("success confirms, clears the form and reloads: the new account is a calendar link with its address and no Reconnect", async () => {
    const { calls } = shell(() => icsAccount());
    await mount();
    expect(named(calls, "accounts")).toHaveLength(1);
    await fill(FEED, "Team rota");
    expect($("#subscribe-status", page.root).textContent).toBe("Subscribed to Team rota.");
    expect(input("#subscribe-url").value).toBe("");
    expect(input("#subscribe-name").value).toBe("");
    expect($("#subscribe-error", page.root).textContent).toBe("");
    expect(named(calls, "accounts")).toHaveLength(2);
    expect(named(calls, "calendars")).toHaveLength(2);

    const item = $('.account[data-account-id="7"]', page.root);
    expect(item.querySelector(".account-name")?.textContent).toBe("Team rota");
    expect(item.querySelector(".account-provider")?.textContent).toBe("Calendar link");
    expect(item.querySelector(".account-detail")?.textContent).toBe(DETAIL);
    expect(item.querySelector(".account-status")?.textContent).toBe("Synced 5 min ago");
    expect((item.querySelector(".account-hint") as HTMLElement).hidden).toBe(true);
    expect(item.querySelector(".reconnect")).toBeNull();
    const remove = item.querySelector(".disconnect") as HTMLButtonElement;
    expect(remove.textContent).toBe("Unsubscribe");
    expect(remove.getAttribute("aria-label")).toBe("Unsubscribe from Team rota");
    // the read-only calendar is listed under it
    expect(page.root.querySelector('.calendar[data-calendar-id="70"]')).not.toBeNull();
    // a Google account has no detail line
    expect(page.root.querySelector('.account[data-account-id="1"] .account-detail')).toBeNull();
  });

  const refusals: [string, string][] = [
    ["invalid_url", "That link isn't a web address Calendar Buddy can subscribe to. Check it and try again."],
    ["feed_not_calendar", "That address answered with something that isn't a calendar (perhaps a web page or a sign-in page). Use the calendar's .ics or webcal link."],
    ["feed_needs_login", "That calendar needs a login, or its private link is no longer valid. Get a new link from the calendar's sharing settings."],
    ["feed_gone", "There is no calendar at that link any more. Check the link, or ask for a new one."],
    ["network", "Couldn't reach that address. Check your internet connection and the link, then try again."],
  ];

  test.each(refusals)("%s: its message, the values kept, the shell's words behind Details, Dismiss", async (code, text) => {
    const detail = `connect_ics refused: ${code} (HTTP said so)`;
    shell(() => Promise.reject({ code, message: detail }));
    await mount();
    input("#subscribe-url").focus();
    await fill(FEED, "Team rota");
    expect($("#subscribe-error", page.root).textContent).toBe(text);
    expect($("#subscribe-status", page.root).textContent).toBe("");
    expect(input("#subscribe-url").value).toBe(FEED);
    expect(input("#subscribe-name").value).toBe("Team rota");
    expect(input("#subscribe-url").disabled).toBe(false);
    expect(document.activeElement).toBe(input("#subscribe-url"));
    expect(input("#subscribe-url").getAttribute("aria-invalid")).toBe(code === "invalid_url" ? "true" : null);

    const extra = $("#subscribe-error-extra", page.root);
    expect(extra.hidden).toBe(false);
    const details = extra.querySelector("details") as HTMLDetailsElement;
    expect(details.hidden).toBe(false);
    expect(details.open).toBe(false);
    expect(details.querySelector("summary")?.textContent).toBe("Details");
    expect($("#subscribe-error-detail", page.root).textContent).toBe(detail);

    button("#subscribe-dismiss").focus();
    button("#subscribe-dismiss").click();
    expect($("#subscribe-error", page.root).textContent).toBe("");
    expect(extra.hidden).toBe(true);
    expect(document.activeElement).toBe(input("#subscribe-url"));
    expect(input("#subscribe-url").value).toBe(FEED);
  });

  test("another code shows the shell's message, without a Details repeating it", async () => {
    shell(() => Promise.reject({ code: "db", message: "database is locked" }));
    await mount();
    await fill(FEED);
    expect($("#subscribe-error", page.root).textContent).toBe("database is locked");
    expect(($("#subscribe-error-extra", page.root).querySelector("details") as HTMLElement).hidden).toBe(true);
    expect(button("#subscribe-dismiss").hidden).toBe(false);
  });

  test("a new attempt clears the last error", async () => {
    let fail = true;
    shell(() => (fail ? Promise.reject({ code: "network", message: "timed out" }) : icsAccount()));
    await mount();
    await fill(FEED);
    expect($("#subscribe-error", page.root).textContent).toContain("Couldn't reach");
    fail = false;
    form().requestSubmit();
    await settle();
    expect($("#subscribe-error", page.root).textContent).toBe("");
    expect($("#subscribe-error-extra", page.root).hidden).toBe(true);
    expect($("#subscribe-status", page.root).textContent).toBe("Subscribed to Team rota.");
  });

  test("a feed name or message with HTML shows as text", async () => {
    let fail = true;
    shell(() => (fail ? Promise.reject({ code: "feed_not_calendar", message: `got ${HOSTILE}` }) : icsAccount({ name: HOSTILE, detail: `https://x.example/${HOSTILE}` })));
    await mount();
    await fill(FEED);
    expect($("#subscribe-error-detail", page.root).textContent).toBe(`got ${HOSTILE}`);
    fail = false;
    form().requestSubmit();
    await settle();
    expect($("#subscribe-status", page.root).textContent).toBe(`Subscribed to ${HOSTILE}.`);
    const item = $('.account[data-account-id="7"]', page.root);
    expect(item.querySelector(".account-name")?.textContent).toBe(HOSTILE);
    expect(item.querySelector(".account-detail")?.textContent).toBe(`https://x.example/${HOSTILE}`);
    expect(page.root.querySelector("img")).toBeNull();
    expect(document.querySelector("img")).toBeNull();
  });
});

describe("a calendar link among the accounts", () => {
  test("a failing link shows its error and the hint, never Reconnect", async () => {
    backend({
      settings: () => settings(),
      accounts: () => [
        icsAccount({ id: 7, last_error: "the feed answered 404" }),
        icsAccount({ id: 8, name: "School", needs_reauth: true, last_error: null, detail: null }),
      ],
      calendars: () => [],
    });
    await mount();
    const gone = $('.account[data-account-id="7"]', page.root);
    expect(gone.querySelector(".account-status")?.textContent).toBe("the feed answered 404");
    expect(gone.querySelector(".account-status")?.classList.contains("warn")).toBe(true);
    const hint = gone.querySelector(".account-hint") as HTMLElement;
    expect(hint.hidden).toBe(false);
    expect(hint.textContent).toBe(ICS_ERROR_HINT);
    expect(ICS_ERROR_HINT).toBe("Check the link, or remove it and subscribe again with a new one.");
    expect(gone.querySelector(".reconnect")).toBeNull();

    const login = $('.account[data-account-id="8"]', page.root);
    expect(login.querySelector(".account-status")?.textContent).toBe("The link needs a login or is no longer valid");
    expect(login.querySelector(".account-status")?.textContent).not.toContain("sign-in");
    expect((login.querySelector(".account-hint") as HTMLElement).hidden).toBe(false);
    expect(login.querySelector(".reconnect")).toBeNull();
    expect(login.querySelector(".account-detail")).toBeNull();
  });

  test("Unsubscribe asks first, in its own words, then removes it", async () => {
    let list = [account({ id: 1, name: "me@example.com" }), icsAccount()];
    const calls = backend({ settings: () => settings(), accounts: () => list, calendars: () => [] });
    await mount();
    const dialog = $("#confirm-dialog", page.root) as HTMLDialogElement;

    button('.account[data-account-id="7"] .disconnect').click();
    await settle();
    expect(dialog.open).toBe(true);
    expect($("#confirm-message", page.root).textContent).toBe("Unsubscribe from Team rota? Its events are removed from this computer.");
    expect(button("#confirm-yes").textContent).toBe("Unsubscribe");
    expect(document.activeElement).toBe(button("#confirm-no"));
    button("#confirm-no").click();
    await settle();
    expect(named(calls, "disconnect")).toHaveLength(0);

    button('.account[data-account-id="7"] .disconnect').click();
    await settle();
    list = list.filter((a) => a.id !== 7);
    button("#confirm-yes").click();
    await settle();
    expect(named(calls, "disconnect").map((c) => c.args)).toEqual([{ accountId: 7 }]);
    expect(page.root.querySelector('.account[data-account-id="7"]')).toBeNull();
    expect($("#connect-result", page.root).textContent).toBe("Unsubscribed from Team rota.");

    // a Google account's confirmation still says Disconnect
    button('.account[data-account-id="1"] .disconnect').click();
    await settle();
    expect(button("#confirm-yes").textContent).toBe("Disconnect");
    expect($("#confirm-message", page.root).textContent).toContain("Disconnect me@example.com?");
    button("#confirm-no").click();
    await settle();
  });
});

describe("linkProblem", () => {
  test("web and webcal links pass; others are refused", () => {
    for (const ok of ["https://example.org/a.ics", "http://example.org/a.ics", "webcal://example.org/a.ics",
      "webcals://example.org/a.ics", "WEBCAL://Example.org/a.ics", "https://user@example.org:8443/a.ics?x=1#y"]) {
      expect(linkProblem(ok), ok).toBeNull();
    }
    for (const bad of ["", "ftp://example.org/a.ics", "webcal:example.org/a.ics", "https:/example.org",
      "https://", "webcal://", "data:text/calendar,BEGIN", "//example.org/a.ics", "https://exa mple.org/a.ics"]) {
      expect(linkProblem(bad), bad).not.toBeNull();
    }
  });
});
