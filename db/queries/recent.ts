/** The newest items of each kind the caller can see; RLS decides which workspaces count. */
import { desc } from "drizzle-orm";
import type { Db } from "../client.ts";
import { dashboards, workflows } from "../schema.ts";

// Chat and connectors have pages of their own; these sections still list plainly.
const KINDS = {
  dashboards: { table: dashboards, name: dashboards.name },
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
