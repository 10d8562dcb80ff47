// Connect Microsoft 365 / Outlook against a mocked shell: the button, waiting and Cancel, the
// app registration form (guide, Entra link, tenant choices, saving, a tenant the engine refuses),
// success, Reconnect, the Disconnect wording and account names shown as text.
import { emit } from "@tauri-apps/api/event";
import { describe, expect, test } from "vitest";
import type { Account, Settings, SettingsInput } from "../../api";
import { $, account, backend, named, NOW, settings, settle, usePage } from "../../test-helpers";
import type { MountedView } from "../dashboard";
import { MICROSOFT_NOT_REVOKED } from "./accounts";
import { mountSettings } from "./index";

const CLIENT_ID = "11111111-2222-3333-4444-555555555555";
const NO_CLIENT: Settings["microsoft"] = { client_id: null, tenant: "common", from_environment: false };
const ENGINE_NOTE = "Microsoft has no way for an app to revoke its own access; the tokens were deleted from this computer. Remove Calendar Buddy at https://account.live.com/consent/Manage (personal accounts) or https://myapps.microsoft.com (work or school)";

const page = usePage<MountedView>();

const button = (sel: string) => $(sel, page.root) as HTMLButtonElement;
const input = (sel: string) => $(sel, page.root) as HTMLInputElement;
const select = (sel: string) => $(sel, page.root) as HTMLSelectElement;
const form = () => $("#microsoft-client-form", page.root) as HTMLFormElement;
const msAccount = (over: Partial<Account> = {}) => account({ id: 7, provider: "microsoft", name: "me@contoso.com", ...over });

async function mount(): Promise<void> {
  page.view = mountSettings(page.root, { now: () => NOW });
  await page.view.ready;
}

/** A shell whose save_settings keeps what it is given (or refuses it with `refuse`). */
function savingBackend(microsoft: Settings["microsoft"], extra: Record<string, (args: Record<string, unknown> | undefined) => unknown> = {}) {
  let current = settings({ microsoft });
  const calls = backend({
    settings: () => current,
    accounts: () => [],
    calendars: () => [],
    save_settings: (args) => {
      const s = (args as { settings: SettingsInput }).settings;
      current = { ...current, microsoft: { client_id: s.microsoft.client_id, tenant: s.microsoft.tenant ?? "common", from_environment: false } };
      return current;
    },
    ...extra,
  });
  return calls;
}

const savedMicrosoft = (calls: ReturnType<typeof backend>) =>
  named(calls, "save_settings").map((c) => (c.args as { settings: SettingsInput }).settings.microsoft);

describe("Connect Microsoft 365 / Outlook", () => {
  test("the button sits next to Connect Google Calendar", async () => {
    backend({ settings: () => settings(), accounts: () => [], calendars: () => [] });
    await mount();
    const ms = button("#connect-microsoft");
    expect(ms.textContent).toBe("Connect Microsoft 365 / Outlook");
    expect(ms.parentElement).toBe(button("#connect-google").parentElement);
    expect(form().hidden).toBe(true);
  });

  test("waiting, the address when no browser opened, and Cancel", async () => {
    let reject: (e: unknown) => void = () => {};
    const calls = backend({
      settings: () => settings(),
      accounts: () => [],
      calendars: () => [],
      connect_microsoft: () => new Promise((_, rej) => { reject = rej; }),
      cancel_connect: () => {
        reject({ code: "sign_in_cancelled", message: "Sign-in was cancelled." });
        return null;
      },
    });
    await mount();
    button("#connect-microsoft").click();
    await settle();
    expect(named(calls, "connect_microsoft")).toHaveLength(1);
    expect(named(calls, "connect_google")).toHaveLength(0);
    expect($("#connect-waiting", page.root).hidden).toBe(false);
    // One sign-in at a time: neither connect button can start another.
    expect(button("#connect-microsoft").disabled).toBe(true);
    expect(button("#connect-google").disabled).toBe(true);

    const url = "https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=x&state=<b>s</b>";
    await emit("sign-in-url", { url, opened: false });
    await settle();
    expect($("#sign-in-url", page.root).textContent).toBe(url);
    expect(page.root.querySelector("b")).toBeNull();

    button("#connect-cancel").click();
    await settle();
    expect(named(calls, "cancel_connect")).toHaveLength(1);
    expect($("#connect-waiting", page.root).hidden).toBe(true);
    expect($("#connect-result", page.root).textContent).toBe("Sign-in cancelled.");
    expect(button("#connect-microsoft").disabled).toBe(false);
  });

  test("success names the account and reloads the list", async () => {
    let list: Account[] = [];
    const calls = backend({
      settings: () => settings(),
      accounts: () => list,
      calendars: () => [],
      connect_microsoft: () => {
        list = [msAccount()];
        return msAccount();
      },
    });
    await mount();
    button("#connect-microsoft").click();
    await settle();
    expect($("#connect-result", page.root).textContent).toBe("Connected me@contoso.com.");
    expect(named(calls, "accounts").length).toBeGreaterThanOrEqual(2);
    expect($('.account[data-account-id="7"] .account-provider', page.root).textContent).toBe("Microsoft");
    expect($("#connect-waiting", page.root).hidden).toBe(true);
  });

  test("a failed sign-in shows the engine's message", async () => {
    backend({
      settings: () => settings(),
      accounts: () => [],
      calendars: () => [],
      connect_microsoft: () => Promise.reject({ code: "sign_in_denied", message: "You denied access at Microsoft." }),
    });
    await mount();
    button("#connect-microsoft").click();
    await settle();
    expect($("#connect-error", page.root).textContent).toBe("You denied access at Microsoft.");
  });
});

describe("the Microsoft app registration form", () => {
  test("no client saved: the guide opens instead of the sign-in, with the Entra link", async () => {
    const calls = savingBackend(NO_CLIENT);
    await mount();
    button("#connect-microsoft").click();
    await settle();
    expect(named(calls, "connect_microsoft")).toHaveLength(0);
    expect(form().hidden).toBe(false);
    expect(document.activeElement).toBe(input("#microsoft-client-id"));
    expect(input("#microsoft-client-id").readOnly).toBe(false);
    expect($("#microsoft-client-note", page.root).hidden).toBe(true);
    const guide = form().textContent ?? "";
    for (const step of ["App registrations → New registration", "Mobile and desktop applications", "http://localhost",
      "Allow public client flows", "Calendars.Read", "User.Read", "offline_access"]) {
      expect(guide).toContain(step);
    }
    button("#open-entra").click();
    await settle();
    expect(named(calls, "open_link").map((c) => c.args)).toEqual([{ url: "https://entra.microsoft.com/" }]);
  });

  test("the engine saying no_microsoft_client opens the form with its message", async () => {
    const message = "no Microsoft app registration is configured.";
    backend({
      settings: () => settings(),
      accounts: () => [],
      calendars: () => [],
      connect_microsoft: () => Promise.reject({ code: "no_microsoft_client", message }),
    });
    await mount();
    button("#connect-microsoft").click();
    await settle();
    expect(form().hidden).toBe(false);
    expect($("#microsoft-client-error", page.root).textContent).toBe(message);
    expect($("#connect-error", page.root).textContent).toBe("");
  });

  test("the tenant choices, common first", async () => {
    savingBackend(NO_CLIENT);
    await mount();
    button("#connect-microsoft").click();
    await settle();
    const tenant = select("#microsoft-tenant");
    expect([...tenant.options].map((o) => [o.value, o.textContent])).toEqual([
      ["common", "common (work, school and personal)"],
      ["organizations", "organizations (work and school only)"],
      ["consumers", "consumers (personal Outlook.com only)"],
      ["tenant", "One organisation: a tenant ID or domain"],
    ]);
    expect(tenant.value).toBe("common");
    expect(input("#microsoft-tenant-other").hidden).toBe(true);
    tenant.value = "tenant";
    tenant.dispatchEvent(new Event("change"));
    expect(input("#microsoft-tenant-other").hidden).toBe(false);
  });

  test("Save and connect: the client ID is required, then saved with the tenant and the sign-in starts", async () => {
    const calls = savingBackend(NO_CLIENT, { connect_microsoft: () => msAccount() });
    await mount();
    button("#connect-microsoft").click();
    await settle();
    expect(button("#microsoft-client-save").textContent).toBe("Save and connect");
    form().requestSubmit();
    await settle();
    expect($("#microsoft-client-error", page.root).textContent).toBe("Enter the application (client) ID.");
    expect(named(calls, "save_settings")).toHaveLength(0);

    input("#microsoft-client-id").value = ` ${CLIENT_ID} `;
    select("#microsoft-tenant").value = "organizations";
    form().requestSubmit();
    await settle();
    expect(savedMicrosoft(calls)).toEqual([{ client_id: CLIENT_ID, tenant: "organizations" }]);
    // The Google client is sent as it was saved.
    expect((named(calls, "save_settings")[0]!.args as { settings: SettingsInput }).settings.google)
      .toEqual({ client_id: "client.apps.googleusercontent.com", client_secret: null });
    expect(form().hidden).toBe(true);
    expect(named(calls, "connect_microsoft")).toHaveLength(1);
    expect($("#connect-result", page.root).textContent).toBe("Connected me@contoso.com.");
  });

  test("one organisation: its ID or domain is required and saved", async () => {
    const calls = savingBackend(NO_CLIENT, { connect_microsoft: () => msAccount() });
    await mount();
    button("#connect-microsoft").click();
    await settle();
    input("#microsoft-client-id").value = CLIENT_ID;
    select("#microsoft-tenant").value = "tenant";
    select("#microsoft-tenant").dispatchEvent(new Event("change"));
    form().requestSubmit();
    await settle();
    expect($("#microsoft-client-error", page.root).textContent).toBe("Enter the tenant ID or domain.");
    expect(named(calls, "save_settings")).toHaveLength(0);
    input("#microsoft-tenant-other").value = " contoso.onmicrosoft.com ";
    form().requestSubmit();
    await settle();
    expect(savedMicrosoft(calls)).toEqual([{ client_id: CLIENT_ID, tenant: "contoso.onmicrosoft.com" }]);
  });

  test("a tenant the engine refuses: its message in the form, no sign-in", async () => {
    const message = 'invalid value for microsoft.tenant: "x/../y" is not common, organizations, consumers, a tenant id or a domain';
    const calls = savingBackend(NO_CLIENT, {
      save_settings: () => Promise.reject({ code: "settings", message }),
    });
    await mount();
    button("#connect-microsoft").click();
    await settle();
    input("#microsoft-client-id").value = CLIENT_ID;
    select("#microsoft-tenant").value = "tenant";
    select("#microsoft-tenant").dispatchEvent(new Event("change"));
    input("#microsoft-tenant-other").value = "x/../y";
    form().requestSubmit();
    await settle();
    expect(savedMicrosoft(calls)).toEqual([{ client_id: CLIENT_ID, tenant: "x/../y" }]);
    const err = $("#microsoft-client-error", page.root);
    expect(err.textContent).toBe(message);
    expect(err.getAttribute("role")).toBe("alert");
    expect(form().hidden).toBe(false);
    expect(named(calls, "connect_microsoft")).toHaveLength(0);
  });

  test("Change Microsoft app registration: filled from the settings, Save does not connect", async () => {
    const calls = savingBackend({ client_id: CLIENT_ID, tenant: "contoso.onmicrosoft.com", from_environment: false });
    await mount();
    const edit = button("#microsoft-client-edit");
    expect(edit.hidden).toBe(false);
    expect(edit.textContent).toBe("Change Microsoft app registration");
    edit.click();
    expect(input("#microsoft-client-id").value).toBe(CLIENT_ID);
    expect(select("#microsoft-tenant").value).toBe("tenant");
    expect(input("#microsoft-tenant-other").value).toBe("contoso.onmicrosoft.com");
    expect(button("#microsoft-client-save").textContent).toBe("Save");
    select("#microsoft-tenant").value = "consumers";
    form().requestSubmit();
    await settle();
    expect(savedMicrosoft(calls)).toEqual([{ client_id: CLIENT_ID, tenant: "consumers" }]);
    expect(named(calls, "connect_microsoft")).toHaveLength(0);
    expect($("#connect-result", page.root).textContent).toBe("Microsoft app registration saved.");
    expect(edit.hidden).toBe(false);
  });

  test("no client saved: no Change link", async () => {
    savingBackend(NO_CLIENT);
    await mount();
    expect(button("#microsoft-client-edit").hidden).toBe(true);
  });

  test("a client ID from the environment is shown read-only; the tenant can still change", async () => {
    savingBackend({ client_id: "env-id", tenant: "common", from_environment: true });
    await mount();
    button("#microsoft-client-edit").click();
    expect(input("#microsoft-client-id").value).toBe("env-id");
    expect(input("#microsoft-client-id").readOnly).toBe(true);
    expect($("#microsoft-client-note", page.root).textContent).toBe("Set by CALBUDDY_MICROSOFT_CLIENT_ID.");
    expect($("#microsoft-client-note", page.root).hidden).toBe(false);
    expect(document.activeElement).toBe(select("#microsoft-tenant"));
  });
});

describe("Microsoft accounts in the list", () => {
  test("Reconnect starts the Microsoft sign-in", async () => {
    const calls = backend({
      settings: () => settings(),
      accounts: () => [msAccount({ needs_reauth: true })],
      calendars: () => [],
      connect_microsoft: () => msAccount(),
    });
    await mount();
    const reconnect = button('.account[data-account-id="7"] .reconnect');
    expect(reconnect.getAttribute("aria-label")).toBe("Reconnect me@contoso.com");
    reconnect.click();
    await settle();
    expect(named(calls, "connect_microsoft")).toHaveLength(1);
    expect(named(calls, "connect_google")).toHaveLength(0);
  });

  test("Disconnect says access is not revoked at Microsoft and where to remove it", async () => {
    let list = [msAccount()];
    const calls = backend({
      settings: () => settings(),
      accounts: () => list,
      calendars: () => [],
      disconnect: () => {
        const gone = list[0]!;
        list = [];
        return { account: gone, revoked: false, revoke_error: ENGINE_NOTE };
      },
    });
    await mount();
    button('.account[data-account-id="7"] .disconnect').click();
    await settle();
    const dialog = $("#confirm-dialog", page.root);
    expect(dialog.textContent).toContain("Disconnect me@contoso.com? Its events are removed from this computer.");
    expect(dialog.textContent).toContain(MICROSOFT_NOT_REVOKED);
    expect(MICROSOFT_NOT_REVOKED).toContain("account.live.com/consent/Manage");
    expect(MICROSOFT_NOT_REVOKED).toContain("myapps.microsoft.com");
    expect(dialog.textContent).not.toContain("revoked at Google");
    button("#confirm-yes").click();
    await settle();
    expect(named(calls, "disconnect").map((c) => c.args)).toEqual([{ accountId: 7 }]);
    expect($("#connect-result", page.root).textContent).toBe(`Disconnected me@contoso.com. ${ENGINE_NOTE}`);
  });

  test("hostile account names stay text in the list, the Reconnect label and the dialog", async () => {
    const name = '<img src=x onerror="alert(1)"><b>boss</b>';
    backend({
      settings: () => settings(),
      accounts: () => [msAccount({ name, needs_reauth: true, detail: "<i>detail</i>" })],
      calendars: () => [],
    });
    await mount();
    expect($(".account-name", page.root).textContent).toBe(name);
    expect(button(".reconnect").getAttribute("aria-label")).toBe(`Reconnect ${name}`);
    button(".disconnect").click();
    await settle();
    expect($("#confirm-message", page.root).textContent).toContain(`Disconnect ${name}?`);
    expect(page.root.querySelector("img, b, i")).toBeNull();
  });
});
