// Routing: the hash picks the view.
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, expect, test } from "vitest";
import { start, viewFor } from "./main";
import { backend, settings, status } from "./test-helpers";

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
