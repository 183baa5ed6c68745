/**
 * A chart made in the chat is an <img> of the server's SVG, which the page's stylesheet cannot
 * recolour: the SVG carries its own dark mode, so in a dark page its bars are the dark palette's
 * colour and in a light page (or with the theme toggled to light) the light one. The SVG and PNG
 * downloads stay light whatever the page's scheme.
 */
import { equal, ok } from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { browserTest, serve } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { startSources, syncedWeatherConnector } from "../support/sources.ts";
import { afterToolResult, startFakeOpenAI } from "../support/fake_openai.ts";
import { ask, newChat } from "../support/chat_client.ts";

const LIGHT_BAR = [0x4c, 0x78, 0xa8];
const DARK_BAR = [0x7f, 0xb0, 0xe6];

/** How many pixels of the chart image, as shown on the page, are each bar colour. */
async function barPixels(page: Page): Promise<{ light: number; dark: number }> {
  const img = page.locator("[data-testid=artifact-chart]");
  await page.waitForFunction(() => {
    const el = document.querySelector("[data-testid=artifact-chart]") as HTMLImageElement | null;
    return el?.complete && el.naturalWidth > 0;
  });
  await img.scrollIntoViewIfNeeded();
  const png = (await img.screenshot()).toString("base64");
  return await page.evaluate(async ({ png, light, dark }) => {
    const image = new Image();
    image.src = `data:image/png;base64,${png}`;
    await image.decode();
    const canvas = document.createElement("canvas");
    [canvas.width, canvas.height] = [image.width, image.height];
    const ctx = canvas.getContext("2d")!;
    ctx.drawImage(image, 0, 0);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const near = (i: number, c: number[]) => c.every((v, k) => Math.abs(data[i + k] - v) <= 3);
    const count = { light: 0, dark: 0 };
    for (let i = 0; i < data.length; i += 4) {
      if (near(i, light)) count.light++;
      if (near(i, dark)) count.dark++;
    }
    return count;
  }, { png, light: LIGHT_BAR, dark: DARK_BAR });
}

async function chatPage(browser: Browser, url: string, cookie: string, scheme: "light" | "dark", toggle?: string) {
  const context = await browser.newContext({ colorScheme: scheme });
  const [name, value] = cookie.split("=");
  await context.addCookies([{ name, value, url }]);
  if (toggle) await context.addInitScript((t) => localStorage.setItem("theme", t), toggle);
  const page = await context.newPage();
  return { page, context };
}

browserTest("a chat chart turns dark with the page, and its downloads stay light", async (browser) => {
  const sources = startSources();
  const fake = startFakeOpenAI();
  const t = await startTestApp("pglite", {
    OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port}`,
    OPENAI_BASE_URL: fake.url,
    LLM_MODEL: "fake-gpt",
  });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const connectorId = await syncedWeatherConnector(t, cookie, sources);
    fake.script((request) =>
      afterToolResult(request) ? { text: "Done." } : {
        text: "Charting.",
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
    const id = await newChat(t, cookie);
    await ask(t, cookie, id, "Chart the weather");

    for (
      const [scheme, toggle, expected] of [["dark", undefined, "dark"], ["light", undefined, "light"], [
        "dark",
        "light",
        "light",
      ], ["light", "dark", "dark"]] as const
    ) {
      const { page, context } = await chatPage(browser, server.url, cookie, scheme, toggle);
      await page.goto(`${server.url}/chat/${id}`);
      const pixels = await barPixels(page);
      const other = expected === "dark" ? "light" : "dark";
      ok(
        pixels[expected] > 500,
        `${scheme} system, ${toggle ?? "no"} toggle: bars in the ${expected} colour ${JSON.stringify(pixels)}`,
      );
      equal(pixels[other], 0, `${scheme} system, ${toggle ?? "no"} toggle: no ${other} bars`);
      await context.close();
    }

    // The PNG made in a dark page is the light drawing too.
    const { page, context } = await chatPage(browser, server.url, cookie, "dark");
    await page.goto(`${server.url}/chat/${id}`);
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.click("[data-testid=artifact] >> text=Open");
    await page.waitForURL(/\/artifacts\//);
    await page.waitForSelector("html[data-hydrated=true]");
    const [saved] = await Promise.all([page.waitForEvent("download"), page.click("button:has-text('PNG')")]);
    const png = (await Deno.readFile((await saved.path())!)).toBase64();
    const pngPixels = await page.evaluate(async ({ png, light, dark }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${png}`;
      await image.decode();
      const canvas = document.createElement("canvas");
      [canvas.width, canvas.height] = [image.width, image.height];
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(image, 0, 0);
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const near = (i: number, c: number[]) => c.every((v, k) => Math.abs(data[i + k] - v) <= 3);
      const count = { light: 0, dark: 0 };
      for (let i = 0; i < data.length; i += 4) {
        if (near(i, light)) count.light++;
        if (near(i, dark)) count.dark++;
      }
      return count;
    }, { png, light: LIGHT_BAR, dark: DARK_BAR });
    ok(pngPixels.light > 500 && pngPixels.dark === 0, `the PNG is light: ${JSON.stringify(pngPixels)}`);
    equal(problems.length, 0, problems.join("\n"));

    // "Pin to dashboard" from the chat lands on the dashboard with no "#pin" left in the address.
    await page.goto(`${server.url}/chat/${id}`);
    await page.click("[data-testid=artifact] >> text=Pin to dashboard");
    await page.waitForURL(/#pin$/);
    // The pin form's heading and description span the form, not one grid cell each.
    const [form, heading] = await Promise.all(
      ["#pin", "#pin > h2"].map((s) => page.locator(s).evaluate((el) => el.clientWidth)),
    );
    ok(heading > form * 0.8, `the heading spans the form (${heading} of ${form}px)`);
    await page.fill("input[name=dashboard_name]", "Weather board");
    await page.click("#pin button[type=submit]");
    await page.waitForURL(/\/dashboards\/[0-9a-f-]{36}/);
    equal(new URL(page.url()).hash, "", `no stray fragment in ${page.url()}`);
    await context.close();

    // The downloads are the light drawing: no dark-mode style inside.
    const artifact = (await t.call(`/api/artifacts?session_id=${id}`, { cookie }).then((r) => r.body)) as {
      items: { id: string }[];
    };
    const svgUrl = `/api/artifacts/${artifact.items[0].id}`;
    const shown = await t.call(`${svgUrl}/chart.svg`, { cookie });
    ok(shown.text.includes("prefers-color-scheme: dark"), "the shown SVG carries its dark mode");
    const download = await t.call(`${svgUrl}/download?format=svg`, { cookie });
    ok(!download.text.includes("prefers-color-scheme"), "the SVG download stays light");
    ok(download.text.includes('fill="#4c78a8"'));
  } finally {
    await server.close();
    await t.close();
    await fake.close();
    await sources.close();
  }
});
