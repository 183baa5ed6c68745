/**
 * Accepts Supabase Auth access tokens when Supabase is configured. With SUPABASE_JWT_SECRET the
 * token's HS256 signature is checked locally (jose); with only SUPABASE_URL, supabase-js checks it
 * against the project's published keys (`auth.getClaims`).
 */
import { jwtVerify } from "jose";
import type { Config } from "../config.ts";

/** The identity a verified token carries. */
export interface SupabaseIdentity {
  sub: string;
  email: string;
  name: string;
}

/** Verifies a token; resolves undefined when it is not valid. */
export type SupabaseVerifier = (token: string) => Promise<SupabaseIdentity | undefined>;

/** A verifier for the configured project, or undefined when Supabase is not configured. */
export function supabaseVerifier(config: Config["supabase"], fetchImpl: typeof fetch): SupabaseVerifier | undefined {
  if (config.jwtSecret) {
    const key = new TextEncoder().encode(config.jwtSecret);
    return async (token) => {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ["HS256"],
          audience: "authenticated",
          issuer: config.url ? `${config.url.replace(/\/$/, "")}/auth/v1` : undefined,
        });
        return identityFrom(payload);
      } catch {
        return undefined;
      }
    };
  }
  if (config.url) {
    const url = config.url;
    const anonKey = config.anonKey ?? "";
    let client: Promise<
      { auth: { getClaims(jwt: string): Promise<{ data: { claims: Record<string, unknown> } | null }> } }
    >;
    return async (token) => {
      client ??= import("@supabase/supabase-js").then(({ createClient }) =>
        createClient(url, anonKey, {
          auth: { persistSession: false, autoRefreshToken: false },
          global: { fetch: fetchImpl },
        })
      );
      try {
        const { data } = await (await client).auth.getClaims(token);
        return data ? identityFrom(data.claims) : undefined;
      } catch {
        return undefined;
      }
    };
  }
  return undefined;
}

function identityFrom(claims: Record<string, unknown>): SupabaseIdentity | undefined {
  if (typeof claims.sub !== "string" || typeof claims.email !== "string" || !claims.email) return undefined;
  if (claims.role !== undefined && claims.role !== "authenticated") return undefined;
  const meta = (claims.user_metadata ?? {}) as Record<string, unknown>;
  const name = typeof meta.full_name === "string" ? meta.full_name : typeof meta.name === "string" ? meta.name : "";
  return { sub: claims.sub, email: claims.email, name };
}
