/**
 * Bundles the islands for browsers with esbuild: one entry per island plus the boot runtime,
 * shared code split into chunks, minified, content-hashed names. In memory for dev and tests;
 * written to the build folder by `deno task build` for production, where esbuild cannot run.
 */
import { basename, join, relative } from "node:path";

/** The bundles, by file name, and which files hold the boot runtime and each island. */
export interface IslandBundle {
  files: Map<string, Uint8Array>;
  boot: string;
  islands: Record<string, string>;
}

const BOOT_ENTRY = new URL("./client/boot.ts", import.meta.url).pathname;

/** Builds `islands` (name → absolute file) in memory. */
export async function buildIslands(
  root: string,
  islands: Record<string, string>,
  options: { minify?: boolean } = {},
): Promise<IslandBundle> {
  const esbuild = await import("esbuild");
  try {
    const entryPoints: Record<string, string> = { boot: BOOT_ENTRY };
    for (const [name, file] of Object.entries(islands)) entryPoints[`island-${name}`] = file;
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: ["es2022"],
      minify: options.minify ?? true,
      jsx: "automatic",
      jsxImportSource: "preact",
      entryNames: "[name]-[hash]",
      chunkNames: "chunk-[hash]",
      outdir: join(root, "_fresh_out"),
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const files = new Map(result.outputFiles.map((f) => [basename(f.path), f.contents]));
    const entryFile = (entry: string) => {
      for (const [out, meta] of Object.entries(result.metafile.outputs)) {
        if (meta.entryPoint && join(root, meta.entryPoint) === entry) return basename(out);
      }
      throw new Error(`Cannot find the bundle of "${relative(root, entry)}"`);
    };
    return {
      files,
      boot: entryFile(BOOT_ENTRY),
      islands: Object.fromEntries(Object.entries(islands).map(([name, file]) => [name, entryFile(file)])),
    };
  } finally {
    await esbuild.stop();
  }
}

/** Writes a bundle to `dir` (js files plus manifest.json). */
export async function writeBundle(bundle: IslandBundle, dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(join(dir, "js"), { recursive: true });
  for (const [name, bytes] of bundle.files) await Deno.writeFile(join(dir, "js", name), bytes);
  const manifest = { boot: bundle.boot, islands: bundle.islands, files: [...bundle.files.keys()] };
  await Deno.writeTextFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
}

/** Reads a bundle written by `writeBundle`. */
export async function readBundle(dir: string): Promise<IslandBundle> {
  const manifest = JSON.parse(await Deno.readTextFile(join(dir, "manifest.json")));
  const files = new Map<string, Uint8Array>();
  for (const name of manifest.files as string[]) files.set(name, await Deno.readFile(join(dir, "js", name)));
  return { files, boot: manifest.boot, islands: manifest.islands };
}
