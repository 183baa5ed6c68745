/** Artifacts: one row per version; the newest version is the artifact. Run inside asUser. */
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { artifacts } from "../schema.ts";

export type ArtifactRow = typeof artifacts.$inferSelect;

/** One version of an artifact, the newest when `version` is not given. */
export async function findArtifact(db: Db, artifactId: string, version?: number): Promise<ArtifactRow | undefined> {
  const [row] = await db.select().from(artifacts)
    .where(and(eq(artifacts.artifactId, artifactId), version ? eq(artifacts.version, version) : undefined))
    .orderBy(desc(artifacts.version))
    .limit(1);
  return row;
}

/** Every version of an artifact, newest first, without their data. */
export async function listVersions(db: Db, artifactId: string) {
  return await db.select({
    version: artifacts.version,
    name: artifacts.name,
    createdAt: artifacts.createdAt,
    createdBy: artifacts.createdBy,
  }).from(artifacts).where(eq(artifacts.artifactId, artifactId)).orderBy(desc(artifacts.version));
}

/** The newest version of each artifact in a session (or workspace), newest artifact first. */
export async function listLatest(
  db: Db,
  filter: { sessionId?: string; workspaceId?: string; limit: number },
): Promise<ArtifactRow[]> {
  const latest = db.selectDistinctOn([artifacts.artifactId]).from(artifacts).where(and(
    filter.sessionId ? eq(artifacts.sessionId, filter.sessionId) : undefined,
    filter.workspaceId ? eq(artifacts.workspaceId, filter.workspaceId) : undefined,
  )).orderBy(artifacts.artifactId, desc(artifacts.version)).as("latest");
  return await db.select().from(latest).orderBy(sql`${latest.createdAt} desc`).limit(filter.limit) as ArtifactRow[];
}

/** Inserts several artifact versions in one statement; rows come back in the order given. */
export async function insertArtifacts(db: Db, values: (typeof artifacts.$inferInsert)[]): Promise<ArtifactRow[]> {
  const ids = values.map((v) => v.id ?? crypto.randomUUID());
  const inserted = await db.insert(artifacts).values(values.map((v, i) => ({ ...v, id: ids[i] }))).returning();
  const byId = new Map(inserted.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id)!);
}
