/**
 * Where synced rows live: one table per dataset in the `dataset_rows` schema, columns named
 * c0, c1, … (the user's names stay in `datasets.columns`, so no source can choose an identifier).
 * A sync writes a staging table batch by batch, outside any transaction so other requests keep
 * running, then swaps it in with one short transaction: readers see the old rows or the new ones.
 */
import { sql } from "drizzle-orm";
import { type BulkLoad, type Database, type Db, yieldToEventLoop } from "../db/client.ts";
import { APP_ROLE } from "../db/rls.ts";
import { storableJson, storableText } from "../lib/text.ts";
import { warn } from "./warnings.ts";
import { stringifyExact } from "./exact_json.ts";
import { TypeInference, widen } from "./type_inference.ts";
import { BATCH_ROWS, type Column, type ColumnType } from "./types.ts";

const CSV_PIECE_BYTES = 1024 * 1024;

const PG_TYPES: Record<ColumnType, string> = {
  integer: "bigint",
  number: "double precision",
  // Unconstrained numeric: any precision and scale, stored exactly (numeric(30,10) keeps its 10 places).
  decimal: "numeric",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamptz",
  text: "text",
  json: "jsonb",
};

/** The Postgres type a column is stored as. */
export function pgType(type: ColumnType): string {
  return PG_TYPES[type];
}

/** The live table of a dataset (schema-qualified, safe to splice: built from a uuid). */
export function storageTable(datasetId: string): string {
  const hex = datasetId.replaceAll("-", "");
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`Not a dataset id: ${datasetId}`);
  return `dataset_rows.ds_${hex}`;
}

/** The storage column of the column at `index`. */
export function storageColumn(index: number): string {
  return `c${index}`;
}

/**
 * Turns a source value into the text COPY takes; null and "" are SQL null. Strings inside a JSON
 * value are made storable here (lib/text.ts; jsonb refuses `\u0000` too); plain strings when their
 * batch is written (see #flush), where only text columns need it.
 */
export function toText(value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "string") return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (typeof value === "object") return stringifyExact(storableJson(value));
  return String(value);
}

/**
 * Where synced text enters the database: NUL and lone surrogates cleaned (lib/text.ts) in the text
 * columns of `rows`, in place. Only text columns can hold them: a value in any other inferred
 * column matched that type's pattern (digits, a date, true/false), and JSON was cleaned by toText.
 */
function storableTextColumns(rows: (string | null)[][], types: readonly ColumnType[]): number {
  let changed = 0;
  for (let i = 0; i < types.length; i++) {
    if (types[i] !== "text") continue;
    for (const row of rows) {
      const value = row[i];
      if (value === null) continue;
      const stored = storableText(value);
      if (stored !== value) {
        row[i] = stored;
        changed++;
      }
    }
  }
  return changed;
}

/** Writes one dataset's rows into a staging table, then publishes them. */
export class DatasetWriter {
  rows = 0;
  readonly #inference: TypeInference;
  readonly #staging: string;
  /** Each staged column's type: declared, else what the values so far showed (text while unknown). */
  #stagingTypes: ColumnType[] | undefined;
  #pending: (string | null)[][] = [];
  #inFlight: Promise<void> = Promise.resolve();
  #load: BulkLoad | undefined;
  /** Text values that held a NUL or a lone surrogate, cleaned before they were stored. */
  #cleaned = 0;

  private constructor(
    readonly db: Database,
    readonly datasetId: string,
    readonly columns: { name: string; type?: ColumnType }[],
  ) {
    this.#inference = new TypeInference(columns.length, columns.map((c) => c.type));
    this.#staging = `${storageTable(datasetId)}_next`;
  }

  /** A writer whose staging table is made with the first rows, typed as they look. */
  static async start(
    db: Database,
    datasetId: string,
    columns: { name: string; type?: ColumnType }[],
  ): Promise<DatasetWriter> {
    const writer = new DatasetWriter(db, datasetId, columns);
    await db.orm.execute(sql.raw(`drop table if exists ${writer.#staging}`));
    return writer;
  }

  /**
   * Appends a batch. Rows are gathered to BATCH_ROWS and written while the next ones are read:
   * one write is in flight at a time, so the source and the database work side by side.
   */
  async write(batch: unknown[][]): Promise<void> {
    const width = this.columns.length;
    let slice = performance.now();
    for (let r = 0; r < batch.length; r++) {
      // Long batches of wide rows would hold the thread (and so every request) too long: a macrotask every ~20 ms.
      if ((r & 255) === 255 && performance.now() - slice > 20) slice = (await yieldToEventLoop(), performance.now());
      const row = batch[r];
      const out = new Array<string | null>(width);
      for (let i = 0; i < width; i++) out[i] = toText(row[i]);
      this.#inference.observe(out);
      this.#pending.push(out);
    }
    this.rows += batch.length;
    if (this.#pending.length >= BATCH_ROWS) await this.#flush();
  }

  /**
   * Sends the pending rows. Every value has been seen by the inference first, so a column whose
   * values outgrew its staged type (a "N/A" among integers) is widened before they reach it;
   * that rewrite is rare, and the common case writes typed rows once, at COPY speed.
   */
  async #flush(): Promise<void> {
    await this.#inFlight;
    const rows = this.#pending;
    this.#pending = [];
    const seen = this.#inference.types(undefined);
    const wanted = this.columns.map((c, i) => c.type ?? seen[i] ?? "text");
    if (!this.#stagingTypes) {
      const definition = wanted.map((type, i) => `${storageColumn(i)} ${pgType(type)}`).join(", ");
      await this.db.orm.execute(sql.raw(`create table ${this.#staging} (${definition})`));
      this.#stagingTypes = wanted;
    } else {
      const staged = this.#stagingTypes;
      const widened = wanted.map((type, i) => widen(staged[i], type));
      await this.#retype(widened);
    }
    if (rows.length) {
      this.#cleaned += storableTextColumns(rows, this.#stagingTypes);
      this.#load ??= await this.db.bulkLoad(this.#staging, this.#stagingTypes.map(pgType));
      this.#inFlight = this.#load.write(rows);
    }
  }

  /** True when the database takes CSV bytes straight into COPY (`writeCsv` works). */
  get takesCsv(): boolean {
    return this.db.driver === "postgres";
  }

  /** Appends CSV without a header, every column declared, straight into COPY. */
  async writeCsv(csv: ReadableStream<Uint8Array>, progress: () => void): Promise<void> {
    await this.#flush(); // makes the staging table
    this.#load ??= await this.db.bulkLoad(this.#staging, this.#stagingTypes!.map(pgType));
    const load = this.#load;
    if (!load.writeCsv) throw new Error(`The ${this.db.driver} driver cannot stream COPY`);
    // Sources send small pieces (postgres.js: a row each); the database gets them by the MiB.
    let pieces: Uint8Array[] = [];
    let size = 0;
    const send = async () => {
      const joined = new Uint8Array(size);
      let offset = 0;
      for (const piece of pieces) {
        joined.set(piece, offset);
        offset += piece.byteLength;
      }
      pieces = [];
      size = 0;
      await load.writeCsv!(joined);
      progress();
    };
    for await (const chunk of csv) {
      pieces.push(chunk);
      size += chunk.byteLength;
      // Newlines approximate rows while the load runs; the published count is the table's.
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) this.rows++;
      if (size >= CSV_PIECE_BYTES) await send();
    }
    if (size > 0) await send();
  }

  /** Finishes the open bulk load, so its rows are stored. */
  async #endLoad(): Promise<void> {
    await this.#inFlight;
    const load = this.#load;
    this.#load = undefined;
    await load?.end();
  }

  /** Changes the staged columns whose type differs from `types`. */
  async #retype(types: ColumnType[]): Promise<void> {
    const changes = types.flatMap((type, i) =>
      type === this.#stagingTypes![i]
        ? []
        : [`alter column ${storageColumn(i)} type ${pgType(type)} using ${storageColumn(i)}::text::${pgType(type)}`]
    );
    if (changes.length === 0) return;
    await this.#endLoad();
    await this.db.orm.transaction(async (tx) => {
      await tx.execute(sql.raw("set local timezone = 'UTC'"));
      await tx.execute(sql.raw(`alter table ${this.#staging} ${changes.join(", ")}`));
    });
    this.#stagingTypes = types;
  }

  /** The columns as they will be published: declared types, or what the values showed. */
  finalColumns(): Column[] {
    const inferred = this.#inference.types();
    return this.columns.map((c, i) => ({ name: c.name, type: c.type ?? inferred[i] }));
  }

  /**
   * Writes what is pending, gives the staged columns their final types (a column that was empty
   * in the first rows was staged as text) and lets the app role read the rows of `workspaceId` only.
   */
  async prepare(workspaceId: string): Promise<Column[]> {
    if (!/^[0-9a-f-]{36}$/.test(workspaceId)) throw new Error(`Not a workspace id: ${workspaceId}`);
    await this.#flush();
    await this.#endLoad();
    if (this.#cleaned) {
      warn({
        code: "text_cleaned",
        message: `${this.#cleaned} text value${this.#cleaned === 1 ? "" : "s"} held a NUL character or a broken ` +
          "UTF-16 half, which PostgreSQL cannot store: the NUL was dropped and the half became U+FFFD.",
        count: this.#cleaned,
      });
    }
    const columns = this.finalColumns();
    await this.#retype(columns.map((c) => c.type));
    await this.db.orm.transaction(async (tx) => {
      await tx.execute(sql.raw(`alter table ${this.#staging} enable row level security`));
      await tx.execute(sql.raw(
        `create policy workspace_read on ${this.#staging} for select to ${APP_ROLE} ` +
          `using ('${workspaceId}'::uuid = any ((select app.readable_workspaces())::uuid[]))`,
      ));
      await tx.execute(sql.raw(`grant select on ${this.#staging} to ${APP_ROLE}`));
    });
    return columns;
  }

  /** Inside the publishing transaction: replaces the live rows with the staged ones. */
  async replaceLive(tx: Db): Promise<void> {
    const live = storageTable(this.datasetId);
    await tx.execute(sql.raw(`drop table if exists ${live}`));
    await tx.execute(sql.raw(`alter table ${this.#staging} rename to ${live.split(".")[1]}`));
  }

  /**
   * Inside the publishing transaction: appends the staged rows to the live table. With the index
   * of the cursor column, the staged rows were read from the stored maximum on (`>=`, so rows that
   * tie with it are not skipped): the ones the live table already holds at that maximum are left
   * out, as a multiset (EXCEPT ALL), so identical rows keep the count the source has.
   */
  async appendToLive(tx: Db, cursorIndex = -1): Promise<void> {
    const live = storageTable(this.datasetId);
    const cursor = storageColumn(cursorIndex);
    const fresh = cursorIndex < 0 ? `select * from ${this.#staging}` : `select * from ${this.#staging} except all ` +
      `select * from ${live} where ${cursor} >= (select max(${cursor}) from ${live})`;
    await tx.execute(sql.raw(`insert into ${live} ${fresh}`));
    await tx.execute(sql.raw(`drop table ${this.#staging}`));
  }

  /** Drops the staging table after a failure. */
  async discard(): Promise<void> {
    await this.#endLoad().catch(() => {});
    await this.db.orm.execute(sql.raw(`drop table if exists ${this.#staging}`)).catch(() => {});
  }
}

/** Drops the live tables of datasets (when their connector is deleted). */
export async function dropDatasetTables(tx: Db, datasetIds: string[]): Promise<void> {
  for (const id of datasetIds) {
    await tx.execute(sql.raw(`drop table if exists ${storageTable(id)}`));
    await tx.execute(sql.raw(`drop table if exists ${storageTable(id)}_next`));
  }
}
