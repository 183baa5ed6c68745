/**
 * The dashboard editor and the Share panel in a real browser, as a member in Los Angeles: an
 * incomplete measure is said once beside its field and never sent; the preview's axes read as a
 * person would; tiles draw their charts; filters are made in the editor and appear on the page;
 * a link's expiry is the day chosen, locks are chosen like the page's filters, Rotate and Revoke
 * ask in the app's dialog; charts fill their cells; a dead link tells an outsider what happened.
 * Screenshots at 1280 and 390 px, light and dark.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { browserTest, serve } from "../support/browser.ts";
import { startTestApp } from "../support/test_app.ts";
import { uploadedDataset } from "../support/dashboards.ts";

const SCREENSHOTS = Deno.env.get("SCREENSHOT_DIR") ?? "screenshots";
const CSV = "store,region,amount,day\n1,East,10.5,2026-01-01\n4,West,20,2026-01-02\n6,East,5,2026-01-03\n" +
  "4,East,7,2026-01-04\n";

async function memberPage(
  browser: Browser,
  url: string,
  cookie: string,
  options: { width?: number; scheme?: "light" | "dark" } = {},
) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.scheme ?? "light",
    timezoneId: "America/Los_Angeles",
  });
  const [name, value] = cookie.split("=");
  await context.addCookies([{ name, value, url }]);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  // The app asks in its own <dialog>; a native confirm() would land here.
  page.on("dialog", (d) => {
    problems.push(`native ${d.type()}: ${d.message()}`);
    d.dismiss();
  });
  return { page, problems };
}

async function noSidewaysScroll(page: Page, what: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  ok(overflow <= 0, `${what}: the page scrolls sideways by ${overflow} px`);
}

browserTest("the dashboard editor, its filters and the Share panel, as a member sees them", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const { connectorId, dataset } = await uploadedDataset(t, cookie, CSV);
    const dashboard = await t.call("/api/dashboards", { cookie, body: { name: "Sales overview" } });
    const dashboardId = (dashboard.body as { id: string }).id;
    const widget = await t.call(`/api/dashboards/${dashboardId}/widgets`, {
      cookie,
      body: {
        type: "bar",
        title: "Sales by store",
        connector_id: connectorId,
        dataset,
        data_query: {
          dimensions: ["store"],
          measures: [{ fn: "sum", column: "amount" }],
          order_by: [{ column: "store" }],
        },
      },
    });
    equal(widget.status, 201, widget.text);

    // --- The editor ---
    const { page, problems } = await memberPage(browser, server.url, cookie);
    const refused: string[] = [];
    const sent: string[] = [];
    page.on("request", (r) => r.method() === "POST" && sent.push(new URL(r.url()).pathname));
    page.on("response", (r) => r.status() >= 400 && refused.push(`${r.status()} ${new URL(r.url()).pathname}`));
    await page.goto(`${server.url}/dashboards/${dashboardId}/edit`);
    await page.waitForSelector(".grid-stack[data-ready=true]");
    equal(await page.title(), "Edit Sales overview · Dashboard · Workspace");
    // The tile draws the widget's chart: three stores, three bars.
    equal(await page.locator('.grid-stack-item .chart path[aria-roledescription="bar"]').count(), 3);

    await page.selectOption(".add-widget select >> nth=2", { index: 1 }); // Group by: store
    // The complete query (count by store) is previewed; from here on, nothing incomplete is sent.
    await page.waitForSelector(".add-widget .preview .chart svg");
    sent.length = 0;
    await page.locator(".add-widget label", { hasText: "Measure" }).locator("select").selectOption("sum");
    await page.waitForTimeout(700);
    const need = page.getByText("Choose the column to sum");
    equal(await need.count(), 1, "the missing column is said once");
    ok(await need.isVisible());
    equal(await page.locator(".add-widget .alert, .add-widget .widget-error").count(), 0, "and nowhere else");
    await page.click("text=Add widget");
    await page.waitForTimeout(300);
    deepStrictEqual(sent.filter((p) => p.endsWith("/widgets") || p.endsWith("/preview")), [], "nothing was sent");
    equal(await page.evaluate(() => document.activeElement?.closest("label")?.textContent?.startsWith("Of")), true);
    await page.locator(".add-widget label", { hasText: /^Of/ }).locator("select").selectOption("amount");
    await page.waitForSelector(".add-widget .preview .chart svg");
    equal(await need.count(), 0);
    const preview = page.locator(".add-widget .preview .chart svg");
    match(await preview.textContent() ?? "", /sum of amount/);
    // A group-by column is a category: labels 1, 4, 6, no half-way ticks.
    const xLabels = await preview.locator(".role-axis-label text, .role-axis text").allTextContents();
    ok(xLabels.includes("4") && !xLabels.includes("0.5") && !xLabels.includes("1.5"), xLabels.join(" "));
    deepStrictEqual(refused, [], "no request was refused");

    // Filters made in the editor: a select on region, a date range on day, one added and removed.
    const filters = page.locator(".filter-editor");
    await filters.locator("input[name=filter_label]").fill("Region");
    await filters.locator("select[name=filter_column]").selectOption("region");
    await filters.locator("text=Add filter").click();
    await filters.locator(".filter-list li", { hasText: "Region" }).waitFor();
    await filters.locator(".filter-list li", { hasText: "Region" }).locator("text=Edit").click();
    await filters.locator("input[name=filter_label]").fill("Sales region");
    await filters.locator("text=Save filter").click();
    await filters.locator(".filter-list li", { hasText: "Sales region" }).waitFor();
    await filters.locator("input[name=filter_label]").fill("Day");
    await filters.locator("select[name=filter_column]").selectOption("day");
    equal(await filters.locator("select[name=filter_type]").inputValue(), "date_range");
    await filters.locator("text=Add filter").click();
    await filters.locator(".filter-list li", { hasText: "Day" }).waitFor();
    await filters.locator("input[name=filter_label]").fill("Amount");
    await filters.locator("select[name=filter_column]").selectOption("amount");
    equal(await filters.locator("select[name=filter_type]").inputValue(), "number_range");
    await filters.locator("text=Add filter").click();
    await filters.locator(".filter-list li", { hasText: "Amount" }).locator("text=Remove").click();
    await page.waitForFunction(() => document.querySelectorAll(".filter-list li").length === 2);
    // A filter without a label is refused beside its field, before anything is sent.
    await filters.locator("select[name=filter_column]").selectOption("store");
    await filters.locator("text=Add filter").click();
    equal(await filters.locator(".field-error").textContent(), "Give the filter a label, such as “Region”");
    const saved = await t.call(`/api/dashboards/${dashboardId}`, { cookie });
    deepStrictEqual(
      (saved.body as { filters: unknown[] }).filters,
      [
        { id: "region", label: "Sales region", column: "region", type: "select" },
        { id: "day", label: "Day", column: "day", type: "date_range" },
      ],
    );
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard-editor-1280-light.png`, fullPage: true });

    // --- The dashboard and its Share panel ---
    await page.goto(`${server.url}/dashboards/${dashboardId}`);
    await page.waitForSelector("html[data-hydrated=true]");
    equal(await page.title(), "Sales overview · Dashboard · Workspace");
    const [edit, share] = [
      await page.locator("a", { hasText: /^Edit$/ }).boundingBox(),
      await page.locator("a", {
        hasText: /^Share$/,
      }).boundingBox(),
    ];
    equal(Math.round(edit!.y), Math.round(share!.y), "Edit and Share sit side by side");
    // The chart fills its cell instead of leaving a band empty beneath it.
    const fill = await page.locator(".dashboard-grid .widget-body").first().evaluate((body) => {
      const svg = body.querySelector("svg")!.getBoundingClientRect();
      const box = body.getBoundingClientRect();
      return { height: svg.height / box.height, width: svg.width / box.width };
    });
    ok(fill.height > 0.9 || fill.width > 0.97, `the chart fills ${JSON.stringify(fill)} of its cell`);
    // The page's filter form has what the editor made.
    deepStrictEqual(
      await page.locator("select[name='f.region'] option").allTextContents(),
      ["All", "East", "West"],
    );
    equal(await page.locator("input[name='f.day.from'][type=date]").count(), 1);

    // Locks are offered as the filter form offers them.
    const panel = page.locator(".share-panel");
    deepStrictEqual(await panel.locator("select[name='lock.region'] option").allTextContents(), [
      "Not locked",
      "East",
      "West",
    ]);
    equal(await panel.locator("input[name='lock.day.from'][type=date]").count(), 1);
    // Checkboxes sit beside their words; the date input looks like the other fields.
    const box = await panel.locator("input[name=downloads]").boundingBox();
    ok(box!.width < 30, `the checkbox is ${box!.width} px wide`);
    const gap = await panel.locator("label.check").first().evaluate((label) => {
      const input = label.querySelector("input")!.getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(label);
      const text = [...range.getClientRects()].filter((r) => r.left > input.right - 1);
      return Math.min(...text.map((r) => r.left)) - input.right;
    });
    ok(gap < 16, `the checkbox is ${gap} px from its words`);
    equal(await panel.locator("input[name=expires]").evaluate((e) => getComputedStyle(e).borderRadius), "8px");

    // A past day is refused in the form.
    await panel.locator("input[name=label]").fill("Customer A");
    await panel.locator("input[name=expires]").fill("2020-01-01");
    await panel.locator("text=Create link").click();
    equal(
      await panel.locator(".field-error").textContent(),
      "Choose today or a later day: a link cannot expire in the past.",
    );
    equal(await panel.locator(".share-link").count(), 0);
    const day = `${new Date().getFullYear() + 1}-12-31`;
    await panel.locator("input[name=expires]").fill(day);
    await panel.locator("select[name='lock.region']").selectOption("East");
    await panel.locator("input[name=downloads]").check();
    await panel.locator("text=Create link").click();
    await panel.locator(".share-link").waitFor();
    const summary = await panel.locator(".share-summary").textContent() ?? "";
    match(summary, new RegExp(`Expires at the end of ${day}`), "the day chosen, in the viewer's terms");
    match(summary, /locked: Sales region = East/);
    const listed = await t.call(`/api/shares?dashboard_id=${dashboardId}`, { cookie });
    const [link] = (listed.body as { items: { expires_at: string; url: string }[] }).items;
    // The end of 31 December in Los Angeles is the next morning in UTC.
    equal(link.expires_at, `${new Date().getFullYear() + 2}-01-01T07:59:59.000Z`);
    for (const scheme of ["light", "dark"] as const) {
      for (const width of [1280, 390]) {
        const shot = await memberPage(browser, server.url, cookie, { width, scheme });
        await shot.page.goto(`${server.url}/dashboards/${dashboardId}`);
        await shot.page.waitForSelector("html[data-hydrated=true]");
        await noSidewaysScroll(shot.page, `dashboard ${width} ${scheme}`);
        await shot.page.screenshot({ path: `${SCREENSHOTS}/dashboard-share-${width}-${scheme}.png`, fullPage: true });
        await shot.page.goto(`${server.url}/dashboards/${dashboardId}/edit`);
        // A phone gets the widgets stacked as its dashboard shows them; wider screens the drag grid.
        await shot.page.waitForSelector(width < 760 ? "[data-testid=editor-stack]" : ".grid-stack[data-ready=true]");
        await noSidewaysScroll(shot.page, `editor ${width} ${scheme}`);
        await shot.page.screenshot({ path: `${SCREENSHOTS}/dashboard-editor-${width}-${scheme}.png`, fullPage: true });
        await shot.page.context().close();
        deepStrictEqual(shot.problems, []);
      }
    }

    // Copy, then Rotate through the app's dialog: the new URL's button says Copy again.
    await panel.locator("text=Copy").click();
    await panel.locator("button", { hasText: "Copied" }).waitFor();
    const before = await panel.locator(".share-url").inputValue();
    await panel.locator("a", { hasText: "Rotate" }).click();
    const dialog = page.locator("dialog[open]");
    match(await dialog.textContent() ?? "", /Give “Customer A” a new URL\?/);
    await dialog.locator("[data-testid=confirm]").click();
    await page.waitForSelector("html[data-hydrated=true]");
    const after = await page.locator(".share-url").inputValue();
    ok(after !== before, "the link has a new URL");
    equal(await page.locator(".share-link button").first().textContent(), "Copy");
    await page.locator(".share-link a", { hasText: "Revoke" }).click();
    await page.locator("dialog[open] [data-testid=confirm]").click();
    await page.waitForSelector("html[data-hydrated=true]");
    equal(await page.locator(".share-link").count(), 0);
    await page.context().close();
    deepStrictEqual(problems, []);

    // --- A link that no longer works, as an outsider sees it ---
    for (const scheme of ["light", "dark"] as const) {
      for (const width of [1280, 390]) {
        const context = await browser.newContext({
          javaScriptEnabled: false,
          viewport: { width, height: 700 },
          colorScheme: scheme,
        });
        const outsider = await context.newPage();
        const res = await outsider.goto(server.url + new URL(after).pathname);
        equal(res?.status(), 404);
        equal(await outsider.locator("h1").textContent(), "This link does not work");
        equal(await outsider.locator("a").count(), 0, "no workspace links for someone without an account");
        await noSidewaysScroll(outsider, `dead link ${width} ${scheme}`);
        await outsider.screenshot({ path: `${SCREENSHOTS}/share-dead-link-${width}-${scheme}.png`, fullPage: true });
        await context.close();
      }
    }
  } finally {
    await server.close();
    await t.close();
  }
});

browserTest("a text widget is added in the editor, its markdown shown sanitized on the dashboard", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  let opened: Page | undefined;
  try {
    const { cookie } = await t.signUp();
    await uploadedDataset(t, cookie, CSV);
    const dashboard = await t.call("/api/dashboards", { cookie, body: { name: "Notes" } });
    const dashboardId = (dashboard.body as { id: string }).id;
    const { page, problems } = await memberPage(browser, server.url, cookie);
    opened = page;
    const sent: string[] = [];
    page.on("request", (r) => r.method() === "POST" && sent.push(new URL(r.url()).pathname));
    await page.goto(`${server.url}/dashboards/${dashboardId}/edit`);
    const form = page.locator(".add-widget");
    await form.locator("label", { hasText: "Type" }).locator("select").selectOption("text");
    equal(await form.locator("label", { hasText: "Dataset" }).count(), 0, "text needs no dataset");
    // Empty text is said beside its field and not sent.
    await form.getByRole("button", { name: "Add widget" }).click();
    equal(await form.locator(".field-error").textContent(), "Write the text the widget shows.");
    equal(await page.evaluate(() => document.activeElement?.tagName), "TEXTAREA");
    deepStrictEqual(sent.filter((p) => p.endsWith("/widgets")), []);
    await form.locator("label", { hasText: "Title" }).locator("input").fill("About");
    await form.locator("textarea").fill("Sales from the **shop**. <script>alert(1)</script>");
    await form.getByRole("button", { name: "Add widget" }).click();
    await page.locator(".grid-stack-item", { hasText: "About" }).waitFor();
    // The editor's tile shows the text as written, not just "text".
    match(
      await page.locator(".grid-stack-item", { hasText: "About" }).textContent() ?? "",
      /Sales from the \*\*shop\*\*/,
    );
    await page.goto(`${server.url}/dashboards/${dashboardId}`);
    const text = page.locator(".widget", { hasText: "About" }).locator(".md");
    equal(await text.locator("strong").textContent(), "shop");
    match(await text.textContent() ?? "", /<script>alert\(1\)<\/script>/, "raw HTML is shown as text");
    deepStrictEqual(problems, []);
  } finally {
    // The dashboard page listens for syncs (server-sent events): closing it ends that stream.
    await opened?.context().close();
    await server.close();
    await t.close();
  }
});
