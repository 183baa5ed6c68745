/** `deno task bench`: every benchmark, printed as the tables the README shows. */
import { benchStartup } from "./startup.ts";
import { benchHttp } from "./http.ts";
import { fixed, median } from "./_stats.ts";

const { fresh, restart } = await benchStartup(5);
console.log("| cold start: spawn to first 200 on /health (5 runs) | median ms |");
console.log("| --- | ---: |");
console.log(`| new data folder (initdb + migrations) | ${fixed(median(fresh), 0)} |`);
console.log(`| restart on existing data | ${fixed(median(restart), 0)} |`);
console.log();
for (const concurrency of [1, 16]) {
  const results = await benchHttp(concurrency, 5);
  console.log(`| PGlite, ${concurrency} concurrent, 5 s each | req/s | p50 ms | p99 ms | errors |`);
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const r of results) {
    console.log(`| ${r.name} | ${fixed(r.rps, 0)} | ${fixed(r.p50, 2)} | ${fixed(r.p99, 2)} | ${r.errors} |`);
  }
  console.log();
}
// Chat: time to first token added by the server, and a 5,000-message chat against a new one.
{
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./chat.ts", import.meta.url).pathname],
    stderr: "inherit",
  }).output();
  console.log(new TextDecoder().decode(stdout).trim());
  console.log();
}
// Syncs, each size in a fresh process so that one run's heap does not count in the next's memory.
for (const [rows, runs] of [[1_000_000, 3], [250_000, 1], [2_000_000, 1]]) {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./sync.ts", import.meta.url).pathname, String(rows), String(runs)],
    stderr: "inherit",
  }).output();
  const lines = new TextDecoder().decode(stdout).trim().split("\n");
  if (code !== 0) {
    console.log("(sync benchmark skipped: it needs a PostgreSQL server at BENCH_DATABASE_URL)");
    break;
  }
  console.log((runs > 1 ? lines : lines.filter((l) => l.startsWith("Peak RSS"))).join("\n"));
}
