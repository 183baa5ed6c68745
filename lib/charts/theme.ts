/**
 * Light and dark Vega configs. Pages draw each chart once, with the light palette, and the page's
 * stylesheet recolours it for dark mode (`darkChartCss`: every light colour maps to its dark twin,
 * which needs no second drawing and no script); a chart served as an image carries the same
 * mapping in its own `<style>` (`darkChartSvgStyle`). Downloads ask for either theme by name.
 * Backgrounds are transparent so a chart takes its card's colour. The dark category colours are
 * Tableau 10's hues lifted in lightness for contrast on dark grey.
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
    arc: { stroke: ARC_STROKE[theme] },
  };
}

const ARC_STROKE: Record<ChartTheme, string> = { light: "#ffffff", dark: "#171821" };

/** Light colour → dark colour, for every colour the light config draws with. */
function darkTwins(): [string, string][] {
  const { light, dark } = PALETTES;
  return [
    [light.text, dark.text],
    [light.muted, dark.muted],
    [light.grid, dark.grid],
    [light.domain, dark.domain],
    ...light.category.map((c, i): [string, string] => [c, dark.category[i]]),
    [ARC_STROKE.light, ARC_STROKE.dark],
  ];
}

/** One CSS rule per light colour and attribute, `fill`/`stroke` set to its dark twin, under `scope`. */
function twinRules(scope: string, indent: string): string {
  return darkTwins().flatMap(([from, to]) =>
    (["fill", "stroke"] as const).map((attr) =>
      `${indent}${scope}[${attr}="${from}"] {\n${indent}  ${attr}: ${to};\n${indent}}`
    )
  ).join("\n");
}

/**
 * The `<style>` a light-drawn chart SVG served on its own (an `<img>`'s source) carries so it turns
 * dark by itself: a page's stylesheet cannot reach into an image. The image follows the scheme of
 * the page it is shown in (its `color-scheme`, which the theme toggle sets), so it matches the
 * page's `darkChartCss` recolouring, from the same palette mapping. Downloads go without it.
 */
export function darkChartSvgStyle(): string {
  return `<style>\n@media (prefers-color-scheme: dark) {\n${twinRules("", "  ")}\n}\n</style>`;
}

/** `svg` (a light-drawn chart) with `darkChartSvgStyle` inside its root element. */
export function withDarkChartStyle(svg: string): string {
  return svg.replace(/^(<svg[^>]*>)/, (open) => open + darkChartSvgStyle());
}

/**
 * The stylesheet rules that turn a light-drawn chart (`.chart svg`, inline in a page) dark when
 * the page is dark: chosen by `data-theme="dark"`, or by the system's scheme unless the user
 * picked light. Vega writes colours as `fill`/`stroke` attributes, which CSS overrides. Kept in
 * static/styles.css between markers; `deno task chart-css` rewrites it, a test checks it matches.
 */
export function darkChartCss(): string {
  const rules = (scope: string, indent: string) => twinRules(`${scope} .chart svg `, indent);
  return [
    rules(':root[data-theme="dark"]', ""),
    "@media (prefers-color-scheme: dark) {",
    rules(':root:not([data-theme="light"])', "  "),
    "}",
  ].join("\n");
}
