/**
 * An analyst adds a CSV connector in the browser, syncs it with a live progress bar, sees the
 * dataset preview and history, then uploads a file of their own and syncs that.
 */
import { equal, match, ok } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { startSources } from "../support/sources.ts";

const SCREENSHOTS = Deno.env.get("SCREENSHOT_DIR");

browserTest("add a CSV connector, sync it with progress, preview its rows, upload a file", async (browser) => {
  const sources = startSources();
  const t = await startTestApp("pglite", { OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port}` });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const { page, problems } = await signedInPage(browser, server.url, cookie);

    await page.goto(`${server.url}/connectors`);
    match(await page.textContent("main") ?? "", /No connectors yet/);
    await page.click(".tabs >> text=CSV file");
    await page.waitForURL(/type=csv/);
    await page.fill("input[name=name]", "Seattle weather");
    await page.fill("input[name=url]", `${sources.base}/vega/seattle-weather.csv`);
    await page.click("text=Save connector");
    await page.waitForURL(/\/connectors\/[0-9a-f-]{36}(#new)?$/); // the form's #new fragment survives the redirect
    match(await page.textContent("h1") ?? "", /Seattle weather\s*idle/);
    await page.waitForSelector("html[data-hydrated=true]");

    await page.click("text=Test connection");
    match(await page.textContent("[data-testid=action-message]") ?? "", /Readable: 6 columns/);
    await page.click("text=Sync now");
    // The page reloads when the stream reports success; the dataset card appears.
    await page.waitForSelector("[data-testid=dataset]");
    const dataset = await page.textContent("[data-testid=dataset]") ?? "";
    match(dataset, /seattle-weather\s*1,461 rows · 6 columns/);
    match(dataset, /2012-01-01/);
    equal(await page.locator("[data-testid=dataset] tbody tr").count(), 20);
    match(await page.textContent("[data-testid=sync-history]") ?? "", /manual\s*succeeded\s*1,461/);
    match(await page.textContent("h1") ?? "", /ready/);
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/connector.png`, fullPage: true });

    // Uploading replaces the URL's rows with the file's.
    await page.waitForSelector("html[data-hydrated=true]");
    // Pressed with no file chosen, it says what to do instead of nothing.
    await page.click("text=Upload and sync");
    await page.getByText("Choose a CSV file first, then press Upload and sync.").waitFor();
    await page.setInputFiles("input[type=file]", {
      name: "mine.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("city,visits\nOslo,3\nLima,5\n"),
    });
    await page.click("text=Upload and sync");
    await page.waitForFunction(() =>
      document.querySelectorAll("[data-testid=sync-history] [data-status=succeeded]").length === 2
    );
    await page.waitForSelector("[data-testid=dataset] >> text=2 rows · 2 columns");
    ok(problems.length === 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
    await sources.close();
  }
});
