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
import { loginDelayMs, releaseLoginSlots, takeLoginSlots } from "../lib/auth/login_limits.ts";

/** A new session: the token goes in the cookie and nowhere else. */
export interface NewSession {
  token: string;
  expiresAt: Date;
}

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
    if (!created) {
      throw new ApiError(
        409,
        "email_taken",
        "An account with this email already exists: sign in with it, or sign up with another email",
      );
    }
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
 * Checks credentials and signs in. The attempt's rate-limit slots are taken before the password is
 * checked (lib/auth/login_limits.ts): after 10 failures in a minute for one email, 429 with
 * Retry-After whatever the password; failures from one address slow its later attempts down, and
 * past 100 a minute its wrong passwords get 429, but never a right one.
 */
export async function logIn(
  deps: AppDeps,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<{ user: PublicUser; session: NewSession }> {
  const now = deps.now();
  const slots = await asSystem(deps.db, (tx) => takeLoginSlots(tx, input.email, meta.ip, now));
  if (!slots.email.slot.admitted) throw tooManyFailures(slots.email.slot.retryAfter);
  const delay = loginDelayMs(slots);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  // A single-statement read needs no transaction.
  const user = await findUserByEmail(deps.db.orm, input.email);
  // Spend the same time whether or not the account exists.
  const check = await verifyPassword(input.password, user?.passwordHash ?? DECOY_HASH);
  if (!user || !check.ok) {
    await asSystem(deps.db, (tx) => recordAudit(tx, { action: "user.login_failed", userId: user?.id }, meta));
    const address = slots.address?.slot;
    if (address && !address.admitted) throw tooManyFailures(address.retryAfter);
    throw new ApiError(401, "invalid_credentials", "Email or password is incorrect");
  }
  const rehash = check.legacy || (user.passwordHash && needsRehash(user.passwordHash))
    ? await hashPassword(input.password)
    : undefined;
  return await asSystem(deps.db, async (tx) => {
    await releaseLoginSlots(tx, slots);
    if (rehash) await updatePasswordHash(tx, user.id, rehash);
    const session = await startSession(tx, user.id, now, meta);
    await recordAudit(tx, { action: "user.login", userId: user.id }, meta);
    return { user: publicUser(user), session };
  });
}

function tooManyFailures(wait: number): ApiError {
  return new ApiError(429, "rate_limited", `Too many failed sign-in attempts: try again in ${wait} seconds`, {
    retryAfter: wait,
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
