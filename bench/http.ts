/**
 * Request latency and throughput of the running workspace under a local load generator: the
 * server in its own process (main.ts on PGlite, or DATABASE_URL), this process firing
 * keep-alive requests from `concurrency` loops for `seconds` per endpoint after a warm-up.
 *
 *   deno run -A bench/http.ts [concurrency=16] [seconds=5]
 */
import { spawnServer } from "../tests/support/spawn.ts";
import { fixed, percentile } from "./_stats.ts";

interface Result {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(
  name: string,
  url: string,
  headers: HeadersInit,
  concurrency: number,
  seconds: number,
): Promise<Result> {
  const hit = async () => {
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    return res.status;
  };
  const warmUntil = performance.now() + 1000;
  while (performance.now() < warmUntil) await hit();

  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      const t = performance.now();
      const status = await hit();
      latencies.push(performance.now() - t);
      if (status !== 200) errors++;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  return {
    name,
    requests: latencies.length,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

/** Benchmarks /health, an SSR page with islands, a signed-in SSR page and /api/me. */
export async function benchHttp(concurrency = 16, seconds = 5): Promise<Result[]> {
  const dataDir = await Deno.makeTempDir({ prefix: "workspace-bench-" });
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: "warn" };
  const dbUrl = Deno.env.get("BENCH_DATABASE_URL");
  if (dbUrl) env.DATABASE_URL = dbUrl;
  const server = await spawnServer(env);
  try {
    const signup = await fetch(`${server.url}/api/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `bench-${crypto.randomUUID()}@example.com`, password: "benchmark-password" }),
    });
    const cookie = signup.headers.getSetCookie()[0].split(";")[0];
    await signup.body?.cancel();
    const results: Result[] = [];
    results.push(await load("GET /health", `${server.url}/health`, {}, concurrency, seconds));
    results.push(await load("GET /login (SSR page, 1 island)", `${server.url}/login`, {}, concurrency, seconds));
    results.push(
      await load("GET /chat (SSR, signed in, RLS query)", `${server.url}/chat`, { cookie }, concurrency, seconds),
    );
    results.push(await load("GET /api/me (cookie)", `${server.url}/api/me`, { cookie }, concurrency, seconds));
    return results;
  } finally {
    await server.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
}

if (import.meta.main) {
  const concurrency = Number(Deno.args[0] ?? 16);
  const seconds = Number(Deno.args[1] ?? 5);
  const results = await benchHttp(concurrency, seconds);
  const db = Deno.env.get("BENCH_DATABASE_URL") ? "PostgreSQL (TCP)" : "PGlite";
  console.log(`| ${db}, ${concurrency} concurrent, ${seconds} s each | req/s | p50 ms | p99 ms | errors |`);
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const r of results) {
    console.log(`| ${r.name} | ${fixed(r.rps, 0)} | ${fixed(r.p50, 2)} | ${fixed(r.p99, 2)} | ${r.errors} |`);
  }
}
