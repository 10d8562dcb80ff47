// What the error banner says, as data: each problem (an account to sign in again, an account's
// or the last sync's failure, a load or command error, a sign-in page no browser could open)
// turned into one human sentence, the action that fixes it, the raw text for the "Details"
// disclosure and, when no browser opened, the link to copy. Pure: banner.ts draws it.
import type { Account, SignInUrl, SyncStatus } from "../../api";
import type { ActionError } from "./state";

/** What an error is about, from its code or (for sync errors, which are text) its wording. */
export type ErrorKind = "browser" | "gone" | "reauth" | "rate" | "network" | "other";

export type NoticeAction =
  /** Starts the provider's sign-in again from the banner. */
  | { kind: "reconnect"; provider: "google" | "microsoft" }
  /** Opens the settings window; label "Reconnect" or "Open settings". */
  | { kind: "settings"; label: string }
  /** "Try again": a sync now. */
  | { kind: "sync" };

export type Notice = {
  /** Stable identity: what Dismiss remembers. */
  key: string;
  text: string;
  /** The raw message, shown behind "Details"; null when the sentence says it all. */
  detail: string | null;
  action: NoticeAction | null;
  /** A link to offer with "Copy link" (no browser could be opened for it). */
  link: string | null;
};

const BROWSER = /cannot open the browser|no browser/i;
const GONE = /is gone|no longer valid|no longer exists|calendar not found|\bHTTP (404|410)\b/i;
const REAUTH = /reconnect the account|revoked|wrong user name or password|sign in again|invalid_grant/i;
const RATE = /rate limit|too many requests|\b429\b/i;
const NETWORK = /could not reach|did not answer within|network|timed out|dns|connection (refused|reset)|offline|unreachable/i;

export function classify(message: string, code?: string | null): ErrorKind {
  if (code === "open_link" || BROWSER.test(message)) return "browser";
  if (code === "feed_gone" || GONE.test(message)) return "gone";
  if (code === "needs_reauth" || code === "revoked" || code === "wrong_password" || REAUTH.test(message)) return "reauth";
  if (code === "rate_limited" || RATE.test(message)) return "rate";
  if (code === "network" || NETWORK.test(message)) return "network";
  return "other";
}

type Source = "sync" | "load" | "action";

/** The human sentence for an error of `kind` (about account `name` when given). */
export function sentence(kind: ErrorKind, source: Source, name?: string): string {
  // "Work: couldn't reach …" about an account, "Couldn't reach …" on its own.
  const about = (body: string) => (name ? `${name}: ${body}` : body.charAt(0).toUpperCase() + body.slice(1));
  switch (kind) {
    case "browser":
      return "Couldn't open your web browser.";
    case "gone":
      return about("the calendar or its link is gone. Check it in Settings.");
    case "reauth":
      return name ? `${name} needs you to sign in again.` : "An account needs you to sign in again.";
    case "rate":
      return about("the calendar server asked to slow down. It will sync again shortly.");
    case "network":
      return about("couldn't reach the calendar server. Check your internet connection.");
    case "other":
      if (name) return `${name} couldn't sync.`;
      return source === "load" ? "Couldn't load your events." : source === "sync" ? "Couldn't sync your calendars." : "That didn't work.";
  }
}

function actionFor(kind: ErrorKind, source: Source): NoticeAction | null {
  if (kind === "reauth") return { kind: "settings", label: "Reconnect" };
  if (kind === "gone") return { kind: "settings", label: "Open settings" };
  if (kind === "browser" || source === "load") return null;
  return source === "sync" ? { kind: "sync" } : null;
}

function reauthNotice(a: Account): Notice {
  const detail = a.last_error?.trim() || null;
  if (a.provider === "google" || a.provider === "microsoft") {
    return { key: `reauth:${a.id}`, text: `${a.name} needs you to sign in again.`, detail, action: { kind: "reconnect", provider: a.provider }, link: null };
  }
  if (a.provider === "ics") {
    // A calendar link has no sign-in to redo: its address was refused (fixed in Settings).
    return { key: `reauth:${a.id}`, text: `${a.name}: the calendar link needs a login or is no longer valid.`, detail,
      action: { kind: "settings", label: "Open settings" }, link: null };
  }
  return { key: `reauth:${a.id}`, text: `${a.name} needs you to sign in again.`, detail, action: { kind: "settings", label: "Reconnect" }, link: null };
}

export type NoticeInput = {
  status: SyncStatus | null;
  loadError: string | null;
  actionError: ActionError | null;
  signIn: SignInUrl | null;
};

/** Everything the banner should say, in order; the same raw message is said once. */
export function notices({ status, loadError, actionError, signIn }: NoticeInput): Notice[] {
  const out: Notice[] = [];
  const seen = new Set<string>();
  const add = (n: Notice, raw: string | null) => {
    if (raw !== null) {
      if (seen.has(raw)) return;
      seen.add(raw);
    }
    out.push(n);
  };
  const accounts = status?.accounts ?? [];
  for (const a of accounts) {
    if (a.needs_reauth) add(reauthNotice(a), a.last_error?.trim() || null);
  }
  for (const a of accounts) {
    const raw = a.last_error?.trim();
    if (a.needs_reauth || !raw) continue;
    const kind = classify(raw);
    add({ key: `account:${a.id}:${raw}`, text: sentence(kind, "sync", a.name), detail: raw, action: actionFor(kind, "sync"), link: null }, raw);
  }
  const plain = (raw: string | null | undefined, source: Source, code?: string, link?: string | null) => {
    const msg = raw?.trim();
    if (!msg) return;
    const kind = classify(msg, code);
    const copy = kind === "browser" && link ? link : null;
    const text = copy ? `${sentence(kind, source)} Copy the link and open it in your browser.` : sentence(kind, source);
    add({ key: `${source}:${msg}`, text, detail: msg, action: actionFor(kind, source), link: copy }, msg);
  };
  plain(status?.last_error, "sync");
  plain(loadError, "load");
  plain(actionError?.message, "action", actionError?.code, actionError?.link);
  if (signIn && !signIn.opened) {
    add({ key: `sign-in:${signIn.url}`, text: "Couldn't open your web browser for the sign-in. Copy the link and open it in your browser.",
      detail: null, action: null, link: signIn.url }, null);
  }
  return out;
}
