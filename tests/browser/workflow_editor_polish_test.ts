/**
 * Small things in the workflow editor: a step moved to the top (or bottom) keeps the keyboard's
 * focus on its other move button, and after "New signing secret" the card does not say the secret
 * was shown only when the workflow was made, right under the new one.
 */
import { equal, ok } from "node:assert/strict";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { createWorkflow } from "../support/workflows.ts";

browserTest("workflow editor: focus follows a moved step; a new secret is not contradicted", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const workflow = await createWorkflow(t, cookie, {
      name: "Two steps",
      steps: [
        { id: "first", type: "transform", config: { expression: "1" } },
        { id: "second", type: "transform", config: { expression: "2" } },
      ],
    });
    const { page, problems } = await signedInPage(browser, server.url, cookie);
    await page.goto(`${server.url}/workflows/${workflow.id}`);
    await page.waitForSelector("html[data-hydrated=true]");
    // Focus moves after the steps re-render: wait for it a moment (under load it lags the DOM), then read it.
    const focused = async (expected: string) => {
      await page.waitForFunction((label) => document.activeElement?.getAttribute("aria-label") === label, expected, {
        timeout: 3_000,
      }).catch(() => {});
      return await page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? "");
    };

    await page.getByRole("button", { name: "Move step second up" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() =>
      document.querySelector<HTMLInputElement>("[data-testid=step] input")?.value === "second"
    );
    equal(await focused("Move step second down"), "Move step second down", "focus stays on the moved step");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() =>
      document.querySelector<HTMLInputElement>("[data-testid=step] input")?.value === "first"
    );
    equal(await focused("Move step second up"), "Move step second up", "and back down again");

    ok((await page.textContent("main"))?.includes("was shown when the workflow was made"));
    await page.click("[data-testid=rotate-secret]");
    await page.click("dialog[open] [data-testid=confirm]");
    await page.waitForSelector("[data-testid=new-secret]");
    const text = await page.textContent("main") ?? "";
    ok(!text.includes("was shown when the workflow was made"), "the card does not contradict the new secret");
    equal(problems.length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
  }
});
