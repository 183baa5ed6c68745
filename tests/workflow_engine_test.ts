/**
 * The engine through the real app: retries with backoff and jitter, final failure (and the failure
 * workflow), non-retryable errors, the Idempotency-Key, cancel, re-run from a step, replay,
 * per-workflow concurrency, conditions, artifacts, schedules and pruning.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { sql } from "drizzle-orm";
import { rows } from "../db/rows.ts";
import { closeSharedAppsAfterAll, type TestApp, testEachBackend } from "./support/test_app.ts";
import { createWorkflow, deliver, waitForExecution } from "./support/workflows.ts";
import { startReceiver } from "./support/receiver.ts";
import { pruneExecutions, runDueSchedules } from "../functions/workflows/maintenance.ts";
import { backoffDelay } from "../functions/workflows/engine.ts";

const ENV = { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" };
const test = (name: string, fn: (t: TestApp) => Promise<void>) => testEachBackend(name, fn, ENV);

function httpStep(url: string, extra: Record<string, unknown> = {}) {
  return {
    id: "call",
    type: "http",
    config: { method: "POST", url, body: { n: "{{ trigger.payload.n }}" }, ...extra },
  };
}

async function run(t: TestApp, cookie: string, workflowId: string, input: unknown = {}): Promise<string> {
  const res = await t.call(`/api/workflows/${workflowId}/run`, { cookie, body: { input } });
  equal(res.status, 202, res.text);
  return (res.body as { execution_id: string }).execution_id;
}

Deno.test("backoffDelay() doubles from the base, stays within [ceiling/2, ceiling] and stops at the cap", () => {
  equal(backoffDelay(1, 100, 10_000, () => 0), 50);
  equal(backoffDelay(1, 100, 10_000, () => 1), 100);
  equal(backoffDelay(3, 100, 10_000, () => 1), 400);
  equal(backoffDelay(20, 100, 10_000, () => 1), 10_000);
});

test("a failing http step is retried with growing delays, the same Idempotency-Key, then succeeds", async (t) => {
  const receiver = startReceiver((_, i) => (i < 2 ? { status: 503 } : { status: 200, body: { ok: true } }));
  try {
    const user = await t.signUp();
    const wf = await createWorkflow(t, user.cookie, {
      steps: [httpStep(`${receiver.url}/hook`)],
      config: { retries: { attempts: 3, backoff_ms: 300 } },
    });
    const done = await waitForExecution(t, user.cookie, await run(t, user.cookie, wf.id, { n: 7 }));
    equal(done.status, "succeeded", JSON.stringify(done));
    equal(done.steps[0].attempts, 3);
    equal(receiver.requests.length, 3);
    const keys = new Set(receiver.requests.map((r) => r.key));
    deepStrictEqual([...keys], [`${done.id}:call`]);
    equal(receiver.requests[0].body, JSON.stringify({ n: "7" }));
    // Equal jitter: the first wait is 150–300 ms, the second 300–600 ms. The lower bounds are exact;
    // the upper ones allow for a loaded machine (this one runs many suites at once).
    const gaps = [1, 2].map((i) => receiver.requests[i].at - receiver.requests[i - 1].at);
    ok(gaps[0] >= 140 && gaps[0] < 300 + 5000, `first gap ${gaps[0]}`);
    ok(gaps[1] >= 290 && gaps[1] < 600 + 5000, `second gap ${gaps[1]}`);
    equal(receiver.effects.size, 1);
  } finally {
    await receiver.close();
  }
});

test("a step that keeps failing fails the execution after its attempts and starts the failure workflow", async (t) => {
  const receiver = startReceiver(() => ({ status: 500, body: { error: "down" } }));
  try {
    const user = await t.signUp();
    const onFailure = await createWorkflow(t, user.cookie, {
      name: "On failure",
      steps: [{ id: "note", type: "transform", config: { expression: "trigger.payload.error" } }],
    });
    const wf = await createWorkflow(t, user.cookie, {
      steps: [httpStep(receiver.url)],
      config: { retries: { attempts: 2, backoff_ms: 50 }, on_failure: onFailure.id },
    });
    const done = await waitForExecution(t, user.cookie, await run(t, user.cookie, wf.id));
    equal(done.status, "failed");
    match(
      done.error!,
      /^Step "call" failed after 2 attempts: POST 127\.0\.0\.1:\d+\/ answered HTTP 500: \{"error":"down"\}$/,
    );
    equal(done.steps[0].status, "failed");
    equal(receiver.requests.length, 2);
    let list: { items: { id: string; trigger: string }[] } = { items: [] };
    for (let i = 0; i < 100 && !list.items.length; i++) {
      list = (await t.call(`/api/workflows/${onFailure.id}/executions`, { cookie: user.cookie })).body as typeof list;
      await new Promise((r) => setTimeout(r, 50));
    }
    equal(list.items[0]?.trigger, "failure");
    const follow = await waitForExecution(t, user.cookie, list.items[0].id);
    equal(follow.status, "succeeded");
    match(follow.results as string, /after 2 attempts/);
  } finally {
    await receiver.close();
  }
});

test("a 4xx from the receiver and an expression error fail at once, without retries", async (t) => {
  const receiver = startReceiver(() => ({ status: 422, body: { error: "bad field" } }));
  try {
    const user = await t.signUp();
    const wf = await createWorkflow(t, user.cookie, {
      steps: [httpStep(receiver.url)],
      config: { retries: { attempts: 5, backoff_ms: 50 } },
    });
    const done = await waitForExecution(t, user.cookie, await run(t, user.cookie, wf.id));
    equal(done.status, "failed");
    equal(done.steps[0].attempts, 1);
    equal(receiver.requests.length, 1);
    match(done.error!, /answered HTTP 422/);
    const bad = await createWorkflow(t, user.cookie, {
      steps: [{ id: "t", type: "transform", config: { expression: "$number('abc') + $error('no')" } }],
      config: { retries: { attempts: 5, backoff_ms: 50 } },
    });
    const failed = await waitForExecution(t, user.cookie, await run(t, user.cookie, bad.id));
    equal(failed.status, "failed");
    equal(failed.steps[0].attempts, 1);
    match(failed.error!, /Step "t" failed: The expression failed/);
  } finally {
    await receiver.close();
  }
});

test("a step output nested past 100 levels fails its step at once, and the server keeps answering", async (t) => {
  // An answer 6,000 levels deep (two runs of it at once froze the server before the check).
  const deep = JSON.parse('{"a":'.repeat(6_000) + "1" + "}".repeat(6_000));
  const receiver = startReceiver(() => ({ status: 200, body: deep }));
  try {
    const user = await t.signUp();
    const wf = await createWorkflow(t, user.cookie, {
      steps: [httpStep(receiver.url)],
      config: { retries: { attempts: 3, backoff_ms: 50 } },
    });
    const runs = await Promise.all([run(t, user.cookie, wf.id), run(t, user.cookie, wf.id)]);
    for (const id of runs) {
      const done = await waitForExecution(t, user.cookie, id);
      equal(done.status, "failed");
      equal(done.steps[0].attempts, 1);
      match(done.error!, /nests more than 100 levels deep/);
    }
    equal((await t.call("/health")).status, 200);
  } finally {
    await receiver.close();
  }
});

test("a transform whose result shares one object 2^30 times fails fast instead of holding the server", async (t) => {
  const user = await t.signUp();
  const doubling = "( $f := function($n){ $n = 0 ? 1 : ( $c := $f($n-1); {'l': $c, 'r': $c} ) }; $f(30) )";
  const wf = await createWorkflow(t, user.cookie, {
    steps: [{ id: "grow", type: "transform", config: { expression: doubling } }],
  });
  const started = performance.now();
  const done = await waitForExecution(t, user.cookie, await run(t, user.cookie, wf.id));
  equal(done.status, "failed");
  match(done.error!, /holds more than 1,000,000 values/);
  ok(performance.now() - started < 10_000, "failed in seconds, not minutes");
  equal((await t.call("/health")).status, 200);
});

test("a private address is refused by the outbound guard without retries", async (t) => {
  const user = await t.signUp();
  const wf = await createWorkflow(t, user.cookie, {
    steps: [httpStep("http://169.254.169.254/latest/meta-data")],
    config: { retries: { attempts: 3, backoff_ms: 50 } },
  });
  const done = await waitForExecution(t, user.cookie, await run(t, user.cookie, wf.id));
  equal(done.status, "failed");
  equal(done.steps[0].attempts, 1);
  match(done.error!, /169\.254\.169\.254/);
});

test("cancel stops a running execution: its step ends and no later step runs", async (t) => {
  const receiver = startReceiver(() => ({ status: 200, hang: true }));
  try {
    const user = await t.signUp();
    const wf = await createWorkflow(t, user.cookie, {
      steps: [httpStep(receiver.url), { id: "after", type: "transform", config: { expression: "1" } }],
    });
    const id = await run(t, user.cookie, wf.id);
    for (let i = 0; i < 200 && receiver.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    equal(receiver.requests.length, 1);
    const cancelled = await t.call(`/api/executions/${id}/cancel`, { cookie: user.cookie, body: {} });
    equal(cancelled.status, 200, cancelled.text);
    const done = await waitForExecution(t, user.cookie, id);
    equal(done.status, "cancelled");
    deepStrictEqual(done.steps.map((s) => [s.id, s.status]), [["call", "cancelled"]]);
    const again = await t.call(`/api/executions/${id}/cancel`, { cookie: user.cookie, body: {} });
    equal(again.status, 409);
  } finally {
    await receiver.close();
  }
});

test("re-run from a step reuses the earlier steps' outputs and runs the rest again", async (t) => {
  const user = await t.signUp();
  const wf = await createWorkflow(t, user.cookie, {
    steps: [
      { id: "stamp", type: "transform", config: { expression: "$millis()" } },
      { id: "copy", type: "transform", config: { expression: "steps.stamp.output" } },
      { id: "third", type: "transform", config: { expression: "$millis()" } },
    ],
  });
  const first = await waitForExecution(t, user.cookie, await run(t, user.cookie, wf.id));
  await new Promise((r) => setTimeout(r, 5));
  const res = await t.call(`/api/executions/${first.id}/rerun`, { cookie: user.cookie, body: { from_step: "copy" } });
  equal(res.status, 202, res.text);
  const second = await waitForExecution(t, user.cookie, (res.body as { execution_id: string }).execution_id);
  equal(second.status, "succeeded");
  deepStrictEqual(second.steps.map((s) => [s.id, s.reused]), [["stamp", true], ["copy", false], ["third", false]]);
  equal(second.steps[0].output, first.steps[0].output);
  equal(second.steps[1].output, first.steps[0].output, "copy read the reused output");
  ok((second.steps[2].output as number) > (first.steps[2].output as number));
  const unknown = await t.call(`/api/executions/${first.id}/rerun`, {
    cookie: user.cookie,
    body: { from_step: "nope" },
  });
  equal(unknown.status, 400);
  match((unknown.body as { error: { message: string } }).error.message, /no step "nope"/);
});

test("replay re-runs each failed execution of the window once, from its failed step", async (t) => {
  const user = await t.signUp();
  const failing = [
    { id: "first", type: "transform", config: { expression: "trigger.payload.n * 10" } },
    { id: "check", type: "transform", config: { expression: "$error('not yet')" } },
  ];
  const wf = await createWorkflow(t, user.cookie, { steps: failing, config: { retries: { attempts: 1 } } });
  const ids = [];
  for (const n of [1, 2, 3]) ids.push(await run(t, user.cookie, wf.id, { n }));
  for (const id of ids) equal((await waitForExecution(t, user.cookie, id)).status, "failed");
  const fixed = [failing[0], { id: "check", type: "transform", config: { expression: "steps.first.output + 1" } }];
  await t.call(`/api/workflows/${wf.id}`, { method: "PATCH", cookie: user.cookie, body: { steps: fixed } });
  const replay = await t.call(`/api/workflows/${wf.id}/replay`, { cookie: user.cookie, body: { status: "failed" } });
  equal(replay.status, 202, replay.text);
  equal((replay.body as { count: number }).count, 3);
  const twice = await t.call(`/api/workflows/${wf.id}/replay`, { cookie: user.cookie, body: {} });
  equal((twice.body as { count: number }).count, 0, "each failed execution is replayed once");
  // The replays run in the background: wait until all three have succeeded (or give up after 15 s).
  let replays: { id: string; trigger: string }[] = [];
  for (const until = Date.now() + 15_000; Date.now() < until;) {
    const list = await t.call(`/api/workflows/${wf.id}/executions?status=succeeded`, { cookie: user.cookie });
    replays = (list.body as { items: { id: string; trigger: string }[] }).items;
    if (replays.length >= 3) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  equal(replays.length, 3);
  for (const item of replays) {
    equal(item.trigger, "replay");
    const done = await waitForExecution(t, user.cookie, item.id);
    equal(done.status, "succeeded");
    equal(done.steps[0].reused, true);
  }
  const failedOnly = await t.call(`/api/workflows/${wf.id}/executions?status=failed`, { cookie: user.cookie });
  equal((failedOnly.body as { items: unknown[] }).items.length, 3);
});

test("a workflow's concurrency limit holds: never more of its executions at once than it allows", async (t) => {
  const receiver = startReceiver(() => ({ status: 200, delayMs: 150 }));
  try {
    const user = await t.signUp();
    const wf = await createWorkflow(t, user.cookie, { steps: [httpStep(receiver.url)], config: { concurrency: 2 } });
    const ids = await Promise.all(Array.from({ length: 6 }, (_, n) => run(t, user.cookie, wf.id, { n })));
    const { engineFor } = await import("../functions/workflows/engine.ts");
    // The in-process kicks start two; the sweep runs the rest as slots free.
    await engineFor(t.deps).sweep(20_000);
    for (const id of ids) equal((await waitForExecution(t, user.cookie, id)).status, "succeeded");
    equal(receiver.maxInFlight(), 2);
    equal(receiver.requests.length, 6);
  } finally {
    await receiver.close();
  }
});

test("a condition skips to its target or ends; an artifact step saves a table", async (t) => {
  const user = await t.signUp();
  const wf = await createWorkflow(t, user.cookie, {
    steps: [
      { id: "big", type: "condition", config: { if: "trigger.payload.amount > 100", then: "save", else: "end" } },
      { id: "skipped", type: "transform", config: { expression: "'never'" } },
      {
        id: "save",
        type: "artifact",
        config: { type: "table", name: "Big orders", content: "[{'amount': trigger.payload.amount, 'who': 'ann'}]" },
      },
    ],
  });
  const small = await waitForExecution(t, user.cookie, await run(t, user.cookie, wf.id, { amount: 5 }));
  equal(small.status, "succeeded");
  deepStrictEqual(small.steps.map((s) => s.id), ["big"]);
  const big = await waitForExecution(t, user.cookie, await run(t, user.cookie, wf.id, { amount: 500 }));
  equal(big.status, "succeeded", JSON.stringify(big));
  deepStrictEqual(big.steps.map((s) => s.id), ["big", "save"]);
  const artifactId = (big.results as { artifact_id: string }).artifact_id;
  const artifact = await t.call(`/api/artifacts/${artifactId}`, { cookie: user.cookie });
  equal(artifact.status, 200, artifact.text);
  deepStrictEqual((artifact.body as { data: { rows: unknown[][] } }).data.rows, [[500, "ann"]]);
  const csv = await t.call(`/api/artifacts/${artifactId}/download?format=csv`, { cookie: user.cookie });
  equal(csv.text.trim(), "amount,who\r\n500,ann");
});

test("a due schedule fires once even when two processes look at once", async (t) => {
  const user = await t.signUp();
  const wf = await createWorkflow(t, user.cookie, {
    steps: [{ id: "t", type: "transform", config: { expression: "trigger.type" } }],
    config: { schedule: "*/5 * * * *" },
  });
  const read = await t.call(`/api/workflows/${wf.id}`, { cookie: user.cookie });
  ok((read.body as { next_run_at: string }).next_run_at);
  await t.deps.db.orm.execute(
    sql`update workflows set next_run_at = now() - interval '1 second' where id = ${wf.id}::uuid`,
  );
  const [a, b] = await Promise.all([runDueSchedules(t.deps), runDueSchedules(t.deps)]);
  const mine = [...a, ...b];
  equal(mine.length, 1);
  const done = await waitForExecution(t, user.cookie, mine[0]);
  equal(done.trigger, "schedule");
  equal(done.results, "schedule");
  const [next] = await rows<{ later: boolean }>(
    t.deps.db.orm,
    sql`select next_run_at > now() as later from workflows where id = ${wf.id}::uuid`,
  );
  ok(next.later);
});

test("pruning clears old finished executions to a summary, keeps unfinished ones and forgets old webhook ids", async (t) => {
  const user = await t.signUp();
  const wf = await createWorkflow(t, user.cookie, {
    steps: [{ id: "t", type: "transform", config: { expression: "trigger.payload" } }],
    config: { retention_days: 3 },
  });
  const delivered = await deliver(t, wf, { keep: "me" }, { id: "msg_old" });
  const finished = await waitForExecution(t, user.cookie, (delivered.body as { execution_id: string }).execution_id);
  const waiting = await run(t, user.cookie, wf.id);
  await waitForExecution(t, user.cookie, waiting);
  // One unfinished execution, queued far in the future.
  const [unfinished] = await rows<{ id: string }>(
    t.deps.db.orm,
    sql`insert into workflow_executions (workspace_id, workflow_id, trigger, run_at, created_at)
      values (${wf.workspace_id}::uuid, ${wf.id}::uuid, 'manual', now() + interval '30 days', now() - interval '30 days')
      returning id::text`,
  );
  equal(await pruneExecutions(t.deps.db.orm, new Date(Date.now() + 2 * 86_400_000)), 0, "inside retention");
  const pruned = await pruneExecutions(t.deps.db.orm, new Date(Date.now() + 4 * 86_400_000));
  equal(pruned, 2);
  const summary = await t.call(`/api/executions/${finished.id}`, { cookie: user.cookie });
  const body = summary.body as { status: string; pruned: boolean; steps: unknown[]; input: unknown; trigger: string };
  equal(body.status, "succeeded");
  equal(body.trigger, "webhook");
  equal(body.pruned, true);
  deepStrictEqual(body.steps, []);
  equal(body.input, null);
  const still = await t.call(`/api/executions/${unfinished.id}`, { cookie: user.cookie });
  equal((still.body as { pruned: boolean }).pruned, false);
  // The webhook id is kept 7 days: inside them it is still a duplicate, after them it is new.
  equal((await deliver(t, wf, {}, { id: "msg_old" })).status, 200);
  await pruneExecutions(t.deps.db.orm, new Date(Date.now() + 8 * 86_400_000));
  equal((await deliver(t, wf, {}, { id: "msg_old" })).status, 202);
});

closeSharedAppsAfterAll();
