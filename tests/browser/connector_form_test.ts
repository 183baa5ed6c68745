/**
 * Adding a connector: the name typed under one type survives a switch to another type's tab (with
 * JavaScript, and the tab's link carries it), secrets never go into the address, and after saving
 * the address is the new connector's, with no "#new" left over from the tab.
 */
import { equal, ok } from "node:assert/strict";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";

browserTest("the typed name survives a type tab, and the saved connector's address is clean", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const { page, problems } = await signedInPage(browser, server.url, cookie);
    await page.goto(`${server.url}/connectors`);
    await page.waitForSelector("html[data-hydrated=true]");
    await page.fill("#new input[name=name]", "Weather files");
    await page.fill("#new input[name=password]", "hunter2-secret");
    await page.click("nav[aria-label='Connector type'] >> text=CSV file");
    await page.waitForURL(/type=csv/);
    await page.waitForSelector("html[data-hydrated=true]");
    equal(await page.inputValue("#new input[name=name]"), "Weather files", "the name is kept");
    ok(!page.url().includes("hunter2"), "no secret in the address");
    equal(await page.getAttribute("nav[aria-label='Connector type'] .tab.active", "aria-current"), "page");

    await page.click("text=Save connector");
    await page.waitForURL(/\/connectors\/[0-9a-f-]{36}/);
    equal(new URL(page.url()).hash, "", `no stray fragment in ${page.url()}`);
    equal(new URL(page.url()).search, "");
    equal((await page.textContent("[data-testid=connector-title]"))?.trim().startsWith("Weather files"), true);
    equal(problems.length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
  }
});
