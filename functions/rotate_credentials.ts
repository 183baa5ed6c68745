/**
 * Key rotation: re-encrypts every stored credential under the current APP_SECRET's key. Run it
 * after moving the old secret to APP_SECRET_PREVIOUS and setting a new APP_SECRET:
 *
 *   APP_SECRET=new APP_SECRET_PREVIOUS=old deno task rotate-keys
 *
 * Each row is re-sealed in its own short transaction and only if it still holds what was read,
 * so a connector edited meanwhile is left with its newer credentials.
 */
import { and, eq, isNotNull, ne } from "drizzle-orm";
import type { Config } from "../lib/config.ts";
import type { Database } from "../db/client.ts";
import { connectors } from "../db/schema.ts";
import { vaultFor } from "../lib/crypto/vault.ts";

/** Re-seals the credentials not under the current key; returns how many. */
export async function rotateCredentials(config: Config, db: Database): Promise<number> {
  const vault = vaultFor(config);
  const current = await vault.currentKeyId;
  const stale = await db.orm.select({
    id: connectors.id,
    workspaceId: connectors.workspaceId,
    ciphertext: connectors.credentialsCiphertext,
    keyId: connectors.credentialsKeyId,
  }).from(connectors).where(and(isNotNull(connectors.credentialsCiphertext), ne(connectors.credentialsKeyId, current)));
  let rotated = 0;
  for (const row of stale) {
    const sealed = { ciphertext: new Uint8Array(row.ciphertext!), keyId: row.keyId! };
    const plain = await vault.open(row.workspaceId, row.id, sealed);
    const next = await vault.seal(row.workspaceId, row.id, plain);
    const updated = await db.orm.update(connectors)
      .set({ credentialsCiphertext: next.ciphertext, credentialsKeyId: next.keyId })
      .where(and(eq(connectors.id, row.id), eq(connectors.credentialsKeyId, row.keyId!)))
      .returning({ id: connectors.id });
    rotated += updated.length;
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
