/** The typed per-request values of the Hono app (`c.get(...)`). */
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
  };
}

/** Request facts for audit rows and rate limits. */
export function requestMeta(
  c: { get(key: "requestId"): string; req: { header(name: string): string | undefined } },
  ip?: string,
): RequestMeta {
  return { requestId: c.get("requestId"), ip, userAgent: c.req.header("user-agent") };
}
