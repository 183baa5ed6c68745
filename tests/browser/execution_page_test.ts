/**
 * A failed execution reads once: its reason at the top (step names in curly quotes), the step card
 * only "failed after N attempts"; an editor's "Send test event" shows as a test event, not a
 * webhook; durations read like "2.4 s", on one line at any phone width, and the page never scrolls
 * sideways on a phone, even for a step with the longest id.
 */
import { equal, match, ok } from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { createWorkflow, deliver, waitForExecution } from "../support/workflows.ts";
import { startReceiver } from "../support/receiver.ts";
import { formatDuration } from "../../components/format.ts";

const SCREENSHOTS = Deno.env.get("SCREENSHOT_DIR");

Deno.test("formatDuration() reads like a person would say it", () => {
  equal(formatDuration(0), "0 ms");
  equal(formatDuration(640), "640 ms");
  equal(formatDuration(2389), "2.4 s");
  equal(formatDuration(2000), "2 s");
  equal(formatDuration(59_940), "59.9 s");
  equal(formatDuration(59_960), "1 min 0 s");
  equal(formatDuration(61_000), "1 min 1 s");
  equal(formatDuration(3_600_000), "60 min 0 s");
});

browserTest("a failed test-event execution: reason once, a test event, a human duration", async (browser) => {
  const receiver = startReceiver(() => ({ status: 500, body: { error: "down" } }));
  const t = await startTestApp("pglite", { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const workflow = await createWorkflow(t, cookie, {
      name: "Failing",
      steps: [{ id: "call", type: "http", config: { method: "POST", url: receiver.url } }],
      config: { retries: { attempts: 2, backoff_ms: 50 } },
    });
    const sent = await t.call(`/api/workflows/${workflow.id}/test-event`, { cookie, body: {} });
    equal(sent.status, 202, sent.text);
    const executionId = (sent.body as { execution_id: string }).execution_id;
    equal((await waitForExecution(t, cookie, executionId)).status, "failed");

    const { page, problems } = await signedInPage(browser, server.url, cookie);
    await page.goto(`${server.url}/workflows/executions/${executionId}`);
    await page.waitForSelector("html[data-hydrated=true]");
    const summary = await page.locator("[data-testid=execution-summary]").textContent() ?? "";
    match(summary, /failed test event · /);
    ok(!/webhook/.test(summary), summary);
    match(summary, / · (\d+ ms|\d+(\.\d)? s)$/);
    const text = await page.locator("main").textContent() ?? "";
    equal(text.split("answered HTTP 500").length - 1, 1, "the failure's reason shows once");
    match(await page.locator("[role=alert]").first().textContent() ?? "", /^Step “call” failed after 2 attempts: /);
    match(await page.locator("[data-testid=timeline] li").textContent() ?? "", /Failed after 2 attempts\./);
    equal(problems.length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
    await receiver.close();
  }
});

/** How many lines `text` takes inside the first element `selector` matches (0 when it is not there). */
function linesOf(page: Page, selector: string, text: string): Promise<number> {
  return page.locator(selector).first().evaluate((root, wanted) => {
    const nodes: Text[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) nodes.push(walker.currentNode as Text);
    const whole = nodes.map((n) => n.data).join("");
    const start = whole.lastIndexOf(wanted);
    if (start < 0) return 0;
    // The range over the text, whichever text nodes it spans.
    const at = (offset: number): [Text, number] => {
      for (const n of nodes) {
        if (offset <= n.data.length) return [n, offset];
        offset -= n.data.length;
      }
      throw new Error("offset past the text");
    };
    const range = document.createRange();
    range.setStart(...at(start));
    range.setEnd(...at(start + wanted.length));
    const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top));
    return new Set(tops).size;
  }, text);
}

const LONG_ID = "fetch_the_paid_orders_from_the_warehouse_api_and_keep_the_totals";

browserTest("the execution page on a phone: durations on one line, nothing scrolls sideways", async (browser) => {
  const receiver = startReceiver(() => ({ status: 200, body: { ok: true }, delayMs: 1100 }));
  const t = await startTestApp("pglite", { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    equal(LONG_ID.length, 64, "the longest step id there can be");
    const workflow = await createWorkflow(t, cookie, {
      name: "Slow",
      steps: [
        { id: LONG_ID, type: "http", config: { method: "POST", url: `${receiver.url}/a/rather/long/path/to/post` } },
        { id: "total", type: "transform", config: { expression: "trigger.payload" } },
      ],
    });
    const delivered = await deliver(t, workflow, { id: 1 });
    ok(delivered.status < 300, delivered.text);
    const executionId = (delivered.body as { execution_id: string }).execution_id;
    const done = await waitForExecution(t, cookie, executionId);
    equal(done.status, "succeeded");
    const ms = (await t.call(`/api/executions/${executionId}`, { cookie }).then((r) => r.body) as {
      duration_ms: number;
    }).duration_ms;
    ok(ms >= 1000, `the run took ${ms} ms`);
    const duration = formatDuration(ms);

    const { page, problems } = await signedInPage(browser, server.url, cookie);
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${server.url}/workflows/executions/${executionId}`);
    await page.waitForSelector("html[data-hydrated=true]");
    match(await page.locator("[data-testid=execution-summary]").textContent() ?? "", new RegExp(` · ${duration}$`));
    // Wherever the summary line breaks on a phone, the duration stays whole ("2.4 s", never "2.4" / "s").
    for (let width = 300; width <= 440; width += 2) {
      await page.setViewportSize({ width, height: 800 });
      equal(await linesOf(page, "[data-testid=execution-summary]", duration), 1, `"${duration}" at ${width} px`);
    }
    for (const width of [320, 390]) {
      await page.setViewportSize({ width, height: 800 });
      await page.click("[data-testid=timeline] li:first-child summary");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      ok(overflow <= 0, `the execution page scrolls sideways by ${overflow} px at ${width} px`);
      await page.click("[data-testid=timeline] li:first-child summary");
    }
    if (SCREENSHOTS) {
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const width of [1280, 390]) {
          await page.setViewportSize({ width, height: 800 });
          await page.screenshot({ path: `${SCREENSHOTS}/execution-${width}-${scheme}.png`, fullPage: true });
        }
      }
    }
    equal(problems.length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
    await receiver.close();
  }
});

browserTest(
  "a failed execution is retried from its failed step, and links to the artifact it saves",
  async (browser) => {
    const receiver = startReceiver(() => ({ status: 500, body: { error: "down" } }));
    const t = await startTestApp("pglite", { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" });
    const server = serve((req, info) => t.fetch(req, info));
    let opened: Page | undefined;
    try {
      const { cookie } = await t.signUp();
      const workflow = await createWorkflow(t, cookie, {
        name: "Flaky",
        steps: [
          { id: "prepare", type: "transform", config: { expression: "{'n': 1}" } },
          { id: "call", type: "http", config: { method: "POST", url: receiver.url } },
          { id: "save", type: "artifact", config: { type: "document", name: "Digest", content: "'Called.'" } },
        ],
        config: { retries: { attempts: 1, backoff_ms: 50 } },
      });
      const run = await t.call(`/api/workflows/${workflow.id}/run`, { cookie, body: { input: {} } });
      equal(run.status, 202, run.text);
      const failedId = (run.body as { execution_id: string }).execution_id;
      equal((await waitForExecution(t, cookie, failedId)).status, "failed");

      const { page, problems } = await signedInPage(browser, server.url, cookie);
      opened = page;
      await page.goto(`${server.url}/workflows/executions/${failedId}`);
      await page.waitForSelector("html[data-hydrated=true]");
      const steps = page.locator("[data-testid=timeline] li");
      equal(await steps.nth(0).getByRole("button", { name: "Retry from this step" }).count(), 0, "only the failed one");
      receiver.script(() => ({ status: 200, body: { ok: true } }));
      await steps.nth(1).getByRole("button", { name: "Retry from this step" }).click();
      await page.waitForURL((url) =>
        url.pathname.startsWith("/workflows/executions/") && !url.pathname.endsWith(failedId)
      );
      await page.locator("[data-testid=execution-status][data-status=succeeded]").waitFor();
      match(await steps.nth(0).textContent() ?? "", /reused from the earlier run/);
      equal(receiver.requests.length, 2, "the failed call, then the retried one");
      // The artifact step's output links to what it saved.
      const open = steps.nth(2).getByRole("link", { name: "Open “Digest”" });
      match(await open.getAttribute("href") ?? "", /^\/artifacts\/[0-9a-f-]{36}$/);
      // A finished run can also be run again from the start.
      ok(await page.getByRole("button", { name: "Run again" }).isEnabled());
      equal(problems.length, 0, problems.join("\n"));
    } finally {
      await opened?.context().close();
      await server.close();
      await t.close();
      await receiver.close();
    }
  },
);
