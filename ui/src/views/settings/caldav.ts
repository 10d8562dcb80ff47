// "Add iCloud" and "Add CalDAV account": one form in three modes — iCloud (Apple ID and an
// app-specific password, with where to make one), any CalDAV server (address, user name, password)
// and Reconnect (the password again for an account whose sign-in failed). Checked here first (an
// empty field never reaches the shell), then connect_icloud / connect_caldav / reconnect_caldav
// with a waiting state, the confirmation, and a human message for each refusal with the shell's
// own words behind a disclosure. The password leaves the field while the shell works, and comes
// back only when something other than the password was refused.
import { connectCaldav, connectIcloud, openLink, reconnectCaldav, toCommandError } from "../../api";
import type { Account } from "../../api";
import { h, setText } from "../../dom";
import type { SettingsState } from "./state";

export const APPLE_ACCOUNT_URL = "https://account.apple.com/";

export type CaldavMode = "icloud" | "caldav" | "reconnect";

export type CaldavDeps = {
  /** Fetches accounts and calendars again and re-renders them. */
  reloadData: () => Promise<void>;
  /** Shows a result line under the account buttons. */
  announce: (message: string) => void;
};

export type CaldavForm = {
  form: HTMLFormElement;
  /** Opens the form for a new iCloud or CalDAV account, or to reconnect `account`. */
  show(mode: CaldavMode, account?: Account): void;
  hide(): void;
};

/** What to tell the user for each code the shell rejects with; null: the shell's own message. */
export function caldavErrorText(code: string, mode: CaldavMode): string | null {
  switch (code) {
    case "wrong_password":
      return mode === "icloud"
        ? "Apple didn't accept that Apple ID and password. Use an app-specific password made at account.apple.com, not your Apple ID password."
        : "The server didn't accept that user name and password. Check both and try again.";
    case "invalid_url":
      return "That isn't a server address. Enter one such as https://caldav.example.com/ or caldav.example.com.";
    case "not_caldav":
      return "That address doesn't offer calendars (CalDAV). Check your provider's help for its CalDAV address.";
    case "no_calendars":
      return "Signed in, but no calendars with events were found for this account.";
    case "other_site":
      return "The server sent Calendar Buddy to another site. Your password is only sent to the site you entered, so enter that site's address instead.";
    case "network":
      return "Couldn't reach the server. Check your internet connection and the address, then try again.";
    default:
      return null;
  }
}

export function createCaldavForm(state: SettingsState, { reloadData, announce }: CaldavDeps): CaldavForm {
  const heading = h("h3", { id: "caldav-heading" });
  const intro = h("p", { id: "caldav-intro", class: "muted small" });
  const appleLink = h("button", { type: "button", class: "link-btn", id: "caldav-apple-link",
    onclick: () => void openLink(APPLE_ACCOUNT_URL).catch((e) => showError(toCommandError(e).message, null)) },
  "Open account.apple.com");
  const appleHint = h("p", { id: "caldav-apple-hint", class: "small" },
    "Apple needs an app-specific password: at account.apple.com, open Sign-In and Security → App-Specific Passwords, create one for Calendar Buddy and paste it below. ",
    appleLink);

  const url = h("input", { id: "caldav-url", type: "url", autocomplete: "url", spellcheck: "false",
    inputmode: "url", placeholder: "https://caldav.example.com/", "aria-describedby": "caldav-url-error caldav-error" });
  const urlError = h("p", { id: "caldav-url-error", class: "field-error", role: "alert" });
  const urlField = h("div", { class: "field field-stack" }, h("label", { for: "caldav-url" }, "Server address"), url, urlError);
  const userLabel = h("label", { for: "caldav-user" }, "User name");
  const user = h("input", { id: "caldav-user", type: "text", autocomplete: "username", spellcheck: "false",
    autocapitalize: "off", "aria-describedby": "caldav-user-error caldav-error" });
  const userError = h("p", { id: "caldav-user-error", class: "field-error", role: "alert" });
  const userField = h("div", { class: "field field-stack" }, userLabel, user, userError);
  const passwordLabel = h("label", { for: "caldav-password" }, "Password");
  const password = h("input", { id: "caldav-password", type: "password", autocomplete: "current-password",
    spellcheck: "false", "aria-describedby": "caldav-password-error caldav-error" });
  const passwordError = h("p", { id: "caldav-password-error", class: "field-error", role: "alert" });

  const submit = h("button", { type: "submit", class: "btn btn-primary", id: "caldav-submit" }, "Add account");
  const cancel = h("button", { type: "button", class: "btn", id: "caldav-cancel", onclick: () => hide() }, "Cancel");
  const status = h("p", { id: "caldav-status", class: "field-status", role: "status" });
  const errorText = h("p", { id: "caldav-error", class: "field-error", role: "alert" });
  const errorDetail = h("p", { id: "caldav-error-detail", class: "subscribe-error-detail" });
  const errorDetails = h("details", { id: "caldav-error-details", class: "subscribe-error-details", hidden: true },
    h("summary", null, "Details"), errorDetail);

  const form = h("form", { id: "caldav-form", class: "card caldav", hidden: true, novalidate: true,
    "aria-labelledby": "caldav-heading", onsubmit: (e: Event) => { e.preventDefault(); void send(); } },
  heading, intro, appleHint, urlField, userField,
  h("div", { class: "field field-stack" }, passwordLabel, password, passwordError),
  h("div", { class: "row-actions" }, submit, cancel, h("span", { class: "spinner", "aria-hidden": "true", hidden: true }), status),
  errorText, errorDetails);
  const spinner = form.querySelector<HTMLElement>(".spinner")!;

  let mode: CaldavMode = "caldav";
  let reconnecting: Account | null = null;
  let busy = false;

  function show(next: CaldavMode, account?: Account): void {
    if (busy) return;
    mode = next;
    reconnecting = next === "reconnect" ? (account ?? null) : null;
    const icloud = next === "icloud" || (next === "reconnect" && account?.detail?.endsWith("icloud.com") === true);
    setText(heading, next === "icloud" ? "Add iCloud"
      : next === "caldav" ? "Add CalDAV account"
        : `Reconnect ${account?.name ?? "account"}`);
    setText(intro, next === "icloud"
      ? "Your iCloud calendars, read from Apple's CalDAV server with your Apple ID."
      : next === "caldav"
        ? "Fastmail, Nextcloud, mailbox.org, Synology, Radicale or any other CalDAV server. The address may be the server's, your account's or one calendar's."
        : `The server no longer accepts the saved password${account?.detail ? ` for ${account.detail}` : ""}. Enter it again.`);
    appleHint.hidden = !icloud;
    urlField.hidden = next !== "caldav";
    userField.hidden = next === "reconnect";
    setText(userLabel, next === "icloud" ? "Apple ID" : "User name");
    user.type = next === "icloud" ? "email" : "text";
    user.placeholder = next === "icloud" ? "name@icloud.com" : "";
    setText(passwordLabel, icloud ? "App-specific password" : "Password");
    password.placeholder = icloud ? "xxxx-xxxx-xxxx-xxxx" : "";
    setText(submit, next === "reconnect" ? "Reconnect" : "Add account");
    url.value = "";
    user.value = "";
    password.value = "";
    setText(status, "");
    clearErrors();
    form.hidden = false;
    (next === "caldav" ? url : next === "icloud" ? user : password).focus();
  }

  function hide(): void {
    if (busy) return;
    password.value = "";
    form.hidden = true;
  }

  function clearErrors(): void {
    for (const [input, error] of [[url, urlError], [user, userError], [password, passwordError]] as const) {
      setText(error, "");
      input.removeAttribute("aria-invalid");
    }
    setText(errorText, "");
    setText(errorDetail, "");
    errorDetails.open = false;
    errorDetails.hidden = true;
  }

  function mark(input: HTMLInputElement, error: HTMLElement, problem: string): void {
    setText(error, problem);
    input.setAttribute("aria-invalid", "true");
  }

  function showError(message: string, detail: string | null): void {
    setText(errorText, message);
    setText(errorDetail, detail ?? "");
    errorDetails.hidden = !detail;
  }

  function setBusy(on: boolean): void {
    busy = on;
    for (const el of [url, user, password, submit, cancel]) el.disabled = on;
    setText(submit, on ? (mode === "reconnect" ? "Reconnecting…" : "Connecting…")
      : mode === "reconnect" ? "Reconnect" : "Add account");
    spinner.hidden = !on;
    if (on) form.setAttribute("aria-busy", "true");
    else form.removeAttribute("aria-busy");
  }

  /** The first field that is missing, marked, or null when all are there. */
  function missing(): HTMLInputElement | null {
    const checks: [HTMLInputElement, HTMLElement, string, boolean][] = [
      [url, urlError, "Enter the server's address.", mode === "caldav"],
      [user, userError, mode === "icloud" ? "Enter your Apple ID." : "Enter your user name.", mode !== "reconnect"],
      [password, passwordError, mode === "icloud" ? "Paste the app-specific password." : "Enter the password.", true],
    ];
    let first: HTMLInputElement | null = null;
    for (const [input, error, problem, needed] of checks) {
      if (needed && !input.value.trim()) {
        mark(input, error, problem);
        first ??= input;
      }
    }
    return first;
  }

  async function send(): Promise<void> {
    if (busy) return;
    url.value = url.value.trim();
    user.value = user.value.trim();
    setText(status, "");
    clearErrors();
    const empty = missing();
    if (empty) {
      empty.focus();
      return;
    }
    // The password leaves the page now: it is not kept in the field while the shell works.
    const secret = password.value;
    password.value = "";
    setBusy(true);
    setText(status, mode === "reconnect" ? "Reconnecting…" : "Connecting and finding your calendars…");
    try {
      const account = mode === "icloud" ? await connectIcloud(user.value, secret)
        : mode === "caldav" ? await connectCaldav(url.value, user.value, secret)
          : await reconnectCaldav(reconnecting?.id ?? -1, secret);
      if (state.destroyed) return;
      setBusy(false);
      hide();
      announce(mode === "reconnect" ? `Reconnected ${account.name}.` : `Connected ${account.name}.`);
      await reloadData();
    } catch (e) {
      if (state.destroyed) return;
      const err = toCommandError(e);
      setBusy(false);
      setText(status, "");
      // Only a refused password has to be typed again.
      if (err.code !== "wrong_password") password.value = secret;
      const human = caldavErrorText(err.code, mode);
      showError(human ?? err.message, human && err.message !== human ? err.message : null);
      if (err.code === "wrong_password") {
        mark(password, passwordError, "Not accepted.");
        password.focus();
      } else if (mode === "caldav" && ["invalid_url", "not_caldav", "other_site"].includes(err.code)) {
        url.setAttribute("aria-invalid", "true");
        url.focus();
      } else {
        submit.focus();
      }
    }
  }

  return { form, show, hide };
}
