import { equal, match, notEqual, ok } from "node:assert/strict";
import { closeSharedAppsAfterAll, startTestApp, testEachBackend } from "./support/test_app.ts";

testEachBackend("each page gets its own CSP nonce, and only scripts carrying it", async (t) => {
  const first = await t.call("/login");
  const second = await t.call("/login");
  const nonceOf = (csp: string | null) => csp?.match(/'nonce-([^']+)'/)?.[1];
  const n1 = nonceOf(first.headers.get("content-security-policy"));
  const n2 = nonceOf(second.headers.get("content-security-policy"));
  ok(n1 && n2);
  notEqual(n1, n2);
  const scripts = [...first.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
  ok(scripts.length >= 2);
  for (const attrs of scripts) {
    ok(attrs.includes(`nonce="${n1}"`) || attrs.includes('type="application/json"'), `script without nonce: ${attrs}`);
  }
  match(first.headers.get("content-security-policy")!, /frame-ancestors 'none'/);
  equal(first.headers.get("x-content-type-options"), "nosniff");
  match(first.headers.get("x-request-id") ?? "", /^[\w-]{8,}$/);
});

testEachBackend("request logs are JSON lines with ids and no secrets", async (t) => {
  const { cookie, password } = await t.signUp({ password: "a-very-secret-passphrase" });
  const { token } = (await t.call("/api/tokens", { body: { name: "logged" }, cookie })).body as { token: string };
  await t.call("/api/me", { token });
  await t.call("/api/auth/login", { body: { email: "nobody@example.com", password } });
  const lines = t.logs.map((l) => JSON.parse(l));
  const requests = lines.filter((l) => l.msg === "request");
  ok(requests.some((l) => l.path === "/api/me" && l.status === 200 && l.request_id));
  const all = t.logs.join("\n");
  for (const secret of [password, token, cookie.split("=")[1]]) ok(!all.includes(secret), "a secret reached the log");
});

Deno.test({
  name: "a database outage is a 503 with Retry-After, never a 500 or a stack trace",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp("pglite");
    const { cookie } = await t.signUp();
    equal((await t.call("/health")).status, 200);
    await t.deps.db.close();
    const health = await t.call("/health");
    equal(health.status, 503);
    equal(health.headers.get("retry-after"), "5");
    const me = await t.call("/api/me", { cookie });
    equal(me.status, 503);
    equal((me.body as { error: { code: string } }).error.code, "database_unavailable");
    ok(me.headers.get("retry-after"));
    const page = await t.call("/chat", { cookie, headers: { accept: "text/html" } });
    equal(page.status, 500);
    match(page.text, /We can't reach the database/);
    ok(!/\.ts:\d+/.test(page.text + me.text));
  },
});

testEachBackend("the OpenAPI document and its reference page list every operation", async (t) => {
  const doc = (await t.call("/api/openapi.json")).body as {
    openapi: string;
    paths: Record<string, Record<string, unknown>>;
  };
  equal(doc.openapi, "3.1.0");
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
  for (
    const expected of [
      "post /auth/signup",
      "post /auth/login",
      "post /auth/logout",
      "get /me",
      "post /tokens",
      "get /tokens",
      "delete /tokens/{id}",
    ]
  ) {
    ok(operations.includes(expected), expected);
  }
  const page = await t.call("/api/docs");
  equal(page.status, 200);
  match(page.headers.get("content-type")!, /text\/html/);
  for (const op of operations) {
    const [method, path] = op.split(" ");
    ok(page.text.includes(`id="${method}-${path}"`), `reference misses ${op}`);
  }
  ok(!page.text.includes("<script"), "the reference needs no JavaScript");
});

closeSharedAppsAfterAll();
