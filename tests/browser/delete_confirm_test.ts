/**
 * Deleting a dashboard or a workflow asks first: with JavaScript the button opens a dialog (Cancel
 * keeps the item), without it the link leads to /confirm/:kind, whose form does the deletion.
 */
import { equal, ok } from "node:assert/strict";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { createWorkflow } from "../support/workflows.ts";

const START = [{ id: "start", type: "transform", config: { expression: "trigger.payload" } }];

browserTest("a dashboard and a workflow are deleted only after a yes, with or without JavaScript", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const made = (name: string) => t.call("/api/dashboards", { cookie, body: { name } });
    const first = (await made("Quarterly")).body as { id: string };
    const second = (await made("Weekly")).body as { id: string };
    const flow = await createWorkflow(t, cookie, { name: "Nightly", steps: START });
    const exists = async (path: string) => (await t.call(path, { cookie })).status === 200;

    // With JavaScript: the dialog; Cancel keeps the dashboard, the yes deletes it.
    const { page, problems } = await signedInPage(browser, server.url, cookie);
    await page.goto(`${server.url}/dashboards/${first.id}`);
    await page.waitForSelector("html[data-hydrated=true]");
    await page.click("[data-testid=delete-dashboard]");
    ok(await page.isVisible("dialog[open] >> text=Delete the dashboard “Quarterly”?"));
    await page.click("dialog[open] >> text=Cancel");
    equal(await page.locator("dialog[open]").count(), 0);
    ok(await exists(`/api/dashboards/${first.id}`), "Cancel keeps the dashboard");
    await page.click("[data-testid=delete-dashboard]");
    await page.click("dialog[open] [data-testid=confirm]");
    await page.waitForURL(`${server.url}/dashboards`);
    ok(!await exists(`/api/dashboards/${first.id}`), "the yes deletes it");
    ok(await page.isVisible("text=Weekly"));

    // The workflow, the same way.
    await page.goto(`${server.url}/workflows/${flow.id}`);
    await page.waitForSelector("html[data-hydrated=true]");
    await page.click("[data-testid=delete-workflow]");
    ok(await page.isVisible("dialog[open] >> text=Delete the workflow “Nightly”?"));
    await page.click("dialog[open] [data-testid=confirm]");
    await page.waitForURL(`${server.url}/workflows`);
    ok(!await exists(`/api/workflows/${flow.id}`), "the workflow is gone");
    await page.context().close();
    ok(problems.length === 0, problems.join("\n"));

    // Without JavaScript: the button is a link to the confirmation page, whose form deletes.
    const context = await browser.newContext({ javaScriptEnabled: false });
    const [name, value] = cookie.split("=");
    await context.addCookies([{ name, value, url: server.url }]);
    const plain = await context.newPage();
    await plain.goto(`${server.url}/dashboards/${second.id}`);
    await plain.click("[data-testid=delete-dashboard]");
    await plain.waitForURL(/\/confirm\/delete-dashboard\?id=/);
    ok(await exists(`/api/dashboards/${second.id}`), "the page only asks");
    await plain.click("[data-testid=confirm]");
    await plain.waitForURL(`${server.url}/dashboards`);
    ok(!await exists(`/api/dashboards/${second.id}`), "its form deletes");
    const again = (await createWorkflow(t, cookie, { name: "Hourly", steps: START })).id;
    await plain.goto(`${server.url}/workflows/${again}`);
    await plain.click("[data-testid=delete-workflow]");
    await plain.waitForURL(/\/confirm\/delete-workflow\?id=/);
    await plain.click("[data-testid=confirm]");
    await plain.waitForURL(`${server.url}/workflows`);
    ok(!await exists(`/api/workflows/${again}`));
    await context.close();
  } finally {
    await server.close();
    await t.close();
  }
});
