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

    // The example question is given once on the first screen.
    const example = "Which weather is most common in Seattle?";
    equal((await page.textContent("main"))!.split(example).length - 1, 1, "one example question");

    await page.click("[data-testid=add-sample]");
    await page.waitForURL(/\/chat\?sample=[0-9a-f-]{36}$/);
    equal((await page.textContent("main"))!.split(example).length - 1, 1, "one example question");
    equal(await page.locator("[data-testid=first-run]").count(), 0, "the guide has done its job");
    // Syncing, then ready with the next step, with no reload.
    await page.evaluate(() => (window as unknown as { stayed: boolean }).stayed = true);
    await page.waitForSelector("[data-testid=sample-added][data-state=ready]", { timeout: 15_000 });
    match(
      await page.textContent("[data-testid=sample-added]") ?? "",
      /sample is ready\. Ask a question about it below/,
    );
    equal(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), true, "no reload");
    await page.reload();
    match(await page.textContent("[data-testid=sample-added]") ?? "", /sample is ready/);
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

browserTest(
  "without a model the chat says how to add one, in a warning, and Send says why it is off",
  async (browser) => {
    const t = await startTestApp("pglite");
    const server = serve((req, info) => t.fetch(req, info));
    try {
      const { cookie } = await t.signUp();
      for (const width of [390, 1280]) {
        const context = await browser.newContext({ viewport: { width, height: 800 } });
        const [name, value] = cookie.split("=");
        await context.addCookies([{ name, value, url: server.url }]);
        const page = await context.newPage();
        await page.goto(`${server.url}/chat`);
        await page.waitForSelector("html[data-hydrated=true]");
        const notice = page.locator("[data-testid=llm-missing]");
        equal(await notice.getAttribute("class"), "notice warning", "a warning, not a success");
        match(
          await notice.textContent() ?? "",
          /OPENAI_BASE_URL=http:\/\/localhost:11434\/v1[\s\S]*LLM_MODEL=llama3\.1/,
        );
        equal(await notice.locator("a[href='/settings#model']").count(), 1, "it links to Settings");
        // Code spans flow with the sentence: a short one is never broken (the old flex column put each on its own
        // line and squeezed it), and at 1280 px none is.
        const spans = await notice.locator("code").evaluateAll((els) =>
          els.map((e) => ({ text: e.textContent ?? "", height: e.getBoundingClientRect().height }))
        );
        for (const span of spans) {
          if (width === 1280 || span.text.length < 20) equal(span.height < 30, true, `${span.text}: ${span.height} px`);
        }
        equal(await page.isDisabled("[data-testid=send]"), true);
        match(await page.textContent("[data-testid=send-reason]") ?? "", /off until a language model is configured/);
        const size = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
        equal(size[0] <= size[1], true, `no sideways scroll at ${width} px: ${size}`);
        await context.close();
      }
    } finally {
      await server.close();
      await t.close();
    }
  },
);
