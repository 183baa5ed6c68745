/**
 * Who is calling: a browser session cookie, an API token (`Bearer wst_…`), or a Supabase
 * access token when Supabase is configured. Resolved lazily, once per request, so static
 * files and public pages cost no query.
 */
import type { Context } from "hono";
import type { AppDeps } from "../deps.ts";
import { API_TOKEN_PREFIX, hashToken } from "./secret_tokens.ts";
import { cookieOrigin, readSessionToken } from "./session_cookie.ts";
import type { SupabaseVerifier } from "./supabase.ts";
import { asSystem } from "../../db/rls.ts";
import { findLiveSession, touchSession } from "../../db/queries/sessions.ts";
import { findLiveApiToken, touchApiToken } from "../../db/queries/api_tokens.ts";
import { createUserWithWorkspace, findUserByExternalId, type PublicUser, publicUser } from "../../db/queries/users.ts";
import { recordAudit } from "../../db/queries/audit.ts";

/** The signed-in caller. */
export interface Principal {
  user: PublicUser;
  via: "session" | "api_token" | "supabase";
  sessionId?: string;
}

// Last-seen times are kept to the nearest ten minutes, so most requests only read.
const TOUCH_EVERY_MS = 10 * 60 * 1000;
const touchDue = (last: Date | null, now: Date) => !last || now.getTime() - last.getTime() > TOUCH_EVERY_MS;

/** Reads the bearer token from `Authorization`, if any. */
function bearerToken(c: Context): string | undefined {
  const header = c.req.header("authorization");
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** Resolves the caller of `c`, or null when anonymous (an unknown or revoked credential too). */
export async function resolvePrincipal(
  deps: AppDeps,
  c: Context,
  supabase: SupabaseVerifier | undefined,
): Promise<Principal | null> {
  const now = deps.now();
  const bearer = bearerToken(c);
  if (bearer?.startsWith(API_TOKEN_PREFIX)) {
    // Reads outside a transaction: one statement needs none, and it saves two round trips.
    const row = await findLiveApiToken(deps.db.orm, await hashToken(bearer));
    if (!row) return null;
    if (touchDue(row.lastUsedAt, now)) await touchApiToken(deps.db.orm, row.tokenId, now);
    return { user: row.user, via: "api_token" };
  }
  if (bearer && supabase) {
    const identity = await supabase(bearer);
    if (!identity) return null;
    const user = await userForSupabase(deps, identity);
    if (!user) deps.log.warn("supabase user not linked: email already registered locally", { sub: identity.sub });
    return user ? { user, via: "supabase" } : null;
  }
  if (bearer) return null;
  const token = readSessionToken(c.req.header("cookie"), cookieOrigin(c.req.url, deps.config.appUrl));
  if (!token) return null;
  const row = await findLiveSession(deps.db.orm, await hashToken(token), now);
  if (!row) return null;
  if (touchDue(row.lastSeenAt, now)) await touchSession(deps.db.orm, row.sessionId, now);
  return { user: row.user, via: "session", sessionId: row.sessionId };
}

/** The local user for a Supabase identity, made (with a personal workspace) on first sight. */
async function userForSupabase(
  deps: AppDeps,
  identity: { sub: string; email: string; name: string },
): Promise<PublicUser | undefined> {
  return await asSystem(deps.db, async (tx) => {
    const existing = await findUserByExternalId(tx, identity.sub);
    if (existing) return publicUser(existing);
    const created = await createUserWithWorkspace(tx, {
      email: identity.email,
      name: identity.name,
      passwordHash: null,
      externalId: identity.sub,
    });
    // The email belongs to a local account: refuse to merge the two silently.
    if (!created) return undefined;
    await recordAudit(tx, {
      action: "user.signup",
      userId: created.user.id,
      workspaceId: created.workspace.id,
      details: { via: "supabase" },
    });
    return publicUser(created.user);
  });
}
