// The Accounts section: the account list with live status lines, Connect Google Calendar and
// Connect Microsoft 365 / Outlook with their shared waiting state and Cancel (offering the sign-in
// address when no browser opened), Reconnect, Add
// iCloud and Add CalDAV account (the form is caldav.ts), the demo calendar, Subscribe to a calendar link, and Disconnect (Unsubscribe for a calendar link)
// behind the in-page confirmation dialog.
import {
  addDemo,
  cancelConnect,
  CommandError,
  connectGoogle,
  connectMicrosoft,
  disconnect,
  errorMessage,
  onSignInUrl,
  openLink,
  toCommandError,
} from "../../api";
import type { Account, SignInUrl, UnlistenFn } from "../../api";
import { askInDialog, h, replace } from "../../dom";
import { accountStatusText } from "../../format";
import type { CaldavForm } from "./caldav";
import type { GoogleClientForm } from "./google-client";
import type { MicrosoftClientForm } from "./microsoft-client";
import type { SettingsState } from "./state";
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
export const ICS_ERROR_HINT = "Check the link, or remove it and subscribe again with a new one.";

export type AccountsDeps = {
  client: GoogleClientForm;
  microsoft: MicrosoftClientForm;
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

/** The clipboard's writeText, if this webview offers it. */
function clipboardWrite(): ((text: string) => Promise<void>) | null {
  const clipboard = typeof navigator === "undefined" ? undefined : navigator.clipboard;
  return clipboard && typeof clipboard.writeText === "function" ? (text) => clipboard.writeText(text) : null;
}

export function createAccounts(state: SettingsState, { client, microsoft, subscribe, caldav, reloadData }: AccountsDeps): AccountsSection {
  let connecting = false;
  /** Cancel pressed before connect_google / connect_microsoft was invoked (while the listener was being set up). */
  let cancelPending = false;
  let connectInvoked = false;
  /** The last sign-in address of the current attempt. */
  let signIn: SignInUrl | null = null;
  let stopSignInListener: UnlistenFn | null = null;

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
  // Shown only when no browser could be opened: the address as text (never HTML), to open or copy.
  const signInNote = h("p", { id: "sign-in-note", class: "field-status sign-in-note", role: "status" });
  const signInUrl = h("p", { id: "sign-in-url", class: "sign-in-url" });
  const signInOpen = h("button", { type: "button", class: "btn btn-small", id: "sign-in-open",
    onclick: () => void doOpenSignIn() }, "Open in browser");
  const signInCopy = h("button", { type: "button", class: "btn btn-small", id: "sign-in-copy",
    "aria-label": "Copy sign-in address", onclick: () => void doCopySignIn() }, "Copy");
  const signInFeedback = h("span", { id: "sign-in-feedback", class: "field-status", role: "status" });
  const signInError = h("p", { id: "sign-in-error", class: "field-error", role: "alert" });
  const signInDetails = h("div", { class: "sign-in-details", role: "group", "aria-labelledby": "sign-in-note", hidden: true },
    signInUrl, h("div", { class: "row-actions" }, signInOpen, signInCopy, signInFeedback), signInError);
  // The status roles sit on the texts, not on the whole block, so the address and the buttons are
  // not read out as part of an announcement.
  const waiting = h("div", { id: "connect-waiting", class: "waiting", hidden: true },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    h("span", { role: "status" }, "Waiting for you to sign in in your browser…"), cancelBtn,
    signInNote, signInDetails);
  const connectResult = h("p", { id: "connect-result", class: "field-status", role: "status" });
  const connectError = h("p", { id: "connect-error", class: "field-error", role: "alert" });

  async function startConnect(provider: SignInProvider): Promise<void> {
    if (connecting || !state.saved) return;
    connectError.textContent = "";
    connectResult.textContent = "";
    const form = provider === "google" ? client : microsoft;
    if (!state.saved[provider].client_id) {
      form.show(true);
      return;
    }
    connecting = true;
    cancelPending = false;
    connectInvoked = false;
    signIn = null;
    renderConnect();
    cancelBtn.disabled = false;
    cancelBtn.focus();
    try {
      // Listen first: the shell sends the address while the sign-in command runs.
      await listenForSignIn();
      if (state.destroyed) {
        stopListening();
        connecting = false;
        return;
      }
      if (cancelPending) throw new CommandError("sign_in_cancelled", "Sign-in was cancelled.");
      connectInvoked = true;
      const account = await (provider === "google" ? connectGoogle() : connectMicrosoft());
      connectResult.textContent = `Connected ${account.name}.`;
      await reloadData();
    } catch (e) {
      const err = toCommandError(e);
      if (err.code === "sign_in_cancelled") {
        connectResult.textContent = "Sign-in cancelled.";
      } else if (err.code === `no_${provider}_client`) {
        form.show(true);
        form.showError(err.message);
      } else {
        connectError.textContent = err.message;
      }
    }
    stopListening();
    connecting = false;
    if (state.destroyed) return;
    const hadFocus = waiting.contains(document.activeElement);
    signIn = null;
    renderConnect();
    if (hadFocus) (provider === "google" ? connectBtn : connectMicrosoftBtn).focus();
  }

  async function listenForSignIn(): Promise<void> {
    try {
      const unlisten = await onSignInUrl((s) => {
        if (!connecting || state.destroyed || typeof s?.url !== "string") return;
        signIn = { url: s.url, opened: s.opened !== false };
        renderSignIn();
      });
      if (state.destroyed) unlisten();
      else stopSignInListener = unlisten;
    } catch {
      /* outside the shell: no address to offer */
    }
  }

  function stopListening(): void {
    const unlisten = stopSignInListener;
    stopSignInListener = null;
    if (!unlisten) return;
    try {
      unlisten();
    } catch {
      /* already gone */
    }
  }

  /** The address block: only while waiting, and only when no browser could be opened. */
  function renderSignIn(): void {
    const show = connecting && signIn !== null && !signIn.opened;
    const note = show ? "Your browser did not open. Open this address to sign in:" : "";
    if (signInNote.textContent !== note) signInNote.textContent = note;
    const url = show && signIn ? signIn.url : "";
    if (signInUrl.textContent !== url) {
      signInUrl.textContent = url;
      signInFeedback.textContent = "";
      signInError.textContent = "";
    }
    if (signInDetails.hidden === show) {
      // Focus inside a block about to hide goes back to Cancel rather than being lost.
      if (!show && signInDetails.contains(document.activeElement) && connecting) cancelBtn.focus();
      signInDetails.hidden = !show;
    }
    signInCopy.hidden = clipboardWrite() === null;
  }

  async function doOpenSignIn(): Promise<void> {
    if (!signIn) return;
    signInError.textContent = "";
    try {
      await openLink(signIn.url);
    } catch (e) {
      signInError.textContent = errorMessage(e);
    }
  }

  async function doCopySignIn(): Promise<void> {
    const write = clipboardWrite();
    if (!signIn || !write) return;
    signInFeedback.textContent = "";
    signInError.textContent = "";
    try {
      await write(signIn.url);
      signInFeedback.textContent = "Address copied.";
    } catch {
      signInError.textContent = "Couldn't copy the address. Select it and copy it instead.";
    }
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
    const ics = a.provider === "ics";
    const what = a.provider === "google"
      ? `Disconnect ${a.name}? Its events are removed from this computer and Calendar Buddy's access is revoked at Google.`
      : a.provider === "microsoft"
        ? `Disconnect ${a.name}? Its events are removed from this computer. ${MICROSOFT_NOT_REVOKED}`
        : ics
        ? `Unsubscribe from ${a.name}? Its events are removed from this computer.`
        : `Disconnect ${a.name}? Its events are removed from this computer.`;
    confirmYes.textContent = ics ? "Unsubscribe" : "Disconnect";
    if (!(await askInDialog(dialog, what))) return;
    accountsError.textContent = "";
    try {
      const done = await disconnect(a.id);
      const note = a.provider === "microsoft" && done?.revoke_error ? ` ${done.revoke_error}` : "";
      connectResult.textContent = ics ? `Unsubscribed from ${a.name}.` : `Disconnected ${a.name}.${note}`;
      await reloadData();
    } catch (e) {
      accountsError.textContent = errorMessage(e);
    }
  }

  function renderConnect(): void {
    connectBtn.disabled = connecting;
    connectMicrosoftBtn.disabled = connecting;
    waiting.hidden = !connecting;
    renderSignIn();
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
        a.detail && h("span", { class: "account-detail small" }, a.detail),
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
      if (el.textContent !== text) el.textContent = text;
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
      connectResult.textContent = message;
    },
    destroy: stopListening,
  };
}
