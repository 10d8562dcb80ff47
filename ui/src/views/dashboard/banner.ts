// The alert banner under the top bar: one line per problem from notices.ts, each a human
// sentence with the action that fixes it (Reconnect starts the Google or Microsoft sign-in and
// shows its waiting state; Reconnect / Open settings opens the settings window; Try again
// syncs), the raw text behind a "Details" disclosure, "Copy link" when no browser could be
// opened, and × to dismiss it until a different error arrives. Redrawn only when what it says
// changes, so focus stays on its buttons.
import { connectGoogle, connectMicrosoft, toCommandError } from "../../api";
import { h, lines, replace } from "../../dom";
import { notices, type Notice } from "./notices";
import type { DashboardState } from "./state";

export type BannerHooks = {
  /** Loads the events and status again. */
  reload: () => Promise<void>;
  /** Starts a sync (what Sync now does). */
  sync: () => Promise<void>;
  /** Opens the settings window. */
  openSettings: () => Promise<void>;
};

export type Banner = {
  element: HTMLDivElement;
  render(): void;
};

/** Dismissed messages remembered at most (oldest forgotten first). */
const MAX_DISMISSED = 100;

export function createBanner(state: DashboardState, hooks: BannerHooks): Banner {
  const element = h("div", { id: "error-banner", class: "banner", role: "alert", hidden: true });
  const dismissed = new Set<string>();
  /** Per notice key: the link was copied, or copying failed and the link is shown to select. */
  const copied = new Map<string, "copied" | "manual">();
  const openDetails = new Set<string>();

  async function doReconnect(provider: "google" | "microsoft"): Promise<void> {
    state.actionError = null;
    state.reconnecting = true;
    render();
    try {
      await (provider === "google" ? connectGoogle() : connectMicrosoft());
      void hooks.reload();
    } catch (e) {
      const err = toCommandError(e);
      if (err.code !== "sign_in_cancelled") state.actionError = { message: err.message, code: err.code };
    }
    state.reconnecting = false;
    state.signIn = null;
    if (!state.destroyed) render();
  }

  async function copyLink(n: Notice, link: string): Promise<void> {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(link);
      copied.set(n.key, "copied");
    } catch {
      copied.set(n.key, "manual");
    }
    if (state.destroyed) return;
    render();
    const input = byKey<HTMLInputElement>(".banner-link", n.key);
    if (input) {
      input.focus();
      input.select();
    } else {
      byKey(".banner-copy", n.key)?.focus();
    }
  }

  function byKey<T extends HTMLElement>(selector: string, key: string): T | null {
    for (const el of element.querySelectorAll<T>(selector)) if (el.dataset.key === key) return el;
    return null;
  }

  function dismiss(key: string): void {
    dismissed.add(key);
    if (dismissed.size > MAX_DISMISSED) dismissed.delete(dismissed.values().next().value as string);
    render();
    // The pressed button is gone: move to the next message's Dismiss rather than the page's start.
    element.querySelector<HTMLElement>(".banner-dismiss")?.focus();
  }

  function actionButton(n: Notice, first: boolean): HTMLButtonElement | null {
    const a = n.action;
    if (!a) return null;
    if (a.kind === "reconnect") {
      const provider = a.provider;
      return h("button", {
        type: "button", class: "btn btn-small reconnect", id: first ? "reconnect" : null,
        disabled: state.reconnecting, onclick: () => void doReconnect(provider),
      }, state.reconnecting ? "Waiting for sign-in…" : "Reconnect");
    }
    if (a.kind === "settings") {
      return h("button", { type: "button", class: "btn btn-small banner-action", onclick: () => void hooks.openSettings() }, a.label);
    }
    return h("button", { type: "button", class: "btn btn-small banner-action banner-retry", onclick: () => void hooks.sync() }, "Try again");
  }

  function renderNotice(n: Notice, first: boolean): HTMLElement {
    const link = n.link;
    const copyState = copied.get(n.key);
    let details: HTMLDetailsElement | null = null;
    if (n.detail) {
      const d = h("details", { class: "banner-details", open: openDetails.has(n.key) },
        h("summary", null, "Details"),
        h("p", { class: "banner-detail" }, lines(n.detail)));
      d.addEventListener("toggle", () => {
        if (d.open) openDetails.add(n.key);
        else openDetails.delete(n.key);
      });
      details = d;
    }
    return h("div", { class: "banner-line", "data-key": n.key },
      h("div", { class: "banner-main" },
        h("span", { class: "banner-text" }, n.text),
        link && copyState === "manual" && h("input", {
          type: "text", class: "banner-link", readonly: true, value: link, "data-key": n.key,
          "aria-label": "Link to open in your browser",
        }),
        details),
      h("div", { class: "banner-actions" },
        actionButton(n, first),
        link && h("button", {
          type: "button", class: "btn btn-small banner-copy", "data-key": n.key, onclick: () => void copyLink(n, link),
        }, copyState === "copied" ? "Copied" : "Copy link"),
        h("button", {
          type: "button", class: "icon-btn banner-dismiss", "aria-label": "Dismiss", title: "Dismiss",
          onclick: () => dismiss(n.key),
        }, "×")));
  }

  let bannerKey = "";
  function render(): void {
    const shown = notices(state).filter((n) => !dismissed.has(n.key));
    const key = JSON.stringify([shown, state.reconnecting, shown.map((n) => copied.get(n.key) ?? "")]);
    if (key === bannerKey) return; // keep focus on the banner's buttons across updates
    bannerKey = key;
    let firstReconnect = true;
    replace(element, shown.map((n) => {
      const line = renderNotice(n, firstReconnect);
      if (n.action?.kind === "reconnect") firstReconnect = false;
      return line;
    }));
    element.hidden = shown.length === 0;
  }

  return { element, render };
}
