// The Accounts section: the account list with live status lines, Connect Google Calendar and
// Connect Microsoft 365 / Outlook with their shared waiting state and Cancel (the sign-in address
// when no browser opened is sign-in-address.ts), Reconnect, Add iCloud and Add CalDAV account (the
// form is caldav.ts), the demo calendar, Subscribe to a calendar link, and Disconnect (Unsubscribe
// for a calendar link) behind the in-page confirmation dialog.
import {
  addDemo,
  cancelConnect,
  CommandError,
  connectGoogle,
  connectMicrosoft,
  disconnect,
  errorMessage,
  toCommandError,
} from "../../api";
import type { Account } from "../../api";
import { askInDialog, h, replace, setText } from "../../dom";
import { accountStatusText } from "../../format";
import type { CaldavForm } from "./caldav";
import type { ClientForm } from "./client-form";
import { createSignInAddress } from "./sign-in-address";
import type { SettingsState, Timer } from "./state";
import type { SubscribeForm } from "./subscribe";

const PROVIDERS: Record<string, string> = {
  google: "Google", microsoft: "Microsoft", demo: "Demo", ics: "Calendar link", caldav: "CalDAV",
};

/** The providers signed in to in the browser. */
export type SignInProvider = "google" | "microsoft";

/** In the Disconnect confirmation: Microsoft lets no app revoke its own access (the engine's note says so too). */
export const MICROSOFT_NOT_REVOKED =
  "Calendar Buddy's access is not revoked at Microsoft: remove it yourself at account.live.com/consent/Manage (personal accounts) or myapps.microsoft.com (work or school).";

/** Under a calendar link whose refresh fails: it has no sign-in, so no Reconnect either. */
/** How long "Sign-in cancelled." stays (it also goes at the next action). */
export const CANCELLED_NOTE_MS = 10_000;
export const ICS_ERROR_HINT = "Check the link, or remove it and subscribe again with a new one.";

/** Whether the account's detail is an address (a calendar link, a CalDAV server's host), shown in
 * a monospace font; other details (a Microsoft account's display name) are a person's words. */
function detailIsAddress(a: Account): boolean {
  return a.provider === "ics" || a.provider === "caldav";
}

export type AccountsDeps = {
  client: ClientForm;
  microsoft: ClientForm;
  subscribe: SubscribeForm;
  caldav: CaldavForm;
  /** Fetches accounts and calendars again and re-renders them. */
  reloadData: () => Promise<void>;
};

export type AccountsSection = {
  /** The section's contents, in page order (after its heading). */
  contents(): Node[];
  /** The confirmation dialog, placed at the end of the page. */
  dialog: HTMLDialogElement;
  render(): void;
  /** Status lines change every minute and with sync progress: updated in place (keeps focus). */
  updateStatuses(): void;
  startConnect(provider: SignInProvider): Promise<void>;
  announce(message: string): void;
  /** Stops listening for the sign-in address (the view is going away). */
  destroy(): void;
};

export function createAccounts(state: SettingsState, { client, microsoft, subscribe, caldav, reloadData }: AccountsDeps): AccountsSection {
  let connecting = false;
  /** Cancel pressed before connect_google / connect_microsoft was invoked (while the listener was being set up). */
  let cancelPending = false;
  let connectInvoked = false;

  const dialog = h("dialog", { id: "confirm-dialog", class: "dialog", "aria-labelledby": "confirm-message" },
    h("p", { id: "confirm-message" }),
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", class: "btn", id: "confirm-no" }, "Cancel"),
      h("button", { type: "button", class: "btn btn-danger", id: "confirm-yes" }, "Disconnect")));
  const confirmYes = dialog.querySelector<HTMLButtonElement>("#confirm-yes")!;
  const accountList = h("ul", { id: "account-list", class: "list" });
  const accountsError = h("p", { class: "field-error", id: "accounts-error", role: "alert" });
  const connectBtn = h("button", { type: "button", class: "btn btn-primary", id: "connect-google",
    onclick: () => void startConnect("google") }, "Connect Google Calendar");
  const connectMicrosoftBtn = h("button", { type: "button", class: "btn btn-primary", id: "connect-microsoft",
    onclick: () => void startConnect("microsoft") }, "Connect Microsoft 365 / Outlook");
  const icloudBtn = h("button", { type: "button", class: "btn", id: "add-icloud",
    onclick: () => caldav.show("icloud") }, "Add iCloud");
  const caldavBtn = h("button", { type: "button", class: "btn", id: "add-caldav",
    onclick: () => caldav.show("caldav") }, "Add CalDAV account");
  const demoBtn = h("button", { type: "button", class: "btn", id: "add-demo", onclick: () => void doAddDemo() },
    "Add demo calendar");
  const cancelBtn = h("button", { type: "button", class: "btn btn-small", id: "connect-cancel",
    onclick: () => void doCancelConnect() }, "Cancel");
  const address = createSignInAddress({
    active: () => connecting && !state.destroyed,
    // Focus inside the address block about to hide goes back to Cancel rather than being lost.
    focusBack: () => cancelBtn.focus(),
  });
  // The status roles sit on the texts, not on the whole block, so the address and the buttons are
  // not read out as part of an announcement.
  const waiting = h("div", { id: "connect-waiting", class: "waiting", hidden: true },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    h("span", { role: "status" }, "Finish signing in using the browser window that opened…"), cancelBtn,
    address.nodes);
  const connectResult = h("p", { id: "connect-result", class: "field-status", role: "status" });
  let resultTimer: Timer | undefined;
  /** Says what the last action did. A cancelled sign-in is neutral, not a success, and goes after a while. */
  function showResult(text: string, neutral = false): void {
    state.cancelLater(resultTimer);
    resultTimer = undefined;
    setText(connectResult, text);
    connectResult.classList.toggle("field-status-neutral", neutral);
    if (neutral && text) resultTimer = state.later(() => showResult(""), CANCELLED_NOTE_MS);
  }
  const connectError = h("p", { id: "connect-error", class: "field-error", role: "alert" });

  async function startConnect(provider: SignInProvider): Promise<void> {
    if (connecting || !state.saved) return;
    setText(connectError, "");
    showResult("");
    const form = provider === "google" ? client : microsoft;
    if (!state.saved[provider].client_id) {
      form.show(true);
      return;
    }
    connecting = true;
    cancelPending = false;
    connectInvoked = false;
    renderConnect();
    cancelBtn.disabled = false;
    cancelBtn.focus();
    try {
      // Listen first: the shell sends the address while the sign-in command runs.
      await address.listen();
      if (state.destroyed) {
        address.stop();
        connecting = false;
        return;
      }
      if (cancelPending) throw new CommandError("sign_in_cancelled", "Sign-in was cancelled.");
      connectInvoked = true;
      const account = await (provider === "google" ? connectGoogle() : connectMicrosoft());
      showResult(`Connected ${account.name}.`);
      await reloadData();
    } catch (e) {
      const err = toCommandError(e);
      if (err.code === "sign_in_cancelled") {
        showResult("Sign-in cancelled.", true);
      } else if (err.code === `no_${provider}_client`) {
        form.show(true);
        form.showError(err.message);
      } else {
        setText(connectError, err.message);
      }
    }
    address.stop();
    connecting = false;
    if (state.destroyed) return;
    const hadFocus = waiting.contains(document.activeElement);
    renderConnect();
    if (hadFocus) (provider === "google" ? connectBtn : connectMicrosoftBtn).focus();
  }

  async function doCancelConnect(): Promise<void> {
    cancelBtn.disabled = true;
    if (connecting && !connectInvoked) {
      cancelPending = true;
      return;
    }
    try {
      await cancelConnect();
    } catch (e) {
      setText(connectError, errorMessage(e));
      cancelBtn.disabled = false;
    }
  }

  async function doAddDemo(): Promise<void> {
    demoBtn.disabled = true;
    setText(accountsError, "");
    try {
      const a = await addDemo();
      showResult(`Added ${a.name}.`);
      await reloadData();
    } catch (e) {
      setText(accountsError, errorMessage(e));
    }
    demoBtn.disabled = false;
    renderConnect();
  }

  async function doDisconnect(a: Account): Promise<void> {
    const ics = a.provider === "ics";
    const what = a.provider === "google"
      ? `Disconnect ${a.name}? Its events are removed from this computer and Calendar Buddy's access is revoked at Google.`
      : a.provider === "microsoft"
        ? `Disconnect ${a.name}? Its events are removed from this computer. ${MICROSOFT_NOT_REVOKED}`
        : ics
        ? `Unsubscribe from ${a.name}? Its events are removed from this computer.`
        : `Disconnect ${a.name}? Its events are removed from this computer.`;
    setText(confirmYes, ics ? "Unsubscribe" : "Disconnect");
    if (!(await askInDialog(dialog, what))) return;
    setText(accountsError, "");
    try {
      const done = await disconnect(a.id);
      const note = a.provider === "microsoft" && done?.revoke_error ? ` ${done.revoke_error}` : "";
      showResult(ics ? `Unsubscribed from ${a.name}.` : `Disconnected ${a.name}.${note}`);
      await reloadData();
    } catch (e) {
      setText(accountsError, errorMessage(e));
    }
  }

  function renderConnect(): void {
    connectBtn.disabled = connecting;
    connectMicrosoftBtn.disabled = connecting;
    // The first account is the one thing to do, so its buttons are primary; once any account
    // exists they are plain like the others, so nothing on the page shouts.
    const first = state.accounts.length === 0;
    connectBtn.classList.toggle("btn-primary", first);
    connectMicrosoftBtn.classList.toggle("btn-primary", first);
    waiting.hidden = !connecting;
    address.render();
    demoBtn.hidden = state.accounts.some((a) => a.provider === "demo");
    client.refresh();
    microsoft.refresh();
  }

  let accountsKey = "";
  function render(): void {
    const accounts = state.accounts;
    const key = JSON.stringify(accounts.map((a) => [a.id, a.name, a.provider, a.needs_reauth, a.detail ?? null]));
    if (key !== accountsKey) {
      accountsKey = key;
      replace(accountList, accounts.length === 0
        ? h("li", { class: "list-empty muted" },
          "No accounts yet. Connect Google Calendar, Microsoft 365 / Outlook, iCloud or a CalDAV account, subscribe to a calendar link or try the demo calendar.")
        : accounts.map(renderAccount));
    }
    updateStatuses();
    renderConnect();
  }

  function renderAccount(a: Account): HTMLLIElement {
    const ics = a.provider === "ics";
    return h("li", { class: "account", "data-account-id": a.id },
      h("div", { class: "account-info" },
        h("span", { class: "account-name" }, a.name),
        h("span", { class: "account-provider badge" }, PROVIDERS[a.provider] ?? a.provider),
        a.detail && h("span", { class: detailIsAddress(a) ? "account-detail account-address small" : "account-detail small" },
          a.detail),
        h("span", { class: "account-status small" }),
        ics && h("span", { class: "account-hint small", hidden: true }, ICS_ERROR_HINT)),
      h("div", { class: "account-actions" },
        a.needs_reauth && (a.provider === "google" || a.provider === "microsoft" || a.provider === "caldav") && h("button", {
          type: "button", class: "btn btn-small btn-primary reconnect", "aria-label": `Reconnect ${a.name}`,
          onclick: () => a.provider === "caldav" ? caldav.show("reconnect", a) : void startConnect(a.provider as SignInProvider) },
        "Reconnect"),
        h("button", { type: "button", class: "btn btn-small disconnect",
          "aria-label": ics ? `Unsubscribe from ${a.name}` : `Disconnect ${a.name}`,
          onclick: () => void doDisconnect(a) }, ics ? "Unsubscribe" : "Disconnect")));
  }

  function updateStatuses(): void {
    const t = state.now();
    for (const li of accountList.querySelectorAll<HTMLElement>(".account")) {
      const a = state.accounts.find((x) => String(x.id) === li.dataset.accountId);
      const el = li.querySelector<HTMLElement>(".account-status");
      if (!a || !el) continue;
      const syncing = state.syncingAccount === a.id;
      const text = syncing ? "Syncing…" : accountStatusText(a, t);
      if (el.textContent !== text) setText(el, text);
      const failing = a.needs_reauth || (!!a.last_error && !syncing);
      el.classList.toggle("warn", failing);
      const hint = li.querySelector<HTMLElement>(".account-hint");
      if (hint) hint.hidden = !failing || syncing;
    }
  }

  return {
    contents: () => [accountList, accountsError, h("div", { class: "row-actions" }, connectBtn, connectMicrosoftBtn, icloudBtn, caldavBtn, demoBtn),
      waiting, connectResult, connectError, client.form, client.editButton, microsoft.form, microsoft.editButton,
      caldav.form, subscribe.form],
    dialog,
    render,
    updateStatuses,
    startConnect,
    announce(message) {
      showResult(message);
    },
    destroy: () => address.stop(),
  };
}
