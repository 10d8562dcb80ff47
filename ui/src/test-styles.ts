// Test-only: the app's style sheets applied to the jsdom document as a window `width` px wide
// would see them. jsdom's getComputedStyle cascades plain rules but skips @media blocks, so the
// (max-width: N px) blocks that apply at `width` are added as plain rules after the sheets.
// jsdom also ranks rules by source order only, not by specificity: keep a rule that overrides
// another after it in the sheet (as the sheets do), or a test may see the wrong value.
import browseCss from "./views/dashboard/browse.css?raw";
import appCss from "./styles.css?raw";

/** Adds the styles to document.head; returns a function that removes them. */
export function useStyles(width: number): () => void {
  const sheets = [appCss, browseCss].map((css) => {
    const style = document.createElement("style");
    style.textContent = css;
    document.head.append(style);
    return style;
  });
  const narrow = document.createElement("style");
  narrow.textContent = sheets.flatMap((s) => [...(s.sheet?.cssRules ?? [])])
    .filter((r): r is CSSMediaRule => r instanceof CSSMediaRule)
    .filter((r) => {
      const max = /^\(max-width:\s*(\d+)px\)$/.exec(r.media.mediaText.trim());
      return max !== null && width <= Number(max[1]);
    })
    .flatMap((r) => [...r.cssRules].map((x) => x.cssText))
    .join("\n");
  document.head.append(narrow);
  return () => [...sheets, narrow].forEach((s) => s.remove());
}
