/**
 * Real text widths for charts drawn on the server. Vega measures labels with a canvas when it has
 * one; Deno has none, so Vega falls back to `0.8 × font size × characters` (vega-scenegraph's
 * `estimateWidth`), which overstates most Latin text by half and misplaces labels and legends.
 * Here Vega's `textMetrics.width` is replaced (the hook vega-scenegraph documents for canvas-less
 * renderers, as vl-convert does) by the advance widths of Inter, the font the SVG names and the
 * pages serve, read from the shipped TTF with opentype.js.
 */
import opentype from "opentype.js";
import * as vega from "vega";

/** vega-scenegraph's text measurer, re-exported by vega at run time but not in its types. */
const { textMetrics } = vega as unknown as {
  textMetrics: { width: (item: unknown, text: unknown) => number };
};

/** The font every chart uses: shipped in static/fonts/, served to pages, embedded in PNGs. */
export const CHART_FONT = "Inter";
export const CHART_FONT_STACK = "Inter, system-ui, sans-serif";

const FONT_FILES = {
  regular: new URL("../../static/fonts/Inter-Regular.ttf", import.meta.url),
  bold: new URL("../../static/fonts/Inter-Bold.ttf", import.meta.url),
};

/** Advance widths in em per character, one table a weight; filled lazily from the font. */
interface Metrics {
  regular: opentype.Font;
  bold: opentype.Font;
  cache: Map<string, number>;
}

let metrics: Metrics | undefined;
let loading: Promise<void> | undefined;

/** The font files' bytes, for the rasteriser. */
export async function chartFontFiles(): Promise<Uint8Array[]> {
  return await Promise.all([Deno.readFile(FONT_FILES.regular), Deno.readFile(FONT_FILES.bold)]);
}

/**
 * Loads the font once and installs its metrics into Vega. Idempotent; every renderer awaits it
 * before drawing, so no chart is laid out with the estimate.
 */
export function installFontMetrics(): Promise<void> {
  loading ??= (async () => {
    const [regular, bold] = await chartFontFiles();
    metrics = {
      regular: opentype.parse(regular.buffer as ArrayBuffer),
      bold: opentype.parse(bold.buffer as ArrayBuffer),
      cache: new Map(),
    };
    textMetrics.width = (item: unknown, text: unknown) => {
      const { fontSize, fontWeight } = item as { fontSize?: number; fontWeight?: string | number };
      const size = fontSize ?? 11;
      const bold = fontWeight === "bold" || Number(fontWeight) >= 600;
      return textWidth(String(text ?? ""), size, bold);
    };
  })();
  loading.catch(() => loading = undefined);
  return loading;
}

/**
 * The width in pixels of `text` set in Inter at `size` px: the sum of its glyphs' advance widths
 * (kerning left out, a fraction of a pixel for labels). Before `installFontMetrics` has finished it
 * uses Vega's estimate.
 */
export function textWidth(text: string, size: number, bold = false): number {
  if (!metrics) return 0.8 * size * text.length;
  const font = bold ? metrics.bold : metrics.regular;
  let em = 0;
  for (const ch of text) {
    const key = bold ? `b${ch}` : ch;
    let w = metrics.cache.get(key);
    if (w === undefined) {
      w = font.charToGlyph(ch).advanceWidth! / font.unitsPerEm;
      if (metrics.cache.size < 20_000) metrics.cache.set(key, w);
    }
    em += w;
  }
  return em * size;
}
