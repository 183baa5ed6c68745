/**
 * A huge SQL result cannot take the server down: `select repeat('x', 100000000)` through the SQL
 * endpoint (300,000,000 crashed the process before) answers 422 while the spawned server's
 * resident memory stays within the README's bound and /health keeps answering. Needs
 * TEST_DATABASE_URL.
 */
import { equal, match, ok } from "node:assert/strict";
import { spawnServer } from "./support/spawn.ts";
import { startPostgresSource } from "./support/sources.ts";
import { callOn, percentile, probe, rssMiB, signUpOn } from "./support/probes.ts";

/** The README's promise: a capped result adds at most this much to the server's resident memory. */
const MAX_RSS_GROWTH_MIB = 96;
/**
 * …and /health answers within this, every time, while it runs, on an otherwise idle machine. On a
 * busy one, four times the slowest /health of the same probe run idle just before.
 */
const MAX_HEALTH_MS = 500;
const BUSY_FACTOR = 4;

Deno.test({
  name: "a 100 MB SQL value is refused at SQL_RESULT_MAX_MB; memory stays bounded and /health answers",
  ignore: !Deno.env.get("TEST_DATABASE_URL"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const source = (await startPostgresSource(10))!;
    const reader = `${source.schema}_reader`;
    await source.sql.unsafe(`create role ${reader} login password 'reader-pw'`);
    const dataDir = await Deno.makeTempDir();
    const server = await spawnServer({
      DATA_DIR: dataDir,
      APP_SECRET: "memory-test-secret-0123456789-0123456789",
      OUTBOUND_ALLOW_HOSTS: "127.0.0.1:5432",
      LOG_LEVEL: "warn",
    }, 180_000);
    try {
      const { cookie } = await signUpOn(server);
      const url = new URL(source.url);
      const created = await callOn(server, cookie, "/api/connectors", {
        name: "Source",
        type: "postgres",
        config: { host: "127.0.0.1", port: Number(url.port || 5432), database: url.pathname.slice(1), user: reader },
        credentials: { password: "reader-pw" },
      });
      equal(created.status, 201, created.text);
      const path = `/api/connectors/${(created.body as { id: string }).id}/sql`;
      // Warm up (the parser's WebAssembly, the connection code), then take the baseline.
      equal((await callOn(server, cookie, path, { sql: "select repeat('x', 1000) as x" })).status, 200);
      const baseline = await rssMiB(server.pid);
      const idleProbe = probe(server, 100);
      await new Promise((r) => setTimeout(r, 2000));
      const idle = Math.max(...(await idleProbe.stop()).healthMs);

      const watching = probe(server, 100);
      const huge = await callOn(server, cookie, path, { sql: "select repeat('x', 100000000) as x" });
      equal(huge.status, 422, huge.text);
      match(huge.text, /larger than 8 MiB.*SQL_RESULT_MAX_MB/);
      // Many rows that add up past the cap are stopped too, not only one big value.
      const many = await callOn(server, cookie, path, {
        sql: "select repeat('y', 20000) from generate_series(1, 9000)",
        max_rows: 10000,
      });
      equal(many.status, 422, many.text);
      const seen = await watching.stop();

      const alive = await fetch(`${server.url}/health`);
      equal(alive.status, 200);
      await alive.body?.cancel();
      const growth = seen.peakRssMiB - baseline;
      console.log(
        `RSS baseline ${baseline.toFixed(0)} MiB, peak ${seen.peakRssMiB.toFixed(0)} MiB (+${growth.toFixed(0)}); ` +
          `/health p50 ${percentile(seen.healthMs, 50).toFixed(1)} ms, max ${
            Math.max(...seen.healthMs).toFixed(1)
          } ms ` +
          `over ${seen.healthMs.length} samples (idle max ${idle.toFixed(1)} ms)`,
      );
      ok(growth < MAX_RSS_GROWTH_MIB, `RSS grew ${growth.toFixed(0)} MiB`);
      equal(seen.failures, 0);
      const bound = Math.max(MAX_HEALTH_MS, BUSY_FACTOR * idle);
      ok(Math.max(...seen.healthMs) < bound, `/health took ${Math.max(...seen.healthMs).toFixed(0)} ms, over ${bound}`);
    } finally {
      await server.stop();
      await Deno.remove(dataDir, { recursive: true });
      await source.sql.unsafe(`drop role if exists ${reader}`).catch(() => {});
      await source.close();
    }
  },
});
