/**
 * Small layout faults a phone and dark mode showed: the connectors list's status badge stays a
 * pill (not a tall blob beside a wrapped name), and the file input's "Choose File" button follows
 * the dark theme like every other button.
 */
import { ok } from "node:assert/strict";
import { browserTest, serve } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { uploadCsv } from "../support/datasets.ts";

browserTest("at 390 px the status badge is a pill, and in dark the file button is dark", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const { connectorId } = await uploadCsv(t, cookie, "Seattle weather (sample) with a long name", "a,b\n1,2\n");
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
    const [name, value] = cookie.split("=");
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();

    await page.goto(`${server.url}/connectors`);
    const badge = (await page.locator(".item-list .badge").boundingBox())!;
    const nameBox = (await page.locator(".item-list .item-name").boundingBox())!;
    ok(nameBox.height > 30, "the long name wraps onto two lines");
    ok(badge.height < 24, `the badge is one line high (${badge.height}px)`);
    ok(badge.width > badge.height * 1.5, `the badge is a pill (${badge.width}×${badge.height})`);

    await page.goto(`${server.url}/connectors/${connectorId}`);
    const [button, page_] = await page.locator("input[type=file]").evaluate((el) => [
      getComputedStyle(el, "::file-selector-button").backgroundColor,
      getComputedStyle(document.body).backgroundColor,
    ]);
    const lightness = (rgb: string) => {
      const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
      return (Math.max(r, g, b) + Math.min(r, g, b)) / 2 / 255;
    };
    ok(lightness(page_) < 0.3, `the page is dark (${page_})`);
    ok(lightness(button) < 0.3, `the file button is dark too (${button})`);
    await context.close();
  } finally {
    await server.close();
    await t.close();
  }
});
