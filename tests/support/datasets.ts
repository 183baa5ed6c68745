/**
 * The steps dataset tests repeat through the API: upload a CSV into a new connector, sync it,
 * read its datasets and query them.
 */
import { equal } from "node:assert/strict";
import type { TestApp } from "./test_app.ts";
import { syncsSettled } from "../../functions/sync_connector.ts";

/** A query result as `POST /api/query` returns it. */
export interface QueryBody {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

/** A finished sync as `GET /api/connectors/:id/syncs` lists it. */
export interface SyncRecord {
  id: string;
  status: string;
  rows: number;
  error: string | null;
}

/** Starts a sync of `connectorId`, waits for it and returns its record. */
export async function syncNow(t: TestApp, cookie: string, connectorId: string): Promise<SyncRecord> {
  const started = await t.call(`/api/connectors/${connectorId}/sync`, { method: "POST", cookie });
  equal(started.status, 202, started.text);
  await syncsSettled();
  const history = await t.call(`/api/connectors/${connectorId}/syncs`, { cookie });
  return (history.body as { items: SyncRecord[] }).items[0];
}

/** Creates a CSV connector, uploads `csv` as `<name>.csv`, syncs it; returns the connector id and sync. */
export async function uploadCsv(
  t: TestApp,
  cookie: string,
  name: string,
  csv: string | Uint8Array,
): Promise<{ connectorId: string; sync: SyncRecord }> {
  const created = await t.call("/api/connectors", { body: { name, type: "csv", config: {} }, cookie });
  equal(created.status, 201, created.text);
  const connectorId = (created.body as { id: string }).id;
  const res = await t.call(`/api/connectors/${connectorId}/upload?filename=${encodeURIComponent(name)}.csv`, {
    method: "POST",
    body: typeof csv === "string" ? csv : new TextDecoder().decode(csv),
    headers: { "content-type": "text/csv" },
    cookie,
  });
  equal(res.status, 200, res.text);
  return { connectorId, sync: await syncNow(t, cookie, connectorId) };
}

/** The columns of `connectorId`'s dataset `dataset`. */
export async function datasetColumns(
  t: TestApp,
  cookie: string,
  connectorId: string,
  dataset: string,
): Promise<{ name: string; type: string }[]> {
  const res = await t.call(`/api/connectors/${connectorId}/datasets`, { cookie });
  equal(res.status, 200, res.text);
  const items = (res.body as { items: { name: string; columns: { name: string; type: string }[] }[] }).items;
  const found = items.find((d) => d.name === dataset);
  if (!found) throw new Error(`No dataset "${dataset}": ${items.map((d) => d.name).join(", ")}`);
  return found.columns;
}

/** `POST /api/query`, returning status and body (tests of refusals read the status). */
export async function postQuery(
  t: TestApp,
  cookie: string,
  connectorId: string,
  dataset: string,
  query: unknown,
): Promise<{ status: number; body: QueryBody; text: string }> {
  const res = await t.call("/api/query", { body: { connector_id: connectorId, dataset, query }, cookie });
  return { status: res.status, body: res.body as QueryBody, text: res.text };
}

/** `POST /api/query` that must succeed. */
export async function queryOk(
  t: TestApp,
  cookie: string,
  connectorId: string,
  dataset: string,
  query: unknown,
): Promise<QueryBody> {
  const res = await postQuery(t, cookie, connectorId, dataset, query);
  equal(res.status, 200, res.text);
  return res.body;
}
