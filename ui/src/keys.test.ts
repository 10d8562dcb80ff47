// Esc closes the window unless something smaller takes it first; the close goes to the shell's
// window API (allowed by capabilities/default.json).
import { clearMocks, mockWindows } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { closeCurrentWindow, closeOnEscape } from "./keys";
import { backend, named, settle } from "./test-helpers";

let remove: () => void = () => {};
let close: ReturnType<typeof vi.fn<() => Promise<void>>>;

beforeEach(() => {
  close = vi.fn(() => Promise.resolve());
  remove = closeOnEscape(document, close);
});

afterEach(() => {
  remove();
  clearMocks();
  document.body.replaceChildren();
});

function esc(target: Element = document.activeElement ?? document.body): KeyboardEvent {
  const e = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
  target.dispatchEvent(e);
  return e;
}

describe("Esc", () => {
  test("closes the window from anywhere in the page", () => {
    const btn = document.body.appendChild(document.createElement("button"));
    btn.focus();
    esc();
    expect(close).toHaveBeenCalledTimes(1);
  });

  test("in a search box: first clears it, then leaves it, then closes", () => {
    const search = document.body.appendChild(document.createElement("input"));
    search.type = "search";
    search.value = "standup";
    const typed = vi.fn();
    search.addEventListener("input", typed);
    search.focus();
    esc();
    expect(search.value).toBe("");
    expect(typed).toHaveBeenCalled();
    expect(document.activeElement).toBe(search);
    esc();
    expect(document.activeElement).not.toBe(search);
    expect(close).not.toHaveBeenCalled();
    esc();
    expect(close).toHaveBeenCalledTimes(1);
  });

  test("in a select: leaves it first", () => {
    const select = document.body.appendChild(document.createElement("select"));
    select.focus();
    esc();
    expect(close).not.toHaveBeenCalled();
    expect(document.activeElement).not.toBe(select);
  });

  test("inside an open <details>: closes the details first", () => {
    const details = document.body.appendChild(document.createElement("details"));
    const summary = details.appendChild(document.createElement("summary"));
    const btn = details.appendChild(document.createElement("button"));
    details.open = true;
    btn.focus();
    esc();
    expect(details.open).toBe(false);
    expect(document.activeElement).toBe(summary);
    expect(close).not.toHaveBeenCalled();
    esc();
    expect(close).toHaveBeenCalledTimes(1);
  });

  test("an open dialog or a handler that took the Esc: the window stays", () => {
    const dialog = document.body.appendChild(document.createElement("dialog"));
    dialog.setAttribute("open", "");
    esc(document.body);
    expect(close).not.toHaveBeenCalled();
    dialog.remove();
    const field = document.body.appendChild(document.createElement("div"));
    field.addEventListener("keydown", (e) => e.preventDefault());
    esc(field);
    expect(close).not.toHaveBeenCalled();
  });

  test("other keys do nothing", () => {
    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(close).not.toHaveBeenCalled();
  });
});

test("closing asks the shell to close this window", async () => {
  mockWindows("dashboard");
  const calls = backend({});
  await closeCurrentWindow();
  await settle();
  expect(named(calls, "plugin:window|close").map((c) => c.args)).toEqual([{ label: "dashboard" }]);
});
