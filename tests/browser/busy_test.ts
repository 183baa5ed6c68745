/**
 * Requests that take a while show it: a plain form post's button (static/busy.js) and an island's
 * button (BusyButton) are disabled, aria-busy and say what they do ("Signing in…") until the answer
 * comes, and a second click or Enter does not post twice. Responses are held back in the browser
 * (page.route) so that every request takes about a second. Reduced motion stills the spinner.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { createWorkflow } from "../support/workflows.ts";

const HOLD_MS = 1200;

/** Holds back every `method` request to URLs matching `pattern`; returns how many were sent. */
async function slow(page: Page, pattern: RegExp, method = "POST"): Promise<{ count: number }> {
  const seen = { count: 0 };
  await page.route(pattern, async (route) => {
    if (route.request().method() !== method) return route.continue();
    seen.count++;
    await new Promise((r) => setTimeout(r, HOLD_MS));
    await route.continue();
  });
  return seen;
}

/**
 * Watches the button at `selector`: once it turns busy, records (in sessionStorage, which outlives
 * the navigation a form post makes) its label, whether it is disabled, and whether its form is
 * aria-busy; then tries to post again twice, by clicking the button and by submitting the form
 * (what Enter in a field does). `busyRecord` reads the record back.
 */
async function watchBusy(page: Page, selector: string) {
  await page.evaluate((s) => {
    sessionStorage.removeItem("busy-record");
    const button = document.querySelector<HTMLButtonElement>(s)!;
    new MutationObserver((_, observer) => {
      if (button.getAttribute("aria-busy") !== "true") return;
      observer.disconnect();
      setTimeout(() => {
        sessionStorage.setItem(
          "busy-record",
          JSON.stringify({
            label: button.textContent?.trim(),
            disabled: button.disabled,
            formBusy: button.form?.getAttribute("aria-busy") ?? null,
          }),
        );
        button.click();
        if (button.type === "submit") button.form?.requestSubmit();
      }, 20);
    }).observe(button, { attributes: true });
  }, selector);
}

/** What `watchBusy` saw, once it has seen it. */
async function busyRecord(page: Page): Promise<{ label: string; disabled: boolean; formBusy: string | null }> {
  const handle = await page.waitForFunction(() => sessionStorage.getItem("busy-record"), undefined, { polling: 50 });
  return JSON.parse(await handle.jsonValue() as string);
}

browserTest("plain form posts and island buttons show a busy state and never post twice", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const user = await t.signUp();

    // Sign in: a plain form. Clicking again and pressing Enter while it is on its way send nothing.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    const logins = await slow(page, /\/login$/);
    await page.fill("input[name=email]", user.email);
    await page.fill("input[name=password]", user.password);
    await watchBusy(page, "form.form button[type=submit]");
    await page.click("form.form button[type=submit]", { noWaitAfter: true });
    await page.waitForURL((url) => !url.pathname.startsWith("/login"));
    deepStrictEqual(await busyRecord(page), { label: "Signing in…", disabled: true, formBusy: "true" });
    equal(logins.count, 1, "one sign-in request");
    await context.close();

    // A dashboard: the create form (plain), then the Share panel's Create link (island).
    const { page: member, problems } = await signedInPage(browser, server.url, user.cookie);
    await member.goto(`${server.url}/dashboards`);
    const creates = await slow(member, /\/dashboards$/);
    await member.fill("input[name=name]", "Busy");
    await watchBusy(member, "#new button[type=submit]");
    await member.click("text=Create dashboard", { noWaitAfter: true });
    await member.waitForURL(/\/dashboards\/[0-9a-f-]{36}$/);
    deepStrictEqual(await busyRecord(member), { label: "Creating…", disabled: true, formBusy: "true" });
    equal(creates.count, 1, "one dashboard made");
    await member.waitForSelector("html[data-hydrated=true]");
    const shares = await slow(member, /\/api\/dashboards\/[^/]+\/shares$/);
    await member.fill("input[name=label]", "Everyone");
    await watchBusy(member, ".share-panel button[type=submit]");
    await member.click("text=Create link");
    const linking = await busyRecord(member);
    deepStrictEqual([linking.label, linking.disabled], ["Creating link…", true]);
    await member.waitForSelector(".share-url");
    equal(await member.getAttribute(".share-panel button[type=submit]", "aria-busy"), null, "idle again");
    equal(shares.count, 1);

    // A connector's Test connection (island).
    const created = await t.call("/api/connectors", {
      cookie: user.cookie,
      body: { name: "Uploads", type: "csv", config: {} },
    });
    await member.goto(`${server.url}/connectors/${(created.body as { id: string }).id}`);
    await member.waitForSelector("html[data-hydrated=true]");
    const tests = await slow(member, /\/test$/);
    await watchBusy(member, ".actions .inline-form button:first-child");
    await member.click("text=Test connection");
    const testing = await busyRecord(member);
    deepStrictEqual([testing.label, testing.disabled], ["Testing…", true]);
    await member.waitForSelector("[data-testid=action-message]");
    equal(tests.count, 1, "the connection was tested once");

    // A workflow's Run now (island): busy until the execution's page opens.
    const flow = await createWorkflow(t, user.cookie, {
      name: "Slow",
      steps: [{ id: "start", type: "transform", config: { expression: "trigger.payload" } }],
    });
    await member.goto(`${server.url}/workflows/${flow.id}`);
    await member.waitForSelector("html[data-hydrated=true]");
    const runs = await slow(member, /\/run$/);
    await watchBusy(member, ".workflow-editor .card button.primary");
    await member.click("text=Run now", { noWaitAfter: true });
    await member.waitForURL(/\/workflows\/executions\//);
    const running = await busyRecord(member);
    deepStrictEqual([running.label, running.disabled], ["Starting…", true]);
    equal(runs.count, 1);
    await member.context().close();
    ok(problems.length === 0, problems.join("\n"));

    // Reduced motion: the busy ring stands still.
    for (const reducedMotion of ["no-preference", "reduce"] as const) {
      const still = await browser.newContext({ reducedMotion });
      const p = await still.newPage();
      await p.goto(`${server.url}/login`);
      await slow(p, /\/login$/);
      await p.fill("input[name=email]", user.email);
      await p.fill("input[name=password]", user.password);
      // The spinner's style, read as the button turns busy (before the next page replaces it).
      await p.evaluate(() => {
        const button = document.querySelector("form.form button[type=submit]")!;
        new MutationObserver(() =>
          sessionStorage.setItem("animation", getComputedStyle(button, "::before").animationName)
        ).observe(button, { attributes: true, attributeFilter: ["aria-busy"] });
      });
      await p.click("form.form button[type=submit]", { noWaitAfter: true });
      await p.waitForURL((url) => !url.pathname.startsWith("/login"));
      const animation = await p.evaluate(() => sessionStorage.getItem("animation"));
      equal(animation, reducedMotion === "reduce" ? "none" : "busy-spin", reducedMotion);
      await still.close();
    }
  } finally {
    await server.close();
    await t.close();
  }
});
