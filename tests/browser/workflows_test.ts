/**
 * An analyst makes a workflow in the browser, copies its secret (shown once), builds two steps in
 * the editor (a bad config first, whose message names the step and field and keeps what they
 * typed), sends a signed test event and watches the execution finish on its timeline; the pages
 * fit a phone's width, in light and dark.
 */
import { equal, match, ok } from "node:assert/strict";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";

const SCREENSHOTS = Deno.env.get("SCREENSHOT_DIR");

browserTest("build a two-step workflow, send a test event and watch the execution finish", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const { page, problems } = await signedInPage(browser, server.url, cookie);
    await page.goto(`${server.url}/workflows`);
    match(await page.textContent("main") ?? "", /No workflows yet/);
    await page.fill("input[name=name]", "Order totals");
    await page.click("text=New workflow");
    const secret = await page.inputValue("[data-testid=webhook-secret]");
    match(secret, /^whsec_/);
    await page.click("text=Open the workflow");
    await page.waitForURL(/\/workflows\/[0-9a-f-]{36}$/);
    ok(!(await page.content()).includes(secret), "the secret is shown only once");
    await page.waitForSelector("html[data-hydrated=true]");

    // Step 1 stays; step 2 is added with a broken expression first.
    await page.fill(
      "[aria-label='Config of step start']",
      JSON.stringify({ expression: "$sum(trigger.payload.lines.price)" }),
    );
    await page.click("text=Add step");
    await page.fill("[aria-label='Config of step step2']", JSON.stringify({ expression: "'Total: ' & $string(" }));
    await page.click("text=Save");
    const refused = await page.textContent("[data-testid=editor-message]") ?? "";
    match(refused, /Not saved: .*Step "step2" \(transform\): expression: not a valid JSONata expression/);
    equal(await page.locator("[data-testid=step]").count(), 2, "what was typed is kept");
    await page.fill(
      "[aria-label='Config of step step2']",
      JSON.stringify({ expression: "'Total: ' & $string(steps.start.output)" }),
    );
    await page.click("text=Save");
    // The refusal is still on screen until the save answers: wait for its replacement.
    await page.waitForSelector("[data-testid=editor-message]:text('Saved.')");

    await page.click("text=Send test event");
    await page.waitForURL(/\/workflows\/executions\/[0-9a-f-]{36}$/);
    await page.waitForSelector("[data-testid=execution-status]:text('succeeded')", { timeout: 20_000 });
    const timeline = await page.textContent("[data-testid=timeline]") ?? "";
    match(timeline, /start\s*succeeded/);
    match(timeline, /step2\s*succeeded/);
    match(await page.textContent("main") ?? "", /webhook/);

    // A phone's width: no sideways scroll, in light and in dark.
    for (const theme of ["light", "dark"]) {
      await page.setViewportSize({ width: 390, height: 800 });
      for (const path of ["/workflows", page.url()]) {
        await page.goto(path.startsWith("http") ? path : `${server.url}${path}`);
        await page.evaluate((t) => document.documentElement.setAttribute("data-theme", t), theme);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - globalThis.innerWidth);
        ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px in ${theme}`);
        if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/workflows-${theme}-${path.length}.png` });
      }
    }
    equal(problems.length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
  }
});
