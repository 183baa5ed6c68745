/** Static files from `static/`, read once at start, served with ETags; `asset()` cache-busts URLs. */
import { extname, join } from "node:path";
import { keptBytesResponse } from "../http/kept_bytes.ts";

interface StaticFile {
  bytes: Uint8Array<ArrayBuffer>;
  etag: string;
  type: string;
}

const TYPES: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

const files = new Map<string, StaticFile>();

/** Loads every file below `dir`; URL paths mirror file paths. */
export async function loadStaticFiles(dir: string): Promise<void> {
  async function walk(sub: string) {
    let entries: AsyncIterable<Deno.DirEntry>;
    try {
      entries = Deno.readDir(join(dir, sub));
    } catch {
      return;
    }
    for await (const entry of entries) {
      const rel = `${sub}/${entry.name}`;
      if (entry.isDirectory) await walk(rel);
      else if (entry.isFile) {
        const bytes = await Deno.readFile(join(dir, rel));
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        const etag = Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
        files.set(rel, { bytes, etag, type: TYPES[extname(rel)] ?? "application/octet-stream" });
      }
    }
  }
  await walk("").catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

/** The URL of a static file with its content hash, safe to cache forever. */
export function asset(path: string): string {
  const file = files.get(path);
  return file ? `${path}?v=${file.etag}` : path;
}

/** Serves a static file, or returns undefined when there is none at `url`. */
export function serveStatic(req: Request, url: URL): Response | undefined {
  const file = files.get(url.pathname);
  if (!file) return undefined;
  const headers = new Headers({ "content-type": file.type, etag: `"${file.etag}"` });
  headers.set(
    "cache-control",
    url.searchParams.get("v") === file.etag
      ? "public, max-age=31536000, immutable"
      : "public, max-age=0, must-revalidate",
  );
  if (req.headers.get("if-none-match") === `"${file.etag}"`) return new Response(null, { status: 304, headers });
  return keptBytesResponse(file.bytes, { headers });
}
