/** `deno task build`: bundles the islands ahead of time into _fresh/ for production. */
import freshConfig from "./fresh.config.ts";
import { buildIslands, writeBundle } from "./lib/fresh/mod.ts";
import { scanIslandFiles } from "./lib/fresh/fs_routes.ts";
import { join } from "node:path";

const islands = await scanIslandFiles(join(freshConfig.root, freshConfig.islandsDir ?? "islands"));
const bundle = await buildIslands(freshConfig.root, islands);
const out = join(freshConfig.root, freshConfig.buildDir ?? "_fresh");
await writeBundle(bundle, out);
const bytes = [...bundle.files.values()].reduce((n, f) => n + f.length, 0);
const count = Object.keys(islands).length;
console.log(`Built ${count} islands into ${out}: ${bundle.files.size} files, ${(bytes / 1024).toFixed(1)} KiB`);
