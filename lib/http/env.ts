/** The typed per-request values of the Hono app (`c.get(...)`). */
import type { Context } from "hono";
import type { Principal } from "../auth/principal.ts";
import type { RequestMeta } from "../deps.ts";

/** Hono environment of the whole app. */
export interface AppEnv {
  Variables: {
    requestId: string;
    secureHeadersNonce?: string;
    /** Resolves the caller once, on first use. */
    principal: () => Promise<Principal | null>;
    /** Set by `requireUser` on routes that need a signed-in caller. */
    user: Principal;
    /** The client's address (lib/http/middleware/client_address.ts): behind trusted proxies, from X-Forwarded-For. */
    clientIp?: string;
  };
}

/**
 * The client's address: as the client-address middleware resolved it (X-Forwarded-For only from a
 * trusted proxy), else the peer Deno.serve saw. Undefined when there is no connection (in-process).
 */
export function clientIp(c: Context<AppEnv>): string | undefined {
  return c.get("clientIp") ?? (c.env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr?.hostname;
}

/** Request facts for audit rows and rate limits. */
export function requestMeta(c: Context<AppEnv>): RequestMeta {
  return { requestId: c.get("requestId"), ip: clientIp(c), userAgent: c.req.header("user-agent") };
}
