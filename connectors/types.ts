/**
 * The one small interface every connector type implements: validate its config, test the
 * connection, discover datasets, read rows in batches. Syncing, storage and scheduling live
 * elsewhere (functions/sync_connector.ts, connectors/dataset_store.ts) and are shared by all types.
 */
import type { z } from "zod";
import type { AllowList } from "../lib/net/outbound.ts";

/**
 * The column types a dataset stores (../shared/API.md): `integer` is a 64-bit integer (bigint),
 * `number` a double, `decimal` an exact decimal of any size (numeric), `json` any JSON value (jsonb).
 */
export type ColumnType = "integer" | "number" | "decimal" | "boolean" | "date" | "timestamp" | "text" | "json";
export const COLUMN_TYPES: readonly ColumnType[] = [
  "integer",
  "number",
  "decimal",
  "boolean",
  "date",
  "timestamp",
  "text",
  "json",
];

export interface Column {
  name: string;
  type: ColumnType;
}

/** What a connector is given to do its work. Credentials exist only in memory, here. */
export interface SourceContext<Config, Credentials> {
  config: Config;
  credentials: Credentials;
  /** Where outbound connections may go (OUTBOUND_ALLOW_HOSTS). */
  allow: AllowList;
  /** A fetch bound to the outbound guard. */
  fetch: typeof fetch;
  /** The uploaded file, for connectors that take one. */
  file?: () => ReadableStream<Uint8Array>;
  /**
   * Sources read row by row (postgres): the most one row may bring in (larger rows are skipped
   * with a warning), and what one batch of rows aims to stay under. From SOURCE_MAX_MB.
   */
  limits?: { rowBytes: number; batchBytes: number };
  signal?: AbortSignal;
  /** How long the whole use may take when no sync encloses it (a test, a SQL statement): OUTBOUND_TIMEOUT_MS. */
  timeLimitMs?: number;
}

/** A dataset a source offers. */
export interface DatasetInfo {
  name: string;
  /** Set when the source knows it; otherwise the sync infers types from the rows. */
  columns?: Column[];
  /** A column whose values only grow, so later syncs can append the rows past the last one. */
  cursorColumn?: string;
}

/**
 * What a read returns: rows as arrays in the order of `columns` (a column without a type is
 * inferred from its values). A source that exports CSV itself may also offer `csv`: the same rows
 * as CSV without a header, every column typed, which a store that streams COPY takes unparsed.
 * Both are lazy: only the one used touches the source.
 */
export interface RowSource {
  columns: { name: string; type?: ColumnType }[];
  batches: AsyncIterable<unknown[][]>;
  csv?: () => ReadableStream<Uint8Array>;
}

/** Where an incremental read starts: the cursor column and the highest value stored so far. */
export interface ReadFrom {
  column: string;
  after: string;
}

export interface ConnectorType<Config = unknown, Credentials = unknown> {
  type: string;
  label: string;
  config: z.ZodType<Config>;
  credentials: z.ZodType<Credentials>;
  /** Checks the source answers; returns a sentence for the user, throws an ApiError otherwise. */
  test(ctx: SourceContext<Config, Credentials>): Promise<string>;
  discover(ctx: SourceContext<Config, Credentials>): Promise<DatasetInfo[]>;
  /**
   * Reads a dataset that `discover` returned in the same sync: a type may keep in it what it needs
   * to read it again (a schema, the source's types), so nothing is discovered twice.
   */
  read(ctx: SourceContext<Config, Credentials>, dataset: DatasetInfo, from?: ReadFrom): Promise<RowSource>;
}

/** Rows per batch that sources yield and the store writes. */
export const BATCH_ROWS = 10_000;
