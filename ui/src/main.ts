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

const app = document.getElementById("app");
if (app) {
  closeOnEscape(document);
  let current = start(app, location.hash);
  window.addEventListener("hashchange", () => {
    current.destroy();
    current = start(app, location.hash);
  });
}
