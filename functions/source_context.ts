/**
 * What a connector module is handed to work with: its config parsed by its own schema, its
 * credentials decrypted (in memory only, for this use), the outbound guard, and the stored file.
 */
import type { AppDeps } from "../lib/deps.ts";
import type { ConnectorRow } from "../db/queries/connectors.ts";
import { readFilePiece } from "../db/queries/connectors.ts";
import { connectorType } from "../connectors/registry.ts";
import type { SourceContext } from "../connectors/types.ts";
import { allowListFor, guardedFetch } from "../lib/net/outbound.ts";
import { vaultFor } from "../lib/crypto/vault.ts";
import { ApiError } from "../lib/http/errors.ts";

/** The context a connector module works with: config parsed, credentials decrypted in memory. */
export async function sourceContext(deps: AppDeps, connector: ConnectorRow): Promise<SourceContext<unknown, unknown>> {
  const type = connectorType(connector.type);
  const credentials = connector.credentialsCiphertext && connector.credentialsKeyId
    ? await vaultFor(deps.config).open(connector.workspaceId, connector.id, {
      ciphertext: new Uint8Array(connector.credentialsCiphertext),
      keyId: connector.credentialsKeyId,
    })
    : {};
  const allow = allowListFor(deps.config);
  const upload = (connector.config as { upload?: { id: string; bytes: number } }).upload;
  return {
    config: type.config.parse(connector.config),
    credentials: type.credentials.parse(credentials),
    allow,
    fetch: guardedFetch(allow, { maxBytes: deps.config.uploadMaxBytes }, deps.fetch),
    file: upload ? () => storedFile(deps, connector.id, upload.id, upload.bytes) : undefined,
  };
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
