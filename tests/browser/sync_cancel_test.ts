/**
 * A sync stuck on a silent source is cancelled from the connector page: the Cancel button beside
 * the progress stops it, and the page says who cancelled it.
 */
import { equal, match, ok } from "node:assert/strict";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { startHostileSources } from "../support/sources.ts";
import { syncsSettled } from "../../functions/sync_connector.ts";

browserTest("cancel a running sync from the connector page", async (browser) => {
  const sources = startHostileSources();
  const t = await startTestApp("pglite", { OUTBOUND_ALLOW_HOSTS: "127.0.0.1", OUTBOUND_TIMEOUT_MS: "120000" });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp({ name: "Ada Lovelace" });
    const created = await t.call("/api/connectors", {
      cookie,
      body: {
        name: "Silent API",
        type: "http_json",
        config: { url: `${sources.base}/stall.json`, records_path: "items" },
      },
    });
    const id = (created.body as { id: string }).id;
    const { page, problems } = await signedInPage(browser, server.url, cookie);
    await page.goto(`${server.url}/connectors/${id}`);
    await page.waitForSelector("html[data-hydrated=true]");
    await page.click("text=Sync now");
    await page.click("[data-testid=cancel-sync]");
    await page.waitForSelector("[data-testid=action-message]");
    match(await page.textContent("[data-testid=action-message]") ?? "", /Cancelled by Ada Lovelace/);
    equal(await page.locator("[data-testid=cancel-sync]").count(), 0, "the button goes with the sync");
    await syncsSettled();
    ok(problems.length === 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
    await sources.close();
  }
});
