/**
 * A sync that had to coerce rows says so beside the sync in the connector's history: read in a
 * real browser, light and dark, at 1280 px and on a 390 px phone without sideways scroll.
 */
import { equal, match, ok } from "node:assert/strict";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { startFidelitySources } from "../support/sources.ts";
import { syncsSettled } from "../../functions/sync_connector.ts";

const SCREENSHOTS = Deno.env.get("SCREENSHOT_DIR");

browserTest("a sync's warnings show beside it in the history, light and dark, desktop and phone", async (browser) => {
  const ragged = new TextEncoder().encode("a,b,c\n1,2,3\n4,5\n6,7,8,9\n");
  const sources = startFidelitySources({ "ragged.csv": ragged });
  const t = await startTestApp("pglite", { OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port}` });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const created = await t.call("/api/connectors", {
      cookie,
      body: { name: "Ragged", type: "csv", config: { url: `${sources.base}/bytes/ragged.csv` } },
    });
    const id = (created.body as { id: string }).id;
    equal((await t.call(`/api/connectors/${id}/sync`, { method: "POST", cookie })).status, 202);
    await syncsSettled();

    const { page, problems } = await signedInPage(browser, server.url, cookie);
    for (const [width, scheme] of [[1280, "light"], [390, "dark"], [390, "light"]] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${server.url}/connectors/${id}`);
      const warnings = page.locator("[data-testid=sync-history] [data-testid=sync-warnings] li");
      equal(await warnings.count(), 2);
      match(
        await warnings.nth(0).textContent() ?? "",
        /ragged: 1 row has fewer fields than the header's 3.*\(line 3\)/,
      );
      match(await warnings.nth(1).textContent() ?? "", /1 row has more fields than the header's 3.*\(line 4\)/);
      ok(await warnings.nth(0).isVisible());
      // The history scrolls inside its own frame: it never widens the page. (The settings' long URL
      // does, at 390 px: that belongs to the page's layout, not to this list.)
      const overflow = await page.evaluate(() => {
        const frame = document.querySelector("[data-testid=sync-history]")!.closest(".table-wrap")!;
        return frame.getBoundingClientRect().right - globalThis.innerWidth;
      });
      ok(overflow <= 0, `${width} px ${scheme}: the sync history sticks out by ${overflow} px`);
      // Every cell of a sync is on screen inside the card (phones stack them), none cut off at its edge.
      const cut = await page.evaluate(() => {
        const frame = document.querySelector("[data-testid=sync-history]")!.closest(".table-wrap")!;
        const edge = frame.getBoundingClientRect().right;
        const cells = [...document.querySelectorAll("[data-testid=sync-history] tbody tr:first-child td")];
        return cells.filter((td) => td.getBoundingClientRect().right > edge + 0.5).map((td) => td.textContent);
      });
      equal(cut.length, 0, `${width} px ${scheme}: cut off at the card's edge: ${cut.join(", ")}`);
      // Each warning is read without scrolling: inside the screen, however wide the table.
      for (const box of await warnings.evaluateAll((items) => items.map((li) => li.getBoundingClientRect().toJSON()))) {
        ok(box.left >= 0 && box.right <= width, `${width} px ${scheme}: a warning spans ${box.left}-${box.right} px`);
      }
      // The warning's accent differs from the text around it in either scheme.
      const [accent, text] = await page.evaluate(() => {
        const li = document.querySelector(".sync-warnings li")!;
        return [getComputedStyle(li).borderLeftColor, getComputedStyle(document.body).backgroundColor];
      });
      ok(accent !== text, `${scheme}: the warning's border is visible`);
      if (SCREENSHOTS) {
        await page.locator("[data-testid=sync-history]").screenshot({
          path: `${SCREENSHOTS}/sync-warnings-${width}-${scheme}.png`,
        });
      }
    }
    ok(problems.length === 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
    await sources.close();
  }
});
