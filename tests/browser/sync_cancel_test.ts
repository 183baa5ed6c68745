/**
 * A sync stuck on a silent source is cancelled from the connector page: the Cancel button beside
 * the progress stops it, and the page says who cancelled it, as a cancel (not a failure), live and
 * after a reload; a new sync clears that note while it runs.
 */
import { equal, ok } from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { startHostileSources } from "../support/sources.ts";
import { syncsSettled } from "../../functions/sync_connector.ts";

/** The cancel reads as cancelled, neutral, once at the top; the history says "cancelled" and who. */
async function expectCancelledOnce(page: Page) {
  const note = page.locator("[data-testid=sync-cancelled]");
  await note.waitFor();
  equal(await note.textContent(), "Sync cancelled by Ada Lovelace after 0 rows.");
  equal(await note.getAttribute("class"), "notice neutral", "neutral, not an alert");
  await page.waitForSelector("[data-testid=sync-status]", { state: "detached" });
  equal(await page.locator("[role=alert]").count(), 0, "nothing reads as a failure");
  equal(await page.textContent("[data-testid=sync-history] tbody tr:first-child .badge"), "cancelled");
  equal(await page.textContent("[data-testid=sync-history] tbody tr:first-child td:last-child"), "by Ada Lovelace");
  equal(await page.textContent("[data-testid=sync-history] thead th:last-child"), "Details", "not an error");
  ok(!/failed/i.test(await page.textContent("main") ?? ""), "no word of failure");
}

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
    await expectCancelledOnce(page);
    equal(await page.locator("[data-testid=cancel-sync]").count(), 0, "the button goes with the sync");
    await page.reload();
    await page.waitForSelector("html[data-hydrated=true]");
    await expectCancelledOnce(page);

    // A new sync clears the last one's outcome from the top while it runs.
    await page.click("text=Sync now");
    await page.waitForSelector("[data-testid=connector-title] >> text=syncing");
    equal(await page.locator("[data-testid=sync-cancelled], [data-testid=last-error]").count(), 0);
    await page.click("[data-testid=cancel-sync]");
    await page.waitForSelector("[data-testid=sync-cancelled]");
    await syncsSettled();
    ok(problems.length === 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
    await sources.close();
  }
});
