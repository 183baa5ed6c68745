/**
 * The one check for every redirect target the app takes from input (`?next=` after sign-in and
 * sign-up): OWASP's Unvalidated Redirects and Forwards cheat sheet, resolved the way browsers
 * resolve (WHATWG URL) instead of matched by prefix.
 */

/** Longest target kept; anything longer is not a link the app made. */
const MAX_LENGTH = 2048;
/**
 * C0 and C1 controls, DEL, every Unicode space, and backslashes. Browsers drop tab and newline
 * from URLs and read `\` as `/`, so `/\t/evil.example` or `/\evil.example` become `//evil.example`,
 * another origin; a newline in a Location header is a 500. None belongs in a path we made.
 */
// deno-lint-ignore no-control-regex
const REFUSED = /[\u0000-\u001f\u007f-\u009f\s\\]/u;

/**
 * Resolves `target` against `origin` (the app's public origin: APP_URL, else the request's) and
 * returns its path, query and fragment when it stays on that origin, else `fallback`. Refused:
 * control characters, whitespace and backslashes anywhere, targets over 2 KiB, other origins
 * (`//host`, `https://host`, `javascript:`, `data:`), and any result whose path starts with `//`
 * (a protocol-relative URL once it is a Location header again).
 *
 * @example safeRedirectPath("/chat?x=1#a", "https://app.example", "/chat") // "/chat?x=1#a"
 * @example safeRedirectPath("/\t/evil.example/", "https://app.example", "/chat") // "/chat"
 */
export function safeRedirectPath(target: string | null | undefined, origin: string | URL, fallback: string): string {
  if (!target || target.length > MAX_LENGTH || REFUSED.test(target)) return fallback;
  const base = new URL(origin);
  let url: URL;
  try {
    url = new URL(target, base.origin);
  } catch {
    return fallback;
  }
  if (url.origin !== base.origin || url.pathname.startsWith("//")) return fallback;
  const path = url.pathname + url.search + url.hash;
  return path.length > MAX_LENGTH ? fallback : path;
}
