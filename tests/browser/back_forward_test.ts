/**
 * Back and Forward show a signed-in page as it is now: the user asks, leaves mid-answer, comes
 * back with the Back button and finds the question and the whole answer, not the copy of the page
 * the browser saw before the question was asked.
 */
import { equal, match } from "node:assert/strict";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { startFakeOpenAI } from "../support/fake_openai.ts";

const ANSWER = "Sunny days lead, then rain. ".repeat(4).trim();

browserTest(
  "leave a chat mid-answer and come back with Back: the question and the answer are there",
  async (browser) => {
    const fake = startFakeOpenAI(() => ({ text: ANSWER, pieceSize: 4, chunkDelayMs: 60 }));
    const t = await startTestApp("pglite", { OPENAI_BASE_URL: fake.url, LLM_MODEL: "fake-gpt" });
    const server = serve((req, info) => t.fetch(req, info));
    try {
      const { cookie } = await t.signUp();
      const id =
        ((await t.call("/api/chat/sessions", { cookie, body: { title: "Weather" } })).body as { id: string }).id;
      const { page, problems } = await signedInPage(browser, server.url, cookie);
      await page.goto(`${server.url}/chat/${id}`);
      await page.waitForSelector("html[data-hydrated=true]");
      await page.fill("textarea[name=content]", "What is the weather like?");
      await page.keyboard.press("Enter");
      await page.waitForSelector("[data-testid=message-assistant]");

      await page.click("nav >> text=Connectors");
      await page.waitForURL(/\/connectors$/);
      await page.goBack();
      await page.waitForURL(new RegExp(`/chat/${id}$`));
      await page.waitForSelector("html[data-hydrated=true]");
      equal(
        (await page.locator("[data-testid=message-user]").allTextContents()).map((s) => s.trim()).join("|"),
        "What is the weather like?",
      );
      await page.waitForFunction(
        (end) => document.querySelector("[data-testid=message-assistant]")?.textContent?.includes(end),
        "then rain.",
        { timeout: 15_000 },
      );
      match(await page.locator("[data-testid=message-assistant]").last().textContent() ?? "", /Sunny days lead/);
      equal(problems.length, 0, problems.join("\n"));
    } finally {
      await server.close();
      await t.close();
      await fake.close();
    }
  },
);
