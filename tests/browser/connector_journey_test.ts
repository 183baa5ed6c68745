/**
 * The connector page tells the truth and asks before it destroys: a sync that fails shows in the
 * header and the history at once (no reload, no bar that keeps animating); uploads replace the
 * connector's one dataset; a dataset and the connector are deleted only after the dialog's yes.
 */
import { equal, match, ok } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { startSources } from "../support/sources.ts";

browserTest("a failed sync shows in the header and history without a reload", async (browser) => {
  const sources = startSources();
  const t = await startTestApp("pglite", { OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port}` });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const created = await t.call("/api/connectors", {
      cookie,
      body: { name: "Gone", type: "csv", config: { url: `${sources.base}/missing.csv` } },
    });
    const id = (created.body as { id: string }).id;
    const { page, problems } = await signedInPage(browser, server.url, cookie);
    await page.goto(`${server.url}/connectors/${id}`);
    await page.waitForSelector("html[data-hydrated=true]");
    match(await page.textContent("[data-testid=last-sync]") ?? "", /Last sync: —/);
    await page.evaluate(() => (window as unknown as { stayed: boolean }).stayed = true);

    await page.click("text=Sync now");
    await page.waitForSelector("[data-testid=sync-history] >> text=failed");
    equal(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), true, "no reload");
    match(await page.textContent("[data-testid=connector-title]") ?? "", /Gone\s*(failed|error)/);
    const banner = await page.textContent("[data-testid=last-error]") ?? "";
    match(banner, /^The last sync failed after 0 rows: .+\.$/);
    // Said once: the progress line gives way to the header, and the history keeps it short.
    await page.waitForSelector(".sync-progress", { state: "detached" });
    equal(await page.locator("[data-testid=action-message]").count(), 0);
    const cell = await page.textContent("[data-testid=sync-history] tbody tr:first-child td:last-child") ?? "";
    ok(cell.length <= 60, `a short history cell: ${cell}`);
    equal(await page.locator("[role=alert]").count(), 1, "one alert");
    equal(problems.length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
    await sources.close();
  }
});

browserTest(
  "uploads replace the one dataset; a dataset and the connector go only after the dialog's yes",
  async (browser) => {
    const t = await startTestApp("pglite");
    const server = serve((req, info) => t.fetch(req, info));
    try {
      const { cookie } = await t.signUp();
      const created = await t.call("/api/connectors", { cookie, body: { name: "Files", type: "csv", config: {} } });
      const id = (created.body as { id: string }).id;
      const { page, problems } = await signedInPage(browser, server.url, cookie);
      await page.goto(`${server.url}/connectors/${id}`);
      await page.waitForSelector("html[data-hydrated=true]");
      match(await page.textContent(".upload-hint") ?? "", /replaces this connector's file and its dataset/);

      for (const [name, body] of [["first.csv", "a,b\n1,2\n"], ["second.csv", "city\nOslo\nLima\nRome\n"]]) {
        await page.setInputFiles("input[type=file]", { name, mimeType: "text/csv", buffer: Buffer.from(body) });
        await page.click("text=Upload and sync");
        await page.waitForFunction(
          (rows) => document.querySelectorAll("[data-testid=sync-history] [data-status=succeeded]").length === rows,
          name === "first.csv" ? 1 : 2,
        );
        await page.waitForSelector(`[data-testid=dataset] >> text=${name === "first.csv" ? "1 row" : "3 rows"}`);
        await page.waitForSelector("html[data-hydrated=true]");
      }
      equal(await page.locator("[data-testid=dataset]").count(), 1, "two uploads, one dataset");
      const card = await page.textContent("[data-testid=dataset]") ?? "";
      match(card, /^first\s*3 rows · 1 column/, "the second file's rows, under the first dataset's name");

      // Cancel keeps the dataset; Escape closes the dialog too.
      await page.click("[data-testid=delete-dataset]");
      ok(await page.isVisible("dialog[open] >> text=Delete the dataset “first”?"));
      await page.keyboard.press("Escape");
      equal(await page.locator("dialog[open]").count(), 0);
      await page.click("[data-testid=delete-dataset]");
      await page.click("dialog[open] >> text=Cancel");
      equal(await page.locator("[data-testid=dataset]").count(), 1, "Cancel keeps it");
      await page.click("[data-testid=delete-dataset]");
      await page.click("dialog[open] [data-testid=confirm]");
      await page.waitForSelector("[data-testid=dataset]", { state: "detached" });
      const api = await t.call(`/api/connectors/${id}/datasets`, { cookie });
      equal((api.body as { items: unknown[] }).items.length, 0);

      await page.waitForSelector("html[data-hydrated=true]");
      await page.click("[data-testid=delete-connector]");
      await page.click("dialog[open] [data-testid=confirm]");
      await page.waitForURL(/\/connectors$/);
      equal((await t.call(`/api/connectors/${id}`, { cookie })).status, 404);
      equal(problems.length, 0, problems.join("\n"));
    } finally {
      await server.close();
      await t.close();
    }
  },
);

browserTest("without JavaScript, a destructive action goes through a confirmation page", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const created = await t.call("/api/connectors", { cookie, body: { name: "Plain", type: "csv", config: {} } });
    const id = (created.body as { id: string }).id;
    const context = await browser.newContext({ javaScriptEnabled: false });
    const [name, value] = cookie.split("=");
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/connectors/${id}`);
    await page.click("[data-testid=delete-connector]");
    await page.waitForURL(/\/confirm\/delete-connector\?id=/);
    match(await page.textContent("h2") ?? "", /Delete “Plain”\?/);
    match(await page.title(), /Delete “Plain”\? · Workspace/);
    await page.click("text=Cancel");
    await page.waitForURL(new RegExp(`/connectors/${id}$`));
    await page.click("[data-testid=delete-connector]");
    await page.click("[data-testid=confirm]");
    await page.waitForURL(/\/connectors$/);
    equal((await t.call(`/api/connectors/${id}`, { cookie })).status, 404);
    await context.close();
  } finally {
    await server.close();
    await t.close();
  }
});
