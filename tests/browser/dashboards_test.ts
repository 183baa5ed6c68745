/**
 * Dashboards in a real browser: a dashboard on two vega-datasets files with a widget the model
 * pinned from chat, shared, and read in a fresh context with JavaScript off (marks counted against
 * the file, the GET form, a locked filter the URL cannot move, revoked links), with screenshots at
 * 1280 and 390 px in light and dark; and an open dashboard that updates itself after a sync.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import type { Browser } from "playwright-core";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp, type TestApp } from "../support/test_app.ts";
import { startSources } from "../support/sources.ts";
import { afterToolResult, startFakeOpenAI, toolResults } from "../support/fake_openai.ts";
import { ask, newChat } from "../support/chat_client.ts";
import { countBy, csvRows, smallestChartText, syncAgain, weatherDashboard } from "../support/dashboards.ts";

const SCREENSHOTS = Deno.env.get("SCREENSHOT_DIR") ?? "screenshots";

/** Has the model make a chart of days by weather and pin it to `dashboardId` with its tool. */
async function pinFromChat(
  t: TestApp,
  cookie: string,
  fake: ReturnType<typeof startFakeOpenAI>,
  connectorId: string,
  dashboardId: string,
) {
  const query = { dimensions: ["weather"], measures: [{ fn: "count", as: "days" }], order_by: [{ column: "weather" }] };
  fake.script((request) => {
    const results = toolResults(request) as { artifact_id?: string }[];
    if (!afterToolResult(request)) {
      return {
        toolCalls: [{
          name: "create_chart",
          arguments: {
            name: "Weather from chat",
            connector_id: connectorId,
            dataset: "seattle-weather",
            query,
            chart: { mark: "bar", x: "weather", y: "days" },
          },
        }],
      };
    }
    if (results.length === 1) {
      return {
        toolCalls: [{
          name: "pin_to_dashboard",
          arguments: { artifact_id: results[0].artifact_id, dashboard_id: dashboardId },
        }],
      };
    }
    return { text: "Pinned." };
  });
  const sessionId = await newChat(t, cookie, { title: "Pin" });
  const answer = await ask(t, cookie, sessionId, "Chart days by weather and pin it");
  equal(answer.text, "Pinned.");
}

async function anonymousPage(browser: Browser, width: number, scheme: "light" | "dark") {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    viewport: { width, height: 900 },
    colorScheme: scheme,
  });
  return { context, page: await context.newPage() };
}

browserTest("a shared dashboard reads with JavaScript off: marks, filters, locks, phones and dark", async (browser) => {
  const sources = startSources();
  const fake = startFakeOpenAI();
  const t = await startTestApp("pglite", {
    OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port}`,
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: "sk-test",
  });
  const server = serve((req, info) => t.fetch(req, info));
  let memberContext: { close(): Promise<void> } | undefined;
  try {
    const { cookie } = await t.signUp();
    const { dashboardId, weatherConnector } = await weatherDashboard(t, cookie, sources);
    await pinFromChat(t, cookie, fake, weatherConnector, dashboardId);
    const rows = await csvRows("seattle-weather.csv");
    const byWeather = countBy(rows, "weather");

    // The member's page shows the pinned widget beside the others.
    const { page: member, problems } = await signedInPage(browser, server.url, cookie);
    memberContext = member.context();
    await member.goto(`${server.url}/dashboards/${dashboardId}`);
    await member.waitForSelector("html[data-hydrated=true]");
    match(await member.textContent(".dashboard-grid") ?? "", /Weather from chat/);
    await member.fill("input[name=label]", "Everyone");
    await member.check("input[name=downloads]");
    await member.click("text=Create link");
    const url = await member.inputValue(".share-url");
    match(url, /\/share\/[A-Za-z0-9_-]{43}$/);
    const shareUrl = server.url + new URL(url).pathname;

    const { context, page } = await anonymousPage(browser, 1280, "light");
    const response = await page.goto(shareUrl);
    equal(response?.status(), 200);
    equal(await page.locator("script").count(), 0);
    // The grid-size drawings (wide charts also come drawn at a phone's width, hidden here).
    const charts = page.locator(".chart:not(.chart-phone)");
    const bars = charts.nth(0).locator('path[aria-roledescription="bar"]');
    equal(await bars.count(), byWeather.length);
    // The tooltip is a <title> the browser shows on hover, with the file's count.
    deepStrictEqual(
      await bars.evaluateAll((els) => els.map((e) => e.querySelector("title")?.textContent)),
      byWeather.map(([w, n]) => `weather: ${w}; days: ${n.toLocaleString("en")}`),
    );
    equal(await charts.nth(1).locator('path[aria-roledescription="point"]').count(), rows.length);
    ok(await charts.nth(0).isVisible());
    // The widget pinned from chat draws the same bars.
    const pinned = page.locator("article", { hasText: "Weather from chat" }).locator(
      '.chart:not(.chart-phone) path[aria-roledescription="bar"]',
    );
    equal(await pinned.count(), byWeather.length);

    // The GET form filters without script.
    await page.selectOption("select[name='f.weather']", "rain");
    await page.click("text=Apply");
    await page.waitForURL(/f\.weather=rain/);
    equal(await page.locator('.chart:not(.chart-phone) >> nth=0 >> path[aria-roledescription="bar"]').count(), 1);
    equal(
      await page.locator('.chart:not(.chart-phone) >> nth=1 >> path[aria-roledescription="point"]').count(),
      rows.filter((r) => r.weather === "rain").length,
    );

    // Screenshots at 1280 and 390 px, light and dark; no sideways scroll on a phone.
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    for (const width of [1280, 390]) {
      for (const scheme of ["light", "dark"] as const) {
        const shot = await anonymousPage(browser, width, scheme);
        await shot.page.goto(shareUrl);
        const overflow = await shot.page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
        ok(overflow <= 0, `${width} px ${scheme}: the page scrolls sideways by ${overflow} px`);
        // One drawing a size, recoloured by the stylesheet: the first visible bar takes the scheme's first colour.
        const fill = await shot.page.locator('.chart path[aria-roledescription="bar"]:visible').first()
          .evaluate((bar) => getComputedStyle(bar).fill);
        equal(fill, scheme === "light" ? "rgb(76, 120, 168)" : "rgb(127, 176, 230)", `${scheme} bars`);
        // On a phone the wide charts are drawn again at its width: their text is not shrunk to a speck.
        const text = await shot.page.evaluate(smallestChartText);
        ok(text.labels > 20, `${width} px ${scheme}: only ${text.labels} chart labels are visible`);
        ok(text.px >= 9, `${width} px ${scheme}: chart text is drawn ${text.px.toFixed(1)} px high`);
        const [shown, hidden] = width < 480 ? [".chart-phone", ".chart-wide"] : [".chart-wide", ".chart-phone"];
        ok(await shot.page.locator(shown).first().isVisible(), `${width} px: ${shown} charts show`);
        ok(!await shot.page.locator(hidden).first().isVisible(), `${width} px: ${hidden} charts are hidden`);
        await shot.page.screenshot({ path: `${SCREENSHOTS}/shared-dashboard-${width}-${scheme}.png`, fullPage: true });
        await shot.context.close();
      }
    }

    // A locked link: the URL cannot move it, and the form has no field for it.
    const locked = await t.call(`/api/dashboards/${dashboardId}/shares`, {
      cookie,
      body: { label: "Sun", locked_filters: { weather: "sun" } },
    });
    const lockedPath = new URL((locked.body as { url: string }).url).pathname;
    await page.goto(`${server.url}${lockedPath}?f.weather=rain`);
    equal(await page.locator("select[name='f.weather']").count(), 0);
    const lockedBars = page.locator('.chart:not(.chart-phone) >> nth=0 >> path[aria-roledescription="bar"]');
    equal(await lockedBars.count(), 1);
    match(await lockedBars.locator("title").textContent() ?? "", /^weather: sun;/);

    // Revoked: the page is gone at once.
    const id = (locked.body as { id: string }).id;
    equal((await t.call(`/api/shares/${id}`, { method: "DELETE", cookie })).status, 204);
    equal((await page.goto(`${server.url}${lockedPath}`))?.status(), 404);
    await context.close();
    // The member's page holds an event stream open; the server cannot shut down under it.
    await member.context().close();
    ok(problems.length === 0, problems.join("\n"));
  } finally {
    // The member's page holds an event stream open; the server cannot shut down under it.
    await memberContext?.close();
    await server.close();
    await t.close();
    await sources.close();
    await fake.close();
  }
});

browserTest("an open dashboard shows new data after a sync, without a reload", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  let pageContext: { close(): Promise<void> } | undefined;
  try {
    const { cookie } = await t.signUp();
    const created = await t.call("/api/connectors", {
      cookie,
      body: { name: "Visits", type: "csv", config: {} },
    });
    const connectorId = (created.body as { id: string }).id;
    const upload = (csv: string) =>
      t.call(`/api/connectors/${connectorId}/upload`, { cookie, body: csv, headers: { "content-type": "text/csv" } });
    equal((await upload("city,visits\nOslo,3\nLima,5\n")).status, 200, "upload");
    await syncAgain(t, cookie, connectorId);
    const datasets = await t.call(`/api/connectors/${connectorId}/datasets`, { cookie });
    const dataset = (datasets.body as { items: { name: string }[] }).items[0].name;
    const dashboard = await t.call("/api/dashboards", { cookie, body: { name: "Visits" } });
    const dashboardId = (dashboard.body as { id: string }).id;
    const widget = await t.call(`/api/dashboards/${dashboardId}/widgets`, {
      cookie,
      body: {
        type: "bar",
        title: "Visits by city",
        connector_id: connectorId,
        dataset,
        data_query: { dimensions: ["city"], measures: [{ fn: "sum", column: "visits", as: "visits" }] },
      },
    });
    equal(widget.status, 201, widget.text);

    const { page, problems } = await signedInPage(browser, server.url, cookie);
    pageContext = page.context();
    await page.goto(`${server.url}/dashboards/${dashboardId}`);
    await page.waitForSelector(".live-status[data-state=live]");
    const bars = page.locator('.chart:not(.chart-phone) path[aria-roledescription="bar"]');
    equal(await bars.count(), 2);
    await page.evaluate(() => (globalThis as unknown as { marker: number }).marker = 42);

    equal((await upload("city,visits\nOslo,3\nLima,5\nPune,8\nQuito,1\n")).status, 200);
    await syncAgain(t, cookie, connectorId);
    await page.waitForFunction(
      () => document.querySelectorAll('.chart:not(.chart-phone) path[aria-roledescription="bar"]').length === 4,
      undefined,
      { timeout: 15_000 },
    );
    equal(
      await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker),
      42,
      "the page did not reload",
    );
    ok(problems.length === 0, problems.join("\n"));
  } finally {
    // The page holds an event stream open; the server cannot shut down under it.
    await pageContext?.close();
    await server.close();
    await t.close();
  }
});
