/**
 * A question whose answer fails (the model endpoint answers 500): the question was stored, so it
 * shows as sent, in place, at once; the failure is one sentence with Retry right under that turn;
 * the page reads the same after a reload, with no empty answer bubble; and Retry answers it.
 */
import { equal, match, ok } from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { lastUserText, startFakeOpenAI } from "../support/fake_openai.ts";

/** What the conversation shows, in order: each turn's role and text, the failure as "error". */
function conversation(page: Page): Promise<string[]> {
  return page.locator(".chat-log > *").evaluateAll((nodes) =>
    nodes.filter((n) => n.tagName !== "P" || !n.classList.contains("chat-hint")).map((n) => {
      const id = n.getAttribute("data-testid") ?? n.tagName.toLowerCase();
      return `${id}: ${(n.textContent ?? "").trim()}`;
    }).filter((line) => !line.startsWith("div: "))
  );
}

async function expectFailedTurn(page: Page, question: string) {
  await page.locator("[data-testid=chat-error]").waitFor();
  const shown = await conversation(page);
  equal(shown.at(-2), `message-user: ${question}`, shown.join("\n"));
  match(shown.at(-1)!, /^chat-error: No answer: the model endpoint failed \(HTTP 500\)[^{]*\.Retry$/, shown.join("\n"));
  ok(!shown.some((line) => line === "message-assistant: "), `no empty answer bubble:\n${shown.join("\n")}`);
  equal(await page.locator("[data-testid=chat-error] button", { hasText: "Retry" }).count(), 1);
  // Scrolled to, and not hidden under the composer that sticks to the window's bottom.
  await page.waitForTimeout(200);
  const error = (await page.locator("[data-testid=chat-error]").boundingBox())!;
  const composer = (await page.locator("form.composer").boundingBox())!;
  ok(
    error.y + error.height <= composer.y + 1,
    `the failure (bottom ${error.y + error.height}) is above the composer (${composer.y})`,
  );
  ok(error.y >= 0, "the failure is in view");
}

browserTest(
  "a failed answer keeps the question in place, with one sentence and Retry, before and after reload",
  async (browser) => {
    let down = true;
    const fake = startFakeOpenAI((request) =>
      down && /fail/i.test(lastUserText(request))
        ? { status: 500, errorMessage: "The fake model is down on purpose" }
        : { text: "Back up and answering." }
    );
    const t = await startTestApp("pglite", { OPENAI_BASE_URL: fake.url, LLM_MODEL: "fake-gpt" });
    const server = serve((req, info) => t.fetch(req, info));
    try {
      const { cookie } = await t.signUp();
      const { page, problems } = await signedInPage(browser, server.url, cookie);
      await page.setViewportSize({ width: 1280, height: 520 }); // short, so the conversation scrolls
      await page.goto(`${server.url}/chat`);
      await page.waitForSelector("html[data-hydrated=true]");
      await page.fill("textarea[name=content]", "Hello");
      await page.keyboard.press("Enter");
      await page.waitForSelector("[data-testid=message-assistant] >> text=Back up and answering.");
      await page.waitForSelector("[data-testid=stop]", { state: "detached" });

      await page.fill("textarea[name=content]", "Please fail now");
      await page.keyboard.press("Enter");
      // Sent at once: the question is in the conversation while the answer is awaited.
      await page.waitForSelector("[data-testid=message-user] >> text=Please fail now");
      await expectFailedTurn(page, "Please fail now");

      await page.reload();
      await page.waitForSelector("html[data-hydrated=true]");
      await expectFailedTurn(page, "Please fail now");

      down = false;
      await page.click("[data-testid=chat-error] button");
      await page.waitForSelector("[data-testid=message-assistant] >> nth=1 >> text=Back up and answering.");
      await page.waitForSelector("[data-testid=stop]", { state: "detached" });
      equal(await page.locator("[data-testid=chat-error]").count(), 0);
      equal(await page.locator("[data-testid=message-user]").count(), 2, "Retry does not ask the question twice");
      equal(problems.length, 0, problems.join("\n"));
    } finally {
      await server.close();
      await t.close();
      await fake.close();
    }
  },
);
