/**
 * What users read when sources, filters and definitions go wrong: sentences about their input,
 * never the database's or the HTTP client's own text (“invalid input syntax for type bigint”,
 * “Invalid URL: 'http://[zz'”, “error reading a body from connection”, “CONNECTION_DESTROYED”),
 * and never a 64 KB column name. Through the real app, hostile local servers and real Postgres.
 */
import { equal, match, ok } from "node:assert/strict";
import { closeSharedAppsAfterAll, type TestApp, testEachBackend } from "./support/test_app.ts";
import { readOnlyRole, startHostileSources, startPostgresSource } from "./support/sources.ts";
import { postQuery, uploadCsv } from "./support/datasets.ts";
import { createWorkflow, waitForExecution } from "./support/workflows.ts";
import { syncsSettled } from "../functions/sync_connector.ts";

const sources = startHostileSources();
const ENV = { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" };

async function testConnector(t: TestApp, cookie: string, type: string, path: string) {
  const config = type === "csv" ? { url: `${sources.base}${path}` } : {
    url: `${sources.base}${path}`,
    records_path: "items",
  };
  const created = await t.call("/api/connectors", { cookie, body: { name: path, type, config } });
  equal(created.status, 201, created.text);
  const id = (created.body as { id: string }).id;
  const tested = await t.call(`/api/connectors/${id}/test`, { method: "POST", cookie });
  equal(tested.status, 200, tested.text);
  return { id, ...(tested.body as { ok: boolean; message: string }) };
}

testEachBackend("a filter value that does not fit its column is a 400 naming the column and the value", async (t) => {
  const { cookie } = await t.signUp();
  const { connectorId, sync } = await uploadCsv(
    t,
    cookie,
    "typed",
    "id,price,paid,day\n1,2.5,true,2024-01-02\n2,3.5,false,2024-01-03\n",
  );
  equal(sync.status, "succeeded");
  const cases: [string, string, unknown, string][] = [
    ["id", "eq", "abc", 'Filter on id: "abc" is not a whole number'],
    ["id", "gt", "9223372036854775808", 'Filter on id: "9223372036854775808" is beyond the range of a 64-bit integer'],
    ["id", "in", ["1", "1.5"], 'Filter on id: "1.5" is not a whole number'],
    ["price", "lt", "cheap", 'Filter on price: "cheap" is not a number'],
    ["paid", "eq", "maybe", 'Filter on paid: "maybe" is not true or false'],
    ["day", "gte", "someday", "a filter's value is not a valid date or time for its column: check the filters' values"],
  ];
  for (const [column, op, value, sentence] of cases) {
    const res = await postQuery(t, cookie, connectorId, "typed", {
      measures: [{ fn: "count" }],
      filters: [{ column, op, value }],
    });
    equal(res.status, 400, res.text);
    equal(
      (JSON.parse(res.text) as { error: { message: string } }).error.message,
      `Invalid request: query: ${sentence}`,
    );
    ok(!/syntax|bigint|invalid input/i.test(res.text), res.text);
  }
  // Values that fit still filter.
  const fits = await postQuery(t, cookie, connectorId, "typed", {
    measures: [{ fn: "count" }],
    filters: [{ column: "id", op: "eq", value: " 2" }, { column: "paid", op: "eq", value: "f" }],
  });
  equal(fits.status, 200, fits.text);
  equal(String(fits.body.rows[0][0]), "1");
}, ENV);

testEachBackend("a redirect to an invalid URL and a body shorter than its length are sentences", async (t) => {
  const { cookie } = await t.signUp();
  const host = `127.0.0.1:${sources.port}`;
  const redirect = await testConnector(t, cookie, "csv", `/redirect?to=${encodeURIComponent("http://[zz")}`);
  equal(redirect.ok, false);
  equal(redirect.message, `${host} answered with a redirect to an address that is not a valid URL`);
  for (const type of ["csv", "http_json"]) {
    const short = await testConnector(t, cookie, type, "/short-body");
    equal(short.ok, false);
    equal(short.message, `The answer from ${host} ended early or was malformed, so it was not read`, type);
  }
  // A sync says the same.
  const { id } = await testConnector(t, cookie, "csv", "/short-body");
  await t.call(`/api/connectors/${id}/sync`, { method: "POST", cookie });
  await syncsSettled();
  const [sync] = ((await t.call(`/api/connectors/${id}/syncs`, { cookie })).body as {
    items: { status: string; error: string }[];
  }).items;
  equal(sync.status, "failed");
  equal(sync.error, `The answer from ${host} ended early or was malformed, so it was not read`);
}, ENV);

testEachBackend(
  "a CSV whose one line is 256 KiB long: the test's message quotes at most 60 characters of it",
  async (t) => {
    const { cookie } = await t.signUp();
    const tested = await testConnector(t, cookie, "csv", "/long-line.csv");
    ok(tested.message.length < 300, `a ${tested.message.length}-character message: ${tested.message.slice(0, 200)}`);
    ok(!tested.message.includes("x".repeat(61)), tested.message.slice(0, 200));
    ok(tested.ok, tested.message.slice(0, 200));
    match(tested.message, new RegExp(`^Readable: 1 column \\(${"x".repeat(60)}…\\)`));
  },
  ENV,
);

testEachBackend("an http step's answer over 1 MiB names no setting that does not control it", async (t) => {
  const { cookie } = await t.signUp();
  const wf = await createWorkflow(t, cookie, {
    steps: [{ id: "call", type: "http", config: { method: "GET", url: `${sources.base}/endless.json` } }],
    config: { retries: { attempts: 1 } },
  });
  const run = await t.call(`/api/workflows/${wf.id}/run`, { cookie, body: { input: {} } });
  const done = await waitForExecution(t, cookie, (run.body as { execution_id: string }).execution_id);
  equal(done.status, "failed");
  const error = done.steps[0].error ?? "";
  match(error, /sent more than 1 MiB, the most this server reads in one response \(for a workflow's http step/);
  ok(!error.includes("SOURCE_MAX_MB"), error);
}, ENV);

testEachBackend("on_failure naming another workspace's workflow is refused at save with a sentence", async (t) => {
  const victim = await t.signUp();
  const attacker = await t.signUp();
  const steps = [{ id: "t", type: "transform", config: { expression: "1" } }];
  const theirs = await createWorkflow(t, victim.cookie, { steps });
  const sentence =
    "The workflow to run on failure (config.on_failure) is not a workflow of this workspace: pick one of its own";
  for (const onFailure of [theirs.id, crypto.randomUUID()]) {
    const created = await t.call("/api/workflows", {
      cookie: attacker.cookie,
      body: { name: "x", steps, config: { on_failure: onFailure } },
    });
    equal(created.status, 422, created.text);
    equal((created.body as { error: { message: string } }).error.message, sentence);
  }
  const own = await createWorkflow(t, attacker.cookie, { steps });
  const mine = await createWorkflow(t, attacker.cookie, { steps, config: { on_failure: own.id } });
  const patched = await t.call(`/api/workflows/${mine.id}`, {
    method: "PATCH",
    cookie: attacker.cookie,
    body: { config: { on_failure: theirs.id } },
  });
  equal(patched.status, 422, patched.text);
  equal((patched.body as { error: { message: string } }).error.message, sentence);
}, ENV);

const withPostgresSource = Deno.env.get("TEST_DATABASE_URL")
  ? testEachBackend
  : (name: string) => Deno.test({ name, ignore: true, fn() {} });

withPostgresSource(
  "a statement past OUTBOUND_TIMEOUT_MS says how long it waited, and stops on the source",
  async (t) => {
    const source = (await startPostgresSource(1))!;
    const reader = await readOnlyRole(source.sql);
    try {
      const { cookie } = await t.signUp();
      const url = new URL(source.url);
      const created = await t.call("/api/connectors", {
        cookie,
        body: {
          name: "Slow",
          type: "postgres",
          config: {
            host: "127.0.0.1",
            port: Number(url.port || 5432),
            database: url.pathname.slice(1),
            user: reader.user,
          },
          credentials: { password: reader.password },
        },
      });
      equal(created.status, 201, created.text);
      const marker = `slow_${crypto.randomUUID().slice(0, 8)}`;
      const res = await t.call(`/api/connectors/${(created.body as { id: string }).id}/sql`, {
        cookie,
        body: { sql: `select pg_sleep(20) as ${marker}` },
      });
      equal(res.status, 422, res.text);
      equal(
        (res.body as { error: { message: string } }).error.message,
        "The source did not finish answering within 1.5 s (OUTBOUND_TIMEOUT_MS)",
      );
      // The source stops the statement itself soon after (it would sleep on for 20 s otherwise).
      let running = 1;
      for (let i = 0; i < 40 && running > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        [{ running }] = await source.sql.unsafe<{ running: number }[]>(
          `select count(*)::int as running from pg_stat_activity where state = 'active' and query like '%${marker}%'
          and pid <> pg_backend_pid()`,
        );
      }
      equal(running, 0, "the statement still runs on the source");
    } finally {
      await source.close();
      await reader.drop();
    }
  },
  { ...ENV, OUTBOUND_TIMEOUT_MS: "1500" },
);

closeSharedAppsAfterAll();
Deno.test({
  name: "(stop the hostile sources)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sources.close(),
});
