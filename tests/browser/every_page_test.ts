/**
 * Every page a newcomer meets, with real content in it (a synced dataset, a chat with a chart, an
 * artifact, a token), at 1280 px and at 390 px, light and dark: no page scrolls sideways
 * (document.documentElement.scrollWidth <= innerWidth), the top bars stay one row on a phone, and
 * no page throws. With SCREENSHOT_DIR set (`deno task screenshots` sets it to screenshots/) each
 * view is saved there as <page>-<width>-<scheme>.png.
 */
import { ok } from "node:assert/strict";
import type { Browser } from "playwright-core";
import { browserTest, serve } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { startSources, syncedWeatherConnector } from "../support/sources.ts";
import { afterToolResult, startFakeOpenAI } from "../support/fake_openai.ts";
import { weatherDashboard } from "../support/dashboards.ts";
import { createWorkflow, waitForExecution } from "../support/workflows.ts";

const SCREENSHOTS = Deno.env.get("SCREENSHOT_DIR");
const WIDTHS = [390, 1280];
const SCHEMES = ["light", "dark"] as const;

interface View {
  name: string;
  path: string;
  signedIn: boolean;
  /** The status the page must answer (200 unless said). */
  status?: number;
  /** Screenshot only this element (a panel of the page) instead of the full page. */
  element?: string;
  /** False for the walk's extra 404s, which look like the one "not-found" shot. */
  screenshot?: boolean;
}

async function visit(browser: Browser, base: string, cookie: string, views: View[]): Promise<string[]> {
  const failures: string[] = [];
  if (SCREENSHOTS) await Deno.mkdir(SCREENSHOTS, { recursive: true });
  for (const width of WIDTHS) {
    for (const scheme of SCHEMES) {
      const context = await browser.newContext({ viewport: { width, height: 844 }, colorScheme: scheme });
      const [name, value] = cookie.split("=");
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      for (const view of views) {
        if (view.signedIn) await context.addCookies([{ name, value, url: base }]);
        else await context.clearCookies();
        const response = await page.goto(base + view.path);
        await page.waitForLoadState("load");
        const status = response?.status();
        if (status !== (view.status ?? 200)) {
          failures.push(`${view.name} (${view.path}) answered ${status}, not ${view.status ?? 200}`);
        }
        if (await page.locator("fresh-island").count()) await page.waitForSelector("html[data-hydrated=true]");
        await page.evaluate(() => document.fonts.ready);
        await page.waitForTimeout(150);
        const where = `${view.name} at ${width} px, ${scheme}`;
        const size = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          inner: innerWidth,
          bars: [".topbar", ".sidebar"].map((s) => document.querySelector(s)?.getBoundingClientRect().height ?? 0),
        }));
        if (size.scroll > size.inner) {
          // Name the outermost elements that stick out, so the failure says what to fix.
          const culprits = await page.evaluate(() =>
            Array.from(document.body.querySelectorAll("*")).filter((e) => {
              const out = (x: Element) => x.getBoundingClientRect().right > innerWidth + 1;
              return out(e) && !(e.parentElement && out(e.parentElement));
            }).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`)
          );
          failures.push(`${where} scrolls sideways: ${size.scroll} > ${size.inner} (${culprits.join(", ")})`);
        }
        if (width < 800 && size.bars.some((h) => h > 90)) failures.push(`${where}: a top bar is ${size.bars} px tall`);
        const path = `${SCREENSHOTS}/${view.name}-${width}-${scheme}.png`;
        if (SCREENSHOTS && view.screenshot !== false) {
          if (view.element) await page.locator(view.element).screenshot({ path });
          else await page.screenshot({ path, fullPage: true });
        }
      }
      failures.push(...errors.map((e) => `page error at ${width} px ${scheme}: ${e}`));
      await context.close();
    }
  }
  return failures;
}

browserTest("every page fits a 390 px phone and a 1280 px screen, light and dark", async (browser) => {
  const sources = startSources();
  const fake = startFakeOpenAI();
  const t = await startTestApp("pglite", {
    OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port}`,
    OPENAI_BASE_URL: fake.url,
    LLM_MODEL: "fake-gpt",
  });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp({ name: "Ada Lovelace" });
    const connectorId = await syncedWeatherConnector(t, cookie, sources);
    fake.script((request) => {
      if (String(request.messages[0]?.content).includes("You name conversations")) return { text: "Seattle weather" };
      if (afterToolResult(request)) {
        return {
          text: "| weather | days |\n| :-- | --: |\n| rain | 641 |\n| sun | 640 |\n\nRain and sun lead.",
        };
      }
      return {
        text: "Counting the days of each weather.",
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
      };
    });
    const chat = await t.call("/api/chat/sessions", { cookie, body: {} });
    const chatId = (chat.body as { id: string }).id;
    const asked = await t.call(`/api/chat/sessions/${chatId}/messages`, { cookie, body: { content: "Chart it" } });
    ok(asked.status === 200, asked.text);
    const artifacts = await t.call(`/api/artifacts?session_id=${chatId}`, { cookie });
    const artifactId = (artifacts.body as { items: { id: string }[] }).items[0]?.id;
    ok(artifactId, "the chat made an artifact");
    await t.call("/api/tokens", { cookie, body: { name: "laptop" } });
    const { dashboardId } = await weatherDashboard(t, cookie, sources);
    const link = await t.call(`/api/dashboards/${dashboardId}/shares`, {
      cookie,
      body: { label: "Everyone", allow_downloads: true },
    });
    ok(link.status === 201, link.text);
    const sharePath = new URL((link.body as { url: string }).url).pathname;
    const flow = await createWorkflow(t, cookie, {
      name: "Nightly totals",
      steps: [
        { id: "start", type: "transform", config: { expression: "trigger.payload" } },
        { id: "total", type: "transform", config: { expression: "$sum(start.amounts)" } },
      ],
    });
    const run = await t.call(`/api/workflows/${flow.id}/run`, { cookie, body: { input: { amounts: [1, 2, 3] } } });
    ok(run.status === 202 || run.status === 201, run.text);
    const executionId = (run.body as { execution_id: string }).execution_id;
    await waitForExecution(t, cookie, executionId);
    const unknown = crypto.randomUUID();

    const views: View[] = [
      { name: "login", path: "/login", signedIn: false },
      { name: "signup", path: "/signup", signedIn: false },
      { name: "chat-new", path: "/chat", signedIn: true },
      { name: "chat", path: `/chat/${chatId}`, signedIn: true },
      { name: "artifact", path: `/artifacts/${artifactId}`, signedIn: true },
      { name: "connectors", path: "/connectors?type=http_json", signedIn: true },
      { name: "connector", path: `/connectors/${connectorId}`, signedIn: true },
      { name: "confirm", path: `/confirm/delete-connector?id=${connectorId}`, signedIn: true },
      { name: "settings", path: "/settings", signedIn: true },
      { name: "api-docs", path: "/api/docs", signedIn: true },
      { name: "not-found", path: "/chat/not-a-chat", signedIn: true, status: 404 },
      { name: "dashboards", path: "/dashboards", signedIn: true },
      { name: "dashboard-share-panel", path: `/dashboards/${dashboardId}#share`, signedIn: true, element: "#share" },
      { name: "dashboard", path: `/dashboards/${dashboardId}`, signedIn: true },
      { name: "dashboard-editor", path: `/dashboards/${dashboardId}/edit`, signedIn: true },
      { name: "confirm-dashboard", path: `/confirm/delete-dashboard?id=${dashboardId}`, signedIn: true },
      { name: "shared-dashboard", path: sharePath, signedIn: false },
      { name: "workflows", path: "/workflows", signedIn: true },
      { name: "workflow", path: `/workflows/${flow.id}`, signedIn: true },
      { name: "execution", path: `/workflows/executions/${executionId}`, signedIn: true },
      { name: "confirm-workflow", path: `/confirm/delete-workflow?id=${flow.id}`, signedIn: true },
      // Malformed and unknown ids of the new pages: the 404 page, never a 500.
      ...[
        "/dashboards/not-a-uuid",
        `/dashboards/${unknown}`,
        "/dashboards/not-a-uuid/edit",
        `/dashboards/${unknown}/edit`,
        "/workflows/not-a-uuid",
        `/workflows/${unknown}`,
        "/workflows/executions/not-a-uuid",
        `/workflows/executions/${unknown}`,
        "/confirm/delete-dashboard?id=not-a-uuid",
        `/confirm/delete-workflow?id=${unknown}`,
      ].map((path, i) => ({ name: `not-found-${i + 1}`, path, signedIn: true, status: 404, screenshot: false })),
      { name: "share-not-found", path: "/share/not-a-token", signedIn: false, status: 404 },
      { name: "share-unknown", path: `/share/${"A".repeat(43)}`, signedIn: false, status: 404, screenshot: false },
    ];
    const failures = await visit(browser, server.url, cookie, views);
    ok(failures.length === 0, failures.join("\n"));
  } finally {
    await server.close();
    await t.close();
    await sources.close();
    await fake.close();
  }
});
