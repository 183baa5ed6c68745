/**
 * Workflows as users manage them: create, read, change, delete, rotate the webhook secret.
 * Definitions are checked (definition.ts) before anything is written; the webhook secret and the
 * http steps' secret headers are sealed with the vault and never come back out, except the
 * webhook secret once, on creation and on rotation (Standard Webhooks `whsec_` form).
 */
import { and, eq } from "drizzle-orm";
import type { AppDeps, RequestMeta } from "../../lib/deps.ts";
import { ApiError, notFound } from "../../lib/http/errors.ts";
import { encodeBase64 } from "../../lib/encoding.ts";
import { vaultFor } from "../../lib/crypto/vault.ts";
import { asUser } from "../../db/rls.ts";
import type { Db } from "../../db/client.ts";
import { workflows } from "../../db/schema.ts";
import { writableWorkspace } from "../../db/queries/connectors.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { findWorkflow, listWorkflows, type WorkflowRow } from "../../db/queries/workflows.ts";
import { nextScheduledRun, parseSteps, parseWorkflowConfig, type Step } from "./definition.ts";
import { SECRET_MASK } from "./steps/http.ts";
import { secretsRecord } from "./engine.ts";
import { forgetHook } from "./webhooks.ts";

/** What a create takes (the route has checked the outer shape). */
export interface WorkflowInput {
  name: string;
  description?: string | null;
  steps: unknown;
  config?: unknown;
  workspace_id?: string;
}

export interface WorkflowPatch {
  name?: string;
  description?: string | null;
  steps?: unknown;
  /** Steps this change renames, old id → new id: their sealed secret headers go with them. */
  renamed_steps?: Record<string, string>;
  config?: unknown;
}

type Secrets = Record<string, Record<string, string>>;

/** A new Standard Webhooks secret: `whsec_` and base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return "whsec_" + encodeBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * Which saved step each step's sealed headers come from (by saved id), given the renames `renamed`
 * (old id → new id): a renamed step's old id; else its own id, unless another step took that one
 * over by a rename. So each saved step's secrets go to one step at most. A rename whose old id is
 * not a saved step is left out (an editor that had saved it already); one to an id that is not
 * among `steps`, or two to the same id, are refused (400).
 */
function secretSources(steps: Step[], before: Step[], renamed: Record<string, string>): Map<string, string> {
  const ids = new Set(steps.map((s) => s.id));
  const saved = new Set(before.map((s) => s.id));
  const targets = new Set<string>();
  const renamedTo = new Map<string, string>();
  for (const [from, to] of Object.entries(renamed)) {
    const problem = !ids.has(to)
      ? `renamed_steps.${from}: "${to}" is not one of the steps`
      : targets.has(to)
      ? `renamed_steps: two steps are renamed to "${to}"`
      : undefined;
    if (problem) throw new ApiError(400, "invalid_request", `Invalid request: ${problem}`);
    targets.add(to);
    if (saved.has(from)) renamedTo.set(to, from);
  }
  const takenOver = new Set([...renamedTo].filter(([to, from]) => to !== from).map(([, from]) => from));
  const sources = new Map<string, string>();
  for (const { id } of steps) {
    const source = renamedTo.get(id) ?? (takenOver.has(id) ? undefined : id);
    if (source !== undefined) sources.set(id, source);
  }
  return sources;
}

/**
 * Splits secret header values out of http steps: the steps keep the mask, the values go to the
 * sealed map. A masked value keeps what was stored for that step (or the step it was renamed
 * from, see secretSources) and header, but only while the step still calls the same site: whoever
 * edits the URL must type the secret again, or an editor could send a secret they were never shown
 * to a server of their own.
 */
function separateSecrets(
  steps: Step[],
  stored: Secrets,
  before: Step[] = [],
  renamed: Record<string, string> = {},
): { steps: Step[]; secrets: Secrets } {
  const siteOf = (url: unknown) => {
    try {
      return new URL(String(url)).origin;
    } catch {
      return String(url); // a template: the same text or nothing
    }
  };
  const previousSite = new Map(before.filter((s) => s.type === "http").map((s) => [s.id, siteOf(s.config.url)]));
  const sources = secretSources(steps, before, renamed);
  const secrets: Secrets = {};
  const out = steps.map((step, index) => {
    const given = step.config.secret_headers as Record<string, string> | undefined;
    if (step.type !== "http" || !given) return step;
    const source = sources.get(step.id);
    const kept = source === undefined ? {} : stored[source] ?? {};
    const sameSite = source !== undefined && previousSite.get(source) === siteOf(step.config.url);
    const masked: Record<string, string> = {};
    for (const [name, value] of Object.entries(given)) {
      if (value === SECRET_MASK && kept[name] !== undefined && !sameSite) {
        throw new ApiError(
          400,
          "invalid_request",
          `Invalid request: steps.${index}.config.secret_headers.${name}: Step "${step.id}" (http): ` +
            `secret_headers.${name}: the URL now points to another site: enter the secret again`,
        );
      }
      const secret = value === SECRET_MASK ? kept[name] : value;
      if (secret === undefined) {
        throw new ApiError(
          400,
          "invalid_request",
          `Invalid request: steps.${index}.config.secret_headers.${name}: Step "${step.id}" (http): ` +
            `secret_headers.${name}: no value is stored yet: enter it`,
        );
      }
      (secrets[step.id] ??= {})[name] = secret;
      masked[name] = SECRET_MASK;
    }
    return { ...step, config: { ...step.config, secret_headers: masked } };
  });
  return { steps: out, secrets };
}

async function openSecrets(deps: AppDeps, row: WorkflowRow | undefined): Promise<Secrets> {
  if (!row?.secretsCiphertext || !row.secretsKeyId) return {};
  return await vaultFor(deps.config).open<Secrets>(row.workspaceId, secretsRecord(row.id), {
    ciphertext: row.secretsCiphertext as Uint8Array<ArrayBuffer>,
    keyId: row.secretsKeyId,
  });
}

async function sealSecrets(deps: AppDeps, workspaceId: string, id: string, secrets: Secrets) {
  if (!Object.keys(secrets).length) return { secretsCiphertext: null, secretsKeyId: null };
  const sealed = await vaultFor(deps.config).seal(workspaceId, secretsRecord(id), secrets);
  return { secretsCiphertext: sealed.ciphertext, secretsKeyId: sealed.keyId };
}

/** The workflow `id` if the caller may change it; 404 when they cannot see it, 403 when only read. */
async function writable(tx: Db, userId: string, id: string): Promise<WorkflowRow> {
  const row = await findWorkflow(tx, id);
  if (!row) throw notFound("Workflow");
  const workspace = await writableWorkspace(tx, userId, row.workspaceId);
  if (!workspace || workspace.role === "viewer") {
    throw new ApiError(403, "forbidden", "You can read this workflow but not change it: ask a workspace owner");
  }
  return row;
}

/** A workflow the caller may change (404 / 403 otherwise), read under RLS. */
export function workflowToChange(deps: AppDeps, userId: string, id: string): Promise<WorkflowRow> {
  return asUser(deps.db, userId, (tx) => writable(tx, userId, id));
}

/**
 * The workflow `on_failure` names must be one of the same workspace (the engine only ever starts
 * such a one): anything else is refused when it is saved, not found silently missing at a failure.
 */
async function checkOnFailure(tx: Db, workspaceId: string, onFailure: string | null | undefined): Promise<void> {
  if (!onFailure) return;
  const [found] = await tx.select({ id: workflows.id }).from(workflows)
    .where(and(eq(workflows.id, onFailure), eq(workflows.workspaceId, workspaceId)));
  if (found) return;
  throw new ApiError(
    422,
    "unprocessable",
    "The workflow to run on failure (config.on_failure) is not a workflow of this workspace: pick one of its own",
    { details: [{ path: "config.on_failure", code: "custom", message: "Not a workflow of this workspace" }] },
  );
}

/**
 * Creates a workflow; the webhook secret is returned this once. `options.id` makes the creation
 * idempotent (the new-workflow form sends the id it was rendered with, so a reloaded form page
 * creates nothing twice): a second creation under a taken id is a 409.
 */
export async function createWorkflow(
  deps: AppDeps,
  userId: string,
  input: WorkflowInput,
  meta: RequestMeta,
  options: { id?: string } = {},
): Promise<{ row: WorkflowRow; secret: string }> {
  const steps = parseSteps(input.steps);
  const config = parseWorkflowConfig(input.config);
  const secret = newWebhookSecret();
  return await asUser(deps.db, userId, async (tx) => {
    const workspace = await writableWorkspace(tx, userId, input.workspace_id);
    if (!workspace) throw notFound("Workspace");
    if (workspace.role === "viewer") throw new ApiError(403, "forbidden", "Viewers cannot add workflows");
    await checkOnFailure(tx, workspace.id, config.on_failure);
    const id = options.id ?? crypto.randomUUID();
    const separated = separateSecrets(steps, {});
    const sealed = await vaultFor(deps.config).seal(workspace.id, id, secret);
    const [row] = await tx.insert(workflows).values({
      id,
      workspaceId: workspace.id,
      name: input.name,
      description: input.description ?? null,
      steps: separated.steps,
      config,
      enabled: config.enabled,
      webhookSecretCiphertext: sealed.ciphertext,
      webhookSecretKeyId: sealed.keyId,
      ...await sealSecrets(deps, workspace.id, id, separated.secrets),
      nextRunAt: config.enabled ? nextScheduledRun(config.schedule, deps.now()) : null,
      createdBy: userId,
    }).onConflictDoNothing({ target: workflows.id }).returning();
    if (!row) {
      throw new ApiError(
        409,
        "conflict",
        "This form was sent already, so no second workflow was made: the first is in the list",
      );
    }
    await recordAudit(tx, {
      action: "workflow.create",
      userId,
      workspaceId: workspace.id,
      targetType: "workflow",
      targetId: id,
      details: { name: input.name, steps: steps.length },
    }, meta);
    return { row, secret };
  });
}

export async function getWorkflow(deps: AppDeps, userId: string, id: string): Promise<WorkflowRow> {
  const row = await asUser(deps.db, userId, (tx) => findWorkflow(tx, id));
  if (!row) throw notFound("Workflow");
  return row;
}

export function listWorkflowsOf(
  deps: AppDeps,
  userId: string,
  options: { workspaceId?: string; limit: number; before?: { createdAt: Date; id: string } },
): Promise<WorkflowRow[]> {
  return asUser(deps.db, userId, (tx) => listWorkflows(tx, options));
}

/** Changes what the patch names; steps and config are checked as on create. */
export async function updateWorkflow(
  deps: AppDeps,
  userId: string,
  id: string,
  patch: WorkflowPatch,
  meta: RequestMeta,
): Promise<WorkflowRow> {
  const steps = patch.steps === undefined ? undefined : parseSteps(patch.steps);
  const config = patch.config === undefined ? undefined : parseWorkflowConfig(patch.config);
  const updated = await asUser(deps.db, userId, async (tx) => {
    const current = await writable(tx, userId, id);
    const changes: Partial<typeof workflows.$inferInsert> = { updatedAt: deps.now() };
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.description !== undefined) changes.description = patch.description;
    if (steps) {
      const before = current.steps as Step[];
      const separated = separateSecrets(steps, await openSecrets(deps, current), before, patch.renamed_steps);
      changes.steps = separated.steps;
      Object.assign(changes, await sealSecrets(deps, current.workspaceId, id, separated.secrets));
    }
    if (config) {
      await checkOnFailure(tx, current.workspaceId, config.on_failure);
      changes.config = config;
      changes.enabled = config.enabled;
      changes.nextRunAt = config.enabled ? nextScheduledRun(config.schedule, deps.now()) : null;
    }
    const [row] = await tx.update(workflows).set(changes).where(eq(workflows.id, id)).returning();
    await recordAudit(tx, {
      action: "workflow.update",
      userId,
      workspaceId: current.workspaceId,
      targetType: "workflow",
      targetId: id,
      details: { fields: Object.keys(patch) },
    }, meta);
    return row;
  });
  // Not needed for correctness (deliveries are fenced on the stored state), but spares a miss.
  forgetHook(deps, id);
  return updated;
}

export async function deleteWorkflow(deps: AppDeps, userId: string, id: string, meta: RequestMeta): Promise<void> {
  await asUser(deps.db, userId, async (tx) => {
    const current = await writable(tx, userId, id);
    await tx.delete(workflows).where(eq(workflows.id, id));
    await recordAudit(tx, {
      action: "workflow.delete",
      userId,
      workspaceId: current.workspaceId,
      targetType: "workflow",
      targetId: id,
      details: { name: current.name },
    }, meta);
  });
  forgetHook(deps, id);
}

/**
 * A new webhook secret; the current one becomes the previous, valid for `keepPreviousForS`
 * seconds more (senders switch over in that window). Returns the new secret, this once.
 */
export async function rotateWebhookSecret(
  deps: AppDeps,
  userId: string,
  id: string,
  keepPreviousForS: number,
  meta: RequestMeta,
): Promise<string> {
  const secret = newWebhookSecret();
  await asUser(deps.db, userId, async (tx) => {
    const current = await writable(tx, userId, id);
    const sealed = await vaultFor(deps.config).seal(current.workspaceId, id, secret);
    const keep = keepPreviousForS > 0 && current.webhookSecretCiphertext;
    await tx.update(workflows).set({
      webhookSecretCiphertext: sealed.ciphertext,
      webhookSecretKeyId: sealed.keyId,
      webhookPreviousCiphertext: keep ? current.webhookSecretCiphertext : null,
      webhookPreviousKeyId: keep ? current.webhookSecretKeyId : null,
      webhookPreviousExpiresAt: keep ? new Date(deps.now().getTime() + keepPreviousForS * 1000) : null,
      updatedAt: deps.now(),
    }).where(eq(workflows.id, id));
    await recordAudit(tx, {
      action: "workflow.rotate_secret",
      userId,
      workspaceId: current.workspaceId,
      targetType: "workflow",
      targetId: id,
      details: { keep_previous_for_s: keepPreviousForS },
    }, meta);
  });
  forgetHook(deps, id);
  return secret;
}
