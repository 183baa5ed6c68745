/**
 * The workflow pages read like the rest of the app: their inputs are styled fields, a status has
 * one colour wherever it shows, a new signing secret is made only after the confirmation's yes and
 * is shown once with Copy, and a step's output is readable JSON in its own scrolling box, with
 * Copy, that never makes a phone's page scroll sideways.
 */
import { equal, match, notEqual, ok } from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { createWorkflow, deliver, waitForExecution } from "../support/workflows.ts";

/** The computed style of the first element `selector` matches. */
function style(page: Page, selector: string, props: string[]): Promise<Record<string, string>> {
  return page.locator(selector).first().evaluate((el, names) => {
    const s = getComputedStyle(el);
    return Object.fromEntries(names.map((n) => [n, s.getPropertyValue(n)]));
  }, props);
}

async function expectStyledField(page: Page, selector: string) {
  const field = await style(page, selector, ["border-radius", "padding-left"]);
  const reference = await style(page, "textarea, input[type=password], input[type=text]", [
    "border-radius",
    "padding-left",
  ]);
  equal(field["border-radius"], "8px", `${selector} is a styled field`);
  equal(field["padding-left"], reference["padding-left"], `${selector} is padded like the other fields`);
}

browserTest(
  "workflow pages: styled fields, one status colour, confirmed secret with Copy, readable output",
  async (browser) => {
    const t = await startTestApp("pglite");
    const server = serve((req, info) => t.fetch(req, info));
    try {
      const { cookie } = await t.signUp();
      const { page, problems } = await signedInPage(browser, server.url, cookie);
      await page.goto(`${server.url}/workflows`);
      await page.waitForSelector("html[data-hydrated=true]");
      await page.evaluate(() => document.body.insertAdjacentHTML("beforeend", '<input type="text" id="reference">'));
      await expectStyledField(page, "input[name=name]");

      const workflow = await createWorkflow(t, cookie, {
        name: "Long output",
        steps: [{
          id: "start",
          type: "transform",
          config: {
            expression: '{"id": trigger.payload.id, "blob": $join($map([1..400], function($v){ $string($v) }))}',
          },
        }],
      });
      const delivered = await deliver(t, workflow, { id: 7 });
      ok(delivered.status < 300, delivered.text);
      const executionId = (delivered.body as { execution_id: string }).execution_id;
      equal((await waitForExecution(t, cookie, executionId)).status, "succeeded");

      await page.goto(`${server.url}/workflows/${workflow.id}`);
      await page.waitForSelector("html[data-hydrated=true]");
      await expectStyledField(page, "[data-testid=step] input");
      // The Steps heading stands apart from the webhook card above it.
      const gap = await page.evaluate(() => {
        const heading = document.querySelector(".steps-heading")!;
        const card = heading.previousElementSibling!;
        return heading.getBoundingClientRect().top - card.getBoundingClientRect().bottom;
      });
      ok(gap >= 20, `the Steps heading is ${gap}px below the card`);

      // No new secret without the yes; after it, the secret once, with Copy, and it signs deliveries.
      await page.click("[data-testid=rotate-secret]");
      await page.waitForSelector("dialog[open] >> text=A new signing secret for “Long output”?");
      await page.click("dialog[open] >> text=Cancel");
      equal(await page.locator("[data-testid=new-secret]").count(), 0, "Cancel makes no secret");
      equal((await deliver(t, workflow, { id: 8 })).status < 300, true, "the old secret still works");
      await page.click("[data-testid=rotate-secret]");
      await page.click("dialog[open] [data-testid=confirm]");
      await page.waitForSelector("[data-testid=new-secret]");
      const secret = await page.inputValue("[data-testid=new-secret] [data-testid=webhook-secret]");
      match(secret, /^whsec_/);
      notEqual(secret, workflow.webhook_secret);
      equal(await page.locator("[data-testid=new-secret] button", { hasText: "Copy" }).count(), 1);
      equal((await deliver(t, { ...workflow, webhook_secret: secret }, { id: 9 })).status < 300, true);

      // The execution at a phone's width, in dark: one colour for "succeeded", output readable and contained.
      await page.setViewportSize({ width: 390, height: 800 });
      await page.emulateMedia({ colorScheme: "dark" });
      await page.goto(`${server.url}/workflows/executions/${executionId}`);
      await page.waitForSelector("html[data-hydrated=true]");
      await page.click("[data-testid=timeline] summary");
      const header = await style(page, "[data-testid=execution-status]", ["color", "background-color"]);
      const step = await style(page, "[data-testid=timeline] .badge", ["color", "background-color"]);
      equal(JSON.stringify(step), JSON.stringify(header), "a step's succeeded badge is the header's colour");
      const output = page.locator("[data-testid=timeline] pre.json");
      match(await output.textContent() ?? "", /^\{\n {2}"id": 7,\n {2}"blob": "12345/);
      equal((await style(page, "[data-testid=timeline] pre.json", ["white-space"]))["white-space"], "pre-wrap");
      equal(await page.locator("[data-testid=timeline] button", { hasText: "Copy output" }).count(), 1);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      ok(overflow <= 0, `the execution page scrolls sideways by ${overflow}px`);
      equal(problems.length, 0, problems.join("\n"));
    } finally {
      await server.close();
      await t.close();
    }
  },
);
