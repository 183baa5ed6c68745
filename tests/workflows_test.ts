/**
 * Workflows through the real app: signed webhooks (made by the `standardwebhooks` package, as
 * senders make them), exactly one execution per delivery, definitions checked on save, and the
 * API around executions. Engine behaviour (retries, cancel, re-run, replay, pruning) is in
 * tests/workflow_engine_test.ts; crashes and several processes in tests/workflow_workers_test.ts.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { sql } from "drizzle-orm";
import { rows } from "../db/rows.ts";
import { closeSharedAppsAfterAll, type TestApp, testEachBackend } from "./support/test_app.ts";
import { Webhook } from "standardwebhooks";
import { createWorkflow, deliver, signedHeaders, waitForExecution } from "./support/workflows.ts";
import type { RequestMeta } from "../lib/deps.ts";
import { deleteWorkflow, rotateWebhookSecret, updateWorkflow } from "../functions/workflows/workflows.ts";
import { startReceiver } from "./support/receiver.ts";
import { waitUntil } from "./support/wait.ts";

const TWO_STEPS = [
  { id: "double", type: "transform", config: { expression: "{ 'total': $sum(trigger.payload.items.price) * 2 }" } },
  { id: "label", type: "transform", config: { expression: "'Total: ' & $string(steps.double.output.total)" } },
];

testEachBackend(
  "a delivery signed by standardwebhooks runs the workflow once, and the secret never shows again",
  async (t) => {
    const user = await t.signUp();
    const wf = await createWorkflow(t, user.cookie, { steps: TWO_STEPS });
    match(wf.webhook_secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    equal(wf.webhook_url, `http://localhost/hooks/${wf.id}`);

    const res = await deliver(t, wf, { items: [{ price: 2 }, { price: 3.5 }] });
    equal(res.status, 202, res.text);
    const executionId = (res.body as { execution_id: string }).execution_id;
    const done = await waitForExecution(t, user.cookie, executionId);
    equal(done.status, "succeeded", JSON.stringify(done));
    equal(done.trigger, "webhook");
    deepStrictEqual(done.steps.map((s) => [s.id, s.status, s.attempts]), [["double", "succeeded", 1], [
      "label",
      "succeeded",
      1,
    ]]);
    deepStrictEqual(done.steps[0].output, { total: 11 });
    equal(done.results, "Total: 11");

    // The secret is in no later answer and in no column in clear.
    const secretBody = wf.webhook_secret.slice("whsec_".length);
    for (const path of [`/api/workflows/${wf.id}`, "/api/workflows", `/api/executions/${executionId}`]) {
      const read = await t.call(path, { cookie: user.cookie });
      equal(read.status, 200);
      ok(!read.text.includes(secretBody), `${path} shows the secret`);
    }
    const dump = await rows<{ row: string }>(t.deps.db.orm, sql`select row_to_json(w)::text as row from workflows w`);
    ok(!dump.some((r) => r.row.includes(secretBody)), "the secret is stored in clear");
    ok(!t.logs.some((line) => line.includes(secretBody)), "the secret is in a log line");
  },
);

testEachBackend("forged, unsigned, stale and tampered deliveries are refused with 401 and queue nothing", async (t) => {
  const user = await t.signUp();
  const wf = await createWorkflow(t, user.cookie, { steps: TWO_STEPS });
  const body = JSON.stringify({ items: [] });
  const forger = "whsec_" + btoa("not the workflow's secret, 32 b.");
  const cases: [string, Record<string, string>, string][] = [
    ["forged", signedHeaders(forger, body), body],
    ["unsigned", { "content-type": "application/json" }, body],
    ["stale (6 minutes old)", signedHeaders(wf.webhook_secret, body, { at: new Date(Date.now() - 6 * 60_000) }), body],
    ["from the future", signedHeaders(wf.webhook_secret, body, { at: new Date(Date.now() + 6 * 60_000) }), body],
    ["tampered body", signedHeaders(wf.webhook_secret, body), JSON.stringify({ items: [{ price: 1e9 }] })],
    ["bad signature format", { ...signedHeaders(wf.webhook_secret, body), "webhook-signature": "v1,AAAA" }, body],
  ];
  for (const [name, headers, sent] of cases) {
    const res = await t.call(`/hooks/${wf.id}`, { method: "POST", body: sent, headers });
    equal(res.status, 401, `${name}: ${res.text}`);
    equal((res.body as { error: { code: string } }).error.code, "invalid_signature", name);
  }
  // Several signatures: one good among bad ones passes.
  const good = signedHeaders(wf.webhook_secret, body);
  const several = { ...good, "webhook-signature": `v1,bm9wZQ== ${good["webhook-signature"]} v2,xyz` };
  equal((await t.call(`/hooks/${wf.id}`, { method: "POST", body, headers: several })).status, 202);
  const list = await t.call(`/api/workflows/${wf.id}/executions`, { cookie: user.cookie });
  equal((list.body as { items: unknown[] }).items.length, 1);
});

testEachBackend(
  "a repeated webhook-id returns the first execution with 200 and shows as duplicate suppressed",
  async (t) => {
    const user = await t.signUp();
    const wf = await createWorkflow(t, user.cookie, { steps: TWO_STEPS });
    const first = await deliver(t, wf, { items: [{ price: 1 }] }, { id: "msg_same" });
    equal(first.status, 202);
    const again = await deliver(t, wf, { items: [{ price: 1 }] }, { id: "msg_same" });
    equal(again.status, 200);
    equal((again.body as { execution_id: string }).execution_id, (first.body as { execution_id: string }).execution_id);
    const id = (first.body as { execution_id: string }).execution_id;
    const done = await waitForExecution(t, user.cookie, id);
    equal(done.duplicates_suppressed, 1);
    const list = await t.call(`/api/workflows/${wf.id}/executions`, { cookie: user.cookie });
    deepStrictEqual(
      (list.body as { items: { duplicates_suppressed: number }[] }).items.map((i) => i.duplicates_suppressed),
      [1],
    );
  },
);

testEachBackend("100 concurrent deliveries with 20 repeated ids make exactly 80 executions", async (t) => {
  const user = await t.signUp();
  const wf = await createWorkflow(t, user.cookie, { steps: [TWO_STEPS[0]] });
  const ids = Array.from({ length: 80 }, (_, i) => `msg_${i}`);
  // 20 of the 80 ids are sent twice, the copies interleaved with the originals.
  const sends = [...ids, ...ids.slice(0, 20)].map((id) => deliver(t, wf, { items: [{ price: 1 }] }, { id }));
  const results = await Promise.all(sends);
  const statuses = results.map((r) => r.status);
  equal(statuses.filter((s) => s === 202).length, 80, JSON.stringify(statuses));
  equal(statuses.filter((s) => s === 200).length, 20);
  const [count] = await rows<{ n: number }>(
    t.deps.db.orm,
    sql`select count(*)::int as n from workflow_executions where workflow_id = ${wf.id}::uuid`,
  );
  equal(Number(count.n), 80);
  const distinct = new Set(results.map((r) => (r.body as { execution_id: string }).execution_id));
  equal(distinct.size, 80);
  // Deliveries that arrive together are written together, with one created_at: pages of 7 still
  // list each execution exactly once.
  const listed = await allPages(t, user.cookie, `/api/workflows/${wf.id}/executions`, 7);
  deepStrictEqual(listed.toSorted(), [...distinct].toSorted());
});

testEachBackend("pages of executions whose times differ below a millisecond skip none and repeat none", async (t) => {
  const user = await t.signUp();
  const wf = await createWorkflow(t, user.cookie, { steps: [TWO_STEPS[0]] });
  // 30 executions 1 µs apart, all inside one millisecond (the cursor carries milliseconds).
  const made = await rows<{ id: string }>(
    t.deps.db.orm,
    sql`insert into workflow_executions (workspace_id, workflow_id, trigger, input, steps, status, created_at)
      select workspace_id, id, 'manual', '{}'::jsonb, steps, 'succeeded',
        '2026-11-30T10:00:00.123400Z'::timestamptz + n * interval '1 microsecond'
      from workflows, generate_series(1, 30) n where id = ${wf.id}::uuid
      returning id::text`,
  );
  const listed = await allPages(t, user.cookie, `/api/workflows/${wf.id}/executions`, 7);
  deepStrictEqual(listed.toSorted(), made.map((r) => r.id).toSorted());
});

/** Every item's id, following next_cursor `limit` at a time. */
async function allPages(t: TestApp, cookie: string, path: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  for (let cursor: string | null = ""; cursor !== null;) {
    const page = await t.call(`${path}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
      cookie,
    });
    equal(page.status, 200, page.text);
    const body = page.body as { items: { id: string }[]; next_cursor: string | null };
    ids.push(...body.items.map((item) => item.id));
    cursor = body.next_cursor;
  }
  return ids;
}

testEachBackend("unknown, disabled, oversized and bad-id deliveries get 404, 410, 413 and 404", async (t) => {
  const user = await t.signUp();
  const wf = await createWorkflow(t, user.cookie, { steps: TWO_STEPS });
  equal((await deliver(t, { ...wf, id: crypto.randomUUID() }, {})).status, 404);
  equal((await deliver(t, { ...wf, id: "not-a-uuid" }, {})).status, 404);
  const big = await deliver(t, wf, { blob: "x".repeat(1024 * 1024) });
  equal(big.status, 413, big.text);
  const patched = await t.call(`/api/workflows/${wf.id}`, {
    method: "PATCH",
    cookie: user.cookie,
    body: { config: { enabled: false } },
  });
  equal(patched.status, 200, patched.text);
  const gone = await deliver(t, wf, {});
  equal(gone.status, 410, gone.text);
  equal((gone.body as { error: { code: string } }).error.code, "workflow_disabled");
});

/** Signs `body`'s exact bytes as the Standard Webhooks spec says, with Web Crypto (not the app's code). */
async function signBytes(secret: string, id: string, at: number, body: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    Uint8Array.from(atob(secret.slice("whsec_".length)), (c) => c.charCodeAt(0)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signed = new Uint8Array([...new TextEncoder().encode(`${id}.${at}.`), ...body]);
  return "v1," + btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.sign("HMAC", key, signed))));
}

/** Delivers raw bytes to a workflow's hook with the given signature. */
async function deliverBytes(t: TestApp, workflowId: string, body: Uint8Array, id: string, at: number, sig: string) {
  const res = await t.fetch(
    new Request(`http://localhost/hooks/${workflowId}`, {
      method: "POST",
      headers: { "webhook-id": id, "webhook-timestamp": String(at), "webhook-signature": sig },
      body: body as Uint8Array<ArrayBuffer>,
    }),
    { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50000 } },
  );
  return { status: res.status, body: await res.json() as { execution_id?: string } };
}

testEachBackend(
  "a signature covers the body's bytes: a non-UTF-8 body verifies and reaches steps as base64",
  async (t) => {
    const user = await t.signUp();
    const wf = await createWorkflow(t, user.cookie, {
      steps: [{
        id: "echo",
        type: "transform",
        config: { expression: "{ 'p': trigger.payload, 'e': trigger.encoding }" },
      }],
    });
    const raw = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"\xff\xfe"}
    const at = Math.floor(Date.now() / 1000);
    const id = `msg_${crypto.randomUUID()}`;
    const res = await deliverBytes(t, wf.id, raw, id, at, await signBytes(wf.webhook_secret, id, at, raw));
    equal(res.status, 202, JSON.stringify(res.body));
    const done = await waitForExecution(t, user.cookie, res.body.execution_id!);
    equal(done.status, "succeeded", JSON.stringify(done));
    deepStrictEqual(done.results, { p: "eyJhIjoi//4ifQ==", e: "base64" });

    // Other bytes that decode to the same text (both invalid sequences become U+FFFD) do not verify
    // under a signature made over the decoded text, nor under the first body's signature.
    const other = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x80, 0x81, 0x22, 0x7d]);
    const textSig = new Webhook(wf.webhook_secret).sign(id + "2", new Date(at * 1000), new TextDecoder().decode(raw));
    equal((await deliverBytes(t, wf.id, other, id + "2", at, textSig)).status, 401);
    const rawSig = await signBytes(wf.webhook_secret, id + "3", at, raw);
    equal((await deliverBytes(t, wf.id, other, id + "3", at, rawSig)).status, 401);
    // UTF-8 bodies signed over their bytes and by the package are one and the same.
    const utf8 = new TextEncoder().encode('{"a":"é"}');
    const byBytes = await deliverBytes(
      t,
      wf.id,
      utf8,
      id + "4",
      at,
      await signBytes(wf.webhook_secret, id + "4", at, utf8),
    );
    equal(byBytes.status, 202);
    const done2 = await waitForExecution(t, user.cookie, byBytes.body.execution_id!);
    deepStrictEqual(done2.results, { p: { a: "é" } });
  },
);

testEachBackend(
  "40 deliveries at once to a workflow limited to 20 a minute: at most 20 pass, before verifying",
  async (t) => {
    const user = await t.signUp();
    const wf = await createWorkflow(t, user.cookie, { steps: TWO_STEPS });
    const other = await createWorkflow(t, user.cookie, { steps: TWO_STEPS });
    const answers = await Promise.all(Array.from({ length: 40 }, () => deliver(t, wf, { items: [] })));
    const statuses = answers.map((a) => a.status);
    const admitted = statuses.filter((s) => s === 202).length;
    ok(admitted >= 1 && admitted <= 20, statuses.join(" "));
    equal(admitted + statuses.filter((s) => s === 429).length, 40, statuses.join(" "));
    const limited = answers.find((a) => a.status === 429)!;
    match(limited.headers.get("retry-after") ?? "", /^\d+$/);
    match(
      (limited.body as { error: { message: string } }).error.message,
      /^Too many deliveries to this workflow \(over 20 a minute\): try again in \d+ s$/,
    );
    // Forged deliveries count too (the limit comes before any verification), and still get 429.
    equal((await deliver(t, wf, {}, { secret: "whsec_" + btoa("not the workflow's secret, 32 b.") })).status, 429);
    // Only the admitted deliveries made executions; another workflow is not limited by this one.
    const listed = await t.call(`/api/workflows/${wf.id}/executions?limit=100`, { cookie: user.cookie });
    equal((listed.body as { items: unknown[] }).items.length, admitted);
    equal((await deliver(t, other, { items: [] })).status, 202);
  },
  { WEBHOOK_REQUESTS_PER_MINUTE: "20" },
);

testEachBackend("a change made by another process is obeyed at once, whatever this one has cached", async (t) => {
  const user = await t.signUp();
  const wf = await createWorkflow(t, user.cookie, { steps: TWO_STEPS });
  // Another process: the same database, its own dependencies (so its own caches).
  const other = { ...t.deps };
  const meta: RequestMeta = { ip: "127.0.0.1", userAgent: "test" };
  equal((await deliver(t, wf, {})).status, 202, "warms this process's copy of the workflow");
  const fresh = await rotateWebhookSecret(other, user.user.id, wf.id, 0, meta);
  equal((await deliver(t, wf, {})).status, 401, "the old secret, dropped elsewhere without a window");
  equal((await deliver(t, wf, {}, { secret: fresh })).status, 202, "the new secret, made elsewhere");
  await updateWorkflow(other, user.user.id, wf.id, { config: { enabled: false } }, meta);
  equal((await deliver(t, wf, {}, { secret: fresh })).status, 410, "disabled elsewhere");
  await updateWorkflow(other, user.user.id, wf.id, { config: { enabled: true } }, meta);
  equal((await deliver(t, wf, {}, { secret: fresh })).status, 202, "enabled again elsewhere");
  await deleteWorkflow(other, user.user.id, wf.id, meta);
  equal((await deliver(t, wf, {}, { secret: fresh })).status, 404, "deleted elsewhere");
});

testEachBackend(
  "a cross-site browser may deliver a webhook: the signature, not an origin, authorizes it",
  async (t) => {
    const user = await t.signUp();
    const wf = await createWorkflow(t, user.cookie, { steps: TWO_STEPS });
    const res = await deliver(t, wf, { items: [] }, {
      headers: { origin: "https://elsewhere.example", "sec-fetch-site": "cross-site" },
    });
    equal(res.status, 202, res.text);
  },
);

testEachBackend("a body with NUL characters and lone surrogates is stored, not refused", async (t) => {
  const user = await t.signUp();
  const wf = await createWorkflow(t, user.cookie, {
    steps: [{ id: "echo", type: "transform", config: { expression: "trigger.payload.note" } }],
  });
  const res = await deliver(t, wf, { note: "a\u0000b\ud800c" });
  equal(res.status, 202, res.text);
  const done = await waitForExecution(t, user.cookie, (res.body as { execution_id: string }).execution_id);
  equal(done.status, "succeeded");
  equal(done.results, "a\uFFFDb\uFFFDc");
});

testEachBackend("after a rotation the previous secret works inside its window and fails after it", async (t) => {
  const user = await t.signUp();
  const wf = await createWorkflow(t, user.cookie, { steps: TWO_STEPS });
  const rotated = await t.call(`/api/workflows/${wf.id}/rotate-secret`, {
    cookie: user.cookie,
    body: { keep_previous_for_s: 2 },
  });
  equal(rotated.status, 200, rotated.text);
  const fresh = (rotated.body as { webhook_secret: string }).webhook_secret;
  ok(fresh !== wf.webhook_secret);
  equal((await deliver(t, wf, {}, { secret: fresh })).status, 202);
  equal((await deliver(t, wf, {}, { secret: wf.webhook_secret })).status, 202, "the previous secret inside its window");
  await new Promise((r) => setTimeout(r, 2100));
  equal((await deliver(t, wf, {}, { secret: wf.webhook_secret })).status, 401, "the previous secret after its window");
  equal((await deliver(t, wf, {}, { secret: fresh })).status, 202);
  // Rotating with no window drops the previous secret at once.
  const again = await t.call(`/api/workflows/${wf.id}/rotate-secret`, {
    cookie: user.cookie,
    body: { keep_previous_for_s: 0 },
  });
  equal((await deliver(t, wf, {}, { secret: fresh })).status, 401);
  equal((await deliver(t, wf, {}, { secret: (again.body as { webhook_secret: string }).webhook_secret })).status, 202);
});

testEachBackend(
  "definitions are checked on save, with messages naming the step and field; nothing is saved",
  async (t) => {
    const user = await t.signUp();
    const bad: [unknown[], RegExp][] = [
      [[], /steps: A workflow needs at least one step/],
      [
        [{ id: "a", type: "transform", config: { expression: "$sum(" } }],
        /Step "a" \(transform\): expression: not a valid JSONata/,
      ],
      [[{ id: "a", type: "teleport", config: {} }], /steps\.0\.type/],
      [
        [{ id: "fetch", type: "http", config: { url: "ftp://x" } }],
        /Step "fetch" \(http\): url: must be an http or https URL/,
      ],
      [[{ id: "fetch", type: "http", config: { method: "POST" } }], /Step "fetch" \(http\): url: /],
      [
        [{ id: "q", type: "query", config: { connector_id: "nope", dataset: "d" } }],
        /Step "q" \(query\): connector_id: Not a connector id/,
      ],
      [[{ id: "a", type: "transform", config: { expression: "1" } }, {
        id: "a",
        type: "transform",
        config: { expression: "2" },
      }], /another step has the id "a"/],
      [[
        { id: "a", type: "transform", config: { expression: "1" } },
        { id: "b", type: "condition", config: { if: "true", then: "a" } },
      ], /Step "b" \(condition\): then: "a" must be a later step's id, or "end"/],
      [[{ id: "1a", type: "transform", config: { expression: "1" } }], /steps\.0\.id: Step ids start with a letter/],
      [[{ id: "n", type: "llm", config: { prompt: "{{ $x( }}" } }], /Step "n" \(llm\): prompt: not a valid JSONata/],
      [
        [{ id: "art", type: "artifact", config: { type: "movie", name: "x", content: "1" } }],
        /Step "art" \(artifact\): type:/,
      ],
    ];
    for (const [steps, message] of bad) {
      const res = await t.call("/api/workflows", { cookie: user.cookie, body: { name: "Bad", steps } });
      equal(res.status, 400, `${JSON.stringify(steps)} → ${res.text}`);
      match((res.body as { error: { message: string } }).error.message, message);
    }
    const badConfig = await t.call("/api/workflows", {
      cookie: user.cookie,
      body: { name: "Bad", steps: TWO_STEPS, config: { schedule: "every day" } },
    });
    equal(badConfig.status, 400);
    match((badConfig.body as { error: { message: string } }).error.message, /config\.schedule: Not a cron expression/);
    const list = await t.call("/api/workflows", { cookie: user.cookie });
    deepStrictEqual((list.body as { items: unknown[] }).items, []);
  },
);

testEachBackend(
  "secret headers are sealed: the definition shows a mask, and a masked value keeps the stored one",
  async (t) => {
    const user = await t.signUp();
    const steps = [{
      id: "call",
      type: "http",
      config: { url: "https://example.com/x", secret_headers: { Authorization: "Bearer sk-very-secret-value" } },
    }];
    const wf = await createWorkflow(t, user.cookie, { steps });
    const read = await t.call(`/api/workflows/${wf.id}`, { cookie: user.cookie });
    ok(!read.text.includes("sk-very-secret-value"));
    const saved = (read.body as { steps: { config: { secret_headers: Record<string, string> } }[] }).steps;
    equal(saved[0].config.secret_headers.Authorization, "********");
    const dump = await rows<{ row: string }>(t.deps.db.orm, sql`select row_to_json(w)::text as row from workflows w`);
    ok(!dump.some((r) => r.row.includes("sk-very-secret-value")));
    // Saving the definition back as read keeps the secret.
    const back = await t.call(`/api/workflows/${wf.id}`, {
      method: "PATCH",
      cookie: user.cookie,
      body: { steps: saved },
    });
    equal(back.status, 200, back.text);
    // A new header given only as the mask has nothing to keep.
    const masked = [{ ...steps[0], config: { ...steps[0].config, secret_headers: { "X-Other": "********" } } }];
    const refused = await t.call(`/api/workflows/${wf.id}`, {
      method: "PATCH",
      cookie: user.cookie,
      body: { steps: masked },
    });
    equal(refused.status, 400);
    match(
      (refused.body as { error: { message: string } }).error.message,
      /secret_headers\.X-Other: no value is stored/,
    );
    // The mask keeps the secret only while the step calls the same site: another path is fine,
    // another host must be given the secret again (or an editor could send it to their own server).
    const moved = (url: string) => [{ ...saved[0], config: { ...saved[0].config, url } }];
    const samePath = await t.call(`/api/workflows/${wf.id}`, {
      method: "PATCH",
      cookie: user.cookie,
      body: { steps: moved("https://example.com/other?x=1") },
    });
    equal(samePath.status, 200, samePath.text);
    const elsewhere = await t.call(`/api/workflows/${wf.id}`, {
      method: "PATCH",
      cookie: user.cookie,
      body: { steps: moved("https://attacker.test/steal") },
    });
    equal(elsewhere.status, 400);
    match(
      (elsewhere.body as { error: { message: string } }).error.message,
      /secret_headers\.Authorization: the URL now points to another site: enter the secret again/,
    );
  },
);

testEachBackend(
  "bad input on a real workflow and execution gets a 4xx with a sentence and changes nothing",
  async (t) => {
    const user = await t.signUp();
    const wf = await createWorkflow(t, user.cookie, { steps: TWO_STEPS });
    const run = await t.call(`/api/workflows/${wf.id}/run`, { cookie: user.cookie, body: { input: { items: [] } } });
    const execution = await waitForExecution(t, user.cookie, (run.body as { execution_id: string }).execution_id);
    const snapshot = async () =>
      JSON.stringify(
        await rows(
          t.deps.db.orm,
          sql`select w.name, w.steps, w.config, w.webhook_secret_ciphertext, (select count(*)::int from workflow_executions) as n
          from workflows w where w.id = ${wf.id}::uuid`,
        ),
      );
    const before = await snapshot();
    const bad: [string, string, unknown, number, RegExp][] = [
      [
        "PATCH",
        `/api/workflows/${wf.id}`,
        { steps: [{ id: "x", type: "http", config: { url: "{{ $( }}" } }] },
        400,
        /Step "x" \(http\): url/,
      ],
      ["PATCH", `/api/workflows/${wf.id}`, { config: { concurrency: 0 } }, 400, /config\.concurrency/],
      ["PATCH", `/api/workflows/${wf.id}`, { config: { retries: { attempts: 99 } } }, 400, /config\.retries\.attempts/],
      ["PATCH", `/api/workflows/${wf.id}`, { name: "" }, 400, /name/],
      ["POST", `/api/workflows/${wf.id}/rotate-secret`, { keep_previous_for_s: -1 }, 400, /keep_previous_for_s/],
      ["POST", `/api/workflows/${wf.id}/replay`, { status: "succeeded" }, 400, /status/],
      ["POST", `/api/workflows/${wf.id}/replay`, { since: "yesterday" }, 400, /since/],
      ["POST", `/api/executions/${execution.id}/rerun`, { from_step: "9" }, 400, /from_step/],
      ["POST", `/api/executions/${execution.id}/rerun`, { from_step: "missing" }, 400, /no step "missing"/],
      ["POST", `/api/executions/${execution.id}/cancel`, undefined, 409, /already succeeded/],
      ["GET", `/api/workflows/${wf.id}/executions?status=lost`, undefined, 400, /status/],
      ["POST", `/api/workflows/${wf.id}/run`, { input: "x".repeat(1024 * 1024) }, 413, /limit/],
    ];
    for (const [method, path, body, status, message] of bad) {
      const res = await t.call(path, { method, cookie: user.cookie, body });
      equal(res.status, status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}: ${res.text.slice(0, 300)}`);
      match((res.body as { error: { message: string } }).error.message, message);
    }
    equal(await snapshot(), before);
    // Text Postgres cannot store is cleaned where it enters, not refused with a 500.
    const nul = await t.call(`/api/workflows/${wf.id}`, {
      method: "PATCH",
      cookie: user.cookie,
      body: { name: "a\u0000b", steps: [{ id: "t", type: "transform", config: { expression: "'x\u0000y'" } }] },
    });
    equal(nul.status, 200, nul.text);
    equal((nul.body as { name: string }).name, "a\uFFFDb");
  },
);

testEachBackend(
  "a run waiting out a retry's backoff reads 'retrying' on the workflow's page, not 'queued'",
  async (t) => {
    const receiver = startReceiver(() => ({ status: 503 }));
    try {
      const { cookie } = await t.signUp();
      const workflow = await createWorkflow(t, cookie, {
        steps: [{ id: "call", type: "http", config: { method: "POST", url: receiver.url } }],
        config: { retries: { attempts: 3, backoff_ms: 60_000, max_backoff_ms: 60_000 } },
      });
      const run = await t.call(`/api/workflows/${workflow.id}/run`, { cookie, body: { input: {} } });
      const id = (run.body as { execution_id: string }).execution_id;
      await waitUntil(async () => {
        const e = (await t.call(`/api/executions/${id}`, { cookie })).body as {
          status: string;
          started_at: string | null;
        };
        return e.status === "queued" && e.started_at !== null;
      });
      const page = await t.call(`/workflows/${workflow.id}`, { cookie });
      match(page.text, new RegExp(`executions/${id}.*?data-status="retrying"`, "s"));
      equal((await t.call(`/api/executions/${id}/cancel`, { cookie, method: "POST" })).status, 200);
    } finally {
      await receiver.close();
    }
  },
  { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" },
);

closeSharedAppsAfterAll();

testEachBackend(
  "a reference to a step that is not earlier is refused on save, naming the step and field",
  async (t) => {
    const user = await t.signUp();
    const save = (steps: unknown[]) => t.call("/api/workflows", { cookie: user.cookie, body: { name: "Refs", steps } });
    const read = { id: "total", type: "transform", config: { expression: "steps.query1.output + 1" } };
    const renamed = await save([{ id: "sales_q", type: "transform", config: { expression: "1" } }, read]);
    equal(renamed.status, 400, renamed.text);
    match(
      (renamed.body as { error: { message: string } }).error.message,
      /Step "total" \(transform\): expression: reads the output of "query1", but there is no step with that id/,
    );
    const later = await save([read, { id: "query1", type: "transform", config: { expression: "1" } }]);
    equal(later.status, 400, later.text);
    match((later.body as { error: { message: string } }).error.message, /reads the output of "[^"]+", a later step/);
    const fine = await save([
      { id: "query1", type: "transform", config: { expression: "{ 'steps': 2 }" } },
      read,
      { id: "label", type: "transform", config: { expression: "trigger.payload.steps.x & steps.`total`.output" } },
    ]);
    equal(fine.status, 201, fine.text);
  },
);

testEachBackend(
  "the new-workflow form sent twice (a reload) makes one workflow and shows its secret once",
  async (t) => {
    const user = await t.signUp();
    const formPage = await t.call("/workflows", { cookie: user.cookie });
    const formId = formPage.text.match(/name="form_id" value="([0-9a-f-]{36})"/)![1];
    const send = () =>
      t.call("/workflows", {
        cookie: user.cookie,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ name: "Nightly import", form_id: formId }).toString(),
      });
    const first = await send();
    equal(first.status, 200);
    match(first.text, /data-testid="webhook-secret"/);
    const again = await send();
    equal(again.status, 200);
    match(again.text, /was created when this form was first sent/);
    equal(/data-testid="webhook-secret"/.test(again.text), false);
    const list = await t.call("/api/workflows", { cookie: user.cookie });
    deepStrictEqual((list.body as { items: { name: string }[] }).items.map((w) => w.name), ["Nightly import"]);
    // The page the answers render carries a fresh id, so the next press of the button makes a new one.
    const nextId = again.text.match(/name="form_id" value="([0-9a-f-]{36})"/)![1];
    ok(nextId !== formId);
  },
);
