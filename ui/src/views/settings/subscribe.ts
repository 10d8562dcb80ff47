// "Subscribe to a calendar link": the form for an iCalendar feed (link and optional name), checked
// here first (an empty or non-web address never reaches the shell), then connect_ics with its
// waiting state, the confirmation, and a human message for each refusal with the shell's own
// message behind a disclosure.
import { connectIcs, toCommandError } from "../../api";
import { h, setText } from "../../dom";
import type { SettingsState } from "./state";

export type SubscribeDeps = {
  /** Fetches accounts and calendars again and re-renders them. */
  reloadData: () => Promise<void>;
};

export type SubscribeForm = {
  form: HTMLFormElement;
};

const SCHEMES = ["https", "http", "webcal", "webcals"];

/** Why `link` (trimmed) cannot be a calendar link, or null if it may be one (the shell checks again). */
export function linkProblem(link: string): string | null {
  if (!link) return "Paste the calendar's link.";
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(link)?.[1]?.toLowerCase();
  if (!scheme || !SCHEMES.includes(scheme) || !link.slice(scheme.length + 1).startsWith("//")) {
    return "That isn't a web address. Use a link that starts with https://, http://, webcal:// or webcals://.";
  }
  let host = "";
  try {
    // webcal(s) are http(s) in disguise; URL parses the special schemes' hosts strictly.
    host = new URL(link.replace(/^webcal/i, "http")).hostname;
  } catch {
    /* no host */
  }
  return host ? null : "That link looks incomplete. Copy the whole address and paste it again.";
}

/** What to tell the user for each code connect_ics rejects with; null: the shell's message. */
export function subscribeErrorText(code: string): string | null {
  switch (code) {
    case "invalid_url":
      return "That link isn't a web address Calendar Buddy can subscribe to. Check it and try again.";
    case "feed_not_calendar":
      return "That address answered with something that isn't a calendar (perhaps a web page or a sign-in page). Use the calendar's .ics or webcal link.";
    case "feed_needs_login":
      return "That calendar needs a login, or its private link is no longer valid. Get a new link from the calendar's sharing settings.";
    case "feed_gone":
      return "There is no calendar at that link any more. Check the link, or ask for a new one.";
    case "network":
      return "Couldn't reach that address. Check your internet connection and the link, then try again.";
    default:
      return null;
  }
}

export function createSubscribeForm(state: SettingsState, { reloadData }: SubscribeDeps): SubscribeForm {
  const link = h("input", { id: "subscribe-url", type: "url", autocomplete: "off", spellcheck: "false",
    inputmode: "url", placeholder: "https://… or webcal://…", "aria-describedby": "subscribe-url-error subscribe-error",
    onkeydown: enterSubmits });
  const linkError = h("p", { id: "subscribe-url-error", class: "field-error", role: "alert" });
  const name = h("input", { id: "subscribe-name", type: "text", autocomplete: "off",
    placeholder: "The calendar's own name", onkeydown: enterSubmits });
  const submit = h("button", { type: "submit", class: "btn btn-primary", id: "subscribe-submit" }, "Subscribe");
  const status = h("p", { id: "subscribe-status", class: "field-status", role: "status" });
  // The refusal: its message is the live region (always present, so it is announced when filled);
  // the shell's own words and Dismiss show only with it.
  const errorText = h("p", { id: "subscribe-error", class: "field-error", role: "alert" });
  const errorDetail = h("p", { id: "subscribe-error-detail", class: "subscribe-error-detail" });
  const errorDetails = h("details", { class: "subscribe-error-details" }, h("summary", null, "Details"), errorDetail);
  const dismiss = h("button", { type: "button", class: "btn btn-small", id: "subscribe-dismiss",
    "aria-label": "Dismiss the error", onclick: () => dismissError(true) }, "Dismiss");
  const errorExtra = h("div", { id: "subscribe-error-extra", class: "subscribe-error-extra", hidden: true },
    errorDetails, dismiss);

  const form = h("form", { id: "subscribe-form", class: "card subscribe", novalidate: true,
    "aria-labelledby": "subscribe-heading", onsubmit: (e: Event) => { e.preventDefault(); void subscribe(); } },
    h("h3", { id: "subscribe-heading" }, "Subscribe to a calendar link"),
    h("p", { class: "muted small" },
      "A published calendar (a school, team rota, holidays, or an Outlook “publish calendar” link). It's read-only and refreshed with your other calendars."),
    h("div", { class: "field field-stack" }, h("label", { for: "subscribe-url" }, "Calendar link"), link, linkError),
    h("div", { class: "field field-stack" }, h("label", { for: "subscribe-name" }, "Name (optional)"), name),
    h("div", { class: "row-actions subscribe-actions" }, submit,
      h("span", { class: "spinner", "aria-hidden": "true", hidden: true }), status),
    errorText, errorExtra);
  const spinner = form.querySelector<HTMLElement>(".spinner")!;

  let busy = false;

  /** Enter in a field submits (also where a webview would not submit implicitly). */
  function enterSubmits(e: Event): void {
    const k = e as KeyboardEvent;
    if (k.key !== "Enter" || k.isComposing || k.shiftKey || k.altKey || k.ctrlKey || k.metaKey) return;
    e.preventDefault();
    void subscribe();
  }

  function setBusy(on: boolean): void {
    busy = on;
    link.disabled = on;
    name.disabled = on;
    submit.disabled = on;
    dismiss.disabled = on;
    setText(submit, on ? "Subscribing…" : "Subscribe");
    spinner.hidden = !on;
    if (on) form.setAttribute("aria-busy", "true");
    else form.removeAttribute("aria-busy");
  }

  function dismissError(refocus: boolean): void {
    const hadFocus = errorExtra.contains(document.activeElement);
    setText(errorText, "");
    setText(errorDetail, "");
    errorDetails.open = false;
    errorExtra.hidden = true;
    // Dismiss goes away with the error: focus goes back to the link rather than being lost.
    if (refocus || hadFocus) link.focus();
  }

  function showError(message: string, detail: string | null): void {
    setText(errorText, message);
    setText(errorDetail, detail ?? "");
    errorDetails.hidden = !detail;
    errorExtra.hidden = false;
  }

  function markLink(problem: string | null): void {
    setText(linkError, problem ?? "");
    if (problem) link.setAttribute("aria-invalid", "true");
    else link.removeAttribute("aria-invalid");
  }

  async function subscribe(): Promise<void> {
    if (busy) return;
    const url = link.value.trim();
    const label = name.value.trim();
    link.value = url;
    name.value = label;
    setText(status, "");
    dismissError(false);
    const problem = linkProblem(url);
    markLink(problem);
    if (problem) {
      link.focus();
      return;
    }
    const hadFocus = form.contains(document.activeElement);
    setBusy(true);
    setText(status, "Subscribing…");
    try {
      const account = await connectIcs(url, label || null);
      if (state.destroyed) return;
      link.value = "";
      name.value = "";
      setBusy(false);
      setText(status, `Subscribed to ${account.name}.`);
      if (hadFocus) link.focus();
      await reloadData();
    } catch (e) {
      if (state.destroyed) return;
      const err = toCommandError(e);
      setBusy(false);
      setText(status, "");
      const human = subscribeErrorText(err.code);
      showError(human ?? err.message, human && err.message !== human ? err.message : null);
      if (err.code === "invalid_url") link.setAttribute("aria-invalid", "true");
      if (hadFocus) link.focus();
    }
  }

  return { form };
}
