/** `deno task build`: bundles the islands ahead of time into _fresh/ for production. */
import freshConfig from "./fresh.config.ts";
import { buildIslands, writeBundle } from "./lib/fresh/mod.ts";
import { join } from "node:path";

const islandsDir = join(freshConfig.root, freshConfig.islandsDir ?? "islands");
const islands: Record<string, string> = {};
for await (const entry of Deno.readDir(islandsDir)) {
  const match = entry.name.match(/^(\w+)\.(tsx|jsx|ts)$/);
  if (entry.isFile && match && !entry.name.includes("_test.")) islands[match[1]] = join(islandsDir, entry.name);
}
const bundle = await buildIslands(freshConfig.root, islands);
const out = join(freshConfig.root, freshConfig.buildDir ?? "_fresh");
await writeBundle(bundle, out);
const bytes = [...bundle.files.values()].reduce((n, f) => n + f.length, 0);
console.log(
  `Built ${Object.keys(islands).length} islands into ${out}: ${bundle.files.size} files, ${
    (bytes / 1024).toFixed(1)
  } KiB`,
);
