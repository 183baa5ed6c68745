/**
 * Incoming webhooks (`POST /hooks/:workflow_id`), verified by the Standard Webhooks scheme with
 * the `standardwebhooks` package: HMAC-SHA256 over `id.timestamp.body` (the raw body), compared in
 * constant time, the timestamp within ±5 minutes, any of several space-separated signatures. After
 * a rotation the previous secret verifies too, until its window ends. A verified delivery and its
 * queued execution are written in one statement, keyed by the webhook id, so a delivery makes
 * exactly one execution however often the sender retries it.
 */
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import type { AppDeps } from "../../lib/deps.ts";
import { ApiError } from "../../lib/http/errors.ts";
import { vaultFor } from "../../lib/crypto/vault.ts";
import { findWorkflow, type WorkflowRow } from "../../db/queries/workflows.ts";
import { acceptDelivery } from "../../db/queries/workflow_queue.ts";
import { engineFor } from "./engine.ts";
import { storable } from "./json.ts";

/** The largest webhook body (the app's body limit is the same). */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Headers kept with the execution (steps read them as `trigger.headers`); never the signature. */
const KEPT_HEADERS = ["webhook-id", "webhook-timestamp", "content-type", "user-agent"];

function unknownWorkflow(): ApiError {
  return new ApiError(404, "not_found", "No workflow has this webhook URL: copy it again from the workflow's page");
}

function refused(reason: string): ApiError {
  return new ApiError(401, "invalid_signature", `The webhook signature was refused: ${reason}`);
}

/** The secrets that verify now: the current one, and the previous one inside its window. */
async function secretsOf(deps: AppDeps, workflow: WorkflowRow): Promise<string[]> {
  const vault = vaultFor(deps.config);
  const open = (ciphertext: Uint8Array, keyId: string) =>
    vault.open<string>(workflow.workspaceId, workflow.id, {
      ciphertext: ciphertext as Uint8Array<ArrayBuffer>,
      keyId,
    });
  const secrets: string[] = [];
  if (workflow.webhookSecretCiphertext && workflow.webhookSecretKeyId) {
    secrets.push(await open(workflow.webhookSecretCiphertext, workflow.webhookSecretKeyId));
  }
  const previousUntil = workflow.webhookPreviousExpiresAt;
  if (
    workflow.webhookPreviousCiphertext && workflow.webhookPreviousKeyId && previousUntil &&
    previousUntil.getTime() > deps.now().getTime()
  ) {
    secrets.push(await open(workflow.webhookPreviousCiphertext, workflow.webhookPreviousKeyId));
  }
  return secrets;
}

/** Throws 401 unless one of `secrets` signed `body` with these headers. */
function verify(secrets: string[], body: string, headers: Headers): void {
  const signed = {
    "webhook-id": headers.get("webhook-id") ?? "",
    "webhook-timestamp": headers.get("webhook-timestamp") ?? "",
    "webhook-signature": headers.get("webhook-signature") ?? "",
  };
  if (!signed["webhook-id"] || !signed["webhook-timestamp"] || !signed["webhook-signature"]) {
    throw refused("send the webhook-id, webhook-timestamp and webhook-signature headers (Standard Webhooks)");
  }
  let reason = "no signature matches this workflow's secret";
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, signed, { jsonParse: false });
      return;
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      if (/timestamp|Invalid Signature Headers/i.test(error.message)) {
        reason = "the webhook-timestamp is more than 5 minutes from the server's clock, or not a number";
      }
    }
  }
  throw refused(reason);
}

/** The body as steps see it: parsed JSON when it is JSON, the text otherwise. */
function payloadOf(text: string, contentType: string | null): unknown {
  if (!text) return null;
  if (/json/i.test(contentType ?? "") || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch { /* not JSON after all: the text */ }
  }
  return text;
}

/**
 * Verifies and records one delivery. 202 with a new execution, 200 with the first execution when
 * the webhook id was seen before; 404 unknown workflow, 410 disabled, 401 bad signature, 413 too big.
 */
export async function receiveWebhook(
  deps: AppDeps,
  workflowId: string,
  headers: Headers,
  body: Uint8Array,
): Promise<{ status: 200 | 202; executionId: string }> {
  if (!UUID.test(workflowId)) throw unknownWorkflow();
  if (body.byteLength > MAX_WEBHOOK_BYTES) {
    throw new ApiError(413, "payload_too_large", `The body is over the ${MAX_WEBHOOK_BYTES / 1024} KiB limit`);
  }
  const workflow = await findWorkflow(deps.db.orm, workflowId);
  if (!workflow) throw unknownWorkflow();
  if (!workflow.enabled) {
    throw new ApiError(410, "workflow_disabled", "This workflow is disabled: enable it to accept deliveries again");
  }
  const text = new TextDecoder().decode(body);
  verify(await secretsOf(deps, workflow), text, headers);
  const webhookId = headers.get("webhook-id")!;
  if (webhookId.length > 256) {
    throw new ApiError(400, "invalid_request", "Invalid request: webhook-id: at most 256 characters");
  }
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers.get(name);
    if (value !== null) kept[name] = value.slice(0, 1000);
  }
  const accepted = await acceptDelivery(deps.db.orm, {
    workflowId,
    workspaceId: workflow.workspaceId,
    webhookId: storable(webhookId) as string,
    payload: { payload: storable(payloadOf(text, headers.get("content-type"))), headers: storable(kept) },
  });
  if (!accepted.duplicate) engineFor(deps).kick(accepted.executionId);
  return { status: accepted.duplicate ? 200 : 202, executionId: accepted.executionId };
}

/**
 * Signs a sample delivery with the workflow's current secret (as a sender would, with the
 * `standardwebhooks` package) and passes it through the same verification and queueing as a
 * real one: the editor's "send test event". The caller must be able to change the workflow.
 */
export async function sendTestEvent(
  deps: AppDeps,
  workflow: WorkflowRow,
  payload: unknown,
): Promise<{ status: 200 | 202; executionId: string }> {
  const [secret] = await secretsOf(deps, workflow);
  if (!secret) throw new ApiError(409, "conflict", "This workflow has no webhook secret: rotate it to make one");
  const body = JSON.stringify(payload ?? { event: "test", sent_at: deps.now().toISOString() });
  const id = `msg_test_${crypto.randomUUID()}`;
  const at = new Date();
  const headers = new Headers({
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, at, body),
    "user-agent": "workspace-test-event",
  });
  return await receiveWebhook(deps, workflow.id, headers, new TextEncoder().encode(body));
}
