/**
 * The editor's tiles draw their charts at the tile's real size, as the dashboard page does: the
 * axis text reads at about its drawn size (11 px), not scaled down to fit a shorter cell.
 */
import { equal, ok } from "node:assert/strict";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { uploadedDataset } from "../support/dashboards.ts";

const CSV = "store,amount\n1,10.5\n4,20\n6,5\n";

browserTest("editor tiles draw their charts at the tile's size, with readable axis text", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const { connectorId, dataset } = await uploadedDataset(t, cookie, CSV);
    const dashboard = await t.call("/api/dashboards", { cookie, body: { name: "Tiles" } });
    const dashboardId = (dashboard.body as { id: string }).id;
    const query = { dimensions: ["store"], measures: [{ fn: "sum", column: "amount" }] };
    for (const [type, title] of [["bar", "Bars"], ["line", "Line"]]) {
      const widget = await t.call(`/api/dashboards/${dashboardId}/widgets`, {
        cookie,
        body: { type, title, connector_id: connectorId, dataset, data_query: query, width: 6, height: 4 },
      });
      equal(widget.status, 201, widget.text);
    }

    const { page, problems } = await signedInPage(browser, server.url, cookie);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}/dashboards/${dashboardId}/edit`);
    await page.waitForSelector(".grid-stack[data-ready=true]");
    const sizes = await page.evaluate(() =>
      [...document.querySelectorAll(".grid-stack-item .chart svg")].map((svg) => {
        const shown = svg.getBoundingClientRect();
        const drawn = (svg as SVGSVGElement).viewBox.baseVal;
        const text = [...svg.querySelectorAll("text")].map((t) => t.getBoundingClientRect().height).filter((h) =>
          h > 0
        );
        // The SVG keeps its aspect ratio: it is scaled by the tighter of the two.
        return { scale: Math.min(shown.width / drawn.width, shown.height / drawn.height), text: Math.min(...text) };
      })
    );
    equal(sizes.length, 2, "both tiles draw a chart");
    for (const { scale, text } of sizes) {
      ok(scale > 0.9 && scale < 1.1, `a tile's chart is scaled by ${scale.toFixed(2)} to fit`);
      ok(text >= 11.5, `a tile's chart text is drawn ${text.toFixed(1)} px high`);
    }
    equal(problems.length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
  }
});
