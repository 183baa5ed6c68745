/** The newest items of each kind the caller can see; RLS decides which workspaces count. */
import { desc } from "drizzle-orm";
import type { Db } from "../client.ts";
import { chatSessions, connectors, dashboards, workflows } from "../schema.ts";

const KINDS = {
  chat: { table: chatSessions, name: chatSessions.title },
  dashboards: { table: dashboards, name: dashboards.name },
  connectors: { table: connectors, name: connectors.name },
  workflows: { table: workflows, name: workflows.name },
} as const;

/** A section of the workspace shell. */
export type SectionKind = keyof typeof KINDS;

/** Up to `limit` items of a kind, most recently updated first. */
export async function listRecent(db: Db, kind: SectionKind, limit = 50) {
  const { table, name } = KINDS[kind];
  return await db.select({ id: table.id, name, updatedAt: table.updatedAt }).from(table)
    .orderBy(desc(table.updatedAt)).limit(limit);
}
