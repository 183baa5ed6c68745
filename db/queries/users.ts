/** Users, their profiles, and the personal workspace each one gets. */
import { eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { memberships, type User, userProfiles, users, type WorkspaceRole, workspaces } from "../schema.ts";

/** A user as the API shows them. */
export interface PublicUser {
  id: string;
  email: string;
  name: string;
}

/** The columns of a PublicUser, for queries that join users. */
export const publicUserColumns = { id: users.id, email: users.email, name: users.name };

/** The API's view of a user row: never the password hash. */
export function publicUser(user: Pick<User, "id" | "email" | "name">): PublicUser {
  return { id: user.id, email: user.email, name: user.name };
}

/** Finds a user by email, case-insensitively. */
export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`).limit(1);
  return user;
}

/** Finds a user by the id of an outside identity provider (Supabase). */
export async function findUserByExternalId(db: Db, externalId: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.externalId, externalId)).limit(1);
  return user;
}

/**
 * Creates a user with a profile and a personal workspace they own. Returns undefined when the
 * email is taken (checked by the unique index, so two signups at once cannot both win).
 */
export async function createUserWithWorkspace(
  db: Db,
  input: { email: string; name: string; passwordHash: string | null; externalId?: string },
): Promise<{ user: User; workspace: { id: string; name: string } } | undefined> {
  const [user] = await db.insert(users).values({
    email: input.email,
    name: input.name,
    passwordHash: input.passwordHash,
    externalId: input.externalId,
  }).onConflictDoNothing().returning();
  if (!user) return undefined;
  await db.insert(userProfiles).values({ userId: user.id, displayName: input.name || null });
  const [workspace] = await db.insert(workspaces).values({
    name: input.name ? `${input.name}'s workspace` : "Personal workspace",
    personal: true,
    createdBy: user.id,
  }).returning({ id: workspaces.id, name: workspaces.name });
  await db.insert(memberships).values({ workspaceId: workspace.id, userId: user.id, role: "owner" });
  return { user, workspace };
}

/** Replaces a user's password hash (after a parameter upgrade). */
export async function updatePasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, userId));
}

/** The workspaces a user belongs to, with their role; RLS limits it to the caller's own. */
export async function listWorkspacesOf(
  db: Db,
  userId: string,
): Promise<{ id: string; name: string; role: WorkspaceRole; personal: boolean }[]> {
  return await db
    .select({ id: workspaces.id, name: workspaces.name, role: memberships.role, personal: workspaces.personal })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(sql`${workspaces.personal} desc`, workspaces.createdAt);
}
