/**
 * An analyst makes a workflow in the browser, copies its secret (shown once), builds two steps in
 * the editor's fields (a bad expression first, whose message sits beside its field as a sentence
 * and keeps what they typed), reorders, removes and undoes, edits one step as JSON, sends a signed
 * test event and watches the execution finish; the editor shows each step's last input and output,
 * and a secret header stays masked after saving. The pages fit a phone's width, in light and dark.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { uploadCsv } from "../support/datasets.ts";
import { createWorkflow } from "../support/workflows.ts";

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

    // Step 1's expression is typed in its field; step 2 is added, renamed, with a broken expression first.
    const step = (n: number) => page.locator("[data-testid=step]").nth(n);
    await step(0).getByLabel("Expression").fill("$sum(trigger.payload.lines.price)");
    await page.click("text=Add step");
    await step(1).getByLabel("Step id").fill("total");
    const broken = "'Total: ' & $string(";
    await step(1).getByLabel("Expression").fill(broken);
    await page.click("text=Save");
    // The message sits beside the field it names, as a sentence, and the field keeps what was typed.
    const beside = await step(1).locator(".step-field:has(textarea) .field-error").textContent() ?? "";
    match(beside, /^Not a valid JSONata expression: .*\.$/);
    equal(await step(1).getByLabel("Expression").inputValue(), broken);
    equal(await step(1).getByLabel("Expression").getAttribute("aria-invalid"), "true");
    const refused = await page.textContent("[data-testid=editor-message]") ?? "";
    match(refused, /Not saved: step “total”, Expression: not a valid JSONata expression/);
    ok(!/steps\.\d|config\./.test(await page.textContent("main") ?? ""), "no JSON path is shown");
    equal(await page.locator("[data-testid=step]").count(), 2, "what was typed is kept");
    await step(1).getByLabel("Expression").fill("'Total: ' & $string(steps.start.output)");

    // A third step, moved up between the two, and an id that breaks the rule is caught before sending.
    await page.click("text=Add step");
    await step(2).getByLabel("Step id").fill("2nd");
    match(await step(2).locator(".step-id .field-error").textContent() ?? "", /starts with a letter/);
    await step(2).getByLabel("Step id").fill("middle");
    await page.click("[aria-label='Move step middle up']");
    const order = () =>
      page.locator("[data-testid=step] [id$=-id]").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    equal((await order()).join(), "start,middle,total");
    await page.click("text=Save");
    await page.waitForSelector("[data-testid=editor-message]:text('Saved.')");
    await page.reload();
    await page.waitForSelector("html[data-hydrated=true]");
    equal((await order()).join(), "start,middle,total", "the new order is saved");
    // Removed, undone, removed again: two steps go to the run.
    await page.click("[aria-label='Remove step middle']");
    equal((await order()).join(), "start,total");
    await page.click('.step-removed button:has-text("Undo")'); // not the delete dialog's "cannot be undone"
    equal((await order()).join(), "start,middle,total");
    await page.click("[aria-label='Remove step middle']");
    // The JSON box shows the same config and edits flow back into the fields.
    await step(1).getByRole("button", { name: "Edit as JSON" }).click();
    const json = JSON.parse(await step(1).getByLabel("Config (JSON)").inputValue());
    equal(json.expression, "'Total: ' & $string(steps.start.output)");
    await step(1).getByLabel("Config (JSON)").fill(
      JSON.stringify({ expression: "'Total: ' & $string(steps.start.output) & ' EUR'" }),
    );
    await step(1).getByRole("button", { name: "Edit as JSON" }).click();
    equal(await step(1).getByLabel("Expression").inputValue(), "'Total: ' & $string(steps.start.output) & ' EUR'");
    await page.click("text=Save");
    await page.waitForSelector("[data-testid=editor-message]:text('Saved.')");

    await page.click("text=Send test event");
    await page.waitForURL(/\/workflows\/executions\/[0-9a-f-]{36}$/);
    await page.waitForSelector("[data-testid=execution-status]:text('succeeded')", { timeout: 20_000 });
    const timeline = await page.textContent("[data-testid=timeline]") ?? "";
    match(timeline, /start\s*succeeded/);
    match(timeline, /total\s*succeeded/);
    match(await page.textContent("main") ?? "", /test event/); // a signed test delivery, named as such

    // Back in the editor each step shows its last input and output, folded until opened.
    await page.goBack();
    await page.reload();
    await page.waitForSelector("html[data-hydrated=true]");
    await step(1).locator("[data-testid=last-run] summary").click();
    match(
      await step(1).locator("[data-testid=last-run]").textContent() ?? "",
      /Last run: succeeded.*Output.*Total: null EUR/s,
    );

    // A secret header: typed once, masked after saving and after a reload, kept when saved again.
    await page.selectOption("select:near(:text('New step of type'))", "http");
    await page.click("text=Add step");
    await step(2).getByLabel("URL").fill("https://example.com/orders");
    await step(2).getByRole("button", { name: "Add header" }).click();
    await step(2).getByLabel("Header 1 name").fill("Authorization");
    await step(2).getByLabel("Header 1 value").fill("Bearer sk-browser-secret");
    await step(2).getByLabel("Secret").check();
    await page.click("text=Save");
    await page.waitForSelector("[data-testid=editor-message]:text('Saved.')");
    equal(await step(2).getByLabel("Header 1 value").inputValue(), "", "the saved secret is not in the field");
    await page.reload();
    await page.waitForSelector("html[data-hydrated=true]");
    ok(!(await page.content()).includes("sk-browser-secret"), "the secret never comes back to the page");
    equal(await step(2).getByLabel("Header 1 value").getAttribute("type"), "password");
    equal(await step(2).getByLabel("Header 1 value").getAttribute("placeholder"), "Saved (hidden)");
    ok(await step(2).getByLabel("Secret").isChecked());
    await page.click("text=Save");
    await page.waitForSelector("[data-testid=editor-message]:text('Saved.')");
    const saved = await page.evaluate(
      async (url) => await (await fetch(url)).json(),
      page.url().replace("/workflows/", "/api/workflows/"),
    );
    equal(saved.steps[2].config.secret_headers.Authorization, "********", "the stored value is kept, masked");

    // A phone's width: no sideways scroll, in light and in dark; the editor with a message beside a
    // field and a last run opened.
    const editor = page.url();
    for (const theme of ["light", "dark"]) {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 800 });
        for (const path of ["/workflows", editor]) {
          await page.goto(path.startsWith("http") ? path : `${server.url}${path}`);
          await page.evaluate((t) => document.documentElement.setAttribute("data-theme", t), theme);
          if (path === editor) {
            await page.waitForSelector("html[data-hydrated=true]");
            await step(2).getByLabel("URL").fill("example.com/orders");
            await page.click("text=Save");
            match(await step(2).locator(".field-error").textContent() ?? "", /^Not a URL\.$/);
            await page.evaluate(() =>
              document.querySelectorAll<HTMLDetailsElement>("details.last-run").forEach((d) => (d.open = true))
            );
          }
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - globalThis.innerWidth);
          ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at ${width}px in ${theme}`);
          const name = path === editor ? "editor" : "list";
          if (SCREENSHOTS) {
            await page.screenshot({ path: `${SCREENSHOTS}/workflows-${name}-${width}-${theme}.png`, fullPage: true });
            if (path === editor) {
              await step(2).screenshot({ path: `${SCREENSHOTS}/workflows-http-${width}-${theme}.png` });
            }
          }
        }
      }
    }
    equal(problems.length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
  }
});

browserTest("every step type has its fields: pickers for connector, dataset and later steps", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const { connectorId } = await uploadCsv(t, cookie, "orders", "id,amount\n1,10\n2,25\n");
    const wf = await createWorkflow(t, cookie, {
      steps: [{ id: "start", type: "transform", config: { expression: "trigger.payload" } }],
    });
    const { page, problems } = await signedInPage(browser, server.url, cookie);
    await page.goto(`${server.url}/workflows/${wf.id}`);
    await page.waitForSelector("html[data-hydrated=true]");
    const step = (n: number) => page.locator("[data-testid=step]").nth(n);
    const addStep = async (type: string) => {
      await page.selectOption("select:near(:text('New step of type'))", type);
      await page.click("text=Add step");
    };
    for (const type of ["condition", "query", "llm", "sync", "artifact"]) await addStep(type);
    // Each type shows its own fields, not a JSON box.
    equal(await page.locator("[data-testid=step] textarea[id$=-json]").count(), 0);
    await step(1).getByLabel("If").fill("$count(trigger.payload.lines) > 0");
    // Pickers fill in once their lists have loaded.
    const option = (n: number, label: string, value: string) =>
      step(n).getByLabel(label).locator(`option[value="${value}"]`).waitFor({ state: "attached" });
    await option(2, "Connector", connectorId);
    await step(2).getByLabel("Connector").selectOption({ label: "orders" });
    await option(2, "Dataset", "orders");
    await step(2).getByLabel("Dataset").selectOption("orders");
    await step(2).getByRole("button", { name: "Add measure" }).click();
    await step(2).getByLabel("Measure 1 function").selectOption("sum");
    await step(2).getByLabel("Measure 1 column").selectOption("amount");
    await step(3).getByLabel("Prompt template").fill("Say hello to {{ trigger.payload.name }}");
    await step(4).getByLabel("Connector").selectOption({ label: "orders" });
    await step(5).getByLabel("Artifact type").selectOption("table");
    await step(5).getByLabel("Name").fill("Order sums");
    await step(5).getByLabel("Content").fill("steps.query1.output.rows");
    // The condition goes to a later step; renaming that step carries into the condition.
    await step(1).getByLabel("Then go to").selectOption("query1");
    await step(1).getByLabel("Else go to").selectOption("end");
    await step(2).getByLabel("Step id").fill("sums");
    await step(2).getByLabel("Step id").blur();
    equal(await step(1).getByLabel("Then go to").inputValue(), "sums");
    await step(5).getByLabel("Content").fill("steps.sums.output.rows");
    await page.click("text=Save");
    await page.waitForSelector("[data-testid=editor-message]:text('Saved.')");
    const saved = await t.call(`/api/workflows/${wf.id}`, { cookie });
    const steps = (saved.body as { steps: { id: string; type: string; config: Record<string, unknown> }[] }).steps;
    equal(
      steps.map((s) => `${s.id}:${s.type}`).join(),
      "start:transform,condition1:condition,sums:query,llm1:llm,sync1:sync,artifact1:artifact",
    );
    deepEqual(steps[1].config, { if: "$count(trigger.payload.lines) > 0", then: "sums", else: "end" });
    equal(steps[2].config.connector_id, connectorId);
    equal(steps[2].config.dataset, "orders");
    deepEqual(steps[2].config.query, { measures: [{ fn: "sum", column: "amount" }], limit: 100 });
    equal(steps[4].config.connector_id, connectorId);

    // Moving the condition's target above it is refused beside "Then go to", in words.
    await page.click("[aria-label='Move step sums up']");
    await page.click("text=Save");
    const beside = await page.locator("[data-testid=step]:has-text('If') .field-error").first().textContent() ?? "";
    match(beside, /^"sums" must be a later step's id, or "end"\.$/);
    for (const theme of ["light", "dark"]) {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 800 });
        await page.evaluate((t) => document.documentElement.setAttribute("data-theme", t), theme);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - globalThis.innerWidth);
        ok(overflow <= 0, `the editor scrolls sideways by ${overflow}px at ${width}px in ${theme}`);
        if (SCREENSHOTS) {
          await page.screenshot({ path: `${SCREENSHOTS}/workflow-types-${width}-${theme}.png`, fullPage: true });
        }
      }
    }
    equal(problems.length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
  }
});
