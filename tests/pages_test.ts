/**
 * Every page route, walked as a signed-in user and as a visitor: ids that are not UUIDs, and UUIDs
 * that name nothing, are 404 pages (never the 500 page, never a SQL error in the log); signed-in
 * pages and API answers are never stored by the browser (Cache-Control: no-store), so Back shows
 * the page as it is now. The routes come from the routes folder itself, so a new `[id]` page is
 * walked without editing this test.
 */
import { equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { buildRouteTable, scanRouteFiles } from "../lib/fresh/fs_routes.ts";
import freshConfig from "../fresh.config.ts";
import { closeSharedAppsAfterAll, testEachBackend } from "./support/test_app.ts";

const routesDir = join(freshConfig.root, freshConfig.routesDir ?? "routes");
const table = buildRouteTable(await scanRouteFiles(routesDir, freshConfig.ignoreRoutes));
const pages = table.routes.filter((r) => !r.pattern.startsWith("/api") && !r.file.endsWith(".ts"));
const withParams = pages.filter((r) => r.pattern.includes(":"));

/** The route's address with every parameter set to `value`. */
const fill = (pattern: string, value: string) => pattern.replace(/:(\w+)(\{[^}]*\})?/g, () => value);

Deno.test("the walk finds the [id] pages it must cover", () => {
  for (const expected of ["/chat/:id", "/artifacts/:id", "/connectors/:id"]) {
    ok(pages.some((r) => r.pattern === expected), `${expected} is walked`);
  }
});

testEachBackend("page routes answer 404, not 500, to malformed and unknown ids", async (t) => {
  const { cookie } = await t.signUp();
  const logged = t.logs.length;
  const malformed = ["not-a-uuid", "1", "00000000-0000-0000-0000-00000000000g", "%27%3B--", "x".repeat(300)];
  for (const route of withParams) {
    for (const value of [...malformed, crypto.randomUUID()]) {
      const path = fill(route.pattern, value);
      const res = await t.call(path, { cookie });
      equal(res.status, 404, `${path} (${route.file}) answered ${res.status}`);
      // A dead share link has its own 404 for viewers with no account (see routes/_404.tsx).
      match(res.text, path.startsWith("/share/") ? /This link does not work/ : /Page not found/, path);
      match(res.headers.get("content-type") ?? "", /text\/html/, path);
    }
  }
  const errors = t.logs.slice(logged).filter((line) => /"level":"error"/.test(line));
  equal(errors.length, 0, errors.join("\n"));
});

testEachBackend("signed-in pages and API answers carry Cache-Control: no-store", async (t) => {
  const { cookie } = await t.signUp();
  const plain = pages.filter((r) => !r.pattern.includes(":"));
  ok(plain.length >= 6, "the walk has pages");
  for (const route of plain) {
    const res = await t.call(route.pattern, { cookie });
    ok(res.status < 500, `${route.pattern} answered ${res.status}`);
    equal(res.headers.get("cache-control"), "no-store", `${route.pattern} (${res.status})`);
  }
  for (const path of ["/api/me", "/api/connectors", "/api/chat/sessions", "/api/nope"]) {
    equal((await t.call(path, { cookie })).headers.get("cache-control"), "no-store", path);
  }
  // Island bundles and static files keep their long-lived caching.
  const css = await t.call("/styles.css");
  ok(!/no-store/.test(css.headers.get("cache-control") ?? ""), "static files are cacheable");
});

closeSharedAppsAfterAll();
