/** A new analyst signs up, lands in the workspace shell and uses its islands, in a real browser. */
import { equal, match, ok } from "node:assert/strict";
import { browserTest, serve, signedInPage } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";

const SCREENSHOTS = Deno.env.get("SCREENSHOT_DIR");

browserTest("sign up, land in the shell, switch the theme, and sign out", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });

    await page.goto(server.url + "/");
    equal(new URL(page.url()).pathname, "/login");
    await page.click("text=Create an account");
    await page.fill("input[name=name]", "Grace Hopper");
    await page.fill("input[name=email]", "grace@example.com");
    await page.fill("input[name=password]", "cobol-1959-forever");
    await page.click("button[type=submit]");
    await page.waitForURL(/\/chat$/);

    equal(await page.textContent("[data-testid=chat-title]"), "New chat");
    for (const section of ["Chat", "Dashboards", "Connectors", "Workflows", "Settings"]) {
      ok(await page.isVisible(`nav >> text=${section}`), section);
    }
    await page.waitForSelector("html[data-hydrated=true]");
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/shell-light.png`, fullPage: true });

    // The theme toggle is an island: it cycles system → light → dark and is remembered.
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.click(".theme-toggle");
    equal(await page.getAttribute("html", "data-theme"), "light");
    equal(await background(), "rgb(247, 247, 251)");
    await page.click(".theme-toggle");
    equal(await page.getAttribute("html", "data-theme"), "dark");
    equal(await background(), "rgb(15, 16, 21)");
    await page.click("nav >> text=Connectors");
    await page.waitForURL(/\/connectors$/);
    await page.waitForSelector("html[data-hydrated=true]");
    equal(await page.getAttribute("html", "data-theme"), "dark", "the theme survives navigation");
    match(await page.textContent("main") ?? "", /No connectors yet/);
    if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/shell-dark.png`, fullPage: true });

    // The account menu island: opens, closes on Escape, and signs out.
    await page.click(".avatar-button");
    ok(await page.isVisible("text=grace@example.com"));
    await page.keyboard.press("Escape");
    ok(!(await page.isVisible("text=grace@example.com")), "Escape closes the menu");
    await page.click(".avatar-button");
    await page.click("text=Sign out");
    await page.waitForURL(/\/login$/);
    await page.goto(server.url + "/settings");
    equal(new URL(page.url()).pathname, "/login", "signed out for real");

    equal(problems.length, 0, problems.join("\n"));
  } finally {
    await server.close();
    await t.close();
  }
});

browserTest("the settings page creates an API token once, and it works as a Bearer token", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp({ email: "token-user@example.com" });
    const { page } = await signedInPage(browser, server.url, cookie);
    await page.goto(server.url + "/settings");
    await page.fill("input[name=name]", "laptop");
    await page.click("text=Create token");
    const token = (await page.textContent("[data-testid=new-token]"))!;
    match(token, /^wst_/);
    const me = await fetch(server.url + "/api/me", { headers: { authorization: `Bearer ${token}` } });
    equal((await me.json()).user.email, "token-user@example.com");
    await page.reload();
    equal(await page.isVisible("[data-testid=new-token]"), false, "the secret is shown once");
    ok(await page.isVisible("text=laptop"));
  } finally {
    await server.close();
    await t.close();
  }
});
