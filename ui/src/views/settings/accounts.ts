// The Accounts section: the account list with live status lines, Connect Google Calendar with its
// waiting state and Cancel, Reconnect, the demo calendar, and Disconnect behind the in-page
// confirmation dialog.
import { addDemo, cancelConnect, connectGoogle, disconnect, errorMessage, toCommandError } from "../../api";
import type { Account } from "../../api";
import { askInDialog, h, replace } from "../../dom";
import { accountStatusText } from "../../format";
import type { GoogleClientForm } from "./google-client";
import type { SettingsState } from "./state";

const PROVIDERS: Record<string, string> = { google: "Google", demo: "Demo" };

export type AccountsDeps = {
  client: GoogleClientForm;
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
  startConnect(): Promise<void>;
  announce(message: string): void;
};

export function createAccounts(state: SettingsState, { client, reloadData }: AccountsDeps): AccountsSection {
  let connecting = false;

  const dialog = h("dialog", { id: "confirm-dialog", class: "dialog", "aria-labelledby": "confirm-message" },
    h("p", { id: "confirm-message" }),
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", class: "btn", id: "confirm-no" }, "Cancel"),
      h("button", { type: "button", class: "btn btn-danger", id: "confirm-yes" }, "Disconnect")));
  const accountList = h("ul", { id: "account-list", class: "list" });
  const accountsError = h("p", { class: "field-error", id: "accounts-error", role: "alert" });
  const connectBtn = h("button", { type: "button", class: "btn btn-primary", id: "connect-google",
    onclick: () => void startConnect() }, "Connect Google Calendar");
  const demoBtn = h("button", { type: "button", class: "btn", id: "add-demo", onclick: () => void doAddDemo() },
    "Add demo calendar");
  const cancelBtn = h("button", { type: "button", class: "btn btn-small", id: "connect-cancel",
    onclick: () => void doCancelConnect() }, "Cancel");
  const waiting = h("div", { id: "connect-waiting", class: "waiting", role: "status", hidden: true },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    h("span", null, "Waiting for you to sign in in your browser…"), cancelBtn);
  const connectResult = h("p", { id: "connect-result", class: "field-status", role: "status" });
  const connectError = h("p", { id: "connect-error", class: "field-error", role: "alert" });

  async function startConnect(): Promise<void> {
    if (connecting || !state.saved) return;
    connectError.textContent = "";
    connectResult.textContent = "";
    if (!state.saved.google.client_id) {
      client.show(true);
      return;
    }
    connecting = true;
    renderConnect();
    cancelBtn.disabled = false;
    cancelBtn.focus();
    try {
      const account = await connectGoogle();
      connectResult.textContent = `Connected ${account.name}.`;
      await reloadData();
    } catch (e) {
      const err = toCommandError(e);
      if (err.code === "sign_in_cancelled") {
        connectResult.textContent = "Sign-in cancelled.";
      } else if (err.code === "no_google_client") {
        client.show(true);
        client.showError(err.message);
      } else {
        connectError.textContent = err.message;
      }
    }
    connecting = false;
    if (state.destroyed) return;
    const hadFocus = waiting.contains(document.activeElement);
    renderConnect();
    if (hadFocus) connectBtn.focus();
  }

  async function doCancelConnect(): Promise<void> {
    cancelBtn.disabled = true;
    try {
      await cancelConnect();
    } catch (e) {
      connectError.textContent = errorMessage(e);
      cancelBtn.disabled = false;
    }
  }

  async function doAddDemo(): Promise<void> {
    demoBtn.disabled = true;
    accountsError.textContent = "";
    try {
      const a = await addDemo();
      connectResult.textContent = `Added ${a.name}.`;
      await reloadData();
    } catch (e) {
      accountsError.textContent = errorMessage(e);
    }
    demoBtn.disabled = false;
    renderConnect();
  }

  async function doDisconnect(a: Account): Promise<void> {
    const what = a.provider === "google"
      ? `Disconnect ${a.name}? Its events are removed from this computer and Calendar Buddy's access is revoked at Google.`
      : `Disconnect ${a.name}? Its events are removed from this computer.`;
    if (!(await askInDialog(dialog, what))) return;
    accountsError.textContent = "";
    try {
      await disconnect(a.id);
      connectResult.textContent = `Disconnected ${a.name}.`;
      await reloadData();
    } catch (e) {
      accountsError.textContent = errorMessage(e);
    }
  }

  function renderConnect(): void {
    connectBtn.disabled = connecting;
    waiting.hidden = !connecting;
    demoBtn.hidden = state.accounts.some((a) => a.provider === "demo");
    client.refresh();
  }

  let accountsKey = "";
  function render(): void {
    const accounts = state.accounts;
    const key = JSON.stringify(accounts.map((a) => [a.id, a.name, a.provider, a.needs_reauth]));
    if (key !== accountsKey) {
      accountsKey = key;
      replace(accountList, accounts.length === 0
        ? h("li", { class: "list-empty muted" }, "No accounts yet. Connect Google Calendar or try the demo calendar.")
        : accounts.map((a) => h("li", { class: "account", "data-account-id": a.id },
            h("div", { class: "account-info" },
              h("span", { class: "account-name" }, a.name),
              h("span", { class: "account-provider badge" }, PROVIDERS[a.provider] ?? a.provider),
              h("span", { class: "account-status small" })),
            h("div", { class: "account-actions" },
              a.needs_reauth && a.provider === "google" && h("button", {
                type: "button", class: "btn btn-small btn-primary reconnect", "aria-label": `Reconnect ${a.name}`,
                onclick: () => void startConnect() }, "Reconnect"),
              h("button", { type: "button", class: "btn btn-small disconnect", "aria-label": `Disconnect ${a.name}`,
                onclick: () => void doDisconnect(a) }, "Disconnect")))));
    }
    updateStatuses();
    renderConnect();
  }

  function updateStatuses(): void {
    const t = state.now();
    for (const li of accountList.querySelectorAll<HTMLElement>(".account")) {
      const a = state.accounts.find((x) => String(x.id) === li.dataset.accountId);
      const el = li.querySelector<HTMLElement>(".account-status");
      if (!a || !el) continue;
      const syncing = state.syncingAccount === a.id;
      const text = syncing ? "Syncing…" : accountStatusText(a, t);
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("warn", a.needs_reauth || (!!a.last_error && !syncing));
    }
  }

  return {
    contents: () => [accountList, accountsError, h("div", { class: "row-actions" }, connectBtn, demoBtn),
      waiting, connectResult, connectError, client.form, client.editButton],
    dialog,
    render,
    updateStatuses,
    startConnect,
    announce(message) {
      connectResult.textContent = message;
    },
  };
}
