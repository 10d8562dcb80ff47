// Entry point for both windows: picks the view from location.hash ("#settings" → settings,
// anything else → dashboard), mounts it into #app, and lets Esc close the window.
import { closeOnEscape } from "./keys";
import { mountDashboard, type MountedView } from "./views/dashboard";
import { mountSettings } from "./views/settings";

export type ViewName = "dashboard" | "settings";

export function viewFor(hash: string): ViewName {
  return hash.replace(/^#\/?/, "") === "settings" ? "settings" : "dashboard";
}

export function start(root: HTMLElement, hash: string): MountedView {
  const view = viewFor(hash);
  document.body.dataset.view = view;
  document.title = view === "settings" ? "Calendar Buddy — Settings" : "Calendar Buddy";
  return view === "settings" ? mountSettings(root) : mountDashboard(root);
}

/** Mounts the view location.hash names into `app`, follows hash changes and lets Esc close the window; returns the teardown. */
export function boot(app: HTMLElement): () => void {
  const stopEscape = closeOnEscape(document);
  let current = start(app, location.hash);
  const onHash = () => {
    current.destroy();
    current = start(app, location.hash);
  };
  window.addEventListener("hashchange", onHash);
  return () => {
    stopEscape();
    window.removeEventListener("hashchange", onHash);
    current.destroy();
  };
}

const app = document.getElementById("app");
if (app) boot(app);
