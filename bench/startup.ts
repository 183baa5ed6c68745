/**
 * Cold start: process spawn to the first 200 on /health, for a brand-new data folder (PGlite
 * runs initdb and the migrations) and for a restart on existing data. Medians of several runs.
 *
 *   deno run -A bench/startup.ts [runs=5]
 */
import { spawnServer } from "../tests/support/spawn.ts";
import { fixed, median } from "./_stats.ts";

/** Measures both cold starts; returns medians in milliseconds. */
export async function benchStartup(runs = 5): Promise<{ fresh: number[]; restart: number[] }> {
  const fresh: number[] = [];
  const restart: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = await Deno.makeTempDir({ prefix: "workspace-bench-" });
    try {
      const first = await spawnServer({ DATA_DIR: dataDir, LOG_LEVEL: "warn" });
      fresh.push(first.readyMs);
      await first.stop();
      const second = await spawnServer({ DATA_DIR: dataDir, LOG_LEVEL: "warn" });
      restart.push(second.readyMs);
      await second.stop();
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  }
  return { fresh, restart };
}

if (import.meta.main) {
  const runs = Number(Deno.args[0] ?? 5);
  const { fresh, restart } = await benchStartup(runs);
  console.log(`| cold start (${runs} runs) | median ms | min ms | max ms |`);
  console.log("| --- | ---: | ---: | ---: |");
  for (const [name, xs] of [["new data folder", fresh], ["restart on existing data", restart]] as const) {
    console.log(`| ${name} | ${fixed(median(xs), 0)} | ${fixed(Math.min(...xs), 0)} | ${fixed(Math.max(...xs), 0)} |`);
  }
}
