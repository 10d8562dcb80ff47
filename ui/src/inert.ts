// Text from outside (titles, locations, descriptions, names, server messages) made inert for
// display: terminal escape sequences are removed whole, C0/C1 controls, DEL and bidi overrides
// are dropped, and line breaks become one space unless several lines are meant. The rules mirror
// the engine's crates/engine/src/text.rs (one_line / multi_line) so the tray, the CLI and the
// webview show the same text; h() applies it to every string it puts into the page.

/** U+202A–U+202E (embeddings, overrides), U+2066–U+2069 (isolates), U+200E/U+200F, U+061C. */
function isBidiControl(code: number): boolean {
  return (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) ||
    code === 0x200e || code === 0x200f || code === 0x061c;
}

/** C0 controls, DEL and C1 controls. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

const LINE_BREAKS = new Set(["\n", "\v", "\f", "\u0085", "\u2028", "\u2029"]);
/** ESC, and the 8-bit CSI, OSC, DCS, SOS, PM and APC introducers. */
const INTRODUCERS = new Set(["\u001b", "\u009b", "\u009d", "\u0090", "\u0098", "\u009e", "\u009f"]);

const inRange = (c: string | undefined, lo: string, hi: string): boolean => c !== undefined && c >= lo && c <= hi;

/**
 * Index after the escape sequence whose introducer is at `chars[at]`. ECMA-48: CSI `[` params
 * final-byte; OSC `]`, DCS `P`, SOS `X`, PM `^`, APC `_` run to BEL or ST (`ESC \`); any other
 * ESC takes its intermediate bytes and one final byte (ECMA-35). A sequence that never ends is
 * cut at the end of the text.
 */
function skipSequence(chars: string[], at: number): number {
  let i = at + 1;
  let kind: "csi" | "string";
  if (chars[at] === "\u001b") {
    const next = chars[i++];
    if (next === "[") kind = "csi";
    else if (next === "]" || next === "P" || next === "X" || next === "^" || next === "_") kind = "string";
    else if (inRange(next, " ", "/")) {
      while (inRange(chars[i], " ", "/")) i++;
      return Math.min(i + 1, chars.length);
    } else return Math.min(i, chars.length);
  } else {
    kind = chars[at] === "\u009b" ? "csi" : "string";
  }
  if (kind === "csi") {
    // Parameter and intermediate bytes, then one final byte in @..~.
    while (i < chars.length) {
      const c = chars[i++]!;
      if (inRange(c, "@", "~") || !inRange(c, " ", "?")) return i;
    }
    return i;
  }
  while (i < chars.length) {
    const c = chars[i++]!;
    if (c === "\u0007" || c === "\u009c") return i;
    if (c === "\u001b") return chars[i] === "\\" ? i + 1 : i;
  }
  return i;
}

/**
 * `text` without escape sequences, control characters (tabs kept) or bidi overrides. Line
 * breaks (CR LF, CR, LF, VT, FF, NEL, U+2028/9) become "\n" when `multiLine` (a description
 * shown with pre-wrap), else one space. Spaces are not collapsed or trimmed: h() also builds
 * separators such as " · " from constant strings.
 */
export function inert(text: string, multiLine = false): string {
  const chars = Array.from(text);
  const lineBreak = multiLine ? "\n" : " ";
  let out = "";
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === "\r") {
      i += chars[i + 1] === "\n" ? 2 : 1;
      out += lineBreak;
    } else if (LINE_BREAKS.has(c)) {
      i++;
      out += lineBreak;
    } else if (INTRODUCERS.has(c)) {
      i = skipSequence(chars, i);
    } else {
      i++;
      const code = c.codePointAt(0)!;
      if (c === "\t" || !(isControl(code) || isBidiControl(code))) out += c;
    }
  }
  return out;
}
