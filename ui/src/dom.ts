// Tiny DOM helpers: h() builds elements, icons and dialogs for the views.
//
// SECURITY: all event text (titles, descriptions, locations, calendar and account names, error
// messages) comes from strangers. It is only ever put into the page as text: createTextNode,
// textContent, setAttribute (values only; attribute names are always our constants) or form
// control properties. Never use innerHTML, outerHTML, insertAdjacentHTML or document.write with
// data anywhere in the UI. The shell's CSP (script-src 'self', style-src 'self') is the second
// line of defence, not the first. Every string h() puts into the page (text children and
// attribute values) also goes through inert(): escape sequences and control characters never
// reach the page, whichever view builds it.
import { inert } from "./inert";

export { inert };

export type Child = Node | string | number | null | undefined | false | Child[];

type Listener = (ev: Event) => void;
export type AttrValue = string | number | boolean | null | undefined;
export type Props = Record<string, AttrValue | Listener>;

/**
 * Builds an element. Props: "onclick"-style keys with a function add event listeners; `value`,
 * `checked` and `disabled` set the live properties; anything else is setAttribute (true → "",
 * false/null/undefined → left out). String children become text nodes.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (typeof value === "function") {
        el.addEventListener(key.replace(/^on/, ""), value);
      } else if (key === "value" || key === "checked" || key === "disabled") {
        if (value !== undefined && value !== null) {
          (el as unknown as Record<string, unknown>)[key] = key === "value" ? String(value) : Boolean(value);
        }
      } else if (value === true) {
        el.setAttribute(key, "");
      } else if (value !== false && value !== null && value !== undefined) {
        el.setAttribute(key, inert(String(value)));
      }
    }
  }
  append(el, children);
  return el;
}

/**
 * Appends children (text as inert one-line text nodes, never parsed). For text of several lines
 * (a description) pass lines(text).
 */
export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(inert(String(c))));
  }
}

/** Sets an element's text, made inert (for text that changes after h() built the element). */
export function setText(el: Node, text: string): void {
  el.textContent = inert(text);
}

/** A text node keeping the line breaks of `text` (for an element shown with pre-wrap). */
export function lines(text: string): Text {
  return document.createTextNode(inert(text, true));
}

/** Replaces all children of `el`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** The colour if it is a plain #rrggbb value, else null (never feed other strings to CSS). */
export function safeColor(color: string | null | undefined): string | null {
  return typeof color === "string" && HEX_COLOR.test(color) ? color : null;
}

/** A calendar colour dot; the colour goes in through the CSSOM as the --cal custom property. */
export function colorDot(color: string | null): HTMLSpanElement {
  const dot = h("span", { class: "cal-dot", "aria-hidden": "true" });
  const c = safeColor(color);
  if (c) dot.style.setProperty("--cal", c);
  return dot;
}

const SVG = "http://www.w3.org/2000/svg";

/** A 16×16 stroke icon from constant path data (decorative: hidden from screen readers). */
export function icon(paths: string[]): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "icon");
  for (const d of paths) {
    const p = document.createElementNS(SVG, "path");
    p.setAttribute("d", d);
    svg.appendChild(p);
  }
  return svg;
}

export const ICONS = {
  gear: [
    "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
    "M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z",
  ],
  sync: ["M21 12a9 9 0 0 1-15.5 6.2L3 16", "M3 12a9 9 0 0 1 15.5-6.2L21 8", "M21 3v5h-5", "M3 21v-5h5"],
  video: ["M15 10l5-3v10l-5-3z", "M3 7h12v10H3z"],
  pin: ["M12 21s-7-6.2-7-11a7 7 0 0 1 14 0c0 4.8-7 11-7 11z", "M12 12.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z"],
  bell: ["M6 16V11a6 6 0 0 1 12 0v5l2 2H4z", "M10 20a2 2 0 0 0 4 0"],
};

/**
 * An in-page yes/no question in a <dialog> (never window.confirm). Resolves true only when the
 * "yes" button was pressed; Escape, "no" or closing resolve false. The dialog must contain
 * elements #confirm-message, #confirm-yes and #confirm-no.
 */
export function askInDialog(dialog: HTMLDialogElement, message: string): Promise<boolean> {
  const msg = dialog.querySelector<HTMLElement>("#confirm-message");
  const yes = dialog.querySelector<HTMLButtonElement>("#confirm-yes");
  const no = dialog.querySelector<HTMLButtonElement>("#confirm-no");
  if (msg) msg.textContent = inert(message);
  return new Promise((resolve) => {
    const finish = (answer: boolean) => {
      yes?.removeEventListener("click", onYes);
      no?.removeEventListener("click", onNo);
      dialog.removeEventListener("cancel", onCancel);
      if (typeof dialog.close === "function" && dialog.open) dialog.close();
      dialog.removeAttribute("open");
      resolve(answer);
    };
    const onYes = () => finish(true);
    const onNo = () => finish(false);
    const onCancel = (e: Event) => {
      e.preventDefault();
      finish(false);
    };
    yes?.addEventListener("click", onYes);
    no?.addEventListener("click", onNo);
    dialog.addEventListener("cancel", onCancel);
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", ""); // jsdom has no showModal
    no?.focus(); // the safe answer has focus
  });
}
