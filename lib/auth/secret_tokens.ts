/**
 * Bearer secrets (session cookies, API tokens): 32 random bytes, shown to their owner once and
 * stored only as a SHA-256 hash, so a database leak yields nothing that signs anyone in.
 */
import { encodeBase64Url, encodeHex } from "../encoding.ts";

/** The prefix that tells our API tokens from other bearer credentials (Supabase JWTs). */
export const API_TOKEN_PREFIX = "wst_";

/** A new random token with a readable prefix, e.g. `wst_…` for API tokens. */
export function newToken(prefix = ""): string {
  return prefix + encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The stored form of a token. */
export async function hashToken(token: string): Promise<string> {
  return encodeHex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))));
}
