// inert(): the webview's copy of the engine's text::one_line / multi_line rules (the same cases
// as crates/engine/src/text.rs), and h() applying it to every string it puts into the page.
import { describe, expect, test } from "vitest";
import { h, lines } from "./dom";
import { inert } from "./inert";

describe("inert()", () => {
  test("escape sequences are removed whole", () => {
    expect(inert("A\u001b]0;pwned\u0007B")).toBe("AB");
    expect(inert("\u001b]52;c;cm0gLXJmIH4=\u0007")).toBe("");
    expect(inert("x\u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\y")).toBe("xlinky");
    expect(inert("\u001b[31mred\u001b[0m")).toBe("red");
    expect(inert("a\u009b2Jb")).toBe("ab");
    expect(inert("keep\u001b")).toBe("keep");
    expect(inert("unterminated\u001b]0;title")).toBe("unterminated");
    expect(inert("\u001b(Bplain")).toBe("plain");
    expect(inert("two-byte\u001bcESC")).toBe("two-byteESC");
  });

  test("line tricks become spaces on one line, lines where several are meant", () => {
    expect(inert("real\r\u001b[Kfake")).toBe("real fake");
    expect(inert("Lunch\n10:00  Fake meeting\r\n")).toBe("Lunch 10:00  Fake meeting ");
    expect(inert("a\u2028b\u0085c")).toBe("a b c");
    expect(inert("back\u0008\u0008space")).toBe("backspace");
    expect(inert("one\r\ntwo\rthree\nfour\u000bfive", true)).toBe("one\ntwo\nthree\nfour\nfive");
    expect(inert("col\tcol")).toBe("col\tcol");
  });

  test("bidi overrides and other controls are dropped", () => {
    expect(inert("invoice\u202Efdp.exe")).toBe("invoicefdp.exe");
    expect(inert("a\u2066b\u2069c\u200F")).toBe("abc");
    expect(inert("nul\u0000del\u007fc1\u0080\u009f")).toBe("nuldelc1");
  });

  test("ordinary text is untouched", () => {
    for (const s of ["Stand-up", "Réunion d'équipe 🎉", "会議", "שלום עולם", "a < b & c", " · "]) {
      expect(inert(s)).toBe(s);
      expect(inert(s, true)).toBe(s);
    }
  });
});

describe("h() makes every string inert", () => {
  const HOSTILE = "\u001b[31m<img src=x onerror=alert(1)>\u001b[0m Hostile \u001b]0;pwned\u0007title";
  test("text children and attribute values", () => {
    const el = h("p", { title: HOSTILE, "aria-label": `Join ${HOSTILE}` }, HOSTILE, ["\u202E", "x\ny"]);
    expect(el.textContent).toBe("<img src=x onerror=alert(1)> Hostile titlex y");
    expect(el.getAttribute("title")).toBe("<img src=x onerror=alert(1)> Hostile title");
    expect(el.getAttribute("aria-label")).toBe("Join <img src=x onerror=alert(1)> Hostile title");
    expect(el.querySelector("img")).toBeNull();
  });
  test("lines() keeps the line breaks of a description", () => {
    const el = h("div", null, lines("Agenda\r\n1. \u001b[1mitem\u001b[0m\n2. done\u0007"));
    expect(el.textContent).toBe("Agenda\n1. item\n2. done");
  });
});
