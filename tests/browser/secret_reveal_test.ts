/**
 * A new workflow's signing secret, shown once: Copy puts it on the clipboard and says "Copied";
 * where the browser refuses the clipboard, the page says the copy failed and leaves the secret
 * visible and selected to copy by hand, instead of claiming a copy that did not happen.
 */
import { equal, match, ok } from "node:assert/strict";
import type { Browser } from "playwright-core";
import { browserTest, serve } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";

const SCREENSHOTS = Deno.env.get("SCREENSHOT_DIR");

/** A signed-in page at `width`, whose clipboard works (`clipboard: "works"`) or refuses every write. */
async function page(
  browser: Browser,
  url: string,
  cookie: string,
  options: { clipboard: "works" | "refuses"; width?: number; scheme?: "light" | "dark" },
) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 800 },
    colorScheme: options.scheme ?? "light",
  });
  const [name, value] = cookie.split("=");
  await context.addCookies([{ name, value, url }]);
  if (options.clipboard === "works") {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
  } else {
    // What a browser does when the page may not write the clipboard: the promise rejects.
    await context.addInitScript(() => {
      navigator.clipboard.writeText = () =>
        Promise.reject(new DOMException("Write permission denied.", "NotAllowedError"));
    });
  }
  const p = await context.newPage();
  const problems: string[] = [];
  p.on("pageerror", (e) => problems.push(e.message));
  return { page: p, problems };
}

browserTest("a new workflow's secret: Copy copies it, or says it failed and selects it", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();

    const works = await page(browser, server.url, cookie, { clipboard: "works" });
    await works.page.goto(`${server.url}/workflows`);
    await works.page.fill("input[name=name]", "Orders");
    await works.page.click("text=New workflow");
    await works.page.waitForSelector("html[data-hydrated=true]");
    const secret = await works.page.inputValue("[data-testid=webhook-secret]");
    match(secret, /^whsec_/);
    await works.page.click(".secret-reveal button");
    await works.page.locator(".secret-reveal button", { hasText: "Copied" }).waitFor();
    equal(await works.page.evaluate(() => navigator.clipboard.readText()), secret, "the secret is on the clipboard");
    equal(await works.page.locator("[data-testid=copy-failed]").count(), 0);
    equal(works.problems.length, 0, works.problems.join("\n"));
    await works.page.context().close();

    for (const scheme of ["light", "dark"] as const) {
      for (const width of [1280, 390]) {
        const refused = await page(browser, server.url, cookie, { clipboard: "refuses", width, scheme });
        const p = refused.page;
        await p.goto(`${server.url}/workflows`);
        await p.fill("input[name=name]", `Refused ${scheme} ${width}`);
        await p.click("text=New workflow");
        await p.waitForSelector("html[data-hydrated=true]");
        const shown = await p.inputValue("[data-testid=webhook-secret]");
        await p.click(".secret-reveal button");
        const said = p.locator("[data-testid=copy-failed]");
        await said.waitFor();
        match(await said.textContent() ?? "", /^Copy failed: .*copy it by hand\.$/);
        equal(await p.locator(".secret-reveal button").textContent(), "Copy", "no claim of a copy");
        ok(await p.locator("[data-testid=webhook-secret]").isVisible(), "the secret stays visible");
        const selection = await p.evaluate(() => {
          const input = document.activeElement as HTMLInputElement;
          return {
            testId: input.dataset.testid,
            selected: input.value.slice(input.selectionStart!, input.selectionEnd!),
          };
        });
        equal(selection.testId, "webhook-secret", "the secret field has the focus");
        equal(selection.selected, shown, "the whole secret is selected, ready to copy by hand");
        const overflow = await p.evaluate(() => document.documentElement.scrollWidth - innerWidth);
        ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at ${width}px`);
        if (SCREENSHOTS) await p.screenshot({ path: `${SCREENSHOTS}/secret-copy-failed-${width}-${scheme}.png` });
        equal(refused.problems.length, 0, refused.problems.join("\n"));
        await p.context().close();
      }
    }
  } finally {
    await server.close();
    await t.close();
  }
});
