// While a browser sign-in (Google or Microsoft) waits: listens for the shell's "sign-in-url"
// event and, only when no browser could be opened, offers the address as text (never HTML) with
// Open in browser and Copy.
import { errorMessage, onSignInUrl, openLink } from "../../api";
import type { SignInUrl, UnlistenFn } from "../../api";
import { h, setText } from "../../dom";

export type SignInAddressHooks = {
  /** A sign-in is waiting and the view is alive: addresses are taken and shown. */
  active: () => boolean;
  /** Where focus goes when the block it is in hides while still waiting. */
  focusBack: () => void;
};

export type SignInAddress = {
  /** The note and the address block, for the waiting block. */
  nodes: Node[];
  /** Starts listening for this attempt's address (the shell sends it while the sign-in command runs). */
  listen(): Promise<void>;
  /** Stops listening and forgets the address (the attempt ended, or the view is going away). */
  stop(): void;
  /** Shows the block only while active and only when no browser opened. */
  render(): void;
};

/** The clipboard's writeText, if this webview offers it. */
function clipboardWrite(): ((text: string) => Promise<void>) | null {
  const clipboard = typeof navigator === "undefined" ? undefined : navigator.clipboard;
  return clipboard && typeof clipboard.writeText === "function" ? (text) => clipboard.writeText(text) : null;
}

export function createSignInAddress({ active, focusBack }: SignInAddressHooks): SignInAddress {
  /** The last sign-in address of the current attempt. */
  let signIn: SignInUrl | null = null;
  let stopListener: UnlistenFn | null = null;
  let stopped = false;

  const note = h("p", { id: "sign-in-note", class: "field-status sign-in-note", role: "status" });
  const url = h("p", { id: "sign-in-url", class: "sign-in-url" });
  const openBtn = h("button", { type: "button", class: "btn btn-small", id: "sign-in-open",
    onclick: () => void doOpen() }, "Open in browser");
  const copyBtn = h("button", { type: "button", class: "btn btn-small", id: "sign-in-copy",
    "aria-label": "Copy sign-in address", onclick: () => void doCopy() }, "Copy");
  const feedback = h("span", { id: "sign-in-feedback", class: "field-status", role: "status" });
  const error = h("p", { id: "sign-in-error", class: "field-error", role: "alert" });
  const details = h("div", { class: "sign-in-details", role: "group", "aria-labelledby": "sign-in-note", hidden: true },
    url, h("div", { class: "row-actions" }, openBtn, copyBtn, feedback), error);

  async function listen(): Promise<void> {
    signIn = null;
    stopped = false;
    try {
      const unlisten = await onSignInUrl((s) => {
        if (!active() || typeof s?.url !== "string") return;
        signIn = { url: s.url, opened: s.opened !== false };
        render();
      });
      // Stopped while the listener was being set up (the view went away): drop it at once.
      if (stopped) unlisten();
      else stopListener = unlisten;
    } catch {
      /* outside the shell: no address to offer */
    }
  }

  function stop(): void {
    stopped = true;
    signIn = null;
    const unlisten = stopListener;
    stopListener = null;
    if (!unlisten) return;
    try {
      unlisten();
    } catch {
      /* already gone */
    }
  }

  function render(): void {
    const show = active() && signIn !== null && !signIn.opened;
    const text = show ? "Your browser did not open. Open this address to sign in:" : "";
    if (note.textContent !== text) setText(note, text);
    const address = show && signIn ? signIn.url : "";
    if (url.textContent !== address) {
      setText(url, address);
      setText(feedback, "");
      setText(error, "");
    }
    if (details.hidden === show) {
      if (!show && details.contains(document.activeElement) && active()) focusBack();
      details.hidden = !show;
    }
    copyBtn.hidden = clipboardWrite() === null;
  }

  async function doOpen(): Promise<void> {
    if (!signIn) return;
    setText(error, "");
    try {
      await openLink(signIn.url);
    } catch (e) {
      setText(error, errorMessage(e));
    }
  }

  async function doCopy(): Promise<void> {
    const write = clipboardWrite();
    if (!signIn || !write) return;
    setText(feedback, "");
    setText(error, "");
    try {
      await write(signIn.url);
      setText(feedback, "Address copied.");
    } catch {
      setText(error, "Couldn't copy the address. Select it and copy it instead.");
    }
  }

  return { nodes: [note, details], listen, stop, render };
}
