// The alert banner under the top bar: one line per account that needs signing in again (with
// Reconnect for Google and Microsoft accounts, starting that provider's sign-in, and its waiting
// state), then the load, action and last sync
// errors. Redrawn only when what it says changes, so focus stays on Reconnect.
import { connectGoogle, connectMicrosoft, toCommandError } from "../../api";
import { h, replace } from "../../dom";
import type { DashboardState } from "./state";

export type BannerHooks = {
  /** Loads the events and status again. */
  reload: () => Promise<void>;
};

export type Banner = {
  element: HTMLDivElement;
  render(): void;
};

export function createBanner(state: DashboardState, hooks: BannerHooks): Banner {
  const element = h("div", { id: "error-banner", class: "banner", role: "alert", hidden: true });

  async function doReconnect(provider: "google" | "microsoft"): Promise<void> {
    state.actionError = null;
    state.reconnecting = true;
    render();
    try {
      await (provider === "google" ? connectGoogle() : connectMicrosoft());
      void hooks.reload();
    } catch (e) {
      const err = toCommandError(e);
      if (err.code !== "sign_in_cancelled") state.actionError = err.message;
    }
    state.reconnecting = false;
    if (!state.destroyed) render();
  }

  let bannerKey = "";
  function render(): void {
    const { status, reconnecting } = state;
    const reauth = (status?.accounts ?? []).filter((a) => a.needs_reauth);
    const messages = [...new Set([state.loadError, state.actionError, status?.last_error ?? null]
      .filter((m): m is string => !!m))];
    const key = JSON.stringify([reauth.map((a) => [a.id, a.name, a.provider]), messages, reconnecting]);
    if (key === bannerKey) return; // keep focus on the Reconnect button across updates
    bannerKey = key;
    const lines: Node[] = [];
    let first = true;
    for (const a of reauth) {
      const provider = a.provider === "google" || a.provider === "microsoft" ? a.provider : null;
      lines.push(h("div", { class: "banner-line" },
        // A calendar link has no sign-in to redo: its address was refused (fixed in Settings).
        h("span", null, a.provider === "ics"
          ? `${a.name}: the calendar link needs a login or is no longer valid`
          : `${a.name} needs you to sign in again`),
        provider && h("button", {
          type: "button", class: "btn btn-small reconnect", id: first ? "reconnect" : null,
          disabled: reconnecting, onclick: () => void doReconnect(provider),
        }, reconnecting ? "Waiting for sign-in…" : "Reconnect")));
      if (provider) first = false;
    }
    for (const m of messages) lines.push(h("div", { class: "banner-line" }, h("span", null, m)));
    replace(element, lines);
    element.hidden = lines.length === 0;
  }

  return { element, render };
}
