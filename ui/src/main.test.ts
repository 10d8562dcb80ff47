// Routing: the hash picks the view.
import { clearMocks, mockWindows } from "@tauri-apps/api/mocks";
import { afterEach, expect, test } from "vitest";
import { boot, start, viewFor } from "./main";
import { backend, named, settings, settle, status } from "./test-helpers";

afterEach(() => clearMocks());

test("viewFor", () => {
  expect(viewFor("")).toBe("dashboard");
  expect(viewFor("#settings")).toBe("settings");
  expect(viewFor("#/settings")).toBe("settings");
  expect(viewFor("#whatever")).toBe("dashboard");
});

test("start mounts the chosen view", async () => {
  backend({ upcoming_events: () => [], sync_status: () => status(), settings: () => settings(), accounts: () => [], calendars: () => [] });
  const root = document.createElement("div");
  document.body.replaceChildren(root);
  const s = start(root, "#settings");
  await s.ready;
  expect(root.querySelector("#account-list")).not.toBeNull();
  expect(document.body.dataset.view).toBe("settings");
  s.destroy();
  const d = start(root, "");
  await d.ready;
  expect(root.querySelector("#sync-now")).not.toBeNull();
  expect(root.querySelector("#account-list")).toBeNull();
  d.destroy();
});

test("Esc closes the window it is pressed in, dashboard and settings alike", async () => {
  const handlers = { upcoming_events: () => [], sync_status: () => status(), settings: () => settings(), accounts: () => [], calendars: () => [] };
  for (const [label, hash] of [["settings", "#settings"], ["dashboard", ""]] as const) {
    mockWindows(label);
    const calls = backend(handlers);
    location.hash = hash;
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    const stop = boot(root);
    await settle();
    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true }));
    await settle();
    stop();
    expect(document.body.dataset.view).toBe(label);
    expect(named(calls, "plugin:window|close").map((c) => c.args)).toEqual([{ label }]);
    clearMocks();
  }
});
