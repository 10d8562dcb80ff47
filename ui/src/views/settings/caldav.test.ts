// Add iCloud, Add CalDAV account and Reconnect against a mocked shell: the form in each mode, the
// checks made before any call, the commands with their arguments, the waiting state, success,
// each refusal, and where the password is (never left in the page after a refused one).
import { describe, expect, test } from "vitest";
import type { Account } from "../../api";
import { $, account, backend, calendar, named, NOW, settings, settle, usePage } from "../../test-helpers";
import type { MountedView } from "../dashboard";
import { APPLE_ACCOUNT_URL } from "./caldav";
import { mountSettings } from "./index";

const HOSTILE = "<img src=x onerror=alert(1)>";

const page = usePage<MountedView>();

const input = (sel: string) => $(sel, page.root) as HTMLInputElement;
const button = (sel: string) => $(sel, page.root) as HTMLButtonElement;
const form = () => $("#caldav-form", page.root) as HTMLFormElement;
const visible = (sel: string) => !($(sel, page.root).closest("[hidden]"));

function davAccount(over: Partial<Account> = {}): Account {
  return account({ id: 9, provider: "caldav", name: "alice", detail: "caldav.fastmail.com", ...over });
}

type Answer = (args: Record<string, unknown> | undefined) => unknown;

/** A shell whose connect_caldav / connect_icloud / reconnect_caldav answer with `answer`. */
function shell(answer: Answer, start: Account[] = []) {
  let list: Account[] = [account({ id: 1, name: "me@example.com" }), ...start];
  const cals = [calendar({ id: 10, account_id: 1, name: "Work" })];
  const added = async (args: Record<string, unknown> | undefined) => {
    const a = (await answer(args)) as Account;
    list = [...list.filter((x) => x.id !== a.id), a];
    return a;
  };
  const calls = backend({
    settings: () => settings(),
    accounts: () => list,
    calendars: () => cals,
    connect_caldav: added,
    connect_icloud: added,
    reconnect_caldav: added,
    open_link: () => null,
  });
  return { calls };
}

async function mount(): Promise<void> {
  page.view = mountSettings(page.root, { now: () => NOW });
  await page.view.ready;
}

describe("Add CalDAV account", () => {
  test("the button opens a labelled form with address, user name and password, focus on the address", async () => {
    shell(() => davAccount());
    await mount();
    expect(form().hidden).toBe(true);
    button("#add-caldav").click();
    expect(form().hidden).toBe(false);
    expect($("#caldav-heading", page.root).textContent).toBe("Add CalDAV account");
    expect(form().closest("section")?.querySelector("h2")?.textContent).toBe("Accounts");
    expect(page.root.querySelector('label[for="caldav-url"]')?.textContent).toBe("Server address");
    expect(page.root.querySelector('label[for="caldav-user"]')?.textContent).toBe("User name");
    expect(page.root.querySelector('label[for="caldav-password"]')?.textContent).toBe("Password");
    expect(input("#caldav-password").type).toBe("password");
    expect(visible("#caldav-url")).toBe(true);
    expect(visible("#caldav-apple-hint")).toBe(false);
    expect(document.activeElement).toBe(input("#caldav-url"));
  });

  test("empty fields are marked without calling the shell", async () => {
    const { calls } = shell(() => davAccount());
    await mount();
    button("#add-caldav").click();
    input("#caldav-user").value = "alice";
    form().requestSubmit();
    await settle();
    expect(named(calls, "connect_caldav")).toHaveLength(0);
    expect($("#caldav-url-error", page.root).textContent).toBe("Enter the server's address.");
    expect($("#caldav-password-error", page.root).textContent).toBe("Enter the password.");
    expect($("#caldav-user-error", page.root).textContent).toBe("");
    expect(input("#caldav-url").getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(input("#caldav-url"));
  });

  test("sends the trimmed address and user with the password as typed, waits, then confirms and lists the account", async () => {
    let finish: (a: Account) => void = () => {};
    const { calls } = shell(() => new Promise<Account>((resolve) => { finish = resolve; }));
    await mount();
    button("#add-caldav").click();
    input("#caldav-url").value = "  caldav.fastmail.com ";
    input("#caldav-user").value = " alice ";
    input("#caldav-password").value = " pass word ";
    form().requestSubmit();
    await settle();
    expect(named(calls, "connect_caldav").map((c) => c.args))
      .toEqual([{ url: "caldav.fastmail.com", username: "alice", password: " pass word " }]);
    expect(button("#caldav-submit").disabled).toBe(true);
    expect(button("#caldav-submit").textContent).toBe("Connecting…");
    expect(input("#caldav-password").value).toBe("");
    expect(form().getAttribute("aria-busy")).toBe("true");
    form().requestSubmit();
    await settle();
    expect(named(calls, "connect_caldav")).toHaveLength(1);

    finish(davAccount());
    await settle();
    expect(form().hidden).toBe(true);
    expect($("#connect-result", page.root).textContent).toBe("Connected alice.");
    const item = $('.account[data-account-id="9"]', page.root);
    expect(item.querySelector(".account-provider")?.textContent).toBe("CalDAV");
    expect(item.querySelector(".account-detail")?.textContent).toBe("caldav.fastmail.com");
    expect(item.querySelector(".reconnect")).toBeNull();
  });

  const refusals: [string, string, string][] = [
    ["wrong_password", "The server didn't accept that user name and password. Check both and try again.", "#caldav-password"],
    ["invalid_url", "That isn't a server address. Enter one such as https://caldav.example.com/ or caldav.example.com.", "#caldav-url"],
    ["not_caldav", "That address doesn't offer calendars (CalDAV). Check your provider's help for its CalDAV address.", "#caldav-url"],
    ["no_calendars", "Signed in, but no calendars with events were found for this account.", "#caldav-submit"],
    ["other_site", "The server sent Calendar Buddy to another site. Your password is only sent to the site you entered, so enter that site's address instead.", "#caldav-url"],
    ["network", "Couldn't reach the server. Check your internet connection and the address, then try again.", "#caldav-submit"],
  ];

  test.each(refusals)("%s: its message, the shell's words behind Details, focus where to fix it", async (code, text, focus) => {
    const detail = `${code}: ${HOSTILE}`;
    shell(() => Promise.reject({ code, message: detail }));
    await mount();
    button("#add-caldav").click();
    input("#caldav-url").value = "https://dav.example.com/";
    input("#caldav-user").value = "alice";
    input("#caldav-password").value = "secret";
    form().requestSubmit();
    await settle();
    expect($("#caldav-error", page.root).textContent).toBe(text);
    expect($("#caldav-error-detail", page.root).textContent).toBe(detail);
    expect(page.root.querySelector("#caldav-form img")).toBeNull();
    expect(document.activeElement).toBe($(focus, page.root));
    expect(input("#caldav-url").value).toBe("https://dav.example.com/");
    expect(input("#caldav-user").value).toBe("alice");
    // only a refused password has to be typed again
    expect(input("#caldav-password").value).toBe(code === "wrong_password" ? "" : "secret");
    expect(button("#caldav-submit").disabled).toBe(false);
    expect(form().hidden).toBe(false);
  });

  test("an unknown refusal shows the shell's message as text", async () => {
    shell(() => Promise.reject({ code: "storage", message: HOSTILE }));
    await mount();
    button("#add-caldav").click();
    input("#caldav-url").value = "https://dav.example.com/";
    input("#caldav-user").value = "alice";
    input("#caldav-password").value = "secret";
    form().requestSubmit();
    await settle();
    expect($("#caldav-error", page.root).textContent).toBe(HOSTILE);
    expect(page.root.querySelector("#caldav-form img")).toBeNull();
    expect($("#caldav-error-details", page.root).hidden).toBe(true);
  });

  test("Cancel closes the form and forgets the password", async () => {
    shell(() => davAccount());
    await mount();
    button("#add-caldav").click();
    input("#caldav-password").value = "secret";
    button("#caldav-cancel").click();
    expect(form().hidden).toBe(true);
    expect(input("#caldav-password").value).toBe("");
  });
});

describe("Add iCloud", () => {
  test("asks for the Apple ID and an app-specific password, says where to make one, and has no address field", async () => {
    const { calls } = shell(() => davAccount({ name: "jo@icloud.com", detail: "caldav.icloud.com" }));
    await mount();
    button("#add-icloud").click();
    expect($("#caldav-heading", page.root).textContent).toBe("Add iCloud");
    expect(visible("#caldav-url")).toBe(false);
    expect(visible("#caldav-apple-hint")).toBe(true);
    expect($("#caldav-apple-hint", page.root).textContent).toContain("App-Specific Passwords");
    expect(page.root.querySelector('label[for="caldav-user"]')?.textContent).toBe("Apple ID");
    expect(page.root.querySelector('label[for="caldav-password"]')?.textContent).toBe("App-specific password");
    expect(document.activeElement).toBe(input("#caldav-user"));

    button("#caldav-apple-link").click();
    await settle();
    expect(named(calls, "open_link").map((c) => c.args)).toEqual([{ url: APPLE_ACCOUNT_URL }]);

    input("#caldav-user").value = "jo@icloud.com";
    input("#caldav-password").value = "abcd-efgh-ijkl-mnop";
    form().requestSubmit();
    await settle();
    expect(named(calls, "connect_icloud").map((c) => c.args))
      .toEqual([{ username: "jo@icloud.com", password: "abcd-efgh-ijkl-mnop" }]);
    expect(named(calls, "connect_caldav")).toHaveLength(0);
    expect($("#connect-result", page.root).textContent).toBe("Connected jo@icloud.com.");
  });

  test("a refused password says to use an app-specific one", async () => {
    shell(() => Promise.reject({ code: "wrong_password", message: "wrong user name or password" }));
    await mount();
    button("#add-icloud").click();
    input("#caldav-user").value = "jo@icloud.com";
    input("#caldav-password").value = "my-apple-id-password";
    form().requestSubmit();
    await settle();
    expect($("#caldav-error", page.root).textContent).toContain("app-specific password");
    expect(input("#caldav-password").getAttribute("aria-invalid")).toBe("true");
  });
});

describe("Reconnect a CalDAV account", () => {
  test("an account that needs its password again offers Reconnect, which asks only for the password", async () => {
    const broken = davAccount({ needs_reauth: true, last_error: "wrong user name or password" });
    const { calls } = shell(() => davAccount(), [broken]);
    await mount();
    const item = $('.account[data-account-id="9"]', page.root);
    const reconnect = item.querySelector(".reconnect") as HTMLButtonElement;
    expect(reconnect.getAttribute("aria-label")).toBe("Reconnect alice");
    reconnect.click();
    expect($("#caldav-heading", page.root).textContent).toBe("Reconnect alice");
    expect($("#caldav-intro", page.root).textContent).toContain("caldav.fastmail.com");
    expect(visible("#caldav-url")).toBe(false);
    expect(visible("#caldav-user")).toBe(false);
    expect(document.activeElement).toBe(input("#caldav-password"));
    input("#caldav-password").value = "new secret";
    form().requestSubmit();
    await settle();
    expect(named(calls, "reconnect_caldav").map((c) => c.args)).toEqual([{ accountId: 9, password: "new secret" }]);
    expect($("#connect-result", page.root).textContent).toBe("Reconnected alice.");
    expect(page.root.querySelector('.account[data-account-id="9"] .reconnect')).toBeNull();
  });

  test("an iCloud account's Reconnect asks for an app-specific password", async () => {
    shell(() => davAccount(), [davAccount({ name: "jo@icloud.com", detail: "p42-caldav.icloud.com", needs_reauth: true })]);
    await mount();
    ($('.account[data-account-id="9"] .reconnect', page.root) as HTMLButtonElement).click();
    expect(visible("#caldav-apple-hint")).toBe(true);
    expect(page.root.querySelector('label[for="caldav-password"]')?.textContent).toBe("App-specific password");
  });
});
