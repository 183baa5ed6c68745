/**
 * Bearer secrets (session cookies, API tokens): 32 random bytes, shown to their owner once and
 * stored only as a SHA-256 hash, so a database leak yields nothing that signs anyone in.
 */
import { createHash } from "node:crypto";
import { encodeBase64Url } from "../encoding.ts";

/** The prefix that tells our API tokens from other bearer credentials (Supabase JWTs). */
export const API_TOKEN_PREFIX = "wst_";

/** A new random token with a readable prefix, e.g. `wst_…` for API tokens. */
export function newToken(prefix = ""): string {
  return prefix + encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * The stored form of a token: its SHA-256 as 64 hex digits. Synchronous node:crypto, since
 * Web Crypto's digest costs ~150 µs of scheduling per call on Deno, and every shared page and
 * signed-in request hashes one token. Kept async so callers need not change.
 */
export function hashToken(token: string): Promise<string> {
  return Promise.resolve(createHash("sha256").update(token, "utf8").digest("hex"));
}
