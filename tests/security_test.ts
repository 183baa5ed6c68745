import { deepStrictEqual, equal, match, notEqual, ok } from "node:assert/strict";
import { sql } from "drizzle-orm";
import { rows } from "../db/rows.ts";
import { startFakeOpenAI } from "./support/fake_openai.ts";
import { newChat } from "./support/chat_client.ts";
import { closeSharedAppsAfterAll, startTestApp, testEachBackend } from "./support/test_app.ts";
import { toApiError } from "../lib/http/error_handler.ts";
import { createLogger } from "../lib/log.ts";

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

testEachBackend(
  "a bad postgres connection string is a 400 that never echoes it, and stays out of the log",
  async (t) => {
    const { cookie } = await t.signUp();
    const secret = `S3cr3t-${crypto.randomUUID()}`;
    const strings = [
      `postgres://u:${secret}@h1:5432,h2:5432/db`, // multi-host: valid for libpq, not for new URL
      `postgres://u:${secret}@h1,h2/db`,
      `postgresql://u:${secret}@[::1/db`,
      `postgres://u:${secret}@h:99999/db`,
      `postgres://u:${secret}@/db`,
      `mysql://u:${secret}@h/db`,
    ];
    const logged = t.logs.length;
    const answers: string[] = [];
    for (const connection_string of strings) {
      const res = await t.call("/api/connectors", {
        cookie,
        body: { name: "pg", type: "postgres", config: {}, credentials: { connection_string } },
      });
      equal(res.status, 400, res.text);
      const error = (res.body as { error: { code: string; message: string } }).error;
      equal(error.code, "invalid_request");
      match(error.message, /credentials\.connection_string/);
      answers.push(res.text);
    }
    const multi = await t.call("/api/connectors", {
      cookie,
      body: { name: "pg", type: "postgres", config: {}, credentials: { connection_string: strings[0] } },
    });
    match((multi.body as { error: { message: string } }).error.message, /Several hosts .* not supported/);
    // The same through PATCH, on a connector that exists.
    const created = await t.call("/api/connectors", {
      cookie,
      body: { name: "pg", type: "postgres", config: { host: "1.1.1.1" }, credentials: { password: "x" } },
    });
    equal(created.status, 201, created.text);
    const { id } = created.body as { id: string };
    const patched = await t.call(`/api/connectors/${id}`, {
      method: "PATCH",
      cookie,
      body: { credentials: { connection_string: strings[0] } },
    });
    equal(patched.status, 400, patched.text);
    answers.push(patched.text);
    const everything = answers.join("\n") + t.logs.slice(logged).join("\n");
    ok(!everything.includes(secret), "the password was echoed or logged");
    ok(!/"status":5\d\d/.test(t.logs.slice(logged).join("\n")), "a 5xx was logged");
  },
);

Deno.test("an unexpected error that quotes credentials is logged, message and stack, without them", () => {
  const secret = `S3cr3t-${crypto.randomUUID()}`;
  const lines: string[] = [];
  const log = createLogger("debug", (line) => lines.push(line));
  // The error handler logs message and stack of an error it did not expect: both are scrubbed.
  toApiError(new TypeError(`Invalid URL: 'postgres://u:${secret}@h1:5432,h2:5432/db'`), log, "req-1");
  toApiError(new Error(`connect failed: host=h user=u password=${secret}`), log, "req-2");
  equal(lines.length, 2);
  ok(lines.every((l) => l.includes("[redacted]") && l.includes('"stack"') && !l.includes(secret)), lines.join("\n"));
});

testEachBackend("model settings show that a server model exists, never the server's endpoint", async (t) => {
  const { cookie } = await t.signUp();
  const res = await t.call("/api/settings/llm", { cookie });
  equal(res.status, 200);
  const body = res.body as { effective: { base_url: string | null; model: string; source: string } };
  deepStrictEqual(body.effective, { base_url: null, model: "internal-model", source: "environment" });
  const page = await t.call("/settings", { cookie });
  match(page.text, /Chats use <code>internal-model<\/code> on the server's model endpoint/);
  for (const text of [res.text, page.text]) ok(!text.includes("10.20.30.40"), "the internal address is shown");
}, {
  OPENAI_BASE_URL: "http://10.20.30.40:8080/v1",
  OPENAI_API_KEY: "sk-internal-0123456789",
  LLM_MODEL: "internal-model",
});

const fake = startFakeOpenAI(() => ({ text: "ok", chunkDelayMs: 5 }));

testEachBackend("40 chat messages at once with a limit of 20 a minute: at most 20 are admitted", async (t) => {
  const { cookie, user } = await t.signUp();
  const chats = await Promise.all(Array.from({ length: 40 }, () => newChat(t, cookie, { title: "Burst" })));
  const answers = await Promise.all(
    chats.map((id) => t.call(`/api/chat/sessions/${id}/messages`, { cookie, body: { content: "hi" } })),
  );
  const statuses = answers.map((a) => a.status);
  const admitted = statuses.filter((s) => s === 200).length;
  ok(admitted <= 20, `${admitted} admitted: ${statuses.join(" ")}`);
  equal(admitted + statuses.filter((s) => s === 429).length, 40, statuses.join(" "));
  ok(admitted >= 1, "none admitted");
  // Only the admitted questions were stored.
  const [{ n }] = await rows<{ n: number }>(
    t.deps.db.orm,
    sql`select count(*)::int as n from chat_messages m join chat_sessions s on s.id = m.session_id
      where s.user_id = ${user.id} and m.role = 'user'`,
  );
  equal(n, admitted);
}, { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "sk-test-0123456789abcdef", CHAT_REQUESTS_PER_MINUTE: "20" });

/** `next` values an attacker sends, as they appear in the query string (already percent-encoded). */
const HOSTILE_NEXT = [
  "/%09/evil.example/", // tab: browsers drop it, leaving //evil.example
  "/%0a/evil.example/", // newline: a 500 when it reached the Location header
  "/%0d/evil.example/",
  "/%0d%0aSet-Cookie:%20x=1",
  "//evil.example/",
  "%2F%2Fevil.example/",
  "/%5Cevil.example/", // /\evil.example: read as //evil.example
  "%5C%5Cevil.example/",
  "/%5C/evil.example/",
  "///evil.example/",
  "/.//evil.example/",
  "/%2e//evil.example/",
  "https://evil.example/",
  "https:evil.example",
  "http://localhost.evil.example/",
  "http://localhost@evil.example/",
  "javascript:alert(document.cookie)",
  "JaVaScRiPt%3Aalert(1)",
  "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E",
  "%20//evil.example/",
  "%E3%80%80//evil.example/", // ideographic space
  "/%E2%80%A8/evil.example/", // line separator
  "/%00/evil.example/",
  "/" + "a".repeat(5000),
];

function assertSameOrigin(res: { status: number; headers: Headers; text: string }, what: string) {
  equal(res.status, 303, `${what}: ${res.status} ${res.text.slice(0, 200)}`);
  const location = res.headers.get("location") ?? "";
  equal(new URL(location, "http://localhost/login").origin, "http://localhost", `${what} went to ${location}`);
  // What a browser does with it: a path on this origin, no protocol-relative or backslash form.
  match(location, /^\/(?![\/\\])[\x21-\x7e]*$/, `${what}: ${location}`);
  ok(location.length <= 2048, `${what}: a ${location.length}-character Location`);
}

const formHeaders = { "content-type": "application/x-www-form-urlencoded" };

// Redirects do not depend on the database: one backend is enough, and each sign-in costs a PBKDF2.
Deno.test({
  name: "sign-in and sign-up never redirect to another origin, whatever next= holds",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const t = await startTestApp("pglite");
    const { email, password, cookie } = await t.signUp();
    for (const next of HOSTILE_NEXT) {
      const what = `next=${next.slice(0, 60)}`;
      const login = await t.call(`/login?next=${next}`, {
        method: "POST",
        body: new URLSearchParams({ email, password }).toString(),
        headers: formHeaders,
      });
      assertSameOrigin(login, `sign-in ${what}`);
      equal(login.headers.get("location"), "/chat", what);
      // Signed in already: the page itself redirects.
      for (const page of ["/login", "/signup"]) {
        const res = await t.call(`${page}?next=${next}`, { cookie });
        assertSameOrigin(res, `GET ${page} ${what}`);
        equal(res.headers.get("location"), "/chat", what);
      }
      // Anonymous: the sign-in page links to sign-up without carrying the hostile target.
      const anonymous = await t.call(`/login?next=${next}`);
      equal(anonymous.status, 200, what);
      ok(!anonymous.text.includes("evil.example"), `${what}: the page echoes it`);
    }
    // Sign-up through the form, for a few of the worst.
    for (const next of HOSTILE_NEXT.slice(0, 8)) {
      const signup = await t.call(`/signup?next=${next}`, {
        method: "POST",
        body: new URLSearchParams({ email: `n-${crypto.randomUUID()}@example.com`, password: "long enough pw" })
          .toString(),
        headers: formHeaders,
      });
      assertSameOrigin(signup, `sign-up next=${next}`);
      equal(signup.headers.get("location"), "/chat");
    }
    await t.close();
  },
});

testEachBackend("sign-in and sign-up keep a same-origin next= with its query and fragment", async (t) => {
  const { email, password, cookie } = await t.signUp();
  const next = encodeURIComponent("/connectors?type=csv#new");
  const login = await t.call(`/login?next=${next}`, {
    method: "POST",
    body: new URLSearchParams({ email, password }).toString(),
    headers: formHeaders,
  });
  equal(login.headers.get("location"), "/connectors?type=csv#new");
  equal((await t.call(`/signup?next=${next}`, { cookie })).headers.get("location"), "/connectors?type=csv#new");
  equal(
    (await t.call(`/login?next=${encodeURIComponent("http://localhost/chat/x?y=1")}`, { cookie })).headers.get(
      "location",
    ),
    "/chat/x?y=1",
  );
  // The sign-in page carries it to sign-up, and a workspace page sends the anonymous there with it.
  match((await t.call(`/login?next=${next}`)).text, /href="\/signup\?next=%2Fconnectors%3Ftype%3Dcsv%23new"/);
  equal((await t.call("/connectors?type=csv")).headers.get("location"), "/login?next=%2Fconnectors%3Ftype%3Dcsv");
});

closeSharedAppsAfterAll();
