/**
 * Workflows: deliveries accepted per second (verified and durably queued: 202 means the delivery
 * and its execution are committed) with p50/p99 acceptance latency, then end-to-end executions per
 * second of a two-step workflow (transform, then artifact), on PGlite and on a PostgreSQL server.
 * The server is `main.ts` in its own process. Accepting runs with WORKFLOW_WORKERS=0 (nothing
 * executes meanwhile); then the server restarts with workers and the backlog is timed from the
 * first execution's start to the last one's completion. The practical limit beside it: GET /health at the same concurrency.
 *
 *   deno run -A bench/workflows.ts [deliveries=3000] [concurrency=32]
 *   BENCH_DATABASE_URL=postgres://… for the server (default postgres://postgres@127.0.0.1:5432/postgres;
 *   a fresh database is made in it and dropped after).
 */
import postgres from "postgres";
import { Webhook } from "standardwebhooks";
import { type SpawnedServer, spawnServer } from "../tests/support/spawn.ts";
import { fixed, percentile } from "./_stats.ts";

const COUNT = Number(Deno.args[0] ?? 3000);
const CONCURRENCY = Number(Deno.args[1] ?? 32);
const SECRET = "bench-secret-that-is-long-enough-0123456789";

interface Figures {
  acceptedPerS: number;
  p50: number;
  p99: number;
  healthPerS: number;
  executionsPerS: number;
}

async function signUp(server: SpawnedServer): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify({
      email: `bench-${crypto.randomUUID().slice(0, 8)}@example.com`,
      password: "correct horse battery",
    }),
  });
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie()[0].split(";")[0];
}

async function api(server: SpawnedServer, cookie: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", origin: server.url, cookie },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return await res.json();
}

/** Runs `count` requests from `concurrency` clients; returns per-request latencies and the wall time. */
async function load(count: number, concurrency: number, send: (i: number) => Promise<boolean>) {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      if (!await send(i)) failures++;
      latencies.push(performance.now() - t0);
    }
  }));
  if (failures) throw new Error(`${failures} requests failed`);
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

async function bench(env: Record<string, string>): Promise<Figures> {
  // No webhook rate limit: the bench measures acceptance, not the limit.
  let server = await spawnServer(
    { ...env, WORKFLOW_WORKERS: "0", WEBHOOK_REQUESTS_PER_MINUTE: "0", LOG_LEVEL: "error" },
    300_000,
  );
  try {
    const cookie = await signUp(server);
    const wf = await api(server, cookie, "/api/workflows", {
      name: "Bench",
      steps: [
        {
          id: "shape",
          type: "transform",
          config: { expression: "{ 'order': trigger.payload.order, 'total': $sum(trigger.payload.lines.price) }" },
        },
        {
          id: "save",
          type: "artifact",
          config: {
            type: "document",
            name: "Order",
            content: "'Order ' & $string(steps.shape.output.order) & ': ' & $string(steps.shape.output.total)",
          },
        },
      ],
      config: { concurrency: 1000 },
    });
    const hook = `${server.url}/hooks/${wf.id}`;
    // Signed before the clock starts: the sender's work is not the server's.
    const webhook = new Webhook(wf.webhook_secret);
    const signed = Array.from({ length: COUNT }, (_, i) => {
      const body = JSON.stringify({ order: i, lines: [{ price: 2.5 }, { price: i % 10 }] });
      const id = `msg_${i}`;
      const at = new Date();
      return {
        body,
        headers: {
          "content-type": "application/json",
          "webhook-id": id,
          "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
          "webhook-signature": webhook.sign(id, at, body),
        },
      };
    });
    const health = await load(Math.min(COUNT, 3000), CONCURRENCY, async () => {
      const res = await fetch(`${server.url}/health`);
      await res.body?.cancel();
      return res.ok;
    });
    const accepted = await load(COUNT, CONCURRENCY, async (i) => {
      const res = await fetch(hook, { method: "POST", ...signed[i] });
      await res.body?.cancel();
      return res.status === 202;
    });
    await server.stop();
    // The backlog, run by the same process's workers after a restart. Timed from the first
    // execution's start to the last one's completion, as the API reports them: the app's own
    // start-up is bench/startup.ts's figure, not this one's.
    server = await spawnServer(
      { ...env, WORKFLOW_WORKERS: "32", WEBHOOK_REQUESTS_PER_MINUTE: "0", LOG_LEVEL: "error" },
      300_000,
    );
    // Sessions are rows, so the cookie outlives the restart.
    while (true) {
      const open = await Promise.all(
        ["queued", "running"].map((s) => api(server, cookie, `/api/workflows/${wf.id}/executions?status=${s}&limit=1`)),
      );
      if (open.every((page) => page.items.length === 0)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    let first = Infinity;
    let last = 0;
    let succeeded = 0;
    for (let cursor = "";;) {
      const page = await api(server, cookie, `/api/workflows/${wf.id}/executions?limit=100${cursor}`);
      for (const e of page.items) {
        if (e.status !== "succeeded") throw new Error(`an execution ${e.status}: ${JSON.stringify(e)}`);
        succeeded++;
        first = Math.min(first, Date.parse(e.started_at));
        last = Math.max(last, Date.parse(e.completed_at));
      }
      if (!page.next_cursor) break;
      cursor = `&cursor=${encodeURIComponent(page.next_cursor)}`;
    }
    if (succeeded !== COUNT) throw new Error(`${succeeded} of ${COUNT} executions succeeded`);
    const seconds = (last - first) / 1000;
    return {
      acceptedPerS: COUNT / accepted.seconds,
      p50: percentile(accepted.latencies, 50),
      p99: percentile(accepted.latencies, 99),
      healthPerS: health.latencies.length / health.seconds,
      executionsPerS: COUNT / seconds,
    };
  } finally {
    await server.stop();
  }
}

function row(name: string, f: Figures) {
  return `| ${name} | ${fixed(f.acceptedPerS, 0)} | ${fixed(f.p50, 1)} | ${fixed(f.p99, 1)} | ${
    fixed(f.healthPerS, 0)
  } | ${fixed(f.executionsPerS, 0)} |`;
}

console.log(
  `| ${COUNT} deliveries, ${CONCURRENCY} concurrent | accepted/s | p50 ms | p99 ms | GET /health/s (limit) | executions/s |`,
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
const base = { APP_SECRET: SECRET };
// BENCH_BACKENDS=postgres (or pglite) runs one of the two.
const backends = Deno.env.get("BENCH_BACKENDS") ?? "pglite,postgres";
if (backends.includes("pglite")) console.log(row("PGlite", await bench({ ...base, DATA_DIR: Deno.makeTempDirSync() })));
const adminUrl = Deno.env.get("BENCH_DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const name = `ws_bench_wf_${Date.now()}`;
try {
  if (!backends.includes("postgres")) throw new Error("BENCH_BACKENDS leaves it out");
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  console.log(
    row("PostgreSQL (TCP)", await bench({ ...base, DATABASE_URL: url.toString(), DATA_DIR: Deno.makeTempDirSync() })),
  );
} catch (error) {
  console.log(`(PostgreSQL skipped: ${(error as Error).message})`);
} finally {
  await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
  await admin.end();
}
