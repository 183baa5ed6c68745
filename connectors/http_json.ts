/**
 * A REST endpoint that returns JSON records, with secret headers kept in credentials and three
 * kinds of pagination: page numbers, a cursor from the body, or a next-page URL from the body.
 */
import { z } from "zod";
import { ApiError } from "../lib/http/errors.ts";
import { atPath, datasetNameField, scheduleField, uniqueNames } from "./common.ts";
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
    body = JSON.parse(await response.text());
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

/** Every page, following the configured pagination until it runs out. */
async function* pages(ctx: Ctx): AsyncGenerator<Page> {
  const p = ctx.config.pagination;
  let url = new URL(ctx.config.url);
  let page = p?.type === "page" ? p.start : 0;
  if (p?.type === "page") url.searchParams.set(p.param, String(page));
  const seen = new Set<string>();
  for (let n = 0; n < ctx.config.max_pages; n++) {
    const current = await fetchPage(ctx, url);
    if (p?.type === "page" && current.records.length === 0) return;
    yield current;
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
      url.searchParams.set(p.param, String(next));
    } else {
      url = new URL(String(next), url);
    }
    // A server that hands back the same page forever would otherwise loop until max_pages.
    if (seen.has(url.href)) return;
    seen.add(url.href);
  }
}

/** Flat records become rows; nested values are kept as JSON text. */
function toRow(record: unknown, keys: string[]): unknown[] {
  if (record === null || typeof record !== "object" || Array.isArray(record)) return [record];
  return keys.map((k) => (record as Record<string, unknown>)[k]);
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
    const iterator = pages(ctx);
    const first = await iterator.next();
    const firstRecords = first.done ? [] : first.value.records;
    // The columns are the keys of the first page's records; keys that appear later are not kept.
    const objects = firstRecords.filter((r) => r !== null && typeof r === "object" && !Array.isArray(r));
    const keys = objects.length ? [...new Set(objects.flatMap((r) => Object.keys(r as object)))] : ["value"];
    const names = uniqueNames(keys);
    const rowKeys = objects.length ? keys : [];
    async function* batches() {
      if (firstRecords.length) yield firstRecords.map((r) => toRow(r, rowKeys));
      for await (const page of { [Symbol.asyncIterator]: () => iterator }) {
        if (page.records.length) yield page.records.map((r) => toRow(r, rowKeys));
      }
    }
    return { columns: names.map((name) => ({ name })), batches: batches() };
  },
};
