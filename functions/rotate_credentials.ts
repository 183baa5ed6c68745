/**
 * Key rotation: re-encrypts every stored secret (connector credentials, workspace model API keys)
 * under the current APP_SECRET's key. Run it
 * after moving the old secret to APP_SECRET_PREVIOUS and setting a new APP_SECRET:
 *
 *   APP_SECRET=new APP_SECRET_PREVIOUS=old deno task rotate-keys
 *
 * Each row is re-sealed in its own short transaction and only if it still holds what was read,
 * so a row edited meanwhile is left with its newer secret.
 */
import { and, eq, isNotNull, ne } from "drizzle-orm";
import type { Config } from "../lib/config.ts";
import type { Database } from "../db/client.ts";
import { connectors, workspaceLlmSettings } from "../db/schema.ts";
import { type Sealed, vaultFor } from "../lib/crypto/vault.ts";
import { llmKeyRecord } from "./llm_settings.ts";

/** A sealed secret as rotation sees it: where it lives and what it is bound to. */
interface SealedRow {
  workspaceId: string;
  /** The record id the ciphertext is bound to (the vault's additional data). */
  record: string;
  ciphertext: Uint8Array;
  keyId: string;
  /** Stores the re-sealed value if the row still holds `keyId`; true when it did. */
  replace(next: Sealed, keyId: string): Promise<boolean>;
}

/** Re-seals every secret (connector credentials, workspace model keys) not under the current key. */
export async function rotateCredentials(config: Config, db: Database): Promise<number> {
  const vault = vaultFor(config);
  const current = await vault.currentKeyId;
  const connectorRows = await db.orm.select().from(connectors)
    .where(and(isNotNull(connectors.credentialsCiphertext), ne(connectors.credentialsKeyId, current)));
  const modelRows = await db.orm.select().from(workspaceLlmSettings)
    .where(and(isNotNull(workspaceLlmSettings.apiKeyCiphertext), ne(workspaceLlmSettings.apiKeyKeyId, current)));
  const stale: SealedRow[] = [
    ...connectorRows.map((row) => ({
      workspaceId: row.workspaceId,
      record: row.id,
      ciphertext: row.credentialsCiphertext!,
      keyId: row.credentialsKeyId!,
      replace: async (next: Sealed, keyId: string) =>
        (await db.orm.update(connectors).set({ credentialsCiphertext: next.ciphertext, credentialsKeyId: next.keyId })
          .where(and(eq(connectors.id, row.id), eq(connectors.credentialsKeyId, keyId)))
          .returning({ id: connectors.id })).length > 0,
    })),
    ...modelRows.map((row) => ({
      workspaceId: row.workspaceId,
      record: llmKeyRecord(row.workspaceId),
      ciphertext: row.apiKeyCiphertext!,
      keyId: row.apiKeyKeyId!,
      replace: async (next: Sealed, keyId: string) =>
        (await db.orm.update(workspaceLlmSettings).set({ apiKeyCiphertext: next.ciphertext, apiKeyKeyId: next.keyId })
          .where(
            and(eq(workspaceLlmSettings.workspaceId, row.workspaceId), eq(workspaceLlmSettings.apiKeyKeyId, keyId)),
          )
          .returning({ id: workspaceLlmSettings.workspaceId })).length > 0,
    })),
  ];
  let rotated = 0;
  for (const row of stale) {
    const plain = await vault.open(row.workspaceId, row.record, {
      ciphertext: new Uint8Array(row.ciphertext),
      keyId: row.keyId,
    });
    if (await row.replace(await vault.seal(row.workspaceId, row.record, plain), row.keyId)) rotated++;
  }
  return rotated;
}

if (import.meta.main) {
  const { loadConfig } = await import("../lib/config.ts");
  const { openDatabase } = await import("../db/client.ts");
  const config = await loadConfig();
  const { migrate } = await import("../db/migrate.ts");
  const db = await openDatabase({ ...config.database });
  try {
    await migrate(db);
    const count = await rotateCredentials(config, db);
    console.log(
      `Re-encrypted ${count} credential${count === 1 ? "" : "s"} under key ${await vaultFor(config).currentKeyId}.`,
    );
  } finally {
    await db.close();
  }
}
