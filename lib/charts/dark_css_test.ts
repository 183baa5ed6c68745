import { equal } from "node:assert/strict";
import { CSS_PATH, withDarkChartCss } from "./write_dark_css.ts";
import { darkChartCss } from "./theme.ts";

Deno.test("static/styles.css carries the dark-chart rules theme.ts makes now (`deno task chart-css` rewrites them)", async () => {
  const css = await Deno.readTextFile(CSS_PATH);
  equal(css, withDarkChartCss(css));
  // Every colour the light palette draws with has its dark twin, for fills and strokes.
  for (const [light, dark] of [["#4c78a8", "#7fb0e6"], ["#1f2330", "#e6e8ef"], ["#ffffff", "#171821"]]) {
    for (const attr of ["fill", "stroke"]) {
      equal(darkChartCss().includes(`[${attr}="${light}"] {\n  ${attr}: ${dark};`), true, `${attr} ${light}`);
    }
  }
});
