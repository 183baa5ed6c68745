/**
 * Walks every operation in the OpenAPI document with bad input (malformed JSON, wrong types,
 * missing fields, a huge body, the wrong media type, unknown and malformed ids) and checks
 * each answer is a 4xx in the API's error shape, with nothing changed in the database.
 */
import { equal, match, ok } from "node:assert/strict";
import { sql } from "drizzle-orm";
import { closeSharedAppsAfterAll, type TestApp, testEachBackend } from "./support/test_app.ts";
import { rows } from "../db/rows.ts";
import { startFakeOpenAI, toolResults } from "./support/fake_openai.ts";
import { ask, newChat } from "./support/chat_client.ts";
import { createWorkflow, signedHeaders, waitForExecution } from "./support/workflows.ts";
import { encodeBase64Url } from "../lib/encoding.ts";

interface Operation {
  method: string;
  path: string;
  hasBody: boolean;
  /** The body is not JSON (a CSV upload): JSON bodies get 415 there. */
  rawBody: boolean;
  hasQuery: boolean;
  secured: boolean;
}

async function operations(t: TestApp): Promise<Operation[]> {
  const doc = (await t.call("/api/openapi.json")).body as {
    paths: Record<
      string,
      Record<
        string,
        { requestBody?: { content: Record<string, unknown> }; parameters?: { in: string }[]; security?: unknown[] }
      >
    >;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      hasBody: Boolean(op.requestBody),
      rawBody: Boolean(op.requestBody && !op.requestBody.content["application/json"]),
      hasQuery: (op.parameters ?? []).some((p) => p.in === "query"),
      secured: Boolean(op.security?.length),
    }))
  );
}

/** Operations whose every body field is optional, so `{}` is a valid body there. */
const EMPTY_BODY_OK = new Set([
  "POST /chat/sessions",
  "PATCH /dashboards/{id}",
  "PATCH /widgets/{id}",
  "PATCH /shares/{id}",
  "POST /dashboards/{id}/shares",
  "POST /workflows/{id}/rotate-secret",
  "POST /workflows/{id}/run",
  "POST /workflows/{id}/test-event",
  "POST /workflows/{id}/replay",
  "POST /executions/{id}/rerun",
]);

const CODES: Record<number, string> = {
  401: "unauthorized",
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

function assertApiError(
  res: { status: number; body: unknown; text: string },
  what: string,
  status: number,
  code?: string,
) {
  equal(res.status, status, `${what}: ${res.text}`);
  const error = (res.body as { error?: { code?: unknown; message?: unknown } })?.error;
  equal(error?.code, code ?? CODES[status] ?? "invalid_request", `${what}: ${res.text}`);
  ok(typeof error?.message === "string" && error.message.length > 0, `${what}: error.message`);
  ok(!/\.ts:\d+|\bat \w+ \(/.test(res.text), `${what}: leaks a stack trace`);
}

/** Ids as they arrive in a URL path (percent-encoded where they must be): none is a UUID. */
const MALFORMED_IDS = [
  "1",
  "00000000-0000-0000-0000-00000000000g",
  `${crypto.randomUUID()}0`,
  `${crypto.randomUUID()}%00`,
  "%27%20or%201%3D1--",
  "%E2%80%AE",
  "x".repeat(300),
];

/** Nothing a request sent became a failed statement in the log (the driver quotes SQL there). */
function assertNoSqlLogged(t: TestApp, from = 0) {
  const lines = t.logs.slice(from).join("\n");
  ok(!/failed query|\bselect\b.*\bfrom\b|insert into|invalid input syntax/i.test(lines), `SQL in the log:\n${lines}`);
  ok(!/"level":"error"/.test(lines), `an error was logged:\n${lines}`);
}

async function counts(t: TestApp) {
  const [row] = await rows<Record<string, number>>(
    t.deps.db.orm,
    sql`select (select count(*)::int from users) as users, (select count(*)::int from api_tokens) as tokens,
      (select count(*)::int from sessions) as sessions, (select count(*)::int from workspaces) as workspaces,
      (select count(*)::int from connectors) as connectors, (select count(*)::int from connector_syncs) as syncs,
      (select count(*)::int from datasets) as datasets, (select count(*)::int from connector_files) as files,
      (select count(*)::int from chat_sessions) as chats, (select count(*)::int from chat_messages) as messages,
      (select count(*)::int from artifacts) as artifacts, (select count(*)::int from workspace_llm_settings) as llm,
      (select count(*)::int from dashboards) as dashboards, (select count(*)::int from widgets) as widgets,
      (select count(*)::int from share_links) as shares,
      (select count(*)::int from workflows) as workflows, (select count(*)::int from workflow_executions) as executions,
      (select count(*)::int from execution_steps) as steps, (select count(*)::int from webhook_deliveries) as deliveries`,
  );
  return row;
}

testEachBackend("every API operation answers bad input with a 4xx error shape and changes nothing", async (t) => {
  const { cookie } = await t.signUp();
  const { token } = (await t.call("/api/tokens", { body: { name: "walker" }, cookie })).body as { token: string };
  const ops = await operations(t);
  ok(ops.length >= 6, `found ${ops.length} operations`);
  const before = await counts(t);
  let checks = 0;

  for (const op of ops) {
    const unknownId = op.path.replaceAll(/\{\w+\}/g, crypto.randomUUID());
    const badId = op.path.replaceAll(/\{\w+\}/g, "not-a-uuid");
    const url = (p: string) => `/api${p}`;
    const name = `${op.method} ${op.path}`;
    // Bearer, so a refused cookie or missing session never hides the validation under test.
    const as = { method: op.method, token };

    if (op.secured) {
      assertApiError(
        await t.call(url(unknownId), { method: op.method, body: op.hasBody ? {} : undefined }),
        `${name} anonymous`,
        401,
      );
      checks++;
    }
    if (op.path !== unknownId) {
      const res = await t.call(url(badId), { ...as, body: op.hasBody ? {} : undefined });
      assertApiError(res, `${name} malformed id`, 400);
      for (const malformed of MALFORMED_IDS) {
        const target = url(op.path.replaceAll(/\{\w+\}/g, malformed));
        const answer = await t.call(target, { ...as, body: op.hasBody ? {} : undefined });
        ok(answer.status >= 400 && answer.status < 500, `${name} id ${malformed}: ${answer.status} ${answer.text}`);
        checks++;
      }
      if (!op.hasBody) assertApiError(await t.call(url(unknownId), as), `${name} unknown id`, 404);
      checks += 2;
    }
    if (op.rawBody) {
      const target = url(unknownId);
      assertApiError(await t.call(target, { ...as, body: {} }), `${name} JSON instead of the file`, 415);
      assertApiError(
        await t.call(target, { ...as, body: "a,b", headers: { "content-type": "text/csv" } }),
        `${name} unknown id`,
        404,
      );
      checks += 2;
      continue;
    }
    if (op.hasQuery && op.method === "GET") {
      assertApiError(await t.call(`${url(unknownId)}?limit=lots`, as), `${name} wrong query type`, 400);
      assertApiError(await t.call(`${url(unknownId)}?limit=100000`, as), `${name} query out of range`, 400);
      checks += 2;
    }
    if (op.hasBody) {
      const target = url(unknownId);
      assertApiError(
        await t.call(target, { ...as, body: '{"email": "a@b.c", ' }),
        `${name} malformed JSON`,
        400,
        "invalid_json",
      );
      if (!EMPTY_BODY_OK.has(name)) {
        assertApiError(await t.call(target, { ...as, body: {} }), `${name} missing fields`, 400);
      }
      assertApiError(await t.call(target, { ...as, body: [] }), `${name} array body`, 400);
      assertApiError(await t.call(target, { ...as, body: "null" }), `${name} null body`, 400);
      assertApiError(
        await t.call(target, { ...as, body: { email: 42, password: false, name: ["x"], expires_at: {} } }),
        `${name} wrong types`,
        400,
      );
      assertApiError(
        await t.call(target, { ...as, body: JSON.stringify({ name: "x" }), headers: { "content-type": "text/plain" } }),
        `${name} wrong media type`,
        415,
      );
      const huge = JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) });
      assertApiError(await t.call(target, { ...as, body: huge }), `${name} huge body`, 413);
      checks += 7;
    }
  }
  assertApiError(await t.call("/api/no/such/route", { token }), "unknown route", 404);
  assertApiError(await t.call("/api/me", { method: "POST", token, body: {} }), "wrong method", 404);
  assertApiError(
    await t.call("/api/auth/login", {
      body: JSON.stringify({ email: "a@b.c", password: "x" }),
      headers: { "content-type": "" },
    }),
    "no media type",
    415,
  );
  ok(checks > 20, `${checks} checks`);
  const after = await counts(t);
  equal(JSON.stringify(after), JSON.stringify(before));
  assertNoSqlLogged(t);
});

testEachBackend("deep JSON, crafted cursors and out-of-range versions are 4xx, never a 500", async (t) => {
  const { cookie } = await t.signUp();
  const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
  const deepObject = (levels: number) => '{"a":'.repeat(levels) + "1" + "}".repeat(levels);
  const workflow = await createWorkflow(t, cookie, {
    steps: [{ id: "echo", type: "transform", config: { expression: "trigger.payload" } }],
  });
  const before = await counts(t);
  // A 1 MiB body can nest half a million levels; code that walks a value recurses.
  for (const levels of [3_000, 10_000, 100_000]) {
    for (
      const [path, body] of [
        [`/api/workflows/${workflow.id}/run`, `{"input":${deep(levels)}}`],
        [`/api/workflows/${workflow.id}/test-event`, `{"payload":${deepObject(levels)}}`],
        ["/api/connectors", `{"name":"n","type":"csv","config":${deepObject(levels)}}`],
        ["/api/dashboards", `{"name":"n","description":"d","config":${deepObject(levels)}}`],
      ]
    ) {
      const res = await t.call(path, { cookie, body });
      ok(res.status >= 400 && res.status < 500, `${path} at ${levels} levels: ${res.status} ${res.text.slice(0, 200)}`);
    }
  }
  equal(JSON.stringify(await counts(t)), JSON.stringify(before), "deep bodies changed nothing");

  // A signed delivery nested that deep is accepted, and kept whole as its text.
  const body = deep(50_000);
  const hook = await t.call(`/hooks/${workflow.id}`, {
    method: "POST",
    body,
    headers: signedHeaders(workflow.webhook_secret, body),
  });
  equal(hook.status, 202, hook.text);
  const executionId = (hook.body as { execution_id: string }).execution_id;
  equal((await waitForExecution(t, cookie, executionId)).status, "succeeded");
  const [stored] = await rows<{ payload: unknown }>(
    t.deps.db.orm,
    sql`select input->'payload' as payload from workflow_executions where id = ${executionId}`,
  );
  equal(stored.payload, body);

  // Cursors are opaque but come from clients: a NUL id or a year Postgres cannot store is a 400.
  const cursor = (value: unknown) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));
  const crafted = [
    cursor(["2024-01-01T00:00:00Z", "\u0000"]),
    cursor(["+275760-09-13T00:00:00.000Z", crypto.randomUUID()]),
    cursor([-8.64e15, crypto.randomUUID()]),
  ];
  for (
    const list of [
      "tokens",
      "connectors",
      "dashboards",
      "workflows",
      "chat/sessions",
      `workflows/${workflow.id}/executions`,
    ]
  ) {
    for (const c of crafted) {
      const res = await t.call(`/api/${list}?cursor=${c}`, { cookie });
      assertApiError(res, `${list} with a crafted cursor`, 400);
    }
  }
  // Artifact versions are Postgres integers.
  const version = await t.call(`/api/artifacts/${crypto.randomUUID()}?version=2147483648`, { cookie });
  assertApiError(version, "artifact version past int4", 400);
  // The artifact page takes the same ?version=: past int4 it names nothing (404), never a query error.
  equal((await t.call(`/artifacts/${crypto.randomUUID()}?version=2147483648`, { cookie })).status, 404);
  equal((await t.call(`/artifacts/${crypto.randomUUID()}?version=9007199254740993`, { cookie })).status, 404);
});

testEachBackend("bad input to the sign-in form re-renders it with a message and a 4xx", async (t) => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  const res = await t.call("/login", { method: "POST", body: form({ email: "not an email", password: "" }), headers });
  equal(res.status, 400);
  match(res.text, /role="alert">Enter a valid email address/);
  const signup = await t.call("/signup", {
    method: "POST",
    body: form({ email: "x@example.com", password: "short" }),
    headers,
  });
  equal(signup.status, 400);
  match(signup.text, /Use at least 8 characters/);
  match(signup.text, /value="x@example.com"/);
});

testEachBackend("malformed ids in workspace pages and the settings form are 4xx, never SQL", async (t) => {
  const { cookie } = await t.signUp();
  const { id: tokenId } = (await t.call("/api/tokens", { body: { name: "keep me" }, cookie })).body as { id: string };
  const logged = t.logs.length;
  const before = await counts(t);
  // Every page with an [id] in its path, found on disk, so pages added later are walked too.
  const pages: string[] = [];
  for await (const path of walk(new URL("../routes/", import.meta.url).pathname)) {
    if (!path.includes("[id]")) continue;
    pages.push(path.replace(/\/\([^)]+\)/g, "").replace(/\.tsx?$/, "").replace(/\/index$/, ""));
  }
  ok(pages.length >= 3, `pages with ids: ${pages.join(", ")}`);
  const form = { "content-type": "application/x-www-form-urlencoded" };
  for (const page of pages) {
    for (const malformed of ["not-a-uuid", ...MALFORMED_IDS]) {
      const path = page.replace("[id]", malformed);
      const view = await t.call(path, { cookie });
      equal(view.status, 404, `GET ${path}: ${view.status}`);
      const post = await t.call(path, { method: "POST", cookie, body: "action=delete", headers: form });
      equal(post.status, 404, `POST ${path}: ${post.status}`);
    }
  }
  for (const malformed of ["not-a-uuid", "", ...MALFORMED_IDS.map(decodeURIComponent)]) {
    const res = await t.call("/settings", {
      method: "POST",
      cookie,
      body: new URLSearchParams({ action: "revoke", id: malformed }).toString(),
      headers: form,
    });
    equal(res.status, 400, `revoke id ${JSON.stringify(malformed)}: ${res.status}`);
    match(res.text, /role="alert">That token is not in your list: reload the page and try again/);
  }
  const listed = await t.call("/api/tokens", { cookie });
  ok((listed.body as { items: { id: string }[] }).items.some((i) => i.id === tokenId), "the token is still there");
  equal(JSON.stringify(await counts(t)), JSON.stringify(before));
  assertNoSqlLogged(t, logged);
});

const fake = startFakeOpenAI();

testEachBackend("chat tools refuse malformed ids before any SQL, and tell the model", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie, { title: "Ids" });
  const bad = "not-a-uuid' or 1=1 --";
  const calls = [
    { name: "read_artifact", arguments: { artifact_id: bad } },
    { name: "update_artifact", arguments: { artifact_id: bad, name: "x" } },
    { name: "describe_dataset", arguments: { connector_id: bad, dataset: "d" } },
    { name: "query_dataset", arguments: { connector_id: bad, dataset: "d", query: { limit: 1 } } },
  ];
  let results: unknown[] = [];
  fake.script((request) => {
    if (request.messages.at(-1)?.role !== "tool") return { toolCalls: calls };
    results = toolResults(request);
    return { text: "Those ids were not valid." };
  });
  const logged = t.logs.length;
  const answer = await ask(t, cookie, sessionId, "Read the artifact");
  equal(answer.text, "Those ids were not valid.");
  equal(results.length, calls.length);
  for (const result of results) match(JSON.stringify(result), /uuid|invalid/i);
  assertNoSqlLogged(t, logged);
}, { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "sk-test-0123456789abcdef", LLM_MODEL: "fake" });

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`.replace(/\/+/g, "/");
    if (entry.isDirectory) yield* walk(path);
    else yield path.slice(path.indexOf("/routes/") + "/routes".length);
  }
}

closeSharedAppsAfterAll();
