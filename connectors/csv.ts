/** CSV files, uploaded or fetched from a URL, parsed as a stream: a file is never held whole. */
import { type CsvRead, isEncoding, readCsv } from "./csv_stream.ts";
import { z } from "zod";
import { ApiError } from "../lib/http/errors.ts";
import { checkColumnCount, datasetNameField, scheduleField, uniqueNames } from "./common.ts";
import { type ConnectorType, type RowSource, type SourceContext } from "./types.ts";
import { MAX_LINES, warn } from "./warnings.ts";
import { clip } from "../lib/text.ts";

const config = z.object({
  url: z.url({ protocol: /^https?$/, error: "Use an http or https URL" }).max(2000).optional(),
  dataset_name: datasetNameField.optional(),
  /** Detected from the first lines when absent. */
  delimiter: z.string().length(1).optional(),
  /** A WHATWG Encoding label; detected (byte-order mark, UTF-8, else windows-1252) when absent. */
  encoding: z.string().trim().toLowerCase().max(40).refine(isEncoding, {
    error: "Not an encoding this server reads: use a label such as utf-8, windows-1252, iso-8859-2 or utf-16le",
  }).optional(),
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

/** A file opened for reading: its header, the records after it, and how it was read. */
interface Opened {
  csv: CsvRead;
  header: string[];
  firstRows: string[][];
}

/** Opens the file and reads up to its header; the same checks for a test and a sync. */
async function openCsv(ctx: Ctx): Promise<Opened> {
  const csv = await readCsv(await open(ctx), ctx.config);
  const first = await csv.batches.next();
  if (first.done || first.value.length === 0) {
    throw new ApiError(422, "unprocessable", "The file is empty: no header row");
  }
  const [header, ...firstRows] = first.value;
  try {
    checkColumnCount(header.length);
  } catch (error) {
    await csv.batches.return(undefined);
    throw error;
  }
  return { csv, header, firstRows };
}

/** How a delimiter reads in a sentence. */
function delimiterName(delimiter: string): string {
  return delimiter === "\t" ? "tabs" : `"${delimiter}"`;
}

/**
 * The records after the header as rows, counting those with fewer or more fields than the header:
 * they are stored (missing fields empty, extra fields left out) and reported on the sync, with the
 * first record numbers (the header is record 1; a record is a line unless a quoted field holds a
 * line break, and blank lines are not counted).
 */
async function* rows(opened: Opened): AsyncGenerator<string[][]> {
  const width = opened.header.length;
  const short = { count: 0, lines: [] as number[] };
  const long = { count: 0, lines: [] as number[] };
  let record = 1;
  const check = (batch: string[][]) => {
    for (const row of batch) {
      record++;
      if (row.length === width) continue;
      const tally = row.length < width ? short : long;
      tally.count++;
      if (tally.lines.length < MAX_LINES) tally.lines.push(record);
    }
    return batch;
  };
  if (opened.firstRows.length) yield check(opened.firstRows);
  for await (const batch of opened.csv.batches) yield check(batch);
  const plural = (n: number) => n === 1 ? "1 row has" : `${n.toLocaleString("en-US")} rows have`;
  if (short.count) {
    warn({
      code: "missing_fields",
      message: `${plural(short.count)} fewer fields than the header's ${width}: the missing fields were left ` +
        `empty. Check the delimiter (${delimiterName(opened.csv.delimiter)}) and the quoting of those lines.`,
      count: short.count,
      lines: short.lines,
    });
  }
  if (long.count) {
    warn({
      code: "extra_fields",
      message: `${plural(long.count)} more fields than the header's ${width}: the fields past the last column ` +
        `were left out. Check the delimiter (${delimiterName(opened.csv.delimiter)}) and the quoting of those lines.`,
      count: long.count,
      lines: long.lines,
    });
  }
}

export const csvConnector: ConnectorType<Config, Record<string, never>> = {
  type: "csv",
  label: "CSV file",
  config,
  credentials: z.object({}).strict(),

  async test(ctx) {
    const { csv, header } = await openCsv(ctx);
    await csv.batches.return(undefined);
    const shown = header.slice(0, 5).map((name) => clip(name)).join(", ") + (header.length > 5 ? ", …" : "");
    return `Readable: ${header.length} ${header.length === 1 ? "column" : "columns"} (${shown}), separated by ${
      delimiterName(csv.delimiter)
    }, ` +
      `encoded as ${csv.encoding}`;
  },

  discover(ctx) {
    return Promise.resolve([{ name: datasetName(ctx.config) }]);
  },

  async read(ctx): Promise<RowSource> {
    const opened = await openCsv(ctx);
    const names = uniqueNames(opened.header);
    return { columns: names.map((name) => ({ name })), batches: rows(opened) };
  },
};
