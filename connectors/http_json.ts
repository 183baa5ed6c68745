/**
 * A REST endpoint that returns JSON records, with secret headers kept in credentials and three
 * kinds of pagination: page numbers, a cursor from the body, or a next-page URL from the body.
 *
 * Read whole and once: every page is fetched once (from the body the outbound guard caps) and
 * spooled to a temporary file while the columns are gathered as the union of the keys of every
 * page, then the rows are read back from that file, so a key first seen on page 2 is a column and
 * memory holds one page. Pagination stops, with a warning on the sync, when a link or cursor leads
 * back to a page already read or a page repeats the records of one already read (an API that
 * answers every page past the end with the last one). Numbers keep their digits (exact_json.ts).
 */
import { z } from "zod";
import { ApiError } from "../lib/http/errors.ts";
import { atPath, checkColumnCount, datasetNameField, scheduleField, uniqueNames } from "./common.ts";
import { parseJsonRaw, rawDigits } from "./exact_json.ts";
import { warn } from "./warnings.ts";
import type { ConnectorType, RowSource, SourceContext } from "./types.ts";

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|apikey|x-auth-token)$/i;
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: "Not a header name" });
const headerValue = z.string().max(4000).regex(/^\P{Cc}*$/u, {
  error: "No control characters (line breaks) in header values",
});

const config = z.object({
  url: z.url({ protocol: /^https?$/, error: "Use an http or https URL" }).max(2000),
  method: z.enum(["GET", "POST"]).default("GET"),
  headers: z.record(headerName, headerValue).refine((h) => !Object.keys(h).some((k) => SECRET_HEADER.test(k)), {
    error: "Put secret headers (Authorization, cookies, API keys) in credentials.headers, where they are encrypted",
  }).optional(),
  body: z.string().max(100_000).optional(),
  records_path: z.string().max(200).default(""),
  dataset_name: datasetNameField.optional(),
  pagination: z.discriminatedUnion("type", [
    z.object({ type: z.literal("page"), param: z.string().min(1).max(100), start: z.number().int().default(1) }),
    z.object({ type: z.literal("cursor"), param: z.string().min(1).max(100), cursor_path: z.string().min(1).max(200) }),
    z.object({ type: z.literal("next_url"), next_path: z.string().min(1).max(200) }),
  ]).optional(),
  max_pages: z.number().int().min(1).max(100_000).default(1000),
  schedule: scheduleField,
}).strict();
const credentials = z.object({ headers: z.record(headerName, headerValue).optional() }).strict();
type Config = z.infer<typeof config>;
type Credentials = z.infer<typeof credentials>;
type Ctx = SourceContext<Config, Credentials>;

interface Page {
  records: unknown[];
  body: unknown;
  url: URL;
}

async function fetchPage(ctx: Ctx, url: URL): Promise<Page> {
  const response = await ctx.fetch(url, {
    method: ctx.config.method,
    headers: { accept: "application/json", ...ctx.config.headers, ...ctx.credentials.headers },
    body: ctx.config.method === "POST" ? ctx.config.body : undefined,
    signal: ctx.signal,
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new ApiError(422, "connection_failed", `${url.host} answered ${response.status} ${response.statusText}`);
  }
  let body: unknown;
  try {
    // The guard's fetch caps the body: text() fails past the cap rather than reading on.
    body = parseJsonRaw(await response.text());
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(422, "connection_failed", `${url.host} did not answer with JSON`);
  }
  const records = atPath(body, ctx.config.records_path);
  if (!Array.isArray(records)) {
    throw new ApiError(
      422,
      "connection_failed",
      `No array of records at "${ctx.config.records_path || "(the top level)"}" in the response`,
    );
  }
  return { records, body, url };
}

/** A short, stable fingerprint of a page's records, to see a page come back. */
async function fingerprint(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Where the URL points, for a sentence: its path and query. */
const shown = (url: URL) => url.pathname + url.search;

/**
 * Every page with its records serialised, following the configured pagination until it runs out,
 * comes back to a page already read, or reaches max_pages (the last two are warnings).
 */
async function* pages(ctx: Ctx): AsyncGenerator<Page & { text: string }> {
  const p = ctx.config.pagination;
  let url = new URL(ctx.config.url);
  const origin = url.origin;
  let page = p?.type === "page" ? p.start : 0;
  if (p?.type === "page") url.searchParams.set(p.param, String(page));
  const seenUrls = new Set([url.href]);
  const seenPages = new Set<string>();
  for (let n = 0;; n++) {
    if (n === ctx.config.max_pages) {
      warn({
        code: "pagination_limit",
        message: `Pagination stopped after max_pages (${n}) pages, with more to read: raise max_pages in the ` +
          "connector's config to read them all.",
      });
      return;
    }
    const current = await fetchPage(ctx, url);
    // An empty page ends page numbers; cursors and links may still lead on (as they always did).
    if (current.records.length === 0 && (!p || p.type === "page")) return;
    const text = JSON.stringify(current.records);
    const hash = await fingerprint(text);
    if (seenPages.has(hash)) {
      if (current.records.length) {
        warn({
          code: "pagination_repeat",
          message: `Pagination stopped after ${pageCount(n)}: ${shown(url)} held the same records as a page already ` +
            "read (the API repeats a page, such as its last one past the end), so they were not added twice.",
        });
      }
      return;
    }
    seenPages.add(hash);
    yield { ...current, text };
    if (!p) return;
    if (p.type === "page") {
      url = new URL(url);
      url.searchParams.set(p.param, String(++page));
      continue;
    }
    const next = atPath(current.body, p.type === "cursor" ? p.cursor_path : p.next_path);
    if (next === null || next === undefined || next === "") return;
    if (p.type === "cursor") {
      url = new URL(url);
      url.searchParams.set(p.param, String(rawDigits(next)));
    } else {
      url = sameOrigin(new URL(String(next), url), origin);
    }
    if (seenUrls.has(url.href)) {
      warn({
        code: "pagination_repeat",
        message:
          `Pagination stopped after ${pageCount(n + 1)}: the ${p.type === "cursor" ? "cursor" : "next link"} led ` +
          `back to ${shown(url)}, a page already read, so the API would have repeated itself.`,
      });
      return;
    }
    seenUrls.add(url.href);
  }
}

/**
 * `next` when it stays on the configured origin. The connector's headers (credentials among them)
 * go with every page, so a link to another site is refused rather than followed: the same rule as
 * redirects (lib/net/outbound.ts), and dropping the credentials would only turn into a 401 there.
 */
function sameOrigin(next: URL, origin: string): URL {
  if (next.origin === origin) return next;
  const where = next.host || next.href.slice(0, 60);
  throw new ApiError(
    422,
    "connection_failed",
    `The API's next-page link points to another site (${where}): the connector follows pages on ${origin} only`,
  );
}

/** Flat records become rows; nested values are kept as JSON text, numbers with their digits. */
function toRow(record: unknown, keys: string[]): unknown[] {
  if (record === null || typeof record !== "object" || Array.isArray(record)) return [rawDigits(record)];
  if (keys.length === 0) return [rawDigits(record)];
  return keys.map((k) => rawDigits((record as Record<string, unknown>)[k]));
}

/** The lines of a file, which is closed at the end. */
async function* readLines(file: Deno.FsFile): AsyncGenerator<string> {
  let rest = "";
  try {
    for await (const text of file.readable.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      yield* parts;
    }
  } finally {
    try {
      file.close();
    } catch { /* the stream's end closed it */ }
  }
}

/** Every page read once into a temporary file, and the union of their records' keys, in order. */
async function spool(ctx: Ctx): Promise<{ keys: string[]; lines: () => AsyncGenerator<string> }> {
  const keys = new Set<string>();
  const path = await Deno.makeTempFile({ prefix: "http_json_", suffix: ".jsonl" });
  try {
    const file = await Deno.open(path, { write: true });
    const writer = file.writable.getWriter();
    const encoder = new TextEncoder();
    try {
      for await (const page of pages(ctx)) {
        for (const record of page.records) {
          if (record !== null && typeof record === "object" && !Array.isArray(record)) {
            for (const key of Object.keys(record)) keys.add(key);
          }
        }
        await writer.write(encoder.encode(page.text + "\n"));
      }
    } finally {
      await writer.close().catch(() => {});
    }
    // Opened, then unlinked: the file goes away when it is closed, whatever happens to the sync.
    const reading = await Deno.open(path, { read: true });
    await Deno.remove(path);
    return { keys: [...keys], lines: () => readLines(reading) };
  } catch (error) {
    await Deno.remove(path).catch(() => {});
    throw error;
  }
}

export const httpJsonConnector: ConnectorType<Config, Credentials> = {
  type: "http_json",
  label: "HTTP JSON API",
  config,
  credentials,

  async test(ctx) {
    const first = await fetchPage(ctx, new URL(ctx.config.url));
    return `Connected: the first page has ${first.records.length} records`;
  },

  discover(ctx) {
    return Promise.resolve([{
      name: ctx.config.dataset_name ?? (new URL(ctx.config.url).pathname.split("/").pop() || "records"),
    }]);
  },

  async read(ctx): Promise<RowSource> {
    const { keys, lines } = await spool(ctx);
    checkColumnCount(keys.length);
    // Records that are not objects (a list of numbers) make one column, "value".
    const names = keys.length ? uniqueNames(keys) : ["value"];
    async function* batches() {
      for await (const line of lines()) {
        const records = parseJsonRaw(line) as unknown[];
        if (records.length) yield records.map((r) => toRow(r, keys));
      }
    }
    return { columns: names.map((name) => ({ name })), batches: batches() };
  },
};

/** "1 page", "3 pages". */
function pageCount(n: number): string {
  return n === 1 ? "1 page" : `${n.toLocaleString("en-US")} pages`;
}
