/**
 * Password hashing with PBKDF2-HMAC-SHA256 through Web Crypto (runs on Deno Deploy too), at
 * OWASP's 600,000 iterations. The stored form carries its parameters, so the count can be
 * raised later and old hashes still verify (`needsRehash` says when to upgrade one).
 */
import { decodeBase64, encodeBase64 } from "../encoding.ts";

const ITERATIONS = 600_000;
const encoder = new TextEncoder();

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256),
  );
}

/**
 * The form of a password that is hashed: Unicode NFKC (NIST SP 800-63B 5.1.1.2), so the same
 * characters typed on two keyboards (precomposed "é" on one, "e" + combining accent on another,
 * which macOS and Windows produce for the same key) are the same password.
 */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

/** Hashes a password (normalised first) as `pbkdf2-sha256$<iterations>$<salt>$<hash>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(normalizePassword(password), salt, ITERATIONS);
  return `pbkdf2-sha256$${ITERATIONS}$${encodeBase64(salt)}$${encodeBase64(hash)}`;
}

/**
 * Checks a password against a stored hash in constant time: its NFKC form first, then, when that
 * fails and the typed form differs, the typed form itself, because hashes made before passwords
 * were normalised hold the typed form. `legacy` says the typed form matched: re-hash it then.
 */
export async function verifyPassword(password: string, stored: string): Promise<{ ok: boolean; legacy: boolean }> {
  const normalized = normalizePassword(password);
  if (await matches(normalized, stored)) return { ok: true, legacy: false };
  if (normalized !== password && await matches(password, stored)) return { ok: true, legacy: true };
  return { ok: false, legacy: false };
}

async function matches(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, expected] = stored.split("$");
  if (scheme !== "pbkdf2-sha256" || !salt || !expected) return false;
  const actual = await derive(password, decodeBase64(salt), Number(iterations));
  return timingSafeEqual(actual, decodeBase64(expected));
}

/** True when a stored hash used weaker parameters than today's. */
export function needsRehash(stored: string): boolean {
  return Number(stored.split("$")[1]) < ITERATIONS;
}

/** A hash that no password matches, to spend the same time when the user does not exist. */
export const DECOY_HASH =
  `pbkdf2-sha256$${ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;

/** Compares two byte arrays without an early exit. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
