/**
 * An analyst builds a query step in the workflow editor's form (group by, measure, filter, sort,
 * limit from the dataset's columns), sees refusals beside the row they name, saves, reloads to the
 * same choices and runs the workflow. A query the form cannot show (a date bucket) stays JSON and
 * is saved back untouched; a renamed http step keeps its sealed header. No sideways scroll at a
 * phone's width, light or dark.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { uploadCsv } from "../support/datasets.ts";
import { createWorkflow, waitForExecution } from "../support/workflows.ts";
import { startHostileSources } from "../support/sources.ts";

const SCREENSHOTS = Deno.env.get("SCREENSHOT_DIR");
const CSV = "region,amount,day\nEast,10,2024-01-05\nWest,25,2024-01-20\nEast,5,2024-02-03\nNorth,7,2024-02-10\n";

browserTest("build a query step in its form, save, reload to the same choices, and run it", async (browser) => {
  const sources = startHostileSources();
  const t = await startTestApp("pglite", { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" });
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const { connectorId } = await uploadCsv(t, cookie, "orders", CSV);
    const secret = `key-${crypto.randomUUID()}`;
    const monthly = { dimensions: [{ column: "day", bucket: "month" }], measures: [{ fn: "count" }] };
    const wf = await createWorkflow(t, cookie, {
      steps: [
        {
          id: "call",
          type: "http",
          config: { method: "POST", url: `${sources.base}/hook`, secret_headers: { "X-Key": secret } },
        },
        { id: "monthly", type: "query", config: { connector_id: connectorId, dataset: "orders", query: monthly } },
      ],
    });
    const { page, problems } = await signedInPage(browser, server.url, cookie);
    await page.goto(`${server.url}/workflows/${wf.id}`);
    await page.waitForSelector("html[data-hydrated=true]");
    const step = (n: number) => page.locator("[data-testid=step]").nth(n);
    const saved = async () => {
      await page.click("text=Save");
      await page.waitForSelector("[data-testid=editor-message]:text('Saved.')");
    };

    // The bucketed query has no rows in the form: it stays JSON, and says why.
    const bucketed = step(1).getByLabel("Query", { exact: true });
    deepEqual(JSON.parse(await bucketed.inputValue()), monthly);
    match(await step(1).locator(".query-note").textContent() ?? "", /parts the form cannot show/);

    await page.selectOption("select:near(:text('New step of type'))", "query");
    await page.click("text=Add step");
    const q = step(2);
    await q.getByLabel("Connector").locator(`option[value="${connectorId}"]`).waitFor({ state: "attached" });
    await q.getByLabel("Connector").selectOption({ label: "orders" });
    await q.getByLabel("Dataset").locator('option[value="orders"]').waitFor({ state: "attached" });
    await q.getByLabel("Dataset").selectOption("orders");
    await q.getByRole("button", { name: "Add column" }).click();
    await q.getByLabel("Group by column 1").selectOption("region");
    await q.getByRole("button", { name: "Add measure" }).click();
    await q.getByLabel("Measure 1 function").selectOption("sum");
    // Sum offers the numeric columns only.
    const offered = await q.getByLabel("Measure 1 column").locator("option").allTextContents();
    deepEqual(offered, ["Choose a column", "amount"]);
    await q.getByRole("button", { name: "Add filter" }).click();
    await q.getByLabel("Filter 1 column").selectOption("amount");
    await q.getByLabel("Filter 1 comparison").selectOption({ label: "is at least" });
    await q.getByLabel("Filter 1 value").fill("6");
    await q.getByLabel("Limit").fill("0");

    // Refusals sit under the row they name, one at a time, and keep what was typed.
    await page.click("text=Save");
    const measureRow = q.locator("[data-testid=query-measures]").first();
    equal(await measureRow.locator(".field-error").textContent(), "Choose the column to sum.");
    equal(await q.getByLabel("Measure 1 column").getAttribute("aria-invalid"), "true");
    ok(await q.getByLabel("Measure 1 column").evaluate((el) => el === document.activeElement), "focus is on it");
    match(await page.textContent("[data-testid=editor-message]") ?? "", /Not saved: step “query1”, Measure 1: choose/);
    if (SCREENSHOTS) await q.screenshot({ path: `${SCREENSHOTS}/workflow-query-refused.png` });
    await q.getByLabel("Measure 1 column").selectOption("amount");
    await page.click("text=Save");
    equal(await q.locator(".query-limit .field-error").textContent(), "The limit is a whole number from 1 to 10000.");
    equal(await q.getByLabel("Limit").inputValue(), "0");
    await q.getByLabel("Limit").fill("2");
    // The sort offers the result's columns once there are groups and measures.
    await q.getByRole("button", { name: "Add sort" }).click();
    const sortable = await q.getByLabel("Sort 1 by").locator("option").allTextContents();
    deepEqual(sortable, ["Choose a column", "region", "sum_amount"]);
    await q.getByLabel("Sort 1 by").selectOption("sum_amount");
    await q.getByLabel("Sort 1 order").selectOption("desc");
    // The http step is renamed: its sealed header goes with it.
    await step(0).getByLabel("Step id").fill("notify");
    await saved();

    await page.reload();
    await page.waitForSelector("html[data-hydrated=true]");
    await q.getByLabel("Group by column 1").locator('option[value="region"]').waitFor({ state: "attached" });
    const values = async () =>
      Object.fromEntries(
        await Promise.all(
          [
            "Group by column 1",
            "Measure 1 function",
            "Measure 1 column",
            "Filter 1 column",
            "Filter 1 comparison",
            "Filter 1 value",
            "Sort 1 by",
            "Sort 1 order",
            "Limit",
          ].map(async (label) => [label, await q.getByLabel(label).inputValue()]),
        ),
      );
    deepEqual(await values(), {
      "Group by column 1": "region",
      "Measure 1 function": "sum",
      "Measure 1 column": "amount",
      "Filter 1 column": "amount",
      "Filter 1 comparison": "gte",
      "Filter 1 value": "6",
      "Sort 1 by": "sum_amount",
      "Sort 1 order": "desc",
      "Limit": "2",
    });
    const read = await t.call(`/api/workflows/${wf.id}`, { cookie });
    const steps = (read.body as { steps: { id: string; config: Record<string, unknown> }[] }).steps;
    deepEqual(steps.map((s) => s.id), ["notify", "monthly", "query1"]);
    deepEqual(steps[1].config.query, monthly, "the JSON query is saved back untouched");
    deepEqual(steps[2].config.query, {
      dimensions: ["region"],
      measures: [{ fn: "sum", column: "amount" }],
      filters: [{ column: "amount", op: "gte", value: 6 }],
      order_by: [{ column: "sum_amount", dir: "desc" }],
      limit: 2,
    });

    // At a desk and on a phone, light and dark: nothing scrolls sideways.
    for (const theme of ["light", "dark"]) {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.evaluate((t) => document.documentElement.setAttribute("data-theme", t), theme);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - globalThis.innerWidth);
        ok(overflow <= 0, `the editor scrolls sideways by ${overflow}px at ${width}px in ${theme}`);
        if (SCREENSHOTS) {
          await page.evaluate(() => globalThis.scrollTo(0, 0));
          await page.screenshot({ path: `${SCREENSHOTS}/workflow-query-${width}-${theme}.png`, fullPage: true });
          await q.screenshot({ path: `${SCREENSHOTS}/workflow-query-step-${width}-${theme}.png` });
        }
      }
    }

    await page.click("text=Run now");
    await page.waitForURL(/\/workflows\/executions\/[0-9a-f-]{36}$/);
    const executionId = page.url().split("/").pop()!;
    const done = await waitForExecution(t, cookie, executionId);
    equal(done.status, "succeeded", JSON.stringify(done));
    const output = done.steps.find((s) => s.id === "query1")!.output as { rows: Record<string, unknown>[] };
    equal(output.rows.map((r) => `${r.region}:${r.sum_amount}`).join(), "West:25,East:10");
    const hook = sources.seen.findLast((r) => r.path === "/hook");
    equal(hook?.headers["x-key"], secret, "the renamed step sent its sealed header");
    await page.waitForSelector("[data-testid=execution-status]:text('succeeded')");
    equal(problems.length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
    await sources.close();
  }
});
