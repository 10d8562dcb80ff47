// Window-wide keys: Esc closes the window it is pressed in (as its close button does), unless
// something smaller should take that Esc first (an open dialog, a text field or select, an open
// <details>); Ctrl+R / Cmd+R runs the view's refresh instead of reloading the webview.
import { getCurrentWindow } from "@tauri-apps/api/window";

/** What the window's close button does: the shell destroys a closed window (windows.rs). */
export async function closeCurrentWindow(): Promise<void> {
  try {
    await getCurrentWindow().close();
  } catch {
    /* not inside the shell (or the window is already going): nothing to close */
  }
}

const FIELD = new Set(["INPUT", "TEXTAREA", "SELECT"]);

/** Handles an Esc that something inside the page should take; true if it did. */
function escapeInside(target: Element | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (FIELD.has(target.tagName)) {
    // First Esc in a search box clears it; in any field it leaves the field.
    if (target instanceof HTMLInputElement && target.type === "search" && target.value !== "") {
      target.value = "";
      target.dispatchEvent(new Event("input", { bubbles: true }));
    } else {
      target.blur();
    }
    return true;
  }
  const details = target.closest("details");
  if (details instanceof HTMLDetailsElement && details.open) {
    details.open = false;
    details.querySelector<HTMLElement>("summary")?.focus();
    return true;
  }
  return false;
}

/** Esc closes the window (see the file header); returns the remover. */
export function closeOnEscape(doc: Document, close: () => Promise<void> = closeCurrentWindow): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== "Escape" || e.defaultPrevented || e.isComposing) return;
    // A modal <dialog> answers its own Esc (as "cancel").
    if (doc.querySelector("dialog[open]")) return;
    e.preventDefault();
    if (escapeInside(doc.activeElement)) return;
    void close();
  };
  doc.addEventListener("keydown", onKey);
  return () => doc.removeEventListener("keydown", onKey);
}

/** Ctrl+R (Cmd+R on macOS) runs `refresh` and never reloads the page; returns the remover. */
export function refreshOnReloadKey(doc: Document, refresh: () => void): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.key.toLowerCase() !== "r" || !(e.ctrlKey || e.metaKey) || e.altKey) return;
    e.preventDefault();
    if (!e.repeat) refresh();
  };
  doc.addEventListener("keydown", onKey);
  return () => doc.removeEventListener("keydown", onKey);
}
