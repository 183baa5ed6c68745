import { equal, match, ok } from "node:assert/strict";
import { Hono } from "hono";
import { createFresh, type FreshApp } from "./mod.ts";

const root = new URL("../../tests/fixtures/fresh_app/", import.meta.url).pathname;

/** The fixture app, mounted the way main.ts mounts the real one. */
async function fixture(): Promise<{ app: Hono; fresh: FreshApp; errors: unknown[] }> {
  const errors: unknown[] = [];
  const fresh = await createFresh(
    { root },
    { state: () => ({}), nonce: () => "test-nonce" },
  );
  const app = new Hono();
  app.route("/", fresh.app);
  app.notFound((c) => fresh.renderNotFound(c));
  app.onError((error, c) => {
    errors.push(error);
    return fresh.renderError(c, error);
  });
  return { app, fresh, errors };
}

const { app, fresh, errors } = await fixture();
await fresh.ready;

Deno.test("pages render inside _app and nested layouts, through middleware in order", async () => {
  const res = await app.request("/items/42");
  equal(res.status, 200);
  equal(res.headers.get("x-middleware"), "root>items");
  const html = await res.text();
  ok(html.startsWith("<!DOCTYPE html><html"));
  match(html, /<section class="items-layout"><p>item 42 via root>items<\/p><\/section>/);
});

Deno.test("a middleware can answer without reaching the page", async () => {
  const res = await app.request("/items/1?deny");
  equal(res.status, 403);
  equal(await res.text(), "denied");
});

Deno.test("handlers per method: ctx.render sets the status, a missing method is 405 with Allow", async () => {
  const posted = await app.request("/items/7", { method: "POST" });
  equal(posted.status, 201);
  match(await posted.text(), /item 7 via posted/);
  const res = await app.request("/items/7", { method: "DELETE" });
  equal(res.status, 405);
  equal(res.headers.get("allow"), "GET, POST");
});

Deno.test("group folders add nothing to the URL; catch-alls get the rest of the path", async () => {
  match(await (await app.request("/about")).text(), /about page/);
  const res = await app.request("/files/a/b/c.txt");
  equal((await res.json()).rest, "a/b/c.txt");
});

Deno.test("unknown paths get _404 and a throwing page gets _500", async () => {
  const missing = await app.request("/nope");
  equal(missing.status, 404);
  match(await missing.text(), /custom not found/);
  const broken = await app.request("/boom");
  equal(broken.status, 500);
  match(await broken.text(), /custom error page/);
});

Deno.test("a page without islands ships no JavaScript at all", async () => {
  const html = await (await app.request("/plain")).text();
  ok(!html.includes("<script"), html);
});

Deno.test("a page with islands marks them and loads only hashed, immutable bundles", async () => {
  const html = await (await app.request("/")).text();
  match(html, /<fresh-island data-island="Counter" data-props="0">/);
  match(html, /<fresh-island data-island="Counter" data-props="1">/);
  match(html, /<script type="module" nonce="test-nonce">/);
  const [, bootFile] = html.match(/\/_fresh\/js\/(boot-[\w]+\.js)/)!;
  const bundle = await app.request(`/_fresh/js/${bootFile}`);
  equal(bundle.status, 200);
  equal(bundle.headers.get("cache-control"), "public, max-age=31536000, immutable");
  match(bundle.headers.get("content-type")!, /javascript/);
  ok((await bundle.text()).length > 100);
});

Deno.test("an island prop that cannot be serialized fails the render with a clear error", async () => {
  const res = await app.request("/bad_props");
  equal(res.status, 500);
  match(String(errors.at(-1)), /Cannot render island "Counter": Cannot serialize prop "onPick": functions/);
});

Deno.test("static files are served with ETags and immutable caching when versioned", async () => {
  const res = await app.request("/site.css");
  equal(res.status, 200);
  const etag = res.headers.get("etag")!;
  await res.body?.cancel();
  const again = await app.request("/site.css", { headers: { "if-none-match": etag } });
  equal(again.status, 304);
  const versioned = await app.request(`/site.css?v=${etag.replaceAll('"', "")}`);
  await versioned.body?.cancel();
  equal(versioned.headers.get("cache-control"), "public, max-age=31536000, immutable");
});
