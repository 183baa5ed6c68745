/** A workspace's own model settings (one row per workspace). RLS: members read, owners write. */
import { eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { workspaceLlmSettings } from "../schema.ts";

export type LlmSettingsRow = typeof workspaceLlmSettings.$inferSelect;

export async function findLlmSettings(db: Db, workspaceId: string): Promise<LlmSettingsRow | undefined> {
  const [row] = await db.select().from(workspaceLlmSettings).where(eq(workspaceLlmSettings.workspaceId, workspaceId));
  return row;
}

export async function saveLlmSettings(
  db: Db,
  values: typeof workspaceLlmSettings.$inferInsert,
): Promise<LlmSettingsRow> {
  const [row] = await db.insert(workspaceLlmSettings).values(values).onConflictDoUpdate({
    target: workspaceLlmSettings.workspaceId,
    set: { ...values, updatedAt: new Date() },
  }).returning();
  return row;
}

export async function deleteLlmSettings(db: Db, workspaceId: string): Promise<boolean> {
  const deleted = await db.delete(workspaceLlmSettings).where(eq(workspaceLlmSettings.workspaceId, workspaceId))
    .returning({ id: workspaceLlmSettings.workspaceId });
  return deleted.length > 0;
}
