/** Supabase Auth access tokens, signed by the test: HS256 with the JWT secret, ES256 via JWKS. */
import { equal } from "node:assert/strict";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { closeSharedAppsAfterAll, testEachBackend } from "./support/test_app.ts";

const JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters";
const SUPABASE_URL = "http://127.0.0.1:54321";

function claims(sub: string, email: string) {
  return { sub, email, role: "authenticated", user_metadata: { full_name: "Sue Pabase" } };
}

testEachBackend("a Supabase HS256 token signs in, and makes the user a workspace on first sight", async (t) => {
  const sub = crypto.randomUUID();
  const token = await new SignJWT(claims(sub, `${sub}@supabase.test`))
    .setProtectedHeader({ alg: "HS256" })
    .setAudience("authenticated")
    .setIssuer(`${SUPABASE_URL}/auth/v1`)
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(JWT_SECRET));
  const first = await t.call("/api/me", { token });
  equal(first.status, 200);
  const me = first.body as { user: { email: string; name: string; id: string }; workspaces: { role: string }[] };
  equal(me.user.email, `${sub}@supabase.test`);
  equal(me.user.name, "Sue Pabase");
  equal(me.workspaces[0].role, "owner");
  const again = (await t.call("/api/me", { token })).body as typeof me;
  equal(again.user.id, me.user.id);

  const forged = await new SignJWT(claims(sub, `${sub}@supabase.test`))
    .setProtectedHeader({ alg: "HS256" }).setAudience("authenticated").setExpirationTime("5m")
    .sign(new TextEncoder().encode("another-secret-another-secret-another"));
  equal((await t.call("/api/me", { token: forged })).status, 401);
  const expired = await new SignJWT(claims(sub, `${sub}@supabase.test`))
    .setProtectedHeader({ alg: "HS256" }).setAudience("authenticated").setIssuer(`${SUPABASE_URL}/auth/v1`)
    .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
    .sign(new TextEncoder().encode(JWT_SECRET));
  equal((await t.call("/api/me", { token: expired })).status, 401);
}, { SUPABASE_URL, SUPABASE_JWT_SECRET: JWT_SECRET });

// A stand-in for the project's Auth server: it only publishes the signing keys.
const { publicKey, privateKey } = await generateKeyPair("ES256");
const jwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "ES256", use: "sig" };
let jwksServer: Deno.HttpServer<Deno.NetAddr> | undefined;
function jwksUrl(): string {
  jwksServer ??= Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    if (new URL(req.url).pathname === "/auth/v1/.well-known/jwks.json") return Response.json({ keys: [jwk] });
    return new Response("not found", { status: 404 });
  });
  return `http://127.0.0.1:${jwksServer.addr.port}`;
}

testEachBackend("with only SUPABASE_URL, supabase-js verifies ES256 tokens against the project's JWKS", async (t) => {
  const url = t.deps.config.supabase.url!;
  const sub = crypto.randomUUID();
  const token = await new SignJWT(claims(sub, `${sub}@jwks.test`))
    .setProtectedHeader({ alg: "ES256", kid: "test-key" })
    .setAudience("authenticated")
    .setIssuer(`${url}/auth/v1`)
    .setExpirationTime("5m")
    .sign(privateKey);
  const res = await t.call("/api/me", { token });
  equal(res.status, 200, res.text);
  equal((res.body as { user: { email: string } }).user.email, `${sub}@jwks.test`);
  const { privateKey: otherKey } = await generateKeyPair("ES256");
  const forged = await new SignJWT(claims(sub, `${sub}@jwks.test`))
    .setProtectedHeader({ alg: "ES256", kid: "test-key" }).setAudience("authenticated").setExpirationTime("5m")
    .sign(otherKey);
  equal((await t.call("/api/me", { token: forged })).status, 401);
}, { SUPABASE_URL: jwksUrl(), SUPABASE_ANON_KEY: "anon-key-for-tests" });

closeSharedAppsAfterAll();
Deno.test({
  name: "(stop the JWKS server)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => await jwksServer?.shutdown(),
});
