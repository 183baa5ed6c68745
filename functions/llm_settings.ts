/**
 * A workspace's model settings as Settings manages them: base URL, model and API key, the key
 * sealed with the vault like connector credentials and never returned. A base URL is user input,
 * so it passes the outbound guard when saved, and again on every call.
 */
import type { AppDeps, RequestMeta } from "../lib/deps.ts";
import type { Db } from "../db/client.ts";
import { ApiError, notFound } from "../lib/http/errors.ts";
import { asUser } from "../db/rls.ts";
import {
  deleteLlmSettings,
  findLlmSettings,
  type LlmSettingsRow,
  saveLlmSettings,
} from "../db/queries/llm_settings.ts";
import { writableWorkspace } from "../db/queries/connectors.ts";
import { recordAudit } from "../db/queries/audit.ts";
import { vaultFor } from "../lib/crypto/vault.ts";
import { allowListFor, checkUrl } from "../lib/net/outbound.ts";
import { type ModelSettings, resolveModelSettings, type WorkspaceModelOverrides } from "../lib/llm/model.ts";

/** The sealed key is bound to this record name, so it cannot be moved onto a connector. */
export const llmKeyRecord = (workspaceId: string) => `llm-settings:${workspaceId}`;

/** A settings row as overrides, its key decrypted; undefined for no row. */
export async function openOverrides(
  deps: AppDeps,
  row: LlmSettingsRow | null | undefined,
): Promise<WorkspaceModelOverrides | undefined> {
  if (!row) return undefined;
  const apiKey = row.apiKeyCiphertext && row.apiKeyKeyId
    ? await vaultFor(deps.config).open<string>(row.workspaceId, llmKeyRecord(row.workspaceId), {
      ciphertext: row.apiKeyCiphertext as Uint8Array<ArrayBuffer>,
      keyId: row.apiKeyKeyId,
    })
    : undefined;
  return { baseUrl: row.baseUrl, model: row.model, apiKey };
}

/**
 * What Settings shows: the effective model and where it comes from; never a key, and never the
 * server's own endpoint (`effective.base_url` is null then: only that a server model exists).
 */
export interface LlmSettingsView {
  workspace_id: string;
  base_url: string | null;
  model: string | null;
  has_api_key: boolean;
  effective: { base_url: string | null; model: string; source: ModelSettings["source"] } | null;
}

async function resolveWorkspace(tx: Db, userId: string, workspaceId?: string) {
  const workspace = await writableWorkspace(tx, userId, workspaceId);
  if (!workspace) throw notFound("Workspace");
  return workspace;
}

async function ownedWorkspace(tx: Db, userId: string, workspaceId?: string) {
  const workspace = await resolveWorkspace(tx, userId, workspaceId);
  if (workspace.role !== "owner") {
    throw new ApiError(403, "forbidden", "Only the workspace's owner can change its model settings");
  }
  return workspace;
}

async function settingsView(
  deps: AppDeps,
  workspaceId: string,
  row: LlmSettingsRow | undefined,
): Promise<LlmSettingsView> {
  const effective = resolveModelSettings(deps.config.llm, await openOverrides(deps, row));
  return {
    workspace_id: workspaceId,
    base_url: row?.baseUrl ?? null,
    model: row?.model ?? null,
    has_api_key: Boolean(row?.apiKeyCiphertext),
    effective: effective
      ? {
        // The operator's endpoint is often an internal address: only a workspace's own is shown.
        base_url: effective.userEndpoint ? effective.baseUrl ?? null : null,
        model: effective.model,
        source: effective.source,
      }
      : null,
  };
}

export async function getLlmSettings(deps: AppDeps, userId: string, workspaceId?: string): Promise<LlmSettingsView> {
  return await asUser(deps.db, userId, async (tx) => {
    const workspace = await resolveWorkspace(tx, userId, workspaceId);
    return await settingsView(deps, workspace.id, await findLlmSettings(tx, workspace.id));
  });
}

/** Sets the workspace's overrides; `api_key: null` removes the key, leaving it out keeps it. Owners only. */
export async function putLlmSettings(
  deps: AppDeps,
  userId: string,
  input: { workspace_id?: string; base_url?: string | null; model?: string | null; api_key?: string | null },
  meta: RequestMeta,
): Promise<LlmSettingsView> {
  if (input.base_url) await checkUrl(parseUrl(input.base_url), allowListFor(deps.config));
  return await asUser(deps.db, userId, async (tx) => {
    const workspace = await ownedWorkspace(tx, userId, input.workspace_id);
    const existing = await findLlmSettings(tx, workspace.id);
    const sealed = input.api_key
      ? await vaultFor(deps.config).seal(workspace.id, llmKeyRecord(workspace.id), input.api_key)
      : undefined;
    const keepKey = input.api_key === undefined;
    const saved = await saveLlmSettings(tx, {
      workspaceId: workspace.id,
      baseUrl: input.base_url === undefined ? existing?.baseUrl : input.base_url,
      model: input.model === undefined ? existing?.model : input.model,
      apiKeyCiphertext: keepKey ? existing?.apiKeyCiphertext : sealed?.ciphertext ?? null,
      apiKeyKeyId: keepKey ? existing?.apiKeyKeyId : sealed?.keyId ?? null,
    });
    await recordAudit(tx, {
      action: "llm_settings.update",
      userId,
      workspaceId: workspace.id,
      targetType: "workspace",
      targetId: workspace.id,
      details: {
        base_url: input.base_url ?? null,
        model: input.model ?? null,
        api_key: input.api_key === undefined ? "kept" : input.api_key ? "replaced" : "removed",
      },
    }, meta);
    return await settingsView(deps, workspace.id, saved);
  });
}

function parseUrl(value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new ApiError(400, "invalid_request", `Invalid request: base_url: "${value}" is not a URL`);
  }
}

/** Removes the overrides: the workspace uses the environment's model again. */
export async function clearLlmSettings(deps: AppDeps, userId: string, workspaceId?: string): Promise<void> {
  await asUser(deps.db, userId, async (tx) => {
    const workspace = await ownedWorkspace(tx, userId, workspaceId);
    await deleteLlmSettings(tx, workspace.id);
  });
}

/** The model chats in a workspace use, or undefined when none is configured. Runs inside asUser. */
export async function effectiveModel(deps: AppDeps, tx: Db, workspaceId: string): Promise<ModelSettings | undefined> {
  return resolveModelSettings(deps.config.llm, await openOverrides(deps, await findLlmSettings(tx, workspaceId)));
}
