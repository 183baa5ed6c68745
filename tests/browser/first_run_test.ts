/**
 * A newcomer's first minute: sign up, land on a chat that offers data in one click, add the
 * bundled Seattle weather sample (no network), and ask about it: the chart comes back.
 */
import { equal, match } from "node:assert/strict";
import { browserTest, serve } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { afterToolResult, startFakeOpenAI } from "../support/fake_openai.ts";
import { syncsSettled } from "../../functions/sync_connector.ts";

browserTest("sign up, add the sample dataset in one click, ask, and get a chart", async (browser) => {
  const fake = startFakeOpenAI();
  const t = await startTestApp("pglite", { OPENAI_BASE_URL: fake.url, LLM_MODEL: "fake-gpt" });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(server.url + "/signup");
    await page.fill("input[name=name]", "New Person");
    await page.fill("input[name=email]", "new@example.com");
    await page.fill("input[name=password]", "a long enough password");
    await page.click("button[type=submit]");
    await page.waitForURL(/\/chat$/);
    match(await page.textContent("[data-testid=first-run]") ?? "", /Connect data[\s\S]*Ask a question/);

    await page.click("[data-testid=add-sample]");
    await page.waitForURL(/\/chat\?sample=added$/);
    match(await page.textContent("[data-testid=sample-added]") ?? "", /Seattle weather sample is syncing/);
    equal(await page.locator("[data-testid=first-run]").count(), 0, "the guide has done its job");
    await syncsSettled();

    const connectors = await page.evaluate(() => fetch("/api/connectors").then((r) => r.json()));
    const connectorId = (connectors as { items: { id: string; name: string }[] }).items[0].id;
    const datasets = await page.evaluate(
      (id) => fetch(`/api/connectors/${id}/datasets`).then((r) => r.json()),
      connectorId,
    );
    equal((datasets as { items: { name: string; row_count: number }[] }).items[0].row_count, 1461);

    fake.script((request) =>
      afterToolResult(request) ? { text: "Rain and sun lead." } : {
        text: "Counting.",
        toolCalls: [{
          name: "create_chart",
          arguments: {
            name: "Days by weather",
            connector_id: connectorId,
            dataset: "seattle-weather",
            query: { dimensions: ["weather"], measures: [{ fn: "count", as: "days" }] },
            chart: { mark: "bar", x: "weather", y: "days" },
          },
        }],
      }
    );
    await page.waitForSelector("html[data-hydrated=true]");
    await page.fill("textarea[name=content]", "Which weather is most common in Seattle? Chart it.");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=artifact-chart]");
    await page.waitForSelector("[data-testid=message-assistant] >> text=Rain and sun lead.");
    equal(problems.length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
    await fake.close();
  }
});
