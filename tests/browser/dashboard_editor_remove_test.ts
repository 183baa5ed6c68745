/**
 * Removing a widget in the dashboard editor asks in the app's own dialog (never the browser's
 * confirm()), removes it without a reload, and Undo adds it back as it was; without
 * JavaScript the same question is a page whose form removes it. On a phone the editor shows the
 * widgets as the dashboard does there: stacked in reading order, wide charts in their phone
 * drawing, with a sentence that arranging works on a wider screen, and Remove still works.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { browserTest, serve } from "../support/browser.ts";
import { startTestApp, type TestApp } from "../support/test_app.ts";
import { uploadedDataset } from "../support/dashboards.ts";
import { PHONE_CHART_WIDTH } from "../../functions/dashboards/render.ts";

const SCREENSHOTS = Deno.env.get("SCREENSHOT_DIR");
const CSV = "store,amount,day\n1,10.5,2026-01-01\n4,20,2026-01-02\n6,5,2026-01-03\n4,7,2026-01-04\n";

/** A signed-in page that records uncaught errors and any native dialog (answered "no"). */
async function editorPage(
  browser: Browser,
  url: string,
  cookie: string,
  options: { width?: number; scheme?: "light" | "dark"; javaScript?: boolean } = {},
) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    colorScheme: options.scheme ?? "light",
    javaScriptEnabled: options.javaScript ?? true,
  });
  const [name, value] = cookie.split("=");
  await context.addCookies([{ name, value, url }]);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("dialog", (d) => {
    problems.push(`native ${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return { page, problems };
}

interface Placed {
  id: string;
  title: string;
  position_x: number;
  position_y: number;
}

/** The dashboard's widgets as the API has them, by title. */
async function widgetsOf(t: TestApp, cookie: string, dashboardId: string): Promise<Map<string, Placed>> {
  const res = await t.call(`/api/dashboards/${dashboardId}`, { cookie });
  equal(res.status, 200, res.text);
  return new Map((res.body as { widgets: Placed[] }).widgets.map((w) => [w.title, w]));
}

/** A dashboard of a wide bar chart on top, a line chart and a metric side by side below it. */
async function salesDashboard(t: TestApp, cookie: string): Promise<string> {
  const { connectorId, dataset } = await uploadedDataset(t, cookie, CSV);
  const dashboard = await t.call("/api/dashboards", { cookie, body: { name: "Sales" } });
  const dashboardId = (dashboard.body as { id: string }).id;
  const byStore = {
    dimensions: ["store"],
    measures: [{ fn: "sum", column: "amount" }],
    order_by: [{ column: "store" }],
  };
  const widgets = [
    { type: "bar", title: "Sales by store", data_query: byStore, position_x: 0, position_y: 0, width: 12, height: 4 },
    { type: "line", title: "Daily amount", data_query: byStore, position_x: 0, position_y: 4, width: 6, height: 4 },
    {
      type: "metric",
      title: "Total",
      data_query: { dimensions: [], measures: [{ fn: "sum", column: "amount" }] },
      position_x: 6,
      position_y: 4,
      width: 6,
      height: 4,
    },
  ];
  for (const w of widgets) {
    const res = await t.call(`/api/dashboards/${dashboardId}/widgets`, {
      cookie,
      body: { ...w, connector_id: connectorId, dataset },
    });
    equal(res.status, 201, res.text);
  }
  return dashboardId;
}

/** A widget's tile, by its title (the tile also holds its Remove dialog, whose heading names it too). */
const tile = (page: Page, title: string) =>
  page.locator(".widget", { has: page.locator(".widget-header > h2", { hasText: title }) });

browserTest("a move and a removal are each undone by Undo; removing asks in the app's dialog", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const dashboardId = await salesDashboard(t, cookie);
    const { page, problems } = await editorPage(browser, server.url, cookie);
    await page.goto(`${server.url}/dashboards/${dashboardId}/edit`);
    await page.waitForSelector(".grid-stack[data-ready=true]");
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    ok(await page.locator(".editor-drag-hint").isVisible(), "the header says how to drag");
    equal(await page.locator(".editor-hint").count(), 0);

    // A layout change: Total is dragged by its heading onto Daily amount's place, and saved.
    const from = (await tile(page, "Total").locator(".widget-header > h2").boundingBox())!;
    const to = (await tile(page, "Daily amount").locator(".widget-header > h2").boundingBox())!;
    await page.mouse.move(from.x + 10, from.y + 5);
    await page.mouse.down();
    await page.mouse.move(from.x - 100, from.y + 5, { steps: 5 });
    await page.mouse.move(to.x + 10, to.y + 5, { steps: 10 });
    await page.mouse.up();
    await page.locator(".editor-bar", { hasText: "Saved" }).waitFor();
    let placed = await widgetsOf(t, cookie, dashboardId);
    equal(placed.get("Total")!.position_x, 0, "Total moved to the left");
    const undoButton = page.getByRole("button", { name: "Undo last change" });
    ok(await undoButton.isEnabled());

    // Undo puts the move back.
    await undoButton.click();
    await page.locator(".editor-bar", { hasText: "Saved" }).waitFor();
    placed = await widgetsOf(t, cookie, dashboardId);
    const [daily, total] = [placed.get("Daily amount")!, placed.get("Total")!];
    equal(daily.position_x, 0, "Undo puts Daily amount back on the left");
    equal(total.position_x, 6, "and Total on the right");
    equal(total.position_y, daily.position_y, "side by side");
    ok(await undoButton.isDisabled(), "one change is undone, not more");

    // Remove asks in the app's dialog; Cancel keeps the widget.
    const before = (await t.call(`/api/dashboards/${dashboardId}`, { cookie })).body as {
      widgets: Record<string, unknown>[];
    };
    await tile(page, "Sales by store").getByRole("button", { name: "Remove" }).click();
    const dialog = page.locator("dialog[open]");
    equal(await dialog.locator("h2").textContent(), "Remove “Sales by store” from the dashboard?");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    equal(await page.locator("dialog[open]").count(), 0);
    equal((await widgetsOf(t, cookie, dashboardId)).size, 3, "Cancel removes nothing");
    // The yes removes it, on this page: no reload.
    await tile(page, "Sales by store").getByRole("button", { name: "Remove" }).click();
    await dialog.getByRole("button", { name: "Remove widget" }).click();
    await tile(page, "Sales by store").waitFor({ state: "detached" });
    await page.locator(".editor-bar", { hasText: "Removed “Sales by store”" }).waitFor();
    placed = await widgetsOf(t, cookie, dashboardId);
    deepStrictEqual([...placed.keys()].sort(), ["Daily amount", "Total"]);
    equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true);
    equal(await page.locator(".grid-stack-item").count(), 2);

    // Undo adds it back as it was (its query, its place), and the reloaded page draws it.
    ok(await undoButton.isEnabled(), "a removal is undoable");
    await undoButton.click();
    await tile(page, "Sales by store").locator("svg").waitFor();
    equal(await page.locator(".grid-stack-item").count(), 3);
    await page.locator(".editor-bar", { hasText: "Added “Sales by store” back" }).waitFor();
    const after = (await t.call(`/api/dashboards/${dashboardId}`, { cookie })).body as {
      widgets: Record<string, unknown>[];
    };
    const definition = (w: Record<string, unknown>) => {
      const { id: _id, created_at: _c, updated_at: _u, ...rest } = w;
      return rest;
    };
    const byTitle = (ws: Record<string, unknown>[]) => ws.find((w) => w.title === "Sales by store")!;
    deepStrictEqual(definition(byTitle(after.widgets)), definition(byTitle(before.widgets)));
    deepStrictEqual(problems, []);
  } finally {
    await server.close();
    await t.close();
  }
});

browserTest("without JavaScript, Remove is a confirmation page whose form removes the widget", async (browser) => {
  const t = await startTestApp("pglite");
  const server = serve((req, info) => t.fetch(req, info));
  try {
    const { cookie } = await t.signUp();
    const dashboardId = await salesDashboard(t, cookie);
    const { page } = await editorPage(browser, server.url, cookie, { javaScript: false });
    await page.goto(`${server.url}/dashboards/${dashboardId}/edit`);
    await tile(page, "Total").getByRole("button", { name: "Remove" }).click();
    await page.waitForURL(/\/confirm\/remove-widget\?id=/);
    equal(await page.locator("h2").textContent(), "Remove “Total” from the dashboard?");
    if (SCREENSHOTS) {
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const width of [1280, 390]) {
          await page.setViewportSize({ width, height: 700 });
          await page.screenshot({ path: `${SCREENSHOTS}/confirm-remove-widget-${width}-${scheme}.png` });
        }
      }
    }
    await page.getByRole("button", { name: "Remove widget" }).click();
    await page.waitForURL(`${server.url}/dashboards/${dashboardId}/edit`);
    equal(await tile(page, "Total").count(), 0);
    deepStrictEqual([...(await widgetsOf(t, cookie, dashboardId)).keys()].sort(), ["Daily amount", "Sales by store"]);

    // The form removes only a widget of the dashboard it posts to, and an unknown one is a 404.
    const other = await t.call("/api/dashboards", { cookie, body: { name: "Other" } });
    const otherId = (other.body as { id: string }).id;
    const salesId = (await widgetsOf(t, cookie, dashboardId)).get("Sales by store")!.id;
    for (const [dashboard, widget] of [[otherId, salesId], [dashboardId, crypto.randomUUID()], [dashboardId, "x"]]) {
      const res = await t.call(`/dashboards/${dashboard}/edit`, {
        cookie,
        body: new URLSearchParams({ action: "remove_widget", widget_id: widget }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      equal(res.status, 404, res.text);
    }
    equal((await widgetsOf(t, cookie, dashboardId)).size, 2, "nothing else was removed");
    equal((await t.call(`/confirm/remove-widget?id=${crypto.randomUUID()}`, { cookie })).status, 404);
  } finally {
    await server.close();
    await t.close();
  }
});

browserTest(
  "on a phone the editor stacks the widgets as the dashboard does, and Remove still works",
  async (browser) => {
    const t = await startTestApp("pglite");
    const server = serve((req, info) => t.fetch(req, info));
    try {
      const { cookie } = await t.signUp();
      const dashboardId = await salesDashboard(t, cookie);
      // The order and drawings a phone shows on the dashboard itself.
      const view = await editorPage(browser, server.url, cookie, { width: 390 });
      await view.page.goto(`${server.url}/dashboards/${dashboardId}`);
      const dashboardOrder = await view.page.locator(".dashboard-grid .widget-header > h2").allTextContents();
      deepStrictEqual(dashboardOrder, ["Sales by store", "Daily amount", "Total"]);
      await view.page.context().close();

      for (const scheme of ["light", "dark"] as const) {
        const { page, problems } = await editorPage(browser, server.url, cookie, { width: 390, scheme });
        const patched: string[] = [];
        page.on("request", (r) => r.method() === "PATCH" && patched.push(r.url()));
        await page.goto(`${server.url}/dashboards/${dashboardId}/edit`);
        const stack = page.locator("[data-testid=editor-stack]");
        await stack.waitFor();
        equal(await page.locator(".grid-stack").count(), 0, "no drag grid on a phone");
        match(await page.locator(".editor-hint").textContent() ?? "", /works on a wider screen/);
        equal(await page.locator(".editor-drag-hint").isVisible(), false, "no word of dragging here");
        deepStrictEqual(
          await stack.locator(".widget-header > h2").allTextContents(),
          dashboardOrder,
          "the dashboard's order",
        );
        // The wide chart shows its phone drawing, at the width it was drawn for, as on the dashboard.
        const charts = await tile(page, "Sales by store").locator(".chart").evaluateAll((els) =>
          els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => ({
            drawn: (e.querySelector("svg") as SVGSVGElement).viewBox.baseVal.width,
            shown: e.getBoundingClientRect().width,
          }))
        );
        equal(charts.length, 1, "one drawing shows");
        equal(charts[0].drawn, PHONE_CHART_WIDTH, "the phone drawing");
        ok(charts[0].shown / charts[0].drawn > 0.9, `shown at ${charts[0].shown} px, not squeezed`);
        // The tiles stack: each below the one before it, as wide as the column.
        const boxes = await stack.locator(".widget").evaluateAll((els) => els.map((e) => e.getBoundingClientRect()));
        for (let i = 1; i < boxes.length; i++) {
          ok(boxes[i].top >= boxes[i - 1].bottom, `tile ${i + 1} is below tile ${i}`);
          equal(Math.round(boxes[i].width), Math.round(boxes[0].width));
        }
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
        ok(overflow <= 0, `the editor scrolls sideways by ${overflow} px`);
        if (SCREENSHOTS) {
          await page.screenshot({ path: `${SCREENSHOTS}/dashboard-editor-remove-390-${scheme}.png`, fullPage: true });
          await page.setViewportSize({ width: 1280, height: 900 });
          await page.waitForSelector(".grid-stack[data-ready=true]");
          await page.screenshot({ path: `${SCREENSHOTS}/dashboard-editor-remove-1280-${scheme}.png`, fullPage: true });
          await page.setViewportSize({ width: 390, height: 900 });
          await stack.waitFor();
        }
        if (scheme === "dark") {
          await tile(page, "Total").getByRole("button", { name: "Remove" }).click();
          if (SCREENSHOTS) {
            await page.screenshot({ path: `${SCREENSHOTS}/dashboard-editor-remove-dialog-390-dark.png` });
          }
          await page.locator("dialog[open]").getByRole("button", { name: "Remove widget" }).click();
          await tile(page, "Total").waitFor({ state: "detached" });
          deepStrictEqual(await stack.locator(".widget-header > h2").allTextContents(), [
            "Sales by store",
            "Daily amount",
          ]);
          equal((await widgetsOf(t, cookie, dashboardId)).has("Total"), false, "removed on the server");
        }
        deepStrictEqual(patched, [], "nothing was moved");
        deepStrictEqual(problems, []);
        await page.context().close();
      }
    } finally {
      await server.close();
      await t.close();
    }
  },
);
