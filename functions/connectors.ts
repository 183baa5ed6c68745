/**
 * Connectors as users manage them: create, change, delete, test, upload a file, list datasets.
 * Config is validated by the type's own schema; every host or URL in it passes the outbound guard
 * before it is saved; credentials are sealed with the vault and never leave this module in clear.
 */
import { Cron } from "croner";
import { and, eq } from "drizzle-orm";
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
import type { Ctx as PostgresCtx } from "../connectors/postgres.ts";
import { refusePrivilegedCredentials, runSql, type SqlResult } from "../connectors/postgres_sql.ts";
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

/** A postgres source's role must not reach the server's files or programs (see `connectors/postgres_role.ts`). */
async function checkSourceRole(
  deps: AppDeps,
  type: string,
  config: Record<string, unknown>,
  credentials: Record<string, unknown>,
) {
  if (type !== "postgres") return;
  const ctx = { config, credentials, allow: allowListFor(deps.config), fetch: deps.fetch } as unknown as PostgresCtx;
  await refusePrivilegedCredentials(ctx);
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
  await checkSourceRole(deps, input.type, config, credentials);
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
  if (config || credentials) {
    const stored = config && credentials ? undefined : await sourceContext(deps, current);
    await checkSourceRole(
      deps,
      current.type,
      config ?? stored!.config as Record<string, unknown>,
      credentials ?? (patch.credentials === null ? {} : stored!.credentials as Record<string, unknown>),
    );
  }
  return await asUser(deps.db, userId, async (tx) => {
    if (config) {
      // The upload as published now, not as read above: an upload may have finished in between.
      const [locked] = await tx.select({ config: connectors.config }).from(connectors)
        .where(eq(connectors.id, id)).for("update");
      const published = (locked?.config as { upload?: unknown } | undefined)?.upload;
      if (published) config.upload = published;
      else delete config.upload;
    }
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
 * A UUID (version 7, RFC 9562 §5.7) whose first 48 bits are the Unix time in milliseconds, so
 * upload ids sort by when the upload started: the newest started upload is the greatest id.
 */
export function timeOrderedId(now: number = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(now / 2 ** (8 * (5 - i))) & 0xff;
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Stores an uploaded CSV for a csv connector, streamed in 1 MiB pieces under an upload id of its
 * own, then publishes it. Uploads to one connector may overlap (two tabs, a retry): the newest
 * started one wins, whichever finishes first. Publishing locks the connector row, and an upload
 * that finds a newer one already published answers 409 and removes only its own pieces; the
 * winner removes only the pieces of the upload it replaces, by id, so a file still being written
 * is never touched. The body is never held whole.
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
  const uploadId = timeOrderedId(deps.now().getTime());
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
      // The row as it is now (a PATCH may have changed it since the upload began), held until commit.
      const [locked] = await tx.select({ config: connectors.config }).from(connectors)
        .where(eq(connectors.id, id)).for("update");
      if (!locked) throw new ApiError(403, "forbidden", "You can read this connector but not change it");
      const previous = (locked.config as { upload?: { id: string } }).upload;
      if (previous && previous.id > uploadId) {
        throw new ApiError(
          409,
          "conflict",
          "Another upload to this connector, started after this one, has replaced it: this file was not kept. " +
            "Upload it again if it is the one you want.",
        );
      }
      // An upload replaces the connector's file and its one dataset: the dataset keeps its name, so
      // chats and queries that use it keep working, and five uploads leave one dataset, not five.
      const [current] = await listDatasets(tx, id);
      const keepName = (locked.config as { dataset_name?: string }).dataset_name ?? current?.name;
      const config = {
        ...locked.config,
        ...(keepName ? { dataset_name: keepName } : {}),
        upload: { id: uploadId, bytes, name: fileName },
      };
      const [row] = await tx.update(connectors).set({ config, updatedAt: deps.now() })
        .where(eq(connectors.id, id)).returning();
      if (previous) {
        await tx.delete(connectorFiles).where(
          and(eq(connectorFiles.connectorId, id), eq(connectorFiles.uploadId, previous.id)),
        );
      }
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
    // Nothing half-stored stays behind; the published file is untouched.
    await asSystem(
      deps.db,
      (tx) =>
        tx.delete(connectorFiles).where(and(eq(connectorFiles.connectorId, id), eq(connectorFiles.uploadId, uploadId))),
    ).catch(() => {});
    throw error;
  }
}

/**
 * Runs one read-only statement on a postgres connector's source for an editor or owner of its
 * workspace (a viewer gets 403: the statement runs with the connector's credentials, which a
 * viewer could otherwise use to read what was never synced). Rows capped at `maxRows`, bytes at
 * SQL_RESULT_MAX_MB; what is refused and why is in `connectors/postgres_sql.ts`.
 */
export async function runSourceSql(
  deps: AppDeps,
  userId: string,
  id: string,
  text: string,
  maxRows: number,
): Promise<SqlResult> {
  const connector = await asUser(deps.db, userId, async (tx) => {
    const row = await findConnector(tx, id);
    if (!row) throw notFound("Connector");
    const member = await writableWorkspace(tx, userId, row.workspaceId);
    if (member?.role !== "owner" && member?.role !== "editor") {
      throw new ApiError(403, "forbidden", "Only the workspace's owners and editors can run SQL on a source");
    }
    return row;
  });
  if (connector.type !== "postgres") throw new ApiError(422, "unprocessable", "SQL runs on postgres connectors only");
  const ctx = await sourceContext(deps, connector) as PostgresCtx;
  return await runSql(ctx, text, maxRows, deps.config.sqlResultMaxBytes);
}
