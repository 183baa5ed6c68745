/**
 * Where synced rows live: one table per dataset in the `dataset_rows` schema, columns named
 * c0, c1, … (the user's names stay in `datasets.columns`, so no source can choose an identifier).
 * A sync writes a staging table batch by batch, outside any transaction so other requests keep
 * running, then swaps it in with one short transaction: readers see the old rows or the new ones.
 */
import { sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.ts";
import { APP_ROLE } from "../db/rls.ts";
import { TypeInference } from "./type_inference.ts";
import type { Column, ColumnType } from "./types.ts";

const PG_TYPES: Record<ColumnType, string> = {
  integer: "bigint",
  number: "double precision",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamptz",
  text: "text",
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

/** Turns a source value into the text COPY takes; null and "" are SQL null. */
function toText(value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Writes one dataset's rows into a staging table, then publishes them. */
export class DatasetWriter {
  rows = 0;
  readonly #inference: TypeInference;
  readonly #staging: string;
  readonly #stagingTypes: string[];

  private constructor(
    readonly db: Database,
    readonly datasetId: string,
    readonly columns: { name: string; type?: ColumnType }[],
  ) {
    this.#inference = new TypeInference(columns.length);
    this.#staging = `${storageTable(datasetId)}_next`;
    // Columns of unknown type are staged as text and typed once every value has been seen.
    this.#stagingTypes = columns.map((c) => pgType(c.type ?? "text"));
  }

  /** Makes an empty staging table for `columns`. */
  static async start(
    db: Database,
    datasetId: string,
    columns: { name: string; type?: ColumnType }[],
  ): Promise<DatasetWriter> {
    const writer = new DatasetWriter(db, datasetId, columns);
    const definition = writer.#stagingTypes.map((type, i) => `${storageColumn(i)} ${type}`).join(", ");
    await db.orm.execute(sql.raw(`drop table if exists ${writer.#staging}`));
    await db.orm.execute(sql.raw(`create table ${writer.#staging} (${definition})`));
    return writer;
  }

  /** Appends a batch. */
  async write(batch: unknown[][]): Promise<void> {
    if (batch.length === 0) return;
    const width = this.columns.length;
    const texts = batch.map((row) => {
      const out = new Array<string | null>(width);
      for (let i = 0; i < width; i++) out[i] = toText(row[i]);
      return out;
    });
    for (const row of texts) this.#inference.observe(row);
    await this.db.bulkInsert(this.#staging, this.#stagingTypes, texts);
    this.rows += batch.length;
  }

  /** The columns as they will be published: declared types, or what the values showed. */
  finalColumns(): Column[] {
    const inferred = this.#inference.types();
    return this.columns.map((c, i) => ({ name: c.name, type: c.type ?? inferred[i] }));
  }

  /**
   * Types the staged columns and grants the app role read access to rows of `workspaceId` only.
   * Runs before the swap, outside its transaction, because it rewrites the table.
   */
  async prepare(workspaceId: string): Promise<Column[]> {
    if (!/^[0-9a-f-]{36}$/.test(workspaceId)) throw new Error(`Not a workspace id: ${workspaceId}`);
    const columns = this.finalColumns();
    const retype = columns.flatMap((c, i) =>
      this.columns[i].type || c.type === "text"
        ? []
        : [`alter column ${storageColumn(i)} type ${pgType(c.type)} using ${storageColumn(i)}::${pgType(c.type)}`]
    );
    const statements = [
      "set local timezone = 'UTC'",
      retype.length ? `alter table ${this.#staging} ${retype.join(", ")}` : "",
      `alter table ${this.#staging} enable row level security`,
      `create policy workspace_read on ${this.#staging} for select to ${APP_ROLE} ` +
      `using ('${workspaceId}'::uuid = any ((select app.readable_workspaces())::uuid[]))`,
      `grant select on ${this.#staging} to ${APP_ROLE}`,
    ].filter(Boolean);
    await this.db.orm.transaction(async (tx) => {
      for (const statement of statements) await tx.execute(sql.raw(statement));
    });
    return columns;
  }

  /** Inside the publishing transaction: replaces the live rows with the staged ones. */
  async replaceLive(tx: Db): Promise<void> {
    const live = storageTable(this.datasetId);
    await tx.execute(sql.raw(`drop table if exists ${live}`));
    await tx.execute(sql.raw(`alter table ${this.#staging} rename to ${live.split(".")[1]}`));
  }

  /** Inside the publishing transaction: appends the staged rows to the live table. */
  async appendToLive(tx: Db): Promise<void> {
    const live = storageTable(this.datasetId);
    await tx.execute(sql.raw(`insert into ${live} select * from ${this.#staging}`));
    await tx.execute(sql.raw(`drop table ${this.#staging}`));
  }

  /** Drops the staging table after a failure. */
  async discard(): Promise<void> {
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
