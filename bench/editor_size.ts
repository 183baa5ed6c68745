/**
 * The dashboard editor island's weight in the browser: every file esbuild makes for it, gzipped,
 * with gridstack's chunk (loaded only when the editor opens) counted apart. Target: < 60 KB gzip
 * without the grid library.
 *
 *   deno run -A bench/editor_size.ts
 */
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { buildIslands } from "../lib/fresh/build.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const bundle = await buildIslands(root, { DashboardEditor: `${root}islands/DashboardEditor.tsx` });
let own = 0;
let grid = 0;
for (const bytes of bundle.files.values()) {
  const gz = gzipSync(bytes).length;
  // gridstack's chunk: the only one holding its drag-and-drop engine.
  if (
    /GridStackEngine|class \w+ extends \w+\{constructor\(\w+,\w+={}\)\{super\(\)/.test(
      new TextDecoder().decode(bytes),
    ) && bytes.length > 50_000
  ) grid += gz;
  else own += gz;
}
console.log("| dashboard editor island (gzip) | KB |");
console.log("| --- | ---: |");
console.log(`| island, Preact, signals and boot | ${(own / 1024).toFixed(1)} |`);
console.log(`| gridstack (its own chunk, fetched when the editor opens) | ${(grid / 1024).toFixed(1)} |`);
