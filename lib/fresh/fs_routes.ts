/**
 * File-system routing as in Fresh: `routes/` paths become URL patterns. `index` is the folder,
 * `[id]` a parameter, `[...rest]` the rest of the path, `(group)` folders add nothing to the URL,
 * and `_app`, `_layout`, `_middleware`, `_404`, `_500` are special. Other `_` files are private.
 */

/** One page or handler route with everything that wraps it, outermost first. */
export interface RouteEntry {
  /** The Hono pattern, e.g. `/dashboards/:id` or `/files/:rest{.+}`. */
  pattern: string;
  /** The file, relative to the routes folder, with forward slashes. */
  file: string;
  middlewares: string[];
  layouts: string[];
}

/** Everything the routes folder defines. */
export interface RouteTable {
  routes: RouteEntry[];
  app?: string;
  notFound?: string;
  error?: string;
}

const EXTENSIONS = /\.(tsx|ts|jsx|js)$/;

/** Builds the table from file paths relative to the routes folder; order: most specific first. */
export function buildRouteTable(files: string[]): RouteTable {
  const modules = files.filter((f) => EXTENSIONS.test(f) && !/_test\.(tsx|ts|jsx|js)$/.test(f)).sort();
  const table: RouteTable = { routes: [] };
  const special = (dir: string, name: string) =>
    modules.find((f) => f.replace(EXTENSIONS, "") === (dir ? `${dir}/${name}` : name));
  const ancestors = (file: string) => {
    const parts = file.split("/").slice(0, -1);
    return parts.map((_, i) => parts.slice(0, i + 1).join("/")).reverse().concat("").reverse();
  };

  for (const file of modules) {
    const stem = file.replace(EXTENSIONS, "");
    const base = stem.split("/").at(-1)!;
    if (stem === "_app") table.app = file;
    else if (stem === "_404") table.notFound = file;
    else if (stem === "_500") table.error = file;
    if (base.startsWith("_") || stem.split("/").some((s) => s.startsWith("_"))) continue;
    const dirs = ancestors(file);
    table.routes.push({
      pattern: toPattern(stem),
      file,
      middlewares: dirs.map((d) => special(d, "_middleware")).filter((f): f is string => !!f),
      layouts: dirs.map((d) => special(d, "_layout")).filter((f): f is string => !!f),
    });
  }
  table.routes.sort((a, b) => compareSpecificity(a.pattern, b.pattern));
  const seen = new Map<string, string>();
  for (const r of table.routes) {
    const other = seen.get(r.pattern);
    if (other) throw new Error(`Cannot route "${r.file}": "${other}" already serves ${r.pattern}`);
    seen.set(r.pattern, r.file);
  }
  return table;
}

/** Turns a route file's path (without extension) into a Hono pattern. */
export function toPattern(stem: string): string {
  const segments: string[] = [];
  for (const part of stem.split("/")) {
    if (/^\(.+\)$/.test(part)) continue;
    const rest = part.match(/^\[\.\.\.([A-Za-z_]\w*)\]$/);
    if (rest) {
      segments.push(`:${rest[1]}{.+}`);
      continue;
    }
    segments.push(part.replace(/\[([A-Za-z_]\w*)\]/g, ":$1"));
  }
  if (segments.at(-1) === "index") segments.pop();
  return "/" + segments.join("/");
}

function rank(segment: string): number {
  if (segment.includes("{.+}")) return 2;
  return segment.includes(":") ? 1 : 0;
}

function compareSpecificity(a: string, b: string): number {
  const as = a.split("/"), bs = b.split("/");
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    if (as[i] === undefined) return -1;
    if (bs[i] === undefined) return 1;
    const diff = rank(as[i]) - rank(bs[i]);
    if (diff !== 0) return diff;
  }
  return a.localeCompare(b);
}

/** Lists route files below `dir` (relative, forward slashes), skipping `ignore`d prefixes. */
export async function scanRouteFiles(dir: string, ignore: string[] = []): Promise<string[]> {
  const found: string[] = [];
  async function walk(sub: string) {
    for await (const entry of Deno.readDir(sub ? `${dir}/${sub}` : dir)) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (ignore.some((prefix) => rel === prefix || rel.startsWith(prefix + "/"))) continue;
      if (entry.isDirectory) await walk(rel);
      else if (entry.isFile) found.push(rel);
    }
  }
  await walk("");
  return found;
}

/** The islands in `dir`: name (file name without extension) → absolute file. None if no folder. */
export async function scanIslandFiles(dir: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  try {
    for await (const entry of Deno.readDir(dir)) {
      const match = entry.name.match(/^(\w+)\.(tsx|jsx|ts)$/);
      if (entry.isFile && match && !entry.name.includes("_test.")) found[match[1]] = `${dir}/${entry.name}`;
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return Object.fromEntries(Object.entries(found).sort(([a], [b]) => a.localeCompare(b)));
}
