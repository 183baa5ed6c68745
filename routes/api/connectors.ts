/** /api/connectors: data sources, their syncs and datasets. Credentials go in and never come out. */
import { deleteDataset } from "../../functions/datasets.ts";
import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { AppDeps } from "../../lib/deps.ts";
import {
  apiRouter,
  callerId,
  decodeCursor,
  errorResponses,
  ErrorSchema,
  jsonContent,
  keysetPage,
  notFoundResponse,
  pageOf,
  PageQuery,
  signedInRoute,
} from "../../lib/http/api_router.ts";
import { requestMeta } from "../../lib/http/env.ts";
import { ApiError, notFound } from "../../lib/http/errors.ts";
import {
  createConnector,
  datasetsOf,
  deleteConnector,
  getConnector,
  listConnectorsOf,
  runSourceSql,
  testConnector,
  updateConnector,
  uploadFile,
} from "../../functions/connectors.ts";
import { startSync } from "../../functions/sync_connector.ts";
import { cancelSync, failStaleSyncRuns, isStale } from "../../functions/sync_control.ts";
import { asUser } from "../../db/rls.ts";
import { type ConnectorRow, findConnector, findSync, listSyncs, type SyncRow } from "../../db/queries/connectors.ts";
import { CONNECTOR_TYPE_NAMES } from "../../connectors/registry.ts";
import { COLUMN_TYPES } from "../../connectors/types.ts";
import { IdParam } from "./schemas.ts";

const ConnectorSchema = z.object({
  id: z.uuid(),
  workspace_id: z.uuid(),
  name: z.string(),
  type: z.enum(CONNECTOR_TYPE_NAMES),
  config: z.record(z.string(), z.unknown()),
  status: z.enum(["idle", "syncing", "ready", "error"]),
  last_sync: z.iso.datetime().nullable(),
  last_error: z.string().nullable(),
  next_sync_at: z.iso.datetime().nullable(),
  has_credentials: z.boolean(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
}).openapi("Connector");

const SyncSchema = z.object({
  id: z.uuid(),
  status: z.enum(["queued", "running", "succeeded", "failed"]),
  trigger: z.enum(["manual", "schedule"]),
  rows: z.number().int(),
  error: z.string().nullable(),
  warnings: z.array(z.object({
    code: z.string(),
    message: z.string(),
    count: z.number().int().optional(),
    lines: z.array(z.number().int()).optional(),
    dataset: z.string().optional(),
  })).openapi({ description: "What the sync coerced, skipped or stopped early on, in sentences" }),
  started_at: z.iso.datetime().nullable(),
  finished_at: z.iso.datetime().nullable(),
}).openapi("ConnectorSync");

const ColumnSchema = z.object({ name: z.string(), type: z.enum(COLUMN_TYPES as [string, ...string[]]) });
const DatasetSchema = z.object({
  name: z.string(),
  columns: z.array(ColumnSchema),
  row_count: z.number().int(),
  synced_at: z.iso.datetime().nullable(),
}).openapi("Dataset");

const name = z.string().trim().min(1).max(100);
const object = z.record(z.string(), z.unknown());
const CreateBody = z.object({
  name,
  type: z.enum(CONNECTOR_TYPE_NAMES),
  config: object.default({}),
  credentials: object.optional(),
  workspace_id: z.uuid().optional(),
}).strict().openapi("CreateConnectorRequest");
const PatchBody = z.object({
  name: name.optional(),
  config: object.optional(),
  credentials: object.nullable().optional(),
}).strict()
  .refine((b) => Object.keys(b).length > 0, { error: "Send at least one of name, config, credentials" })
  .openapi("UpdateConnectorRequest");
const SqlBody = z.object({
  sql: z.string().trim().min(1).max(20_000),
  max_rows: z.number().int().min(1).max(10_000).default(1000),
}).strict();
const SyncParams = IdParam.extend({
  sync_id: z.uuid({ error: "Not a valid id" }).openapi({ param: { name: "sync_id", in: "path" } }),
});

export function connectorJson(c: ConnectorRow) {
  return {
    id: c.id,
    workspace_id: c.workspaceId,
    name: c.name,
    type: c.type as z.infer<typeof ConnectorSchema>["type"],
    config: c.config,
    status: c.status as z.infer<typeof ConnectorSchema>["status"],
    last_sync: c.lastSync?.toISOString() ?? null,
    last_error: c.lastError,
    next_sync_at: c.nextSyncAt?.toISOString() ?? null,
    has_credentials: c.credentialsCiphertext !== null,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

export function syncJson(s: SyncRow) {
  return {
    id: s.id,
    status: s.status,
    trigger: s.trigger,
    rows: s.rows,
    error: s.error,
    warnings: s.warnings ?? [],
    started_at: s.startedAt?.toISOString() ?? null,
    finished_at: s.finishedAt?.toISOString() ?? null,
  };
}

const route = signedInRoute("Connectors");
const noSuchConnector = notFoundResponse("No such connector");

const createConnectorRoute = createRoute({
  ...route("post", "/", "Add a connector (credentials are encrypted and never returned)"),
  request: { body: { content: jsonContent(CreateBody), required: true } },
  responses: {
    201: { description: "Created", content: jsonContent(ConnectorSchema) },
    422: { description: "An address the server may not call", content: jsonContent(ErrorSchema) },
    ...noSuchConnector,
    ...errorResponses,
  },
});
const listConnectorsRoute = createRoute({
  ...route("get", "/", "List connectors"),
  request: { query: PageQuery.extend({ workspace_id: z.uuid().optional() }) },
  responses: {
    200: {
      description: "One page",
      content: jsonContent(pageOf(ConnectorSchema)),
    },
    ...errorResponses,
  },
});
const getConnectorRoute = createRoute({
  ...route("get", "/{id}", "One connector"),
  request: { params: IdParam },
  responses: {
    200: { description: "The connector", content: jsonContent(ConnectorSchema) },
    ...noSuchConnector,
    ...errorResponses,
  },
});
const patchConnectorRoute = createRoute({
  ...route("patch", "/{id}", "Rename, reconfigure, or replace credentials (null removes them)"),
  request: { params: IdParam, body: { content: jsonContent(PatchBody), required: true } },
  responses: {
    200: { description: "Updated", content: jsonContent(ConnectorSchema) },
    ...noSuchConnector,
    ...errorResponses,
  },
});
const deleteConnectorRoute = createRoute({
  ...route("delete", "/{id}", "Delete a connector with its datasets"),
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...noSuchConnector, ...errorResponses },
});
const deleteDatasetRoute = createRoute({
  ...route("delete", "/{id}/datasets/{name}", "Delete one dataset (the connector stays; a sync reads it again)"),
  request: { params: IdParam.extend({ name: z.string().min(1).max(200) }) },
  responses: {
    204: { description: "Deleted" },
    409: { description: "A sync of the connector is running", content: jsonContent(ErrorSchema) },
    ...noSuchConnector,
    ...errorResponses,
  },
});
const testConnectorRoute = createRoute({
  ...route("post", "/{id}/test", "Try the connection"),
  request: { params: IdParam },
  responses: {
    200: { description: "The outcome", content: jsonContent(z.object({ ok: z.boolean(), message: z.string() })) },
    ...noSuchConnector,
    ...errorResponses,
  },
});
const uploadRoute = createRoute({
  ...route("post", "/{id}/upload", "Upload the CSV file of a csv connector (streamed; up to UPLOAD_MAX_MB)"),
  request: {
    params: IdParam,
    query: z.object({ filename: z.string().max(200).optional() }),
    body: { content: { "text/csv": { schema: z.string() } }, required: true },
  },
  responses: {
    200: { description: "Stored", content: jsonContent(ConnectorSchema) },
    409: {
      description: "An upload to this connector started after this one has replaced it (the newest started wins)",
      content: jsonContent(ErrorSchema),
    },
    ...noSuchConnector,
    ...errorResponses,
  },
});
const syncRoute = createRoute({
  ...route("post", "/{id}/sync", "Start a sync"),
  request: { params: IdParam },
  responses: {
    202: { description: "Started", content: jsonContent(z.object({ sync_id: z.uuid() })) },
    409: { description: "A sync is already running", content: jsonContent(ErrorSchema) },
    ...noSuchConnector,
    ...errorResponses,
  },
});
const listSyncsRoute = createRoute({
  ...route("get", "/{id}/syncs", "Sync history, newest first"),
  request: { params: IdParam, query: PageQuery },
  responses: {
    200: {
      description: "One page",
      content: jsonContent(pageOf(SyncSchema)),
    },
    ...noSuchConnector,
    ...errorResponses,
  },
});
const syncEventsRoute = createRoute({
  ...route("get", "/{id}/syncs/{sync_id}/events", "A sync's progress as server-sent events, until it ends"),
  request: { params: SyncParams },
  responses: {
    200: {
      description: "`sync` events carrying a ConnectorSync",
      content: { "text/event-stream": { schema: z.string() } },
    },
    ...noSuchConnector,
    ...errorResponses,
  },
});
const cancelSyncRoute = createRoute({
  ...route("post", "/{id}/syncs/{sync_id}/cancel", "Cancel a queued or running sync (editors and owners)"),
  request: { params: SyncParams },
  responses: {
    200: { description: 'The sync, now failed with "Cancelled by …"', content: jsonContent(SyncSchema) },
    409: { description: "The sync has already ended", content: jsonContent(ErrorSchema) },
    ...noSuchConnector,
    ...errorResponses,
  },
});
const datasetsRoute = createRoute({
  ...route("get", "/{id}/datasets", "The connector's synced datasets"),
  request: { params: IdParam },
  responses: {
    200: { description: "Datasets", content: jsonContent(z.object({ items: z.array(DatasetSchema) })) },
    ...noSuchConnector,
    ...errorResponses,
  },
});
const sqlRoute = createRoute({
  ...route(
    "post",
    "/{id}/sql",
    "Run one read-only statement (SELECT, WITH … SELECT, VALUES, TABLE, SHOW, EXPLAIN) on a postgres connector's " +
      "source, as its owners and editors; results capped at max_rows and SQL_RESULT_MAX_MB",
  ),
  request: { params: IdParam, body: { content: jsonContent(SqlBody), required: true } },
  responses: {
    200: {
      description: "Rows",
      content: jsonContent(
        z.object({ columns: z.array(z.string()), rows: z.array(z.array(z.unknown())), truncated: z.boolean() }),
      ),
    },
    403: { description: "Viewers cannot run SQL on a source", content: jsonContent(ErrorSchema) },
    422: {
      description: "Not one read-only statement, a privileged source role, a result over SQL_RESULT_MAX_MB, or the " +
        "source's own error",
      content: jsonContent(ErrorSchema),
    },
    ...noSuchConnector,
    ...errorResponses,
  },
});

/** How often the progress stream looks at the sync row (it lives in Postgres, so any process can serve it). */
const PROGRESS_POLL_MS = 250;

export function connectorRoutes(deps: AppDeps) {
  const app = apiRouter();
  const userId = callerId;

  app.openapi(createConnectorRoute, async (c) => {
    const created = await createConnector(deps, userId(c), c.req.valid("json"), requestMeta(c));
    return c.json(connectorJson(created), 201);
  });
  app.openapi(listConnectorsRoute, async (c) => {
    const { limit, cursor, workspace_id } = c.req.valid("query");
    const found = await listConnectorsOf(deps, userId(c), {
      limit: limit + 1,
      workspaceId: workspace_id,
      after: decodeCursor(cursor),
    });
    return c.json(keysetPage(found, limit, connectorJson, (r) => ({ at: r.createdAt, id: r.id })), 200);
  });
  app.openapi(getConnectorRoute, async (c) => {
    return c.json(connectorJson(await getConnector(deps, userId(c), c.req.valid("param").id)), 200);
  });
  app.openapi(patchConnectorRoute, async (c) => {
    const updated = await updateConnector(
      deps,
      userId(c),
      c.req.valid("param").id,
      c.req.valid("json"),
      requestMeta(c),
    );
    return c.json(connectorJson(updated), 200);
  });
  app.openapi(deleteConnectorRoute, async (c) => {
    await deleteConnector(deps, userId(c), c.req.valid("param").id, requestMeta(c));
    return c.body(null, 204);
  });
  app.openapi(testConnectorRoute, async (c) => {
    return c.json(await testConnector(deps, userId(c), c.req.valid("param").id), 200);
  });
  app.openapi(uploadRoute, async (c) => {
    const type = c.req.header("content-type")?.split(";")[0].trim().toLowerCase();
    if (type !== "text/csv" && type !== "application/octet-stream") {
      throw new ApiError(415, "unsupported_media_type", "Send the file as text/csv");
    }
    const body = c.req.raw.body;
    if (!body) throw new ApiError(400, "invalid_request", "The file is empty");
    const { id } = c.req.valid("param");
    const stored = await uploadFile(deps, userId(c), id, body, c.req.valid("query").filename, requestMeta(c));
    return c.json(connectorJson(stored), 200);
  });
  app.openapi(syncRoute, async (c) => {
    const syncId = await startSync(deps, userId(c), c.req.valid("param").id, "manual", requestMeta(c));
    return c.json({ sync_id: syncId }, 202);
  });
  app.openapi(listSyncsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { limit, cursor } = c.req.valid("query");
    const found = await asUser(deps.db, userId(c), async (tx) => {
      if (!await findConnector(tx, id)) throw notFound("Connector");
      return await listSyncs(tx, id, { limit: limit + 1, after: decodeCursor(cursor) });
    });
    return c.json(keysetPage(found, limit, syncJson, (r) => ({ at: r.createdAt, id: r.id })), 200);
  });
  app.openapi(syncEventsRoute, async (c) => {
    const { id, sync_id } = c.req.valid("param");
    const user = userId(c);
    const read = () => asUser(deps.db, user, (tx) => findSync(tx, sync_id));
    const first = await read();
    if (!first || first.connectorId !== id) throw notFound("Sync");
    return streamSSE(c, async (stream) => {
      let last = "";
      for (let sync: SyncRow | undefined = first; sync && !stream.aborted; sync = await read()) {
        // A sync whose process died would never end: fail it here, and the next read ends the stream.
        if (isStale(sync, deps.now()) && await failStaleSyncRuns(deps, id)) sync = await read() ?? sync;
        const data = JSON.stringify(syncJson(sync));
        if (data !== last) await stream.writeSSE({ event: "sync", data });
        last = data;
        if (sync.status === "succeeded" || sync.status === "failed") break;
        await stream.sleep(PROGRESS_POLL_MS);
      }
    }) as never; // an event stream: no JSON schema for the typed helper to check
  });
  app.openapi(cancelSyncRoute, async (c) => {
    const { id, sync_id } = c.req.valid("param");
    return c.json(syncJson(await cancelSync(deps, userId(c), id, sync_id, requestMeta(c))), 200);
  });
  app.openapi(deleteDatasetRoute, async (c) => {
    const { id, name } = c.req.valid("param");
    await deleteDataset(deps, userId(c), id, name, requestMeta(c));
    return c.body(null, 204);
  });
  app.openapi(datasetsRoute, async (c) => {
    const found = await datasetsOf(deps, userId(c), c.req.valid("param").id);
    return c.json({
      items: found.filter((d) => d.syncedAt).map((d) => ({
        name: d.name,
        columns: d.columns,
        row_count: d.rowCount,
        synced_at: d.syncedAt?.toISOString() ?? null,
      })),
    }, 200);
  });
  app.openapi(sqlRoute, async (c) => {
    const { sql, max_rows } = c.req.valid("json");
    return c.json(await runSourceSql(deps, userId(c), c.req.valid("param").id, sql, max_rows), 200);
  });
  return app;
}
