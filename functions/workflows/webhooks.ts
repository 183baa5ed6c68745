/**
 * Incoming webhooks (`POST /hooks/:workflow_id`), rate limited per workflow, then verified by the
 * Standard Webhooks scheme: HMAC-SHA256 over `id.timestamp.body` (the raw bytes), compared in
 * constant time, the timestamp within ±5 minutes, any of several space-separated signatures. After
 * a rotation the previous secret verifies too, until its window ends. A verified delivery and its
 * queued execution are written in one statement, keyed by the webhook id, so a delivery makes
 * exactly one execution however often the sender retries it.
 */
import { Webhook } from "standardwebhooks";
import type { AppDeps } from "../../lib/deps.ts";
import { ApiError } from "../../lib/http/errors.ts";
import { vaultFor } from "../../lib/crypto/vault.ts";
import { findWorkflow, type WorkflowRow } from "../../db/queries/workflows.ts";
import { acceptDelivery } from "../../db/queries/workflow_queue.ts";
import { engineFor } from "./engine.ts";
import { storable } from "./json.ts";
import { decodeBase64, encodeBase64 } from "../../lib/encoding.ts";
import { asSystem } from "../../db/rls.ts";
import { takeSlot } from "../../db/queries/rate_limits.ts";

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

/** How far a delivery's webhook-timestamp may be from the server's clock (the package's tolerance). */
const TOLERANCE_S = 5 * 60;
const encoder = new TextEncoder();

/**
 * Throws 401 unless one of `secrets` signed `body`, its exact bytes, with these headers. The
 * `standardwebhooks` package's verify takes a string and signs its UTF-8 encoding (a Buffer is
 * decoded to a string first), so a body that is not valid UTF-8 could never verify and two bodies
 * that decode alike would share a signature. This is the same scheme over the bytes, with Web
 * Crypto: HMAC-SHA256, keyed by the secret's base64 after `whsec_`, over `id.timestamp.` and the
 * body; space-separated `v1,<base64>` signatures; the timestamp read as the package reads it
 * (parseInt) within ±5 minutes. For UTF-8 bodies it accepts exactly what the package signs
 * (tests/workflows_test.ts signs every delivery with the package); `crypto.subtle.verify` compares
 * in constant time.
 */
async function verify(secrets: string[], body: Uint8Array, headers: Headers, now: Date): Promise<void> {
  const id = headers.get("webhook-id") ?? "";
  const stamp = headers.get("webhook-timestamp") ?? "";
  const signature = headers.get("webhook-signature") ?? "";
  if (!id || !stamp || !signature) {
    throw refused("send the webhook-id, webhook-timestamp and webhook-signature headers (Standard Webhooks)");
  }
  const timestamp = parseInt(stamp, 10);
  if (Number.isNaN(timestamp) || Math.abs(Math.floor(now.getTime() / 1000) - timestamp) > TOLERANCE_S) {
    throw refused("the webhook-timestamp is more than 5 minutes from the server's clock, or not a number");
  }
  const given = signature.split(" ").flatMap((versioned) => {
    const [version, value] = versioned.split(",");
    if (version !== "v1" || !value) return [];
    try {
      return [decodeBase64(value)];
    } catch {
      return [];
    }
  });
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(prefix.byteLength + body.byteLength);
  signed.set(prefix);
  signed.set(body, prefix.byteLength);
  for (const secret of secrets) {
    const key = await crypto.subtle.importKey(
      "raw",
      decodeBase64(secret.startsWith("whsec_") ? secret.slice(6) : secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    for (const mac of given) {
      if (await crypto.subtle.verify("HMAC", key, mac, signed)) return;
    }
  }
  throw refused("no signature matches this workflow's secret");
}

/**
 * The body as steps see it: parsed JSON when it is JSON, the text otherwise; a body that is not
 * UTF-8 text stays whole as base64, with `encoding: "base64"` beside it (never U+FFFD in place of
 * its bytes).
 */
function payloadOf(body: Uint8Array, contentType: string | null): { payload: unknown; encoding?: "base64" } {
  if (!body.byteLength) return { payload: null };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    return { payload: encodeBase64(body), encoding: "base64" };
  }
  if (/json/i.test(contentType ?? "") || /^\s*[[{]/.test(text)) {
    try {
      return { payload: JSON.parse(text) };
    } catch { /* not JSON after all: the text */ }
  }
  return { payload: text };
}

/**
 * Counts a delivery to `workflowId` and refuses it (429 with Retry-After) past
 * WEBHOOK_REQUESTS_PER_MINUTE, before any verification work (a workflow read, a secret opened, an
 * HMAC), so a flood of forged deliveries costs one small transaction each.
 */
async function admitDelivery(deps: AppDeps, workflowId: string): Promise<void> {
  const limit = deps.config.webhooks.requestsPerMinute;
  if (limit === 0) return;
  const now = deps.now();
  const slot = await asSystem(
    deps.db,
    (tx) => takeSlot(tx, { bucket: `hook:workflow:${workflowId}`, limit, windowMs: 60_000, now, pruneEvery: 16 }),
  );
  if (!slot.admitted) {
    throw new ApiError(
      429,
      "rate_limited",
      `Too many deliveries to this workflow (over ${limit} a minute): try again in ${slot.retryAfter} s`,
      { retryAfter: slot.retryAfter },
    );
  }
}

/**
 * Verifies and records one delivery. 202 with a new execution, 200 with the first execution when
 * the webhook id was seen before; 404 unknown workflow, 410 disabled, 401 bad signature, 413 too big,
 * 429 over WEBHOOK_REQUESTS_PER_MINUTE.
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
  await admitDelivery(deps, workflowId);
  const workflow = await findWorkflow(deps.db.orm, workflowId);
  if (!workflow) throw unknownWorkflow();
  if (!workflow.enabled) {
    throw new ApiError(410, "workflow_disabled", "This workflow is disabled: enable it to accept deliveries again");
  }
  await verify(await secretsOf(deps, workflow), body, headers, deps.now());
  const webhookId = headers.get("webhook-id")!;
  if (webhookId.length > 256) {
    throw new ApiError(400, "invalid_request", "Invalid request: webhook-id: at most 256 characters");
  }
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers.get(name);
    if (value !== null) kept[name] = value.slice(0, 1000);
  }
  const delivered = payloadOf(body, headers.get("content-type"));
  const accepted = await acceptDelivery(deps.db.orm, {
    workflowId,
    workspaceId: workflow.workspaceId,
    webhookId: storable(webhookId) as string,
    payload: { ...delivered, payload: storable(delivered.payload), headers: storable(kept) },
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
