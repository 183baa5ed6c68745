/**
 * Incoming webhooks (`POST /hooks/:workflow_id`), verified by the Standard Webhooks scheme:
 * HMAC-SHA256 over `id.timestamp.body` (the raw bytes), compared in constant time, the timestamp
 * within ±5 minutes, any of several space-separated signatures (the `standardwebhooks` package
 * signs test events, and its signatures are what the tests send). After
 * a rotation the previous secret verifies too, until its window ends. A verified delivery and its
 * queued execution are written in one statement, keyed by the webhook id, so a delivery makes
 * exactly one execution however often the sender retries it. Deliveries that arrive together share
 * that statement and its commit (group commit); each is answered only after it.
 */
import { Webhook } from "standardwebhooks";
import { createHmac, timingSafeEqual } from "node:crypto";
import type { AppDeps } from "../../lib/deps.ts";
import { ApiError } from "../../lib/http/errors.ts";
import { isUuid } from "../../lib/http/ids.ts";
import { vaultFor } from "../../lib/crypto/vault.ts";
import { findWorkflow, type WorkflowRow } from "../../db/queries/workflows.ts";
import {
  acceptDeliveries,
  type AcceptedDelivery,
  countDuplicate,
  type VerifiedDelivery,
} from "../../db/queries/workflow_queue.ts";
import { groupCommit } from "../../lib/group_commit.ts";
import { engineFor } from "./engine.ts";
import { storable } from "./json.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../../lib/json_shape.ts";
import { postgresCode } from "../../lib/http/error_handler.ts";
import { decodeBase64, encodeBase64 } from "../../lib/encoding.ts";
import { asSystem } from "../../db/rls.ts";
import { takeSlot } from "../../db/queries/rate_limits.ts";

/** The largest webhook body (the app's body limit is the same). */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;
/** Headers kept with the execution (steps read them as `trigger.headers`); never the signature. */
const KEPT_HEADERS = ["webhook-id", "webhook-timestamp", "content-type", "user-agent"];

function unknownWorkflow(): ApiError {
  return new ApiError(404, "not_found", "No workflow has this webhook URL: copy it again from the workflow's page");
}

function refused(reason: string): ApiError {
  return new ApiError(401, "invalid_signature", `The webhook signature was refused: ${reason}`);
}

/** A secret that verifies deliveries now, with the stored ciphertext the insert is fenced on. */
interface HookSecret {
  /** The secret itself (`whsec_…`), to sign test events with. */
  secret: string;
  /** Its HMAC-SHA256 key: the bytes the base64 after `whsec_` stands for. */
  key: Uint8Array;
  ciphertext: Uint8Array;
  /** The end of a previous secret's window; undefined for the current secret. */
  until?: Date;
}

/** What verifying a delivery needs of its workflow, opened once and reused for a short while. */
interface Hook {
  workspaceId: string;
  enabled: boolean;
  secrets: HookSecret[];
  loadedAt: number;
}

/**
 * How long an opened workflow is reused without reading it again. Nothing depends on it for
 * correctness: the insert is fenced on the workflow being enabled and on the secret that verified
 * (acceptDelivery), and a miss with a cached copy reads the workflow again before answering. It
 * spares each delivery a read, an AES-GCM open (about 0.6 ms of this process each under load) and
 * an HMAC key import.
 */
const HOOK_TTL_MS = 1000;
const HOOK_ENTRIES = 1000;
const hooks = new WeakMap<AppDeps, Map<string, Hook | null>>();

/** The secrets that verify now: the current one, and the previous one inside its window. */
async function secretsOf(deps: AppDeps, workflow: WorkflowRow): Promise<HookSecret[]> {
  const vault = vaultFor(deps.config);
  const open = async (ciphertext: Uint8Array, keyId: string) => {
    const secret = await vault.open<string>(workflow.workspaceId, workflow.id, {
      ciphertext: ciphertext as Uint8Array<ArrayBuffer>,
      keyId,
    });
    const raw = decodeBase64(secret.startsWith("whsec_") ? secret.slice(6) : secret);
    return { secret, key: raw };
  };
  const secrets: HookSecret[] = [];
  if (workflow.webhookSecretCiphertext && workflow.webhookSecretKeyId) {
    const ciphertext = workflow.webhookSecretCiphertext;
    secrets.push({ ...await open(ciphertext, workflow.webhookSecretKeyId), ciphertext });
  }
  const until = workflow.webhookPreviousExpiresAt;
  if (
    workflow.webhookPreviousCiphertext && workflow.webhookPreviousKeyId && until &&
    until.getTime() > deps.now().getTime()
  ) {
    const ciphertext = workflow.webhookPreviousCiphertext;
    secrets.push({ ...await open(ciphertext, workflow.webhookPreviousKeyId), ciphertext, until });
  }
  return secrets;
}

/** The workflow's verifier (null when there is no such workflow), from the cache unless `fresh`. */
async function hookOf(
  deps: AppDeps,
  workflowId: string,
  fresh: boolean,
): Promise<{ hook: Hook | null; cached: boolean }> {
  let cache = hooks.get(deps);
  if (!cache) hooks.set(deps, cache = new Map());
  const found = cache.get(workflowId);
  if (!fresh && found && Date.now() - found.loadedAt < HOOK_TTL_MS) return { hook: found, cached: true };
  cache.delete(workflowId);
  const workflow = await findWorkflow(deps.db.orm, workflowId);
  if (!workflow) return { hook: null, cached: false };
  const hook = {
    workspaceId: workflow.workspaceId,
    enabled: workflow.enabled,
    secrets: await secretsOf(deps, workflow),
    loadedAt: Date.now(),
  };
  if (cache.size >= HOOK_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(workflowId, hook);
  return { hook, cached: false };
}

/** Drops this process's opened copy of a workflow (after it was changed, rotated or deleted here). */
export function forgetHook(deps: AppDeps, workflowId: string): void {
  hooks.get(deps)?.delete(workflowId);
}

/**
 * Records verified deliveries with group commit: those that arrive while a write is in flight go
 * together in the next (at most 64, about 4 MiB of payload, two writes at once); bench/workflows.ts
 * prints what that gives.
 */
type Pending = { delivery: VerifiedDelivery; bytes: number };
type Written = AcceptedDelivery | "duplicate" | undefined;
const writers = new WeakMap<AppDeps, (pending: Pending) => Promise<Written>>();

/** Records one verified delivery of `bytes` body bytes; see acceptDeliveries. */
async function recordDelivery(
  deps: AppDeps,
  delivery: VerifiedDelivery,
  bytes: number,
): Promise<AcceptedDelivery | undefined> {
  let write = writers.get(deps);
  if (!write) {
    write = groupCommit(
      (pending: Pending[]) => acceptDeliveries(deps.db.orm, pending.map((p) => p.delivery)),
      { maxItems: 64, maxInFlight: 2, sizeOf: (p) => p.bytes, maxSize: 4 * 1024 * 1024 },
    );
    writers.set(deps, write);
  }
  const written = await write({ delivery, bytes });
  if (written !== "duplicate") return written;
  const first = await countDuplicate(deps.db.orm, delivery);
  return first ? { executionId: first, duplicate: true } : await recordDelivery(deps, delivery, bytes);
}

/** How far a delivery's webhook-timestamp may be from the server's clock (the package's tolerance). */
const TOLERANCE_S = 5 * 60;

/**
 * The secret that signed `body`, its exact bytes, with these headers; throws 401 when none did.
 * The `standardwebhooks` package's verify takes a string and signs its UTF-8 encoding (a Buffer is
 * decoded to a string first), so a body that is not valid UTF-8 could never verify and two bodies
 * that decode alike would share a signature. This is the same scheme over the bytes, with Web
 * Crypto: HMAC-SHA256, keyed by the secret's base64 after `whsec_`, over `id.timestamp.` and the
 * body; space-separated `v1,<base64>` signatures; the timestamp read as the package reads it
 * (parseInt) within ±5 minutes. For UTF-8 bodies it accepts exactly what the package signs
 * (tests/workflows_test.ts signs every delivery with the package). The MAC is node:crypto's
 * HMAC, compared with `timingSafeEqual` (constant time, OWASP): synchronous, where Web Crypto's
 * verify is a round trip through a thread pool for every delivery.
 */
function verify(secrets: HookSecret[], now: Date, body: Uint8Array, headers: Headers): HookSecret {
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
  const prefix = `${id}.${timestamp}.`;
  for (const secret of secrets) {
    if (secret.until && secret.until.getTime() <= now.getTime()) continue;
    const expected = createHmac("sha256", secret.key).update(prefix).update(body).digest();
    for (const mac of given) {
      if (mac.byteLength === expected.byteLength && timingSafeEqual(mac, expected)) return secret;
    }
  }
  throw refused("no signature matches this workflow's secret");
}

/** The execution's input: the body as steps see it and the headers kept beside it. */
function payloadOf(body: Uint8Array, headers: Headers): unknown {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers.get(name);
    if (value !== null) kept[name] = value.slice(0, 1000);
  }
  const delivered = bodyOf(body, headers.get("content-type"));
  return { ...delivered, payload: storable(delivered.payload), headers: storable(kept) };
}

/**
 * The body as steps see it: parsed JSON when it is JSON (nested at most MAX_JSON_DEPTH levels), the
 * text otherwise; a body that is not
 * UTF-8 text stays whole as base64, with `encoding: "base64"` beside it (never U+FFFD in place of
 * its bytes).
 */
function bodyOf(body: Uint8Array, contentType: string | null): { payload: unknown; encoding?: "base64" } {
  if (!body.byteLength) return { payload: null };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    return { payload: encodeBase64(body), encoding: "base64" };
  }
  if (/json/i.test(contentType ?? "") || /^\s*[[{]/.test(text)) {
    try {
      const parsed = JSON.parse(text);
      // Past any real payload's depth the steps that walk it would overflow the stack: kept as its text.
      if (!nestsDeeperThan(parsed, MAX_JSON_DEPTH)) return { payload: parsed };
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
  if (!isUuid(workflowId)) throw unknownWorkflow();
  if (body.byteLength > MAX_WEBHOOK_BYTES) {
    throw new ApiError(413, "payload_too_large", `The body is over the ${MAX_WEBHOOK_BYTES / 1024} KiB limit`);
  }
  await admitDelivery(deps, workflowId);
  // A cached copy that refuses, or whose fence no longer holds, is read again before the answer:
  // the answer is always the database's. Two fresh reads that both miss the fence mean the
  // workflow changes under us faster than we can read it; refused, as a stale copy would be.
  for (let attempt = 0; attempt < 3; attempt++) {
    const { hook, cached } = await hookOf(deps, workflowId, attempt > 0);
    if (!hook) throw unknownWorkflow();
    const now = deps.now();
    let secret: HookSecret;
    try {
      if (!hook.enabled) {
        throw new ApiError(410, "workflow_disabled", "This workflow is disabled: enable it to accept deliveries again");
      }
      secret = verify(hook.secrets, now, body, headers);
    } catch (error) {
      if (cached) continue;
      throw error;
    }
    const webhookId = headers.get("webhook-id")!;
    if (webhookId.length > 256) {
      throw new ApiError(400, "invalid_request", "Invalid request: webhook-id: at most 256 characters");
    }
    const accepted = await recordDelivery(deps, {
      workflowId,
      webhookId: storable(webhookId) as string,
      payload: payloadOf(body, headers),
      secretCiphertext: secret.ciphertext,
      now,
    }, body.byteLength).catch((error) => {
      // The workflow was deleted after it was read: the fresh read answers 404.
      if (postgresCode(error) === "23503") return undefined;
      throw error;
    });
    if (!accepted) continue;
    if (!accepted.duplicate) engineFor(deps).kick(accepted.executionId);
    return { status: accepted.duplicate ? 200 : 202, executionId: accepted.executionId };
  }
  throw refused("the workflow's secret changed while the delivery was checked: send it again");
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
  const [current] = await secretsOf(deps, workflow);
  if (!current) throw new ApiError(409, "conflict", "This workflow has no webhook secret: rotate it to make one");
  const body = JSON.stringify(payload ?? { event: "test", sent_at: deps.now().toISOString() });
  const id = `msg_test_${crypto.randomUUID()}`;
  const at = new Date();
  const headers = new Headers({
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(current.secret).sign(id, at, body),
    "user-agent": "workspace-test-event",
  });
  return await receiveWebhook(deps, workflow.id, headers, new TextEncoder().encode(body));
}
