import { deepStrictEqual, equal, match, notEqual, ok } from "node:assert/strict";
import { sql } from "drizzle-orm";
import { rows } from "../db/rows.ts";
import { closeSharedAppsAfterAll, cookieFrom, testEachBackend } from "./support/test_app.ts";

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

testEachBackend("ten failed logins a minute from one address answer 429 for any email from it", async (t) => {
  const ip = `203.0.113.${Math.floor(Math.random() * 200)}`;
  for (let i = 0; i < 10; i++) {
    await t.call("/api/auth/login", { body: { email: `nobody-${i}-${ip}@example.com`, password: "x" }, ip });
  }
  const { email, password } = await t.signUp();
  equal((await t.call("/api/auth/login", { body: { email, password }, ip })).status, 429);
  equal((await t.call("/api/auth/login", { body: { email, password }, ip: "192.0.2.200" })).status, 200);
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

closeSharedAppsAfterAll();
