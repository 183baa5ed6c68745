/**
 * What a connector module is handed to work with: its config parsed by its own schema, its
 * credentials decrypted (in memory only, for this use), the outbound guard, the stored file, and
 * the deadline of the work (a sync's, or OUTBOUND_TIMEOUT_MS for a test) as `signal`.
 */
import type { AppDeps } from "../lib/deps.ts";
import type { ConnectorRow } from "../db/queries/connectors.ts";
import { readFilePiece } from "../db/queries/connectors.ts";
import { connectorType } from "../connectors/registry.ts";
import type { SourceContext } from "../connectors/types.ts";
import { allowListFor, Deadline, guardedFetch, outboundRefused } from "../lib/net/outbound.ts";
import { vaultFor } from "../lib/crypto/vault.ts";
import { ApiError } from "../lib/http/errors.ts";

/**
 * The context a connector module works with: config parsed, credentials decrypted in memory.
 * Every fetch it makes is guarded: checked and pinned address, at most SOURCE_MAX_MB per response,
 * at most OUTBOUND_TIMEOUT_MS of silence, and ended by `deadline` (a sync's overall deadline or
 * cancel). Without a deadline the whole use (a connection test, a SQL statement) gets
 * OUTBOUND_TIMEOUT_MS. Credential headers and values are dropped on a redirect to another origin.
 */
export async function sourceContext(
  deps: AppDeps,
  connector: ConnectorRow,
  options: { deadline?: Deadline } = {},
): Promise<SourceContext<unknown, unknown>> {
  const type = connectorType(connector.type);
  const credentials = connector.credentialsCiphertext && connector.credentialsKeyId
    ? await vaultFor(deps.config).open(connector.workspaceId, connector.id, {
      ciphertext: new Uint8Array(connector.credentialsCiphertext),
      keyId: connector.credentialsKeyId,
    })
    : {};
  const allow = allowListFor(deps.config);
  const upload = (connector.config as { upload?: { id: string; bytes: number } }).upload;
  const { timeoutMs, sourceMaxBytes } = deps.config.outbound;
  const deadline = options.deadline ?? new Deadline(
    timeoutMs,
    () => outboundRefused(`The source did not finish answering within ${timeoutMs / 1000} s (OUTBOUND_TIMEOUT_MS)`),
  );
  const headers = (credentials as { headers?: unknown }).headers;
  return {
    config: type.config.parse(connector.config),
    credentials: type.credentials.parse(credentials),
    allow,
    fetch: guardedFetch(allow, {
      timeoutMs: Infinity, // the deadline above bounds the whole use
      idleMs: timeoutMs,
      deadline,
      maxBytes: sourceMaxBytes,
      maxBytesSource: "an operator sets it with SOURCE_MAX_MB",
      secretHeaders: headers && typeof headers === "object" ? Object.keys(headers) : [],
      secretValues: stringsIn(credentials),
    }, deps.fetch),
    limits: sourceRowLimits(sourceMaxBytes),
    file: upload ? () => storedFile(deps, connector.id, upload.id, upload.bytes) : undefined,
    signal: deadline.signal,
    timeLimitMs: options.deadline ? undefined : timeoutMs,
  };
}

/**
 * A row read from a source database may bring in a quarter of SOURCE_MAX_MB (16 MiB by default),
 * and a batch of rows aims at SOURCE_MAX_MB: a sync holds a bounded amount at once, whatever the
 * source's values hold.
 */
export function sourceRowLimits(sourceMaxBytes: number): { rowBytes: number; batchBytes: number } {
  return { rowBytes: Math.max(1, Math.floor(sourceMaxBytes / 4)), batchBytes: sourceMaxBytes };
}

/** Every string inside a value (the secrets of a credentials object). */
function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

/**
 * An uploaded file read back piece by piece. A newer upload deletes this one's pieces when it is
 * published; a read that then finds fewer bytes than were stored fails instead of passing a
 * truncated file off as the whole one.
 */
function storedFile(deps: AppDeps, connectorId: string, uploadId: string, bytes: number): ReadableStream<Uint8Array> {
  let seq = 0;
  let read = 0;
  return new ReadableStream({
    async pull(controller) {
      const piece = await readFilePiece(deps.db.orm, connectorId, uploadId, seq++);
      if (piece) {
        read += piece.byteLength;
        controller.enqueue(new Uint8Array(piece));
      } else if (read < bytes) {
        controller.error(
          new ApiError(409, "conflict", "A newer upload replaced the file while it was being read: sync again"),
        );
      } else controller.close();
    },
  });
}
