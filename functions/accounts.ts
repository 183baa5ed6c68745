/** Accounts: sign up, log in, log out. Each is one unit of work with its audit row. */
import type { AppDeps, RequestMeta } from "../lib/deps.ts";
import { ApiError } from "../lib/http/errors.ts";
import { DECOY_HASH, hashPassword, needsRehash, verifyPassword } from "../lib/auth/password.ts";
import { hashToken, newToken } from "../lib/auth/secret_tokens.ts";
import { SESSION_TTL_MS } from "../lib/auth/session_cookie.ts";
import { asSystem, asUser } from "../db/rls.ts";
import type { Db } from "../db/client.ts";
import {
  createUserWithWorkspace,
  findUserByEmail,
  type PublicUser,
  publicUser,
  updatePasswordHash,
} from "../db/queries/users.ts";
import { insertSession, revokeOtherSessions, revokeSession } from "../db/queries/sessions.ts";
import { recordAudit } from "../db/queries/audit.ts";
import { recordEvents, retryAfterSeconds } from "../db/queries/rate_limits.ts";

/** A new session: the token goes in the cookie and nowhere else. */
export interface NewSession {
  token: string;
  expiresAt: Date;
}

const LOGIN_FAILURE_LIMIT = 10;
const LOGIN_WINDOW_MS = 60_000;

async function startSession(db: Db, userId: string, now: Date, meta: RequestMeta): Promise<NewSession> {
  const token = newToken();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await insertSession(db, {
    userId,
    tokenHash: await hashToken(token),
    expiresAt,
    userAgent: meta.userAgent?.slice(0, 300),
    ip: meta.ip,
  });
  return { token, expiresAt };
}

/** Creates an account with its personal workspace and signs it in. 409 when the email is taken. */
export async function signUp(
  deps: AppDeps,
  input: { email: string; password: string; name?: string },
  meta: RequestMeta,
): Promise<{ user: PublicUser; workspace: { id: string; name: string }; session: NewSession }> {
  const passwordHash = await hashPassword(input.password);
  const now = deps.now();
  return await asSystem(deps.db, async (tx) => {
    const created = await createUserWithWorkspace(tx, { email: input.email, name: input.name ?? "", passwordHash });
    if (!created) throw new ApiError(409, "email_taken", "An account with this email already exists");
    const session = await startSession(tx, created.user.id, now, meta);
    await recordAudit(tx, {
      action: "user.signup",
      userId: created.user.id,
      workspaceId: created.workspace.id,
      targetType: "user",
      targetId: created.user.id,
    }, meta);
    return { user: publicUser(created.user), workspace: created.workspace, session };
  });
}

/**
 * Checks credentials and signs in. After 10 failures in a minute for one email or one address,
 * answers 429 with Retry-After, whatever the password.
 */
export async function logIn(
  deps: AppDeps,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<{ user: PublicUser; session: NewSession }> {
  const now = deps.now();
  const buckets = [`login:email:${input.email.toLowerCase()}`];
  if (meta.ip) buckets.push(`login:ip:${meta.ip}`);
  // Single-statement reads (this and the user lookup) need no transaction.
  const wait = await retryAfterSeconds(deps.db.orm, buckets, LOGIN_FAILURE_LIMIT, LOGIN_WINDOW_MS, now);
  if (wait > 0) {
    throw new ApiError(429, "rate_limited", `Too many failed sign-in attempts: try again in ${wait} seconds`, {
      retryAfter: wait,
    });
  }
  const user = await findUserByEmail(deps.db.orm, input.email);
  // Spend the same time whether or not the account exists.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? DECOY_HASH);
  if (!user || !ok) {
    await asSystem(deps.db, async (tx) => {
      await recordEvents(tx, buckets, LOGIN_WINDOW_MS, now);
      await recordAudit(tx, { action: "user.login_failed", userId: user?.id }, meta);
    });
    throw new ApiError(401, "invalid_credentials", "Email or password is incorrect");
  }
  const rehash = user.passwordHash && needsRehash(user.passwordHash) ? await hashPassword(input.password) : undefined;
  return await asSystem(deps.db, async (tx) => {
    if (rehash) await updatePasswordHash(tx, user.id, rehash);
    const session = await startSession(tx, user.id, now, meta);
    await recordAudit(tx, { action: "user.login", userId: user.id }, meta);
    return { user: publicUser(user), session };
  });
}

/** Ends a browser session at once. */
export async function logOut(deps: AppDeps, userId: string, sessionId: string, meta: RequestMeta): Promise<void> {
  await asUser(deps.db, userId, async (tx) => {
    await revokeSession(tx, sessionId, deps.now());
    await recordAudit(tx, { action: "user.logout", userId }, meta);
  });
}

/** Signs out every other browser of this user ("I left a session open somewhere"). */
export async function signOutOtherSessions(
  deps: AppDeps,
  userId: string,
  currentSessionId: string,
  meta: RequestMeta,
): Promise<number> {
  return await asUser(deps.db, userId, async (tx) => {
    const ended = await revokeOtherSessions(tx, userId, currentSessionId, deps.now());
    await recordAudit(tx, {
      action: "user.sessions_revoked",
      userId,
      details: { count: ended },
    }, meta);
    return ended;
  });
}
