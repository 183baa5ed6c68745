/**
 * Workers as separate processes on one PostgreSQL server (`main.ts` spawned, as users run it):
 * a worker killed with SIGKILL in the middle of a step is resumed by another after its lease, and
 * the step's effect at an idempotent receiver happens once; two workers never run one step twice;
 * connections cut under load (pg_terminate_backend on the test's own database: restarting the
 * shared server would break other suites on this machine) lose nothing accepted.
 * These need TEST_DATABASE_URL; without it they are reported ignored.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import postgres from "postgres";
import { Webhook } from "standardwebhooks";
import { openTestDatabase, type TestDatabase } from "./support/databases.ts";
import { type SpawnedServer, spawnServer } from "./support/spawn.ts";
import { startReceiver } from "./support/receiver.ts";
import { TEST_SECRET } from "./support/test_app.ts";

const ignore = !Deno.env.get("TEST_DATABASE_URL");
const LEASE_MS = 1500;

function env(database: TestDatabase, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: database.url!,
    APP_SECRET: TEST_SECRET,
    DATA_DIR: Deno.makeTempDirSync(),
    OUTBOUND_ALLOW_HOSTS: "127.0.0.1",
    WORKFLOW_LEASE_MS: String(LEASE_MS),
    LOG_LEVEL: "warn",
    ...extra,
  };
}

/** A signed-in client of a spawned server. */
async function client(server: SpawnedServer) {
  const email = `w-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const res = await fetch(`${server.url}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ email, password: "correct horse battery", name: "Worker test" }),
  });
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie()[0].split(";")[0];
  return async (base: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json", origin: base, cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const value = await fn();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

Deno.test({
  name: "a worker killed with SIGKILL mid-step is resumed by the next; the http step's effect happens once",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const database = await openTestDatabase("postgres");
    // The first request for a key is slow: time to kill the worker while its step runs.
    const seen = new Set<string>();
    const receiver = startReceiver((request) => {
      const first = !seen.has(request.key ?? "");
      seen.add(request.key ?? "");
      return first ? { status: 200, delayMs: 1500 } : { status: 200 };
    });
    let first: SpawnedServer | undefined;
    let second: SpawnedServer | undefined;
    try {
      first = await spawnServer(env(database));
      const api = await client(first);
      const created = await api(first.url, "/api/workflows", {
        name: "Crash",
        steps: [
          {
            id: "charge",
            type: "http",
            config: { url: `${receiver.url}/charge`, body: { order: "{{ trigger.payload.order }}" } },
          },
          { id: "after", type: "transform", config: { expression: "steps.charge.output.body.effect" } },
        ],
      });
      equal(created.status, 201, JSON.stringify(created.body));
      const run = await api(first.url, `/api/workflows/${created.body.id}/run`, { input: { order: 42 } });
      equal(run.status, 202);
      await until("the step to reach the receiver", () => Promise.resolve(receiver.requests.length ? true : undefined));
      await first.kill();
      first = undefined;
      second = await spawnServer(env(database));
      const done = await until("the execution to finish", async () => {
        const r = await api(second!.url, `/api/executions/${run.body.execution_id}`);
        return ["succeeded", "failed"].includes(r.body.status) ? r.body : undefined;
      });
      equal(done.status, "succeeded", JSON.stringify(done));
      deepStrictEqual(done.steps.map((s: { id: string; attempts: number }) => [s.id, s.attempts]), [["charge", 2], [
        "after",
        1,
      ]]);
      equal(receiver.requests.length, 2, "the step ran again after the crash");
      equal(new Set(receiver.requests.map((r) => r.key)).size, 1, "with the same Idempotency-Key");
      equal(receiver.effects.size, 1, "so the effect happened once");
      equal(done.results, 1);
    } finally {
      await first?.kill();
      await second?.stop();
      await receiver.close();
      await database.close();
    }
  },
});

/** Sends `count` signed deliveries to `servers` in turn, `parallel` at a time; returns the accepted execution ids. */
async function deliverMany(servers: string[], workflowId: string, secret: string, count: number, parallel = 10) {
  const accepted: string[] = [];
  const refused: number[] = [];
  let next = 0;
  const wh = new Webhook(secret);
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) {
      const n = next++;
      const body = JSON.stringify({ n });
      const id = `msg_${n}`;
      const at = new Date();
      const res = await fetch(`${servers[n % servers.length]}/hooks/${workflowId}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": id,
          "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
          "webhook-signature": wh.sign(id, at, body),
        },
        body,
      }).catch(() => undefined);
      const json = await res?.json().catch(() => undefined);
      if (res && (res.status === 202 || res.status === 200)) accepted.push(json.execution_id);
      else refused.push(res?.status ?? 0);
    }
  }));
  return { accepted, refused };
}

async function finalStatuses(database: TestDatabase, ids: string[]) {
  const sql = postgres(database.url!, { max: 1, onnotice: () => {} });
  try {
    return await until("every accepted execution to finish", async () => {
      const found = await sql<{ status: string; n: number }[]>`
        select status, count(*)::int as n from workflow_executions where id = any(${ids}::uuid[]) group by status`;
      const open = found.filter((r) => r.status === "queued" || r.status === "running");
      return open.length ? undefined : Object.fromEntries(found.map((r) => [r.status, r.n]));
    }, 90_000);
  } finally {
    await sql.end();
  }
}

Deno.test({
  name: "two worker processes on one PostgreSQL server never run one step twice",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const database = await openTestDatabase("postgres");
    const receiver = startReceiver(() => ({ status: 200, delayMs: 5 }));
    const servers: SpawnedServer[] = [];
    try {
      // A lease far longer than any stall on a loaded machine: a lease that runs out hands the
      // execution over by design (at-least-once), which is the kill test's business, not this one's.
      const long = { WORKFLOW_LEASE_MS: "30000" };
      servers.push(await spawnServer(env(database, long)), await spawnServer(env(database, long)));
      const api = await client(servers[0]);
      const created = await api(servers[0].url, "/api/workflows", {
        name: "Shared",
        steps: [{ id: "call", type: "http", config: { url: receiver.url, body: { n: "{{ trigger.payload.n }}" } } }],
        config: { concurrency: 50 },
      });
      const { accepted, refused } = await deliverMany(
        servers.map((s) => s.url),
        created.body.id,
        created.body.webhook_secret,
        200,
      );
      deepStrictEqual(refused, []);
      deepStrictEqual(await finalStatuses(database, accepted), { succeeded: 200 });
      equal(receiver.requests.length, 200, "each step ran once");
      equal(new Set(receiver.requests.map((r) => r.key)).size, 200);
    } finally {
      for (const server of servers) await server.stop();
      await receiver.close();
      await database.close();
    }
  },
});

Deno.test({
  name: "connections cut under load: every accepted delivery still runs, without restarting the app",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const database = await openTestDatabase("postgres");
    const servers: SpawnedServer[] = [];
    const admin = postgres(Deno.env.get("TEST_DATABASE_URL")!, { max: 1, onnotice: () => {} });
    const dbName = new URL(database.url!).pathname.slice(1);
    try {
      servers.push(await spawnServer(env(database)), await spawnServer(env(database)));
      const api = await client(servers[0]);
      const created = await api(servers[0].url, "/api/workflows", {
        name: "Outage",
        steps: [
          { id: "a", type: "transform", config: { expression: "trigger.payload.n * 2" } },
          { id: "b", type: "transform", config: { expression: "steps.a.output + 1" } },
        ],
        config: { concurrency: 50 },
      });
      let cuts = 0;
      let cutting = true;
      const started = performance.now();
      // Every 700 ms, every connection to the test's database is terminated, as in a server restart.
      const cutter = (async () => {
        while (cutting) {
          await new Promise((r) => setTimeout(r, 700));
          const killed = await admin`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
            where datname = ${dbName} and pid <> pg_backend_pid()`;
          cuts += killed[0].n;
        }
      })();
      const { accepted, refused } = await deliverMany(
        servers.map((s) => s.url),
        created.body.id,
        created.body.webhook_secret,
        150,
        8,
      );
      const delivered = performance.now();
      cutting = false;
      await cutter;
      ok(cuts > 0, "connections were cut");
      ok(
        accepted.length > 0,
        `nothing accepted: ${JSON.stringify(refused.slice(0, 20))} ${servers[0].output().slice(-3000)}`,
      );
      // Refusals during the outage are 503s the sender retries; nothing that got 202 may be lost.
      const unhandled = servers.flatMap((s) => s.output().split("\n").filter((l) => l.includes("unhandled error")));
      ok(refused.every((s) => s === 503), `${JSON.stringify(refused)}\n${unhandled.join("\n").slice(0, 5000)}`);
      deepStrictEqual(await finalStatuses(database, accepted), { succeeded: new Set(accepted).size });
      console.log(
        `accepted ${accepted.length}, refused ${refused.length} (503), connections cut ${cuts}; ` +
          `delivering took ${Math.round(delivered - started)} ms, finishing ${
            Math.round(performance.now() - delivered)
          } ms more`,
      );
    } finally {
      for (const server of servers) await server.stop();
      await admin.end();
      await database.close();
    }
  },
});
