/**
 * PGlite runs on the server's own thread, so bulk work must leave it room: while a spawned PGlite
 * server syncs a 300,000-row CSV (made here, served from a local HTTP server), `GET /health` is
 * timed every 100 ms and its p99 must stay under the README's bound.
 */
import { equal, ok } from "node:assert/strict";
import { spawnServer } from "./support/spawn.ts";
import { callOn, percentile, probe, signUpOn } from "./support/probes.ts";

/**
 * The README's promise for /health during a large PGlite sync, on an otherwise idle machine. On a
 * busy one (CI runs test files in parallel on two cores) every request is slower: there the bound
 * is four times the p99 of the same probe measured idle just before, in the same run.
 */
const MAX_HEALTH_P99_MS = 250;
const BUSY_FACTOR = 4;
const ROWS = Number(Deno.env.get("RESPONSIVENESS_ROWS") ?? 300_000);

function csvOf(rows: number): Uint8Array<ArrayBuffer> {
  const lines = ["id,customer,amount,placed_on,paid,note"];
  for (let i = 1; i <= rows; i++) {
    lines.push(
      `${i},customer ${i % 997},${(i % 10_000) / 100},2024-${String(1 + i % 12).padStart(2, "0")}-15,` +
        `${i % 2 === 0},"note ${i}, quoted"`,
    );
  }
  return new TextEncoder().encode(lines.join("\n") + "\n");
}

Deno.test({
  name: `a ${ROWS.toLocaleString("en-US")}-row sync on PGlite leaves /health answering (p99 under the README's bound)`,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const csv = csvOf(ROWS);
    const files = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response(csv, { headers: { "content-type": "text/csv" } }),
    );
    const dataDir = await Deno.makeTempDir();
    const server = await spawnServer({
      DATA_DIR: dataDir,
      APP_SECRET: "responsiveness-test-secret-0123456789",
      OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${files.addr.port}`,
      LOG_LEVEL: "warn",
    }, 180_000);
    try {
      const { cookie } = await signUpOn(server);
      const created = await callOn(server, cookie, "/api/connectors", {
        name: "Big CSV",
        type: "csv",
        config: { url: `http://127.0.0.1:${files.addr.port}/orders.csv` },
      });
      equal(created.status, 201, created.text);
      const id = (created.body as { id: string }).id;
      const idleProbe = probe(server, 100);
      await new Promise((r) => setTimeout(r, 3000));
      const idle = percentile((await idleProbe.stop()).healthMs, 99);
      const watching = probe(server, 100);
      const started = performance.now();
      const sync = await callOn(server, cookie, `/api/connectors/${id}/sync`, {});
      equal(sync.status, 202, sync.text);
      let last: { status: string; rows: number; error: string | null } | undefined;
      while (!last || last.status === "running" || last.status === "queued") {
        await new Promise((r) => setTimeout(r, 250));
        const history = await callOn(server, cookie, `/api/connectors/${id}/syncs`);
        last = (history.body as { items: { status: string; rows: number; error: string | null }[] }).items[0];
      }
      const seconds = (performance.now() - started) / 1000;
      const seen = await watching.stop();
      equal(last.status, "succeeded", last.error ?? "");
      equal(last.rows, ROWS);
      const p99 = percentile(seen.healthMs, 99);
      console.log(
        `${ROWS} rows in ${seconds.toFixed(1)} s (${(ROWS / seconds).toFixed(0)} rows/s); /health over ` +
          `${seen.healthMs.length} samples: p50 ${percentile(seen.healthMs, 50).toFixed(1)} ms, ` +
          `p99 ${p99.toFixed(1)} ms, max ${Math.max(...seen.healthMs).toFixed(1)} ms (idle p99 ${idle.toFixed(1)} ms)`,
      );
      equal(seen.failures, 0);
      const bound = Math.max(MAX_HEALTH_P99_MS, BUSY_FACTOR * idle);
      ok(p99 < bound, `/health p99 ${p99.toFixed(0)} ms, over ${bound.toFixed(0)} ms`);
    } finally {
      await server.stop();
      await files.shutdown();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
