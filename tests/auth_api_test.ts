import { deepStrictEqual, equal, match, notEqual, ok } from "node:assert/strict";
import { sql } from "drizzle-orm";
import { rows } from "../db/rows.ts";
import { closeSharedAppsAfterAll, cookieFrom, type TestApp, testEachBackend } from "./support/test_app.ts";
import { verifyPassword } from "../lib/auth/password.ts";
import { encodeBase64 } from "../lib/encoding.ts";

type Me = { user: { id: string; email: string }; workspaces: { id: string; name: string; role: string }[] };

testEachBackend("signup creates the user, a personal workspace and an HttpOnly Lax session", async (t) => {
  const res = await t.call("/api/auth/signup", {
    body: { email: "Ada@Example.com", password: "lovelace-1843", name: "Ada" },
  });
  equal(res.status, 201);
  const body = res.body as {
    user: { id: string; email: string; name: string };
    workspace: { id: string; name: string };
  };
  deepStrictEqual(Object.keys(body.user).sort(), ["email", "id", "name"]);
  equal(body.user.email, "ada@example.com");
  equal(body.workspace.name, "Ada's workspace");
  const setCookie = res.headers.getSetCookie()[0];
  match(setCookie, /^session=[\w-]{43}; /);
  match(setCookie, /HttpOnly/);
  match(setCookie, /SameSite=Lax/);
  match(setCookie, /Path=\//);

  const me = await t.call("/api/me", { cookie: cookieFrom(res.headers) });
  equal(me.status, 200);
  deepStrictEqual((me.body as Me).workspaces, [{ id: body.workspace.id, name: "Ada's workspace", role: "owner" }]);
});

testEachBackend("signup refuses a taken email in any case with 409 and a short password with 400", async (t) => {
  const { email } = await t.signUp();
  const again = await t.call("/api/auth/signup", {
    body: { email: email.toUpperCase(), password: "another-password" },
  });
  equal(again.status, 409);
  equal((again.body as { error: { code: string } }).error.code, "email_taken");
  const short = await t.call("/api/auth/signup", { body: { email: "short@example.com", password: "1234567" } });
  equal(short.status, 400);
  const error = (short.body as { error: { code: string; details: { path: string }[] } }).error;
  equal(error.code, "invalid_request");
  equal(error.details[0].path, "password");
});

testEachBackend("passwords and session tokens are stored only as hashes", async (t) => {
  const { user, cookie, password } = await t.signUp();
  const [{ password_hash: hash }] = await rows<{ password_hash: string }>(
    t.deps.db.orm,
    sql`select password_hash from users where id = ${user.id}`,
  );
  match(hash, /^pbkdf2-sha256\$600000\$/);
  ok(!hash.includes(password));
  const token = cookie.split("=")[1];
  const [{ n }] = await rows<{ n: number }>(
    t.deps.db.orm,
    sql`select count(*)::int as n from sessions where token_hash = ${token}`,
  );
  equal(n, 0);
});

testEachBackend(
  "login answers 200 with a new session, and 401 alike for a wrong password or an unknown email",
  async (t) => {
    const { email, password } = await t.signUp();
    const ok200 = await t.call("/api/auth/login", { body: { email, password } });
    equal(ok200.status, 200);
    equal((ok200.body as Me).user.email, email);
    equal((await t.call("/api/me", { cookie: cookieFrom(ok200.headers) })).status, 200);

    const wrong = await t.call("/api/auth/login", { body: { email, password: "not it at all" } });
    const unknown = await t.call("/api/auth/login", { body: { email: "nobody@example.com", password } });
    equal(wrong.status, 401);
    equal(unknown.status, 401);
    deepStrictEqual(wrong.body, unknown.body);
  },
);

testEachBackend("logout revokes the session at once", async (t) => {
  const { cookie } = await t.signUp();
  const out = await t.call("/api/auth/logout", { method: "POST", cookie });
  equal(out.status, 204);
  match(out.headers.getSetCookie()[0], /session=; Max-Age=0/);
  equal((await t.call("/api/me", { cookie })).status, 401);
});

testEachBackend("anonymous and bogus credentials get 401 on /api/me", async (t) => {
  equal((await t.call("/api/me")).status, 401);
  equal((await t.call("/api/me", { cookie: "session=made-up" })).status, 401);
  equal((await t.call("/api/me", { token: "wst_made-up" })).status, 401);
  const res = await t.call("/api/me", { token: "not-a-known-kind" });
  equal(res.status, 401);
  equal((res.body as { error: { code: string } }).error.code, "unauthorized");
});

testEachBackend("API tokens: shown once, work as Bearer, listed without secrets, revocable", async (t) => {
  const { cookie, user } = await t.signUp();
  const created = await t.call("/api/tokens", { body: { name: "CI" }, cookie });
  equal(created.status, 201);
  const { id, token } = created.body as { id: string; token: string };
  match(token, /^wst_[\w-]{43}$/);

  const me = await t.call("/api/me", { token });
  equal((me.body as Me).user.id, user.id);

  const list = await t.call("/api/tokens", { token });
  const listed = list.body as { items: Record<string, unknown>[]; next_cursor: string | null };
  equal(listed.items.length, 1);
  equal(listed.items[0].id, id);
  ok(!list.text.includes(token), "the list must not contain the secret");
  equal(listed.next_cursor, null);

  equal((await t.call(`/api/tokens/${id}`, { method: "DELETE", cookie })).status, 204);
  equal((await t.call("/api/me", { token })).status, 401);
  equal((await t.call(`/api/tokens/${id}`, { method: "DELETE", cookie })).status, 404);
});

testEachBackend("another user's token id is a 404, and their token keeps working", async (t) => {
  const alice = await t.signUp();
  const bob = await t.signUp();
  const created = await t.call("/api/tokens", { body: { name: "alice's" }, cookie: alice.cookie });
  const { id, token } = created.body as { id: string; token: string };
  equal((await t.call(`/api/tokens/${id}`, { method: "DELETE", cookie: bob.cookie })).status, 404);
  equal(((await t.call("/api/tokens", { cookie: bob.cookie })).body as { items: unknown[] }).items.length, 0);
  equal((await t.call("/api/me", { token })).status, 200);
});

testEachBackend("token lists page with limit and cursor", async (t) => {
  const { cookie } = await t.signUp();
  for (const name of ["a", "b", "c"]) await t.call("/api/tokens", { body: { name }, cookie });
  const first = (await t.call("/api/tokens?limit=2", { cookie })).body as {
    items: { name: string }[];
    next_cursor: string;
  };
  deepStrictEqual(first.items.map((i) => i.name), ["c", "b"]);
  const second = (await t.call(`/api/tokens?limit=2&cursor=${first.next_cursor}`, { cookie })).body as {
    items: { name: string }[];
    next_cursor: string | null;
  };
  deepStrictEqual(second.items.map((i) => i.name), ["a"]);
  equal(second.next_cursor, null);
  equal((await t.call("/api/tokens?limit=101", { cookie })).status, 400);
  equal((await t.call("/api/tokens?cursor=garbage", { cookie })).status, 400);
});

testEachBackend(
  "ten failed logins a minute for one email answer 429 with Retry-After, even with the right password",
  async (t) => {
    const { email, password } = await t.signUp();
    for (let i = 0; i < 10; i++) {
      const res = await t.call("/api/auth/login", { body: { email, password: `wrong-${i}` }, ip: `198.51.100.${i}` });
      equal(res.status, 401);
    }
    const limited = await t.call("/api/auth/login", { body: { email, password }, ip: "198.51.100.99" });
    equal(limited.status, 429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    equal((limited.body as { error: { code: string } }).error.code, "rate_limited");
  },
);

testEachBackend(
  "40 wrong passwords at once for one email: exactly 10 are checked (401), the rest get 429",
  async (t) => {
    const { email, password } = await t.signUp();
    const ip = randomAddress();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => t.call("/api/auth/login", { body: { email, password: `wrong-${i}` }, ip })),
    );
    const statuses = results.map((r) => r.status);
    equal(statuses.filter((s) => s === 401).length, 10, statuses.join(" "));
    equal(statuses.filter((s) => s === 429).length, 30, statuses.join(" "));
    for (const limited of results.filter((r) => r.status === 429)) ok(Number(limited.headers.get("retry-after")) >= 1);
    // The account is locked for the minute, for the right password too.
    equal((await t.call("/api/auth/login", { body: { email, password }, ip: randomAddress() })).status, 429);
  },
);

testEachBackend(
  "failures from one address slow it down but never refuse another user's right password there",
  async (t) => {
    const ip = randomAddress();
    const { email, password } = await t.signUp();
    for (let i = 0; i < 10; i++) {
      const res = await t.call("/api/auth/login", {
        body: { email: `nobody-${i}-${ip}@example.com`, password: "x" },
        ip,
      });
      equal(res.status, 401);
    }
    const started = performance.now();
    const res = await t.call("/api/auth/login", { body: { email, password }, ip });
    const elapsed = performance.now() - started;
    equal(res.status, 200, res.text);
    // Ten failures before it: (10 - 5 + 1) × 250 ms of delay before the password is checked.
    ok(elapsed >= 1400, `the attempt waited ${Math.round(elapsed)} ms`);
    // Another address is not slowed by this one's failures.
    const elsewhere = performance.now();
    equal((await t.call("/api/auth/login", { body: { email, password }, ip: randomAddress() })).status, 200);
    ok(performance.now() - elsewhere < elapsed, "another address waits less");
  },
);

testEachBackend(
  "past 100 failures a minute from one address, its wrong passwords get 429 and right ones still sign in",
  async (t) => {
    const ip = randomAddress();
    const { email, password } = await t.signUp();
    // 100 failures within the minute, as the limiter records them (sending 100 would take minutes of delays).
    await t.deps.db.orm.execute(
      sql`insert into rate_limit_events (bucket, at) select ${`login:ip:${ip}`}, now() from generate_series(1, 100)`,
    );
    const wrong = await t.call("/api/auth/login", { body: { email, password: "not it" }, ip });
    equal(wrong.status, 429, wrong.text);
    ok(Number(wrong.headers.get("retry-after")) >= 1);
    equal((await t.call("/api/auth/login", { body: { email, password }, ip })).status, 200);
  },
);

testEachBackend("X-Forwarded-For is ignored unless TRUSTED_PROXIES names the peer", async (t) => {
  const spoofed = randomAddress();
  const { email, password, user } = await t.signUp();
  await t.call("/api/auth/login", {
    body: { email, password },
    ip: "10.1.2.3",
    headers: { "x-forwarded-for": spoofed },
  });
  deepStrictEqual(await sessionAddresses(t, user.id), ["127.0.0.1", "10.1.2.3"]);
  // Nor can a made-up header spread one address's failures over many: they count against the peer.
  for (let i = 0; i < 6; i++) {
    await t.call("/api/auth/login", {
      body: { email: `nobody-${i}@example.com`, password: "x" },
      ip: "10.9.9.9",
      headers: { "x-forwarded-for": randomAddress() },
    });
  }
  const [{ n }] = await rows<{ n: number }>(
    t.deps.db.orm,
    sql`select count(*)::int as n from rate_limit_events where bucket = 'login:ip:10.9.9.9'`,
  );
  equal(n, 6);
});

testEachBackend(
  "behind a trusted proxy the client is the right-most untrusted X-Forwarded-For hop",
  async (t) => {
    const { email, password, user } = await t.signUp();
    const viaProxy = (ip: string, xff: string) =>
      t.call("/api/auth/login", { body: { email, password }, ip, headers: { "x-forwarded-for": xff } });
    equal((await viaProxy("10.0.0.7", "198.51.100.23")).status, 200);
    // The client wrote the left hop itself; our proxies (10.0.0.0/8) added the right ones.
    equal((await viaProxy("10.0.0.7", "1.2.3.4, 198.51.100.24, 10.0.0.9")).status, 200);
    // A peer that is not a trusted proxy is the client, whatever it forwards.
    equal((await viaProxy("192.0.2.50", "198.51.100.25")).status, 200);
    // A malformed hop ends the walk: nothing to its left is believed.
    equal((await viaProxy("10.0.0.7", "198.51.100.26, not-an-address")).status, 200);
    deepStrictEqual(
      (await sessionAddresses(t, user.id)).sort(),
      ["10.0.0.7", "127.0.0.1", "192.0.2.50", "198.51.100.23", "198.51.100.24"].sort(),
    );
  },
  { TRUSTED_PROXIES: "10.0.0.0/8, ::1" },
);

testEachBackend("a password typed in another Unicode form (NFC at sign-up, NFD at sign-in) signs in", async (t) => {
  const nfc = "Crème brûlée à deux".normalize("NFC");
  const nfd = nfc.normalize("NFD");
  ok(nfc !== nfd);
  const { email } = await t.signUp({ password: nfc });
  equal((await t.call("/api/auth/login", { body: { email, password: nfd } })).status, 200);
  // Compatibility forms too (NFKC): a full-width "Ａ" is an "A".
  const wide = await t.signUp({ password: "ＡＢＣ-password" });
  equal((await t.call("/api/auth/login", { body: { email: wide.email, password: "ABC-password" } })).status, 200);
});

testEachBackend("a hash made from an un-normalised password still signs in, and is re-hashed as NFKC", async (t) => {
  const nfd = "Crème brûlée à deux".normalize("NFD");
  const { email, user } = await t.signUp({ password: "placeholder-password" });
  // A hash of the raw NFD form, as sign-up stored it before passwords were normalised.
  const legacy = await legacyHash(nfd);
  await t.deps.db.orm.execute(sql`update users set password_hash = ${legacy} where id = ${user.id}`);
  equal((await t.call("/api/auth/login", { body: { email, password: nfd } })).status, 200);
  const [{ password_hash: after }] = await rows<{ password_hash: string }>(
    t.deps.db.orm,
    sql`select password_hash from users where id = ${user.id}`,
  );
  ok(after !== legacy, "re-hashed");
  ok((await verifyPassword(nfd.normalize("NFKC"), after)).ok);
  equal((await t.call("/api/auth/login", { body: { email, password: nfd.normalize("NFC") } })).status, 200);
});

testEachBackend(
  "cookie requests from another origin are refused; bearer and non-browser requests are not",
  async (t) => {
    const { cookie } = await t.signUp();
    const evil = await t.call("/api/tokens", {
      body: { name: "x" },
      cookie,
      headers: { origin: "https://evil.example" },
    });
    equal(evil.status, 403);
    equal((evil.body as { error: { code: string } }).error.code, "csrf_rejected");
    const crossSite = await t.call("/api/tokens", {
      body: { name: "x" },
      cookie,
      headers: { origin: "http://localhost", "sec-fetch-site": "cross-site" },
    });
    equal(crossSite.status, 403);
    const sameOrigin = await t.call("/api/tokens", {
      body: { name: "x" },
      cookie,
      headers: { "sec-fetch-site": "same-origin" },
    });
    equal(sameOrigin.status, 201);
    const { token } = sameOrigin.body as { token: string };
    const bearer = await t.call("/api/tokens", {
      body: { name: "y" },
      token,
      headers: { origin: "https://evil.example" },
    });
    equal(bearer.status, 201);
    // Nothing changed by the refused requests.
    equal(((await t.call("/api/tokens", { cookie })).body as { items: unknown[] }).items.length, 2);
  },
);

testEachBackend("every state change leaves an audit row", async (t) => {
  const { cookie, email, password, user } = await t.signUp();
  await t.call("/api/auth/login", { body: { email, password: "wrong password" } });
  await t.call("/api/auth/login", { body: { email, password } });
  const { id } = (await t.call("/api/tokens", { body: { name: "audit" }, cookie })).body as { id: string };
  await t.call(`/api/tokens/${id}`, { method: "DELETE", cookie });
  await t.call("/api/auth/logout", { method: "POST", cookie });
  const audit = await rows<{ action: string }>(
    t.deps.db.orm,
    sql`select action from audit_logs where user_id = ${user.id} order by id`,
  );
  deepStrictEqual(audit.map((r) => r.action), [
    "user.signup",
    "user.login_failed",
    "user.login",
    "api_token.create",
    "api_token.revoke",
    "user.logout",
  ]);
  notEqual(t.logs.length, 0);
});

testEachBackend("settings signs out every other session and keeps this one", async (t) => {
  const { email, password, cookie: laptop } = await t.signUp();
  const phone = cookieFrom((await t.call("/api/auth/login", { body: { email, password } })).headers);
  const page = await t.call("/settings", { cookie: laptop });
  match(page.text, /this browser/);
  match(page.text, /Sign out of all other sessions/);
  const res = await t.call("/settings", {
    method: "POST",
    cookie: laptop,
    body: "action=sign_out_others",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  equal(res.status, 303);
  equal((await t.call("/api/me", { cookie: phone })).status, 401);
  equal((await t.call("/api/me", { cookie: laptop })).status, 200);
});

/** A random address of the benchmarking range, so tests sharing an app never share an address bucket. */
function randomAddress(): string {
  const [a, b] = crypto.getRandomValues(new Uint8Array(2));
  return `198.18.${a}.${b}`;
}

async function sessionAddresses(t: TestApp, userId: string): Promise<string[]> {
  const found = await rows<{ ip: string }>(
    t.deps.db.orm,
    sql`select ip from sessions where user_id = ${userId} order by created_at`,
  );
  return found.map((r) => r.ip);
}

/** A PBKDF2 hash of `password` exactly as typed (what hashPassword made before normalising). */
async function legacyHash(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 600_000 }, key, 256);
  return `pbkdf2-sha256$600000$${encodeBase64(salt)}$${encodeBase64(new Uint8Array(bits))}`;
}

closeSharedAppsAfterAll();
