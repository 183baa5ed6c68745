/**
 * Light and dark Vega configs. A page shows the SVG drawn with the palette its colour scheme asks
 * for (both are drawn; CSS shows one: see `.chart-light`/`.chart-dark` in static/styles.css), and
 * downloads use the light one. Backgrounds are transparent so a chart takes its card's colour.
 * The dark category colours are Tableau 10's hues lifted in lightness for contrast on dark grey.
 */
import type { Config } from "vega-lite";
import { CHART_FONT_STACK } from "./font_metrics.ts";

export type ChartTheme = "light" | "dark";

const PALETTES: Record<ChartTheme, { text: string; muted: string; grid: string; domain: string; category: string[] }> =
  {
    light: {
      text: "#1f2330",
      muted: "#5b6072",
      grid: "#e4e6ee",
      domain: "#b8bccb",
      category: [
        "#4c78a8",
        "#f58518",
        "#e45756",
        "#54a24b",
        "#b279a2",
        "#eeca3b",
        "#72b7b2",
        "#ff9da6",
        "#9d755d",
        "#79706e",
      ],
    },
    dark: {
      text: "#e6e8ef",
      muted: "#a3a8ba",
      grid: "#2c2f40",
      domain: "#4a4e63",
      category: [
        "#7fb0e6",
        "#ffa94d",
        "#ff8a87",
        "#7fd173",
        "#d7a4cb",
        "#ffe066",
        "#8fd8d2",
        "#ffb8c0",
        "#c9a188",
        "#bab0ac",
      ],
    },
  };

/** The Vega-Lite `config` for `theme`. */
export function themeConfig(theme: ChartTheme): Config {
  const p = PALETTES[theme];
  return {
    background: "transparent",
    font: CHART_FONT_STACK,
    view: { stroke: null },
    title: { color: p.text, fontSize: 13, fontWeight: 600, anchor: "start" },
    axis: {
      labelColor: p.muted,
      titleColor: p.text,
      gridColor: p.grid,
      domainColor: p.domain,
      tickColor: p.domain,
      labelFontSize: 11,
      titleFontSize: 11,
      titleFontWeight: 600,
    },
    legend: { labelColor: p.muted, titleColor: p.text, labelFontSize: 11, titleFontSize: 11 },
    range: { category: p.category },
    mark: { color: p.category[0] },
    arc: { stroke: theme === "dark" ? "#171821" : "#ffffff" },
  };
}
