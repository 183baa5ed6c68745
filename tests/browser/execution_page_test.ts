/**
 * A failed execution reads once: its reason at the top (step names in curly quotes), the step card
 * only "failed after N attempts"; an editor's "Send test event" shows as a test event, not a
 * webhook; durations read like "2.4 s".
 */
import { equal, match, ok } from "node:assert/strict";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { createWorkflow, waitForExecution } from "../support/workflows.ts";
import { startReceiver } from "../support/receiver.ts";
import { formatDuration } from "../../components/format.ts";

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
