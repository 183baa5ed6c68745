/**
 * The headers of every share response. Pages set them on their responses; `shareFraming` (in
 * lib/http/middleware/) runs outside the secure-headers middleware and applies the embed choice
 * to the CSP it wrote, since that middleware overwrites what handlers set.
 */

/** How long browsers and shared caches may keep a shared page: short, as rotation must bite soon. */
export const SHARE_CACHE_SECONDS = 30;
import { EMBED_MARKER } from "../../lib/http/middleware/share_framing.ts";

/**
 * Headers a shared page or its JSON sets itself: a short public cache, and whether it may be
 * framed. `X-Robots-Tag` and `Referrer-Policy` come from the shareFraming middleware, which puts
 * them on every share response (404s and 429s too).
 */
export function shareHeaders(allowEmbed: boolean): Record<string, string> {
  return {
    "cache-control": `public, max-age=${SHARE_CACHE_SECONDS}`,
    ...(allowEmbed ? { [EMBED_MARKER]: "1" } : {}),
  };
}
