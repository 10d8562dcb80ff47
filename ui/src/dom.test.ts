// Text-only rendering: h() never parses strings as HTML, and hostile event text stays text in
// the dashboard and settings views.
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, test } from "vitest";
import { colorDot, h, safeColor, setText } from "./dom";
import { account, backend, calendar, event, NOW, settings, status } from "./test-helpers";
import { mountDashboard, type MountedView } from "./views/dashboard";
import { mountSettings } from "./views/settings";

const EVIL = `<img src=x onerror="window.__pwned=1">`;
declare global {
  interface Window { __pwned?: number }
}

let view: MountedView | null = null;
afterEach(() => {
  view?.destroy();
  view = null;
  clearMocks();
  delete window.__pwned;
});

describe("h()", () => {
  test("strings are text nodes, attributes are values", () => {
    const el = h("p", { class: "x", title: EVIL, hidden: false, "data-id": 3 }, EVIL, 5, null, [" a", false, " b"]);
    expect(el.textContent).toBe(`${EVIL}5 a b`);
    expect(el.querySelector("img")).toBeNull();
    expect(el.getAttribute("title")).toBe(EVIL);
    expect(el.hasAttribute("hidden")).toBe(false);
    expect(el.getAttribute("data-id")).toBe("3");
  });
  test("listeners and live properties", () => {
    let clicked = 0;
    const b = h("button", { onclick: () => clicked++, disabled: false }, "Go");
    b.click();
    expect(clicked).toBe(1);
    const i = h("input", { type: "checkbox", checked: true });
    expect(i.checked).toBe(true);
  });
  test("only #rrggbb colours reach CSS", () => {
    expect(safeColor("#A1b2C3")).toBe("#A1b2C3");
    expect(safeColor("red; background: url(http://x)")).toBeNull();
    expect(safeColor("#fff")).toBeNull();
    expect(colorDot("url(x)").style.getPropertyValue("--cal")).toBe("");
    expect(colorDot("#112233").style.getPropertyValue("--cal")).toBe("#112233");
  });
});

describe("hostile text is rendered as text", () => {
  test("an event's title, description, location and calendar name", async () => {
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    backend({
      upcoming_events: () => [event({
        id: EVIL, title: EVIL, description: EVIL, location: EVIL, calendar_name: EVIL, calendar_color: EVIL,
        meeting_url: "https://meet.google.com/abc",
      })],
      sync_status: () => status({ last_error: EVIL, accounts: [account({ name: EVIL, needs_reauth: true })] }),
    });
    view = mountDashboard(root, { now: () => NOW, locale: "en-GB" });
    await view.ready;
    const ev = root.querySelector(".event")!;
    expect(ev.getAttribute("data-event-id")).toBe(EVIL);
    expect(ev.querySelector(".event-title")!.textContent).toBe(EVIL);
    expect(ev.querySelector(".event-location")!.textContent).toBe(EVIL);
    expect(ev.querySelector(".event-calendar")!.textContent).toBe(EVIL);
    (ev as HTMLElement).click(); // the description is in the details panel
    expect(root.querySelector("#event-details .details-description")!.textContent).toBe(EVIL);
    expect(root.querySelector("#error-banner")!.textContent).toContain(EVIL);
    expect(document.querySelector("img")).toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    expect(window.__pwned).toBeUndefined();
  });

  test("account and calendar names in settings", async () => {
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    backend({
      settings: () => settings(),
      accounts: () => [account({ name: EVIL, last_error: EVIL })],
      calendars: () => [calendar({ name: EVIL, last_error: EVIL })],
    });
    view = mountSettings(root, { now: () => NOW });
    await view.ready;
    expect(root.querySelector(".account-name")!.textContent).toBe(EVIL);
    expect(root.querySelector(".calendar-name")!.textContent).toBe(EVIL);
    expect(document.querySelector("img")).toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    expect(window.__pwned).toBeUndefined();
  });

  test("errors and calendar notes set after the first draw are inert too", async () => {
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    const hostile = "\u001b[31mServer said no\u001b]0;pwned\u0007\u202e";
    backend({
      settings: () => settings(),
      accounts: () => [account()],
      calendars: () => [calendar({ last_error: hostile })],
    });
    view = mountSettings(root, { now: () => NOW });
    await view.ready;
    const note = root.querySelector(".calendar-note")!.textContent ?? "";
    expect(note).toBe("Server said no");
    const el = document.createElement("p");
    setText(el, hostile);
    expect(el.textContent).toBe("Server said no");
  });
});
