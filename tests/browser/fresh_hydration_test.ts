/** The Fresh layer's islands hydrate in a real browser, with their props and a shared signal. */
import { equal } from "node:assert/strict";
import { Hono } from "hono";
import { createFresh } from "../../lib/fresh/mod.ts";
import { browserTest, serve } from "../support/browser.ts";

const root = new URL("../fixtures/fresh_app/", import.meta.url).pathname;

browserTest("islands hydrate with their props, and one signal stays shared between two islands", async (browser) => {
  const fresh = await createFresh({ root }, { state: () => ({}), nonce: () => "" });
  await fresh.ready;
  const app = new Hono().route("/", fresh.app);
  const server = serve((req) => app.fetch(req));
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url + "/");
    await page.waitForSelector("html[data-hydrated=true]");
    equal(await page.textContent(".counter.first .since"), "2026");
    equal(await page.textContent(".counter.first .tags"), "a,b");
    await page.click("text=+1 first");
    await page.click("text=+1 first");
    equal(await page.textContent(".counter.first .value"), "5");
    equal(await page.textContent(".counter.second .value"), "5", "the second island shares the signal");
    equal(errors.length, 0, errors.join("\n"));
  } finally {
    await server.close();
  }
});
