/**
 * PNG from SVG on the server, with resvg (Rust, compiled to WebAssembly: it runs on Deno Deploy,
 * where native addons do not). resvg finds no system fonts there, so the chart font's files
 * (static/fonts/, from the @expo-google-fonts/inter package) are handed to it.
 */
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { CHART_FONT, chartFontFiles } from "./font_metrics.ts";

let ready: Promise<Uint8Array[]> | undefined;

async function load(): Promise<Uint8Array[]> {
  const wasmUrl = import.meta.resolve("@resvg/resvg-wasm/index_bg.wasm");
  const wasm = await (await fetch(wasmUrl)).arrayBuffer();
  await initWasm(wasm);
  return await chartFontFiles();
}

/**
 * Rasterises `svg` at `scale` (2 for sharp text on high-density screens) to PNG bytes; an SVG
 * resvg cannot parse throws its error.
 */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  ready ??= load();
  ready.catch(() => ready = undefined);
  const fonts = await ready;
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "#ffffff",
    font: { fontBuffers: fonts, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT, loadSystemFonts: false },
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
