/**
 * Every way the server can refuse a question, met in the browser as a user meets it: a second tab
 * while the first is answered (409), too many questions a minute (429), no model any more (503),
 * no network, and a question over the length limit. Each must read as a sentence near the box,
 * keep the typed text, and never leave the unsent question in the conversation.
 */
import { equal, match, ok } from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp, type TestApp } from "../support/test_app.ts";
import { startFakeOpenAI } from "../support/fake_openai.ts";
import { MAX_MESSAGE_CHARS } from "../../lib/llm/limits.ts";

async function openChat(page: Page, url: string) {
  await page.goto(url);
  await page.waitForSelector("html[data-hydrated=true]");
}

async function ask(page: Page, text: string) {
  await page.fill("textarea[name=content]", text);
  await page.keyboard.press("Enter");
}

/** The refusal shows as a sentence, the text is back in the box, and the question is not in the conversation. */
async function expectRefused(page: Page, text: string, sentence: RegExp) {
  const error = page.locator("[data-testid=composer-error]");
  await error.waitFor();
  const shown = await error.textContent() ?? "";
  match(shown, sentence);
  ok(!shown.includes("{"), `no JSON in "${shown}"`);
  equal(await page.inputValue("textarea[name=content]"), text, "the typed text is kept");
  const asked = await page.locator("[data-testid=message-user]").allTextContents();
  ok(!asked.some((m) => m.includes(text)), "the unsent question is not shown as sent");
}

async function storedQuestions(t: TestApp, cookie: string, id: string): Promise<string[]> {
  const chat = await t.call(`/api/chat/sessions/${id}`, { cookie });
  const messages = (chat.body as { messages: { role: string; parts: { text?: string }[] }[] }).messages;
  return messages.filter((m) => m.role === "user").map((m) => m.parts.map((p) => p.text ?? "").join(""));
}

browserTest(
  "a question asked in a second tab while the first is answered is refused in a sentence",
  async (browser) => {
    const fake = startFakeOpenAI(() => ({
      text: "A slow and careful answer. ".repeat(6),
      pieceSize: 3,
      chunkDelayMs: 40,
    }));
    const t = await startTestApp("pglite", { OPENAI_BASE_URL: fake.url, LLM_MODEL: "fake-gpt" });
    const server = serve((req, info) => t.fetch(req, info));
    try {
      const { cookie } = await t.signUp();
      const id = ((await t.call("/api/chat/sessions", { cookie, body: {} })).body as { id: string }).id;
      const first = await signedInPage(browser, server.url, cookie);
      const second = await signedInPage(browser, server.url, cookie);
      // Both tabs are open on the chat before the first question is asked.
      await openChat(first.page, `${server.url}/chat/${id}`);
      await openChat(second.page, `${server.url}/chat/${id}`);
      await ask(first.page, "What is in the data?");
      await first.page.waitForSelector("[data-testid=stop]");
      await ask(second.page, "And the second question?");
      await expectRefused(second.page, "And the second question?", /still being written in this chat/);
      equal((await storedQuestions(t, cookie, id)).length, 1, "only the first question is stored");
      ok(first.problems.length + second.problems.length === 0, [...first.problems, ...second.problems].join("\n"));
    } finally {
      await server.close();
      await t.close();
      await fake.close();
    }
  },
);

browserTest("a question over the rate limit, or with no network, is refused and kept", async (browser) => {
  const fake = startFakeOpenAI(() => ({ text: "Short answer." }));
  const t = await startTestApp("pglite", {
    OPENAI_BASE_URL: fake.url,
    LLM_MODEL: "fake-gpt",
    CHAT_REQUESTS_PER_MINUTE: "1",
  });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const { page, problems } = await signedInPage(browser, server.url, cookie);
    await openChat(page, `${server.url}/chat`);
    await ask(page, "First question");
    await page.waitForURL(/\/chat\/[0-9a-f-]{36}$/);
    await page.waitForSelector("[data-testid=message-assistant] >> text=Short answer.");
    await page.waitForSelector("[data-testid=stop]", { state: "detached" });
    const id = new URL(page.url()).pathname.split("/").pop()!;

    await ask(page, "Second question, too soon");
    await expectRefused(page, "Second question, too soon", /not sent: too many messages: at most 1 a minute/i);

    // The network goes: the question stays in the box, with a sentence that says so.
    await page.route("**/messages", (route) => route.abort("internetdisconnected"));
    await page.keyboard.press("Enter");
    await expectRefused(page, "Second question, too soon", /could not be reached/);
    await page.unroute("**/messages");

    await page.reload();
    await page.waitForSelector("html[data-hydrated=true]");
    equal(await page.locator("[data-testid=message-user]").count(), 1, "after a reload too");
    equal((await storedQuestions(t, cookie, id)).join("|"), "First question");
    equal(problems.filter((p) => !/Failed to load resource/.test(p)).length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
    await fake.close();
  }
});

browserTest(
  "a model removed while the page is open: the refusal says to add one, and the text stays",
  async (browser) => {
    const fake = startFakeOpenAI(() => ({ text: "Hello." }));
    const t = await startTestApp("pglite", { OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${fake.port}` });
    const server = serve((req, info) => t.fetch(req, info));
    try {
      const { cookie } = await t.signUp();
      const put = await t.call("/api/settings/llm", {
        method: "PUT",
        cookie,
        body: { base_url: fake.url, model: "fake-gpt", api_key: "sk-test" },
      });
      equal(put.status, 200, put.text);
      const { page } = await signedInPage(browser, server.url, cookie);
      await openChat(page, `${server.url}/chat`);
      equal((await t.call("/api/settings/llm", { method: "DELETE", cookie })).status < 300, true);
      await ask(page, "Anyone there?");
      await expectRefused(page, "Anyone there?", /no language model is configured\. Add one in Settings/);
      equal(new URL(page.url()).pathname.startsWith("/chat/"), true, "the chat was made before the refusal");
    } finally {
      await server.close();
      await t.close();
      await fake.close();
    }
  },
);

browserTest("the composer counts toward the length limit and will not send a question over it", async (browser) => {
  const fake = startFakeOpenAI(() => ({ text: "Hello." }));
  const t = await startTestApp("pglite", { OPENAI_BASE_URL: fake.url, LLM_MODEL: "fake-gpt" });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const { page } = await signedInPage(browser, server.url, cookie);
    await openChat(page, `${server.url}/chat`);
    const limit = MAX_MESSAGE_CHARS.toLocaleString("en-US");
    match(await page.textContent("[data-testid=composer-count]") ?? "", new RegExp(`^0 / ${limit}$`));
    const long = "x".repeat(MAX_MESSAGE_CHARS + 1);
    await page.fill("textarea[name=content]", long);
    match(await page.textContent("[data-testid=composer-count]") ?? "", new RegExp(`^20,001 / ${limit}$`));
    ok(await page.isDisabled("[data-testid=send]"), "Send is off");
    match(await page.textContent("[data-testid=send-reason]") ?? "", /longer than the 20,000 characters/);
    await page.keyboard.press("Enter");
    await page.waitForTimeout(300);
    equal(fake.requests.length, 0, "nothing went to the model");
    equal(new URL(page.url()).pathname, "/chat", "no chat was made");
    equal((await page.inputValue("textarea[name=content]")).length, MAX_MESSAGE_CHARS + 1);
  } finally {
    await server.close();
    await t.close();
    await fake.close();
  }
});
