/**
 * A shared dashboard of 8 widgets on two 100,000-row datasets: the server's time for the first view
 * of /share/:token right after the widgets were saved, and for the first view after a restart
 * (nothing in memory), then p50/p99 and requests/s under a local load generator once
 * its queries and charts are cached, beside the practical limit on this machine: Deno.serve
 * answering the same page from memory, once with the same headers (the share response's security
 * headers, cache lifetime and request id: the page must carry them) and once with the bytes only.
 * The three are measured in interleaved rounds, medians printed. Also the bytes of JavaScript the
 * page needs (none). All are fetched uncompressed, so the figures are the servers' work, not the
 * load generator's gunzip; browsers get the page gzipped once when it was cached (its size is
 * printed too). PGlite by default; BENCH_DATABASE_URL=postgres://… runs it on a PostgreSQL server.
 *
 *   deno run -A bench/dashboard.ts [concurrency=16] [seconds per round=5]
 */
import { spawnServer } from "../tests/support/spawn.ts";
import { fixed, median, percentile } from "./_stats.ts";

const [concurrency, seconds] = [Number(Deno.args[0] ?? 16), Number(Deno.args[1] ?? 5)];
const ROWS = Number(Deno.env.get("BENCH_ROWS") ?? 100_000);
const ROUNDS = 3;
const REGIONS = ["North", "South", "East", "West", "Central"];
const PRODUCTS = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"];
const KINDS = ["view", "click", "signup", "purchase"];

function salesCsv(): string {
  const lines = ["day,region,product,amount,units"];
  for (let i = 0; i < ROWS; i++) {
    const day = new Date(Date.UTC(2024, 0, 1) + (i % 366) * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${day},${REGIONS[i % 5]},${PRODUCTS[(i * 7) % 6]},${((i * 37) % 10_000) / 100},${(i % 9) + 1}`);
  }
  return lines.join("\n") + "\n";
}

function eventsCsv(): string {
  const lines = ["day,kind,user_id,duration"];
  for (let i = 0; i < ROWS; i++) {
    const day = new Date(Date.UTC(2024, 0, 1) + (i % 200) * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${day},${KINDS[(i * 3) % 4]},u${i % 2_000},${(i * 13) % 600}`);
  }
  return lines.join("\n") + "\n";
}

/** CPU time the process `pid` has used, all threads, user and system, in ms (Linux /proc). */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1].split(" ");
  // utime and stime, fields 14 and 15 of proc(5), in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function load(url: string, conc: number, secs: number, pid: number) {
  const hit = async () => {
    // Uncompressed, like the static copy: the server's work is measured, not the client's gunzip.
    const res = await fetch(url, { headers: { "accept-encoding": "identity" } });
    await res.arrayBuffer();
    return res.status;
  };
  const warmUntil = performance.now() + 1000;
  while (performance.now() < warmUntil) await hit();
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = await cpuMs(pid);
  const started = performance.now();
  const until = started + secs * 1000;
  await Promise.all(Array.from({ length: conc }, async () => {
    while (performance.now() < until) {
      const t = performance.now();
      if (await hit() !== 200) errors++;
      latencies.push(performance.now() - t);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const cpuUsPerRequest = ((await cpuMs(pid)) - cpuBefore) * 1000 / latencies.length;
  return {
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuUsPerRequest,
    errors,
  };
}

const files = new Map([["sales.csv", salesCsv()], ["events.csv", eventsCsv()]]);
const source = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
  const body = files.get(new URL(req.url).pathname.slice(1));
  return body ? new Response(body, { headers: { "content-type": "text/csv" } }) : new Response("", { status: 404 });
});
const dataDir = await Deno.makeTempDir({ prefix: "workspace-bench-dash-" });
const env: Record<string, string> = {
  DATA_DIR: dataDir,
  LOG_LEVEL: "warn",
  SHARE_REQUESTS_PER_MINUTE: "0",
  OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${source.addr.port}`,
};
const dbUrl = Deno.env.get("BENCH_DATABASE_URL");
if (dbUrl) env.DATABASE_URL = dbUrl;
let server = await spawnServer(env, 300_000);
let staticServer: Deno.ChildProcess | undefined;
try {
  const call = async (path: string, init: { method?: string; body?: unknown; cookie?: string } = {}) => {
    const res = await fetch(server.url + path, {
      method: init.method ?? (init.body ? "POST" : "GET"),
      headers: {
        "content-type": "application/json",
        origin: server.url,
        ...(init.cookie ? { cookie: init.cookie } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${path}: ${res.status} ${text}`);
    return { res, json: text ? JSON.parse(text) : undefined };
  };
  const signup = await call("/api/auth/signup", {
    body: { email: `bench-${crypto.randomUUID()}@example.com`, password: "benchmark-password" },
  });
  const cookie = signup.res.headers.getSetCookie()[0].split(";")[0];
  const connectors: Record<string, string> = {};
  for (const name of ["sales", "events"]) {
    const { json } = await call("/api/connectors", {
      cookie,
      body: { name, type: "csv", config: { url: `http://127.0.0.1:${source.addr.port}/${name}.csv` } },
    });
    connectors[name] = json.id;
    await call(`/api/connectors/${json.id}/sync`, { method: "POST", cookie });
    for (;;) {
      const { json: syncs } = await call(`/api/connectors/${json.id}/syncs`, { cookie });
      const status = syncs.items[0]?.status;
      if (status === "succeeded") break;
      if (status === "failed") throw new Error(`sync failed: ${syncs.items[0].error}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const { json: dashboard } = await call("/api/dashboards", { cookie, body: { name: "Bench" } });
  const sales = { connector_id: connectors.sales, dataset: "sales" };
  const events = { connector_id: connectors.events, dataset: "events" };
  const widgets = [
    { type: "bar", ...sales, data_query: { dimensions: ["region"], measures: [{ fn: "sum", column: "amount" }] } },
    { type: "line", ...sales, data_query: { dimensions: ["day"], measures: [{ fn: "sum", column: "amount" }] } },
    {
      type: "area",
      ...sales,
      data_query: { dimensions: ["day", "region"], measures: [{ fn: "sum", column: "units" }], limit: 5000 },
      config: { series: "region", x: "day", y: "sum_units" },
    },
    { type: "pie", ...sales, data_query: { dimensions: ["product"], measures: [{ fn: "count" }] } },
    { type: "scatter", ...events, data_query: { limit: 10_000 }, config: { x: "duration", y: "day" } },
    {
      type: "table",
      ...events,
      data_query: { dimensions: ["kind"], measures: [{ fn: "count" }, { fn: "avg", column: "duration" }] },
    },
    {
      type: "metric",
      ...sales,
      data_query: { measures: [{ fn: "sum", column: "amount" }] },
      config: { date_column: "day" },
    },
    { type: "bar", ...events, data_query: { dimensions: ["kind"], measures: [{ fn: "count" }] } },
  ];
  for (const [i, w] of widgets.entries()) {
    await call(`/api/dashboards/${dashboard.id}/widgets`, {
      cookie,
      body: { ...w, position_x: (i % 2) * 6, position_y: Math.floor(i / 2) * 4, width: 6, height: 4 },
    });
  }
  const { json: link } = await call(`/api/dashboards/${dashboard.id}/shares`, { cookie, body: {} });
  const shareUrl = server.url + new URL(link.url).pathname;

  // First view of the new link, at once: widgets are computed when saved (functions/dashboards/warm.ts),
  // and a view that comes while that is still running joins it.
  const t0 = performance.now();
  const first = await fetch(shareUrl);
  const html = await first.text();
  const firstMs = performance.now() - t0;
  const scripts = (html.match(/<script/g) ?? []).length;
  const zipped = await fetch(shareUrl, { headers: { "accept-encoding": "gzip" } });
  await zipped.body?.cancel();
  const gzipped = zipped.headers.get("content-encoding") === "gzip"
    ? zipped.headers.get("content-length")
    : "not gzipped";

  // The static copies replay the page's bytes; one also replays every header the share response had.
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const pagePath = await Deno.makeTempFile({ dir: dataDir, suffix: ".html" });
  await Deno.writeTextFile(pagePath, html);
  const headersPath = await Deno.makeTempFile({ dir: dataDir, suffix: ".json" });
  const replayed = [...first.headers].filter(([name]) => !["date", "content-length"].includes(name));
  await Deno.writeTextFile(headersPath, JSON.stringify(replayed));
  staticServer = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      new URL("./_static_server.ts", import.meta.url).pathname,
      String(port),
      pagePath,
      headersPath,
    ],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  for (let i = 0; i < 50; i++) {
    try {
      await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // Interleaved rounds, so a noisy moment on this shared machine hits all three alike.
  const targets = {
    cached: shareUrl,
    bare: `http://127.0.0.1:${port}/`,
    same: `http://127.0.0.1:${port}/same-headers`,
  };
  const runs: Record<keyof typeof targets, Awaited<ReturnType<typeof load>>[]> = { cached: [], bare: [], same: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(targets) as (keyof typeof targets)[]) {
      runs[name].push(
        await load(targets[name], concurrency, seconds, name === "cached" ? server.pid : staticServer.pid),
      );
    }
  }
  const rps = (name: keyof typeof targets) => median(runs[name].map((r) => r.rps));
  const latency = (name: keyof typeof targets, p: number) => median(runs[name].map((r) => p === 50 ? r.p50 : r.p99));
  const cpu = (name: keyof typeof targets) => median(runs[name].map((r) => r.cpuUsPerRequest));
  const errors = runs.cached.reduce((sum, r) => sum + r.errors, 0);

  // Cold: a restarted server has nothing in memory; its first view runs every query and draws every chart.
  await server.stop();
  server = await spawnServer(env, 300_000);
  const sharePath = new URL(shareUrl).pathname;
  const c0 = performance.now();
  await (await fetch(server.url + sharePath)).arrayBuffer();
  const coldMs = performance.now() - c0;

  const backend = dbUrl ? "PostgreSQL" : "PGlite";
  console.log(
    `| shared dashboard, 8 widgets on 2 × 100,000 rows, ${backend}, ${concurrency} concurrent, medians of ${ROUNDS} rounds of ${seconds} s | value |`,
  );
  console.log("| --- | ---: |");
  console.log(`| first view of a new link, right after its widgets were saved (ms) | ${fixed(firstMs, 0)} |`);
  console.log(`| first view after a restart, nothing in memory (ms) | ${fixed(coldMs, 0)} |`);
  console.log(`| page size (characters) / \`<script>\` tags on it | ${html.length} / ${scripts} |`);
  console.log(`| page size sent gzipped (bytes) | ${gzipped} |`);
  const rows: [string, keyof typeof targets][] = [
    ["cached share page", "cached"],
    ["static copy, same bytes and headers (Deno.serve)", "same"],
    ["static copy, bytes only (Deno.serve)", "bare"],
  ];
  for (const [label, name] of rows) {
    console.log(`| ${label}: req/s | ${fixed(rps(name), 0)} |`);
    console.log(`| ${label}: p50 / p99 ms | ${fixed(latency(name, 50), 1)} / ${fixed(latency(name, 99), 1)} |`);
    console.log(`| ${label}: server CPU per request (µs) | ${fixed(cpu(name), 0)} |`);
  }
  console.log(`| cached / static copy with the same headers | ${fixed((100 * rps("cached")) / rps("same"), 0)}% |`);
  console.log(`| cached / static copy of the bytes only | ${fixed((100 * rps("cached")) / rps("bare"), 0)}% |`);
  console.log(`| errors | ${errors} |`);
  if (Deno.env.get("BENCH_TRACE")) {
    console.error(server.output().split("\n").filter((l) => l.includes("TRACE")).slice(0, 40).join("\n"));
  }
} finally {
  staticServer?.kill();
  await staticServer?.status;
  await server.stop();
  await source.shutdown();
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
}
