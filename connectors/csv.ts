/** CSV files, uploaded or fetched from a URL, parsed as a stream: a file is never held whole. */
import { parseCsv } from "./csv_stream.ts";
import { z } from "zod";
import { ApiError } from "../lib/http/errors.ts";
import { datasetNameField, scheduleField, uniqueNames } from "./common.ts";
import { type ConnectorType, type RowSource, type SourceContext } from "./types.ts";

const config = z.object({
  url: z.url({ protocol: /^https?$/, error: "Use an http or https URL" }).max(2000).optional(),
  dataset_name: datasetNameField.optional(),
  delimiter: z.string().length(1).optional(),
  schedule: scheduleField,
  /** Set by the upload endpoint: which stored file to read. */
  upload: z.object({ id: z.uuid(), bytes: z.number().int().min(0), name: z.string().max(200).optional() }).optional(),
}).strict();
type Config = z.infer<typeof config>;
type Ctx = SourceContext<Config, Record<string, never>>;

function datasetName(c: Config): string {
  if (c.dataset_name) return c.dataset_name;
  const file = c.upload?.name ?? (c.url ? new URL(c.url).pathname.split("/").pop() : undefined);
  return file?.replace(/\.(csv|tsv|txt)$/i, "") || "data";
}

async function open(ctx: Ctx): Promise<ReadableStream<Uint8Array>> {
  if (ctx.config.upload && ctx.file) return ctx.file();
  if (!ctx.config.url) throw new ApiError(422, "unprocessable", "Upload a CSV file or set a URL first");
  const response = await ctx.fetch(ctx.config.url, { signal: ctx.signal });
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new ApiError(422, "connection_failed", `${new URL(ctx.config.url).host} answered ${response.status}`);
  }
  return response.body;
}

/** The parsed records of the file, header first, in batches as the bytes arrive. */
async function* records(ctx: Ctx): AsyncGenerator<string[][]> {
  yield* parseCsv(await open(ctx), ctx.config.delimiter ?? ",");
}

export const csvConnector: ConnectorType<Config, Record<string, never>> = {
  type: "csv",
  label: "CSV file",
  config,
  credentials: z.object({}).strict(),

  async test(ctx) {
    for await (const [header] of records(ctx)) {
      if (!header) continue; // an empty batch: keep reading, as a sync would
      // A byte-order mark is the file's encoding, not part of the first column's name.
      const names = header.map((name, i) => i === 0 ? name.replace(/^\uFEFF/, "") : name);
      const shown = names.slice(0, 5).join(", ") + (names.length > 5 ? ", …" : "");
      return `Readable: ${names.length} ${names.length === 1 ? "column" : "columns"} (${shown})`;
    }
    throw new ApiError(422, "connection_failed", "The file is empty");
  },

  discover(ctx) {
    return Promise.resolve([{ name: datasetName(ctx.config) }]);
  },

  async read(ctx): Promise<RowSource> {
    const iterator = records(ctx);
    const first = await iterator.next();
    if (first.done || first.value.length === 0) {
      throw new ApiError(422, "unprocessable", "The file is empty: no header row");
    }
    const [header, ...firstRows] = first.value;
    const names = uniqueNames(header);
    async function* batches() {
      if (firstRows.length) yield firstRows;
      yield* { [Symbol.asyncIterator]: () => iterator };
    }
    return { columns: names.map((name) => ({ name })), batches: batches() };
  },
};
