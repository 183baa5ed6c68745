/**
 * Tables of a Supabase project, read through supabase-js (PostgREST) with the project's key.
 * The table list and column types come from PostgREST's OpenAPI description at /rest/v1/.
 */
import { createClient } from "@supabase/supabase-js";
import { parseJsonExact } from "./exact_json.ts";
import { z } from "zod";
import { ApiError } from "../lib/http/errors.ts";
import { datasetNameField, scheduleField } from "./common.ts";
import { warn } from "./warnings.ts";
import type { ColumnType, ConnectorType, DatasetInfo, SourceContext } from "./types.ts";

/** PostgREST's usual max-rows; smaller pages would only mean more requests. */
const PAGE_ROWS = 1000;

const config = z.object({
  url: z.url({ protocol: /^https?$/, error: "Use the project's https URL" }).max(2000),
  tables: z.array(datasetNameField).max(200).optional(),
  schedule: scheduleField,
}).strict();
const credentials = z.object({ key: z.string().min(1).max(4000) }).strict();
type Config = z.infer<typeof config>;
type Credentials = z.infer<typeof credentials>;
type Ctx = SourceContext<Config, Credentials>;

interface OpenApiDoc {
  definitions?: Record<string, { properties?: Record<string, { format?: string; type?: string }> }>;
}

/** A column's type from PostgREST's OpenAPI `format` (the Postgres type name; numeric may carry its precision). */
function columnType(format = "", type = ""): ColumnType {
  if (/^(smallint|integer|bigint)$/.test(format)) return "integer";
  if (/^(numeric|decimal)\b/.test(format)) return "decimal";
  if (format === "json" || format === "jsonb") return "json";
  if (/^(real|double precision)$/.test(format) || type === "number") return "number";
  if (format === "boolean") return "boolean";
  if (format === "date") return "date";
  if (format.startsWith("timestamp")) return "timestamp";
  return "text";
}

async function tables(ctx: Ctx): Promise<DatasetInfo[]> {
  const url = new URL("rest/v1/", ctx.config.url.endsWith("/") ? ctx.config.url : ctx.config.url + "/");
  const response = await ctx.fetch(url, {
    headers: { apikey: ctx.credentials.key, authorization: `Bearer ${ctx.credentials.key}` },
    signal: ctx.signal,
  });
  if (!response.ok) {
    await response.body?.cancel();
    const hint = response.status === 401 || response.status === 403
      ? ": check the key"
      : response.status === 404
      ? ": check the project URL"
      : "";
    throw new ApiError(422, "connection_failed", `Supabase answered ${response.status}${hint}`);
  }
  let doc: OpenApiDoc;
  try {
    doc = await response.json() as OpenApiDoc;
  } catch {
    // An empty or non-JSON answer (a proxy's page, a wrong URL) is the URL's fault, not a crash.
    throw new ApiError(
      422,
      "connection_failed",
      `${url.host} did not answer with Supabase's table list (JSON): check the project URL`,
    );
  }
  const all = Object.entries(doc.definitions ?? {}).map(([name, def]) => ({
    name,
    columns: Object.entries(def.properties ?? {}).map(([column, p]) => ({
      name: column,
      type: columnType(p.format, p.type),
    })),
  }));
  const wanted = ctx.config.tables;
  if (!wanted) return all;
  const missing = wanted.filter((name) => !all.some((t) => t.name === name));
  if (missing.length) {
    throw new ApiError(422, "unprocessable", `No such table in the Supabase project: ${missing.join(", ")}`);
  }
  return all.filter((t) => wanted.includes(t.name));
}

export const supabaseConnector: ConnectorType<Config, Credentials> = {
  type: "supabase",
  label: "Supabase",
  config,
  credentials,

  async test(ctx) {
    const found = await tables(ctx);
    return `Connected: ${found.length} tables visible with this key`;
  },

  discover: tables,

  read(ctx, dataset) {
    const columns = dataset.columns ?? [];
    if (columns.length === 0) throw new ApiError(422, "unprocessable", `The table ${dataset.name} has no columns`);
    const client = createClient(ctx.config.url, ctx.credentials.key, {
      global: { fetch: exactJsonFetch(ctx.fetch) },
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    });
    // PostgREST may return fewer rows than asked (its max-rows setting), so a short page is not the
    // end: the first answer's Content-Range gives the total (Prefer: count=exact), and the offset
    // moves by the rows that came. Without a total, an empty page ends the table.
    async function* batches(): AsyncGenerator<unknown[][]> {
      let total: number | undefined;
      for (let offset = 0; total === undefined || offset < total;) {
        // Ordered by every column, so pages do not overlap or skip even without a known key.
        let query = client.from(dataset.name).select("*", offset === 0 ? { count: "exact" } : {});
        for (const c of columns) query = query.order(c.name, { ascending: true });
        const { data, error, count } = await query.range(offset, offset + PAGE_ROWS - 1);
        if (error) throw new ApiError(422, "connection_failed", `Supabase: ${error.message}`);
        if (offset === 0 && typeof count === "number") total = count;
        const rows = (data ?? []) as Record<string, unknown>[];
        if (rows.length === 0) {
          if (total !== undefined && offset < total) {
            warn({
              code: "rows_vanished",
              message: `Supabase counted ${total.toLocaleString("en-US")} rows at the start but sent ` +
                `${offset.toLocaleString("en-US")}: rows were deleted while the sync ran.`,
            });
          }
          return;
        }
        yield rows.map((row) => columns.map((c) => row[c.name]));
        offset += rows.length;
      }
    }
    return Promise.resolve({ columns, batches: batches() });
  },
};

/**
 * A fetch for supabase-js that keeps PostgREST's numbers exact. supabase-js reads bodies with
 * JSON.parse, which rounds an int8 past 2^53 (and a numeric of more than 15 digits); this hands it
 * the same JSON with each such number written as a string of its digits (`parseJsonExact`), so the
 * store gets the digits the database holds (API.md, "Numbers are exact"). Other bodies pass as they are.
 */
export function exactJsonFetch(base: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    if (!/\bjson\b/i.test(response.headers.get("content-type") ?? "")) return response;
    const text = await response.text();
    let body = text;
    try {
      body = JSON.stringify(parseJsonExact(text));
    } catch {
      // Not JSON after all: supabase-js reports it as it would have.
    }
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  };
}
