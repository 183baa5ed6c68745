/**
 * Connectors as users manage them: create, change, delete, test, upload a file, list datasets.
 * Config is validated by the type's own schema; every host or URL in it passes the outbound guard
 * before it is saved; credentials are sealed with the vault and never leave this module in clear.
 */
import { Cron } from "croner";
import { and, eq, ne } from "drizzle-orm";
import { z } from "zod";
import type { AppDeps, RequestMeta } from "../lib/deps.ts";
import { ApiError, notFound } from "../lib/http/errors.ts";
import { asSystem, asUser } from "../db/rls.ts";
import type { Db } from "../db/client.ts";
import { connectorFiles, connectors, datasets } from "../db/schema.ts";
import {
  type ConnectorRow,
  type DatasetRow,
  findConnector,
  listConnectors,
  listDatasets,
  writableWorkspace,
} from "../db/queries/connectors.ts";
import { recordAudit } from "../db/queries/audit.ts";
import { connectorType, type ConnectorTypeName } from "../connectors/registry.ts";
import { dropDatasetTables } from "../connectors/dataset_store.ts";
import { postgresConnector } from "../connectors/postgres.ts";
import { allowListFor, checkHost, checkUrl } from "../lib/net/outbound.ts";
import { vaultFor } from "../lib/crypto/vault.ts";
import { sourceContext } from "./source_context.ts";

/** What a create takes (the route has already checked the outer shape). */
export interface ConnectorInput {
  name: string;
  type: ConnectorTypeName;
  config: Record<string, unknown>;
  credentials?: Record<string, unknown>;
  workspace_id?: string;
}

/** Parses with a type's schema; a failure is a 400 naming the field, under `config.` or `credentials.`. */
function parseWith<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({
    path: [field, ...i.path].join("."),
    code: i.code,
    message: i.message,
  }));
  throw new ApiError(400, "invalid_request", `Invalid request: ${details[0].path}: ${details[0].message}`, { details });
}

/** Refuses configs that point at addresses the server must not call. */
async function checkDestinations(deps: AppDeps, config: Record<string, unknown>, credentials: Record<string, unknown>) {
  const allow = allowListFor(deps.config);
  if (typeof config.url === "string") await checkUrl(new URL(config.url), allow);
  if (typeof config.host === "string") await checkHost(config.host, Number(config.port ?? 5432), allow);
  if (typeof credentials.connection_string === "string") {
    const url = new URL(credentials.connection_string);
    await checkHost(url.hostname.replace(/^\[|\]$/g, ""), Number(url.port || 5432), allow);
  }
}

/** When a schedule next fires after `now`, in UTC. */
export function nextRun(schedule: string | undefined, now: Date): Date | null {
  return schedule ? new Cron(schedule, { timezone: "UTC", paused: true }).nextRun(now) : null;
}

async function seal(deps: AppDeps, workspaceId: string, id: string, credentials: Record<string, unknown> | undefined) {
  if (!credentials || Object.keys(credentials).length === 0) {
    return { credentialsCiphertext: null, credentialsKeyId: null };
  }
  const sealed = await vaultFor(deps.config).seal(workspaceId, id, credentials);
  return { credentialsCiphertext: sealed.ciphertext, credentialsKeyId: sealed.keyId };
}

export async function createConnector(
  deps: AppDeps,
  userId: string,
  input: ConnectorInput,
  meta: RequestMeta,
): Promise<ConnectorRow> {
  const type = connectorType(input.type);
  const config = parseWith(type.config, input.config, "config") as Record<string, unknown>;
  const credentials = parseWith(type.credentials, input.credentials, "credentials") as Record<string, unknown>;
  await checkDestinations(deps, config, credentials);
  return await asUser(deps.db, userId, async (tx) => {
    const workspace = await writableWorkspace(tx, userId, input.workspace_id);
    if (!workspace) throw notFound("Workspace");
    if (workspace.role === "viewer") throw new ApiError(403, "forbidden", "Viewers cannot add connectors");
    const id = crypto.randomUUID();
    const [row] = await tx.insert(connectors).values({
      id,
      workspaceId: workspace.id,
      name: input.name,
      type: input.type,
      config,
      ...await seal(deps, workspace.id, id, credentials),
      nextSyncAt: nextRun(config.schedule as string | undefined, deps.now()),
      createdBy: userId,
    }).returning();
    await recordAudit(tx, {
      action: "connector.create",
      userId,
      workspaceId: workspace.id,
      targetType: "connector",
      targetId: id,
      details: { name: input.name, type: input.type },
    }, meta);
    return row;
  });
}

/** A connector the caller can see; 404 otherwise. */
export async function getConnector(deps: AppDeps, userId: string, id: string): Promise<ConnectorRow> {
  const row = await asUser(deps.db, userId, (tx) => findConnector(tx, id));
  if (!row) throw notFound("Connector");
  return row;
}

export function listConnectorsOf(
  deps: AppDeps,
  userId: string,
  page: { limit: number; workspaceId?: string; after?: { createdAt: Date; id: string } },
): Promise<ConnectorRow[]> {
  return asUser(deps.db, userId, (tx) => listConnectors(tx, page));
}

/** What a PATCH may change. `credentials: null` removes them; absent keeps them. */
export interface ConnectorPatch {
  name?: string;
  config?: Record<string, unknown>;
  credentials?: Record<string, unknown> | null;
}

export async function updateConnector(
  deps: AppDeps,
  userId: string,
  id: string,
  patch: ConnectorPatch,
  meta: RequestMeta,
): Promise<ConnectorRow> {
  const current = await getConnector(deps, userId, id);
  const type = connectorType(current.type);
  // The stored upload is not the user's to set: it stays with the connector across config edits.
  const upload = (current.config as { upload?: unknown }).upload;
  const config = patch.config
    ? parseWith(type.config, upload ? { ...patch.config, upload } : patch.config, "config") as Record<string, unknown>
    : undefined;
  const credentials = patch.credentials
    ? parseWith(type.credentials, patch.credentials, "credentials") as Record<string, unknown>
    : undefined;
  await checkDestinations(deps, config ?? current.config, credentials ?? {});
  return await asUser(deps.db, userId, async (tx) => {
    const [row] = await tx.update(connectors).set({
      name: patch.name,
      config,
      ...(patch.credentials !== undefined ? await seal(deps, current.workspaceId, id, credentials) : {}),
      ...(config ? { nextSyncAt: nextRun(config.schedule as string | undefined, deps.now()) } : {}),
      updatedAt: deps.now(),
    }).where(eq(connectors.id, id)).returning();
    if (!row) throw new ApiError(403, "forbidden", "You can read this connector but not change it");
    await recordAudit(tx, {
      action: "connector.update",
      userId,
      workspaceId: row.workspaceId,
      targetType: "connector",
      targetId: id,
      details: { fields: Object.keys(patch).filter((k) => patch[k as keyof ConnectorPatch] !== undefined) },
    }, meta);
    return row;
  });
}

export async function deleteConnector(deps: AppDeps, userId: string, id: string, meta: RequestMeta): Promise<void> {
  const datasetIds = await asUser(deps.db, userId, async (tx) => {
    const owned = await tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.connectorId, id));
    const [row] = await tx.delete(connectors).where(eq(connectors.id, id)).returning({
      workspaceId: connectors.workspaceId,
    });
    if (!row) {
      if (await findConnector(tx, id)) {
        throw new ApiError(403, "forbidden", "You can read this connector but not delete it");
      }
      throw notFound("Connector");
    }
    await recordAudit(tx, {
      action: "connector.delete",
      userId,
      workspaceId: row.workspaceId,
      targetType: "connector",
      targetId: id,
    }, meta);
    return owned.map((d) => d.id);
  });
  // The row tables belong to the owner role, not to the request's. (After the transaction: PGlite
  // has one connection, so a second transaction inside the first would wait for ever.)
  await asSystem(deps.db, (tx) => dropDatasetTables(tx, datasetIds));
}

/** Tries the connection; a failure is an answer (`ok: false`), not an error. */
export async function testConnector(
  deps: AppDeps,
  userId: string,
  id: string,
): Promise<{ ok: boolean; message: string }> {
  const connector = await getConnector(deps, userId, id);
  try {
    const ctx = await sourceContext(deps, connector);
    return { ok: true, message: await connectorType(connector.type).test(ctx) };
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) return { ok: false, message: error.message };
    deps.log.warn("connector test failed", { connectorId: id, error: String(error) });
    return { ok: false, message: "The connection test failed unexpectedly" };
  }
}

export async function datasetsOf(deps: AppDeps, userId: string, id: string): Promise<DatasetRow[]> {
  return await asUser(deps.db, userId, async (tx) => {
    if (!await findConnector(tx, id)) throw notFound("Connector");
    return await listDatasets(tx, id);
  });
}

/** Pieces an upload is stored in. */
const PIECE_BYTES = 1024 * 1024;

/**
 * Stores an uploaded CSV for a csv connector, streamed in 1 MiB pieces, then points the connector
 * at it and drops the previous file. The body is never held whole.
 */
export async function uploadFile(
  deps: AppDeps,
  userId: string,
  id: string,
  body: ReadableStream<Uint8Array>,
  fileName: string | undefined,
  meta: RequestMeta,
): Promise<ConnectorRow> {
  const connector = await getConnector(deps, userId, id);
  if (connector.type !== "csv") {
    throw new ApiError(422, "unprocessable", "Only csv connectors take uploads");
  }
  const uploadId = crypto.randomUUID();
  let seq = 0;
  let bytes = 0;
  const store = (tx: Db, piece: Uint8Array) =>
    tx.insert(connectorFiles).values({
      connectorId: id,
      uploadId,
      seq: seq++,
      workspaceId: connector.workspaceId,
      bytes: piece,
    });
  try {
    let buffer = new Uint8Array(PIECE_BYTES);
    let filled = 0;
    for await (const chunk of body) {
      bytes += chunk.byteLength;
      if (bytes > deps.config.uploadMaxBytes) {
        throw new ApiError(413, "payload_too_large", `Files up to ${deps.config.uploadMaxBytes / 1048576} MiB`);
      }
      let offset = 0;
      while (offset < chunk.byteLength) {
        const take = Math.min(PIECE_BYTES - filled, chunk.byteLength - offset);
        buffer.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === PIECE_BYTES) {
          await asUser(deps.db, userId, (tx) => store(tx, buffer));
          buffer = new Uint8Array(PIECE_BYTES);
          filled = 0;
        }
      }
    }
    if (filled > 0) await asUser(deps.db, userId, (tx) => store(tx, buffer.slice(0, filled)));
    if (bytes === 0) throw new ApiError(400, "invalid_request", "The file is empty");
    return await asUser(deps.db, userId, async (tx) => {
      // An upload replaces the connector's file and its one dataset: the dataset keeps its name, so
      // chats and queries that use it keep working, and five uploads leave one dataset, not five.
      const [current] = await listDatasets(tx, id);
      const keepName = (connector.config as { dataset_name?: string }).dataset_name ?? current?.name;
      const config = {
        ...connector.config,
        ...(keepName ? { dataset_name: keepName } : {}),
        upload: { id: uploadId, bytes, name: fileName },
      };
      const [row] = await tx.update(connectors).set({ config, updatedAt: deps.now() })
        .where(eq(connectors.id, id)).returning();
      await tx.delete(connectorFiles).where(
        and(eq(connectorFiles.connectorId, id), ne(connectorFiles.uploadId, uploadId)),
      );
      await recordAudit(tx, {
        action: "connector.upload",
        userId,
        workspaceId: connector.workspaceId,
        targetType: "connector",
        targetId: id,
        details: { bytes, name: fileName },
      }, meta);
      return row;
    });
  } catch (error) {
    // Nothing half-stored stays behind; the previous file is untouched.
    await asSystem(
      deps.db,
      (tx) =>
        tx.delete(connectorFiles).where(and(eq(connectorFiles.connectorId, id), eq(connectorFiles.uploadId, uploadId))),
    ).catch(() => {});
    throw error;
  }
}

/** Runs a read-only SQL statement on a postgres connector's source. */
export async function runSourceSql(
  deps: AppDeps,
  userId: string,
  id: string,
  text: string,
  maxRows: number,
): Promise<{ columns: string[]; rows: unknown[][]; truncated: boolean }> {
  const connector = await getConnector(deps, userId, id);
  if (connector.type !== "postgres") throw new ApiError(422, "unprocessable", "SQL runs on postgres connectors only");
  const ctx = await sourceContext(deps, connector);
  return await postgresConnector.runSql(ctx as Parameters<typeof postgresConnector.runSql>[0], text, maxRows);
}
