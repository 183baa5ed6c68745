/**
 * Row Level Security, proven with raw SQL in the app's role (as every request runs) and
 * through HTTP: user B can neither read, change nor delete user A's rows.
 */
import { deepStrictEqual, equal, match, ok, rejects } from "node:assert/strict";
import { type SQL, sql } from "drizzle-orm";
import { asUser } from "../db/rls.ts";
import { rows } from "../db/rows.ts";
import { closeSharedAppsAfterAll, type TestApp, testEachBackend } from "./support/test_app.ts";

/** Two users, each with a dashboard (and widget, chat, connector) in their own workspace. */
async function twoTenants(t: TestApp) {
  const a = await t.signUp({ name: "Alice" });
  const b = await t.signUp({ name: "Bob" });
  const dashboardId = await asUser(t.deps.db, a.user.id, async (tx) => {
    const [d] = await rows<{ id: string }>(
      tx,
      sql`insert into dashboards (workspace_id, name) values (${a.workspace.id}, 'Revenue') returning id`,
    );
    await tx.execute(
      sql`insert into widgets (workspace_id, dashboard_id, type) values (${a.workspace.id}, ${d.id}, 'bar')`,
    );
    await tx.execute(
      sql`insert into connectors (workspace_id, name, type) values (${a.workspace.id}, 'Warehouse', 'postgres')`,
    );
    await tx.execute(
      sql`insert into chat_sessions (workspace_id, user_id, title) values (${a.workspace.id}, ${a.user.id}, 'Q3')`,
    );
    return d.id;
  });
  return { a, b, dashboardId };
}

/** Runs one raw query as `user` in the app role, as every request does. */
function sqlAs<T = Record<string, unknown>>(t: TestApp, user: { id: string }, query: SQL): Promise<T[]> {
  return asUser(t.deps.db, user.id, (tx) => rows<T>(tx, query));
}

/** Matches a refusal by Postgres with `pattern` in the message of the error or its cause. */
const refusedWith = (pattern: RegExp) => (e: Error) =>
  pattern.test(`${e.message} ${(e.cause as Error | undefined)?.message}`);

const TENANT_TABLES = ["dashboards", "widgets", "connectors", "chat_sessions"];

testEachBackend("RLS: raw queries as the app role see only the caller's workspace rows", async (t) => {
  const { a, b } = await twoTenants(t);
  for (const table of TENANT_TABLES) {
    const asA = await sqlAs(t, a.user, sql`select * from ${sql.identifier(table)}`);
    const asB = await sqlAs(t, b.user, sql`select * from ${sql.identifier(table)}`);
    equal(asA.length, 1, `${table} as the owner`);
    equal(asB.length, 0, `${table} as another user`);
  }
  const role = await sqlAs<{ r: string; su: boolean }>(
    t,
    b.user,
    sql`select current_user as r, (select rolsuper from pg_roles where rolname = current_user) as su`,
  );
  deepStrictEqual(role, [{ r: "workspace_app", su: false }]);
});

testEachBackend("RLS: another workspace's rows cannot be updated, deleted or inserted into", async (t) => {
  const { a, b, dashboardId } = await twoTenants(t);
  const updated = await sqlAs(
    t,
    b.user,
    sql`update dashboards set name = 'pwned' where id = ${dashboardId} returning id`,
  );
  equal(updated.length, 0);
  const deleted = await sqlAs(t, b.user, sql`delete from dashboards where id = ${dashboardId} returning id`);
  equal(deleted.length, 0);
  await rejects(
    sqlAs(t, b.user, sql`insert into dashboards (workspace_id, name) values (${a.workspace.id}, 'planted')`),
    refusedWith(/row-level security/),
  );
  // Moving one's own row into another workspace is refused too (WITH CHECK).
  await rejects(
    asUser(t.deps.db, b.user.id, async (tx) => {
      await tx.execute(sql`insert into dashboards (workspace_id, name) values (${b.workspace.id}, 'mine')`);
      await tx.execute(sql`update dashboards set workspace_id = ${a.workspace.id} where name = 'mine'`);
    }),
    refusedWith(/row-level security/),
  );
  const [row] = await sqlAs<{ name: string }>(t, a.user, sql`select name from dashboards where id = ${dashboardId}`);
  equal(row.name, "Revenue");
});

testEachBackend("RLS: a viewer reads a shared workspace but cannot write to it", async (t) => {
  const { a, b, dashboardId } = await twoTenants(t);
  await sqlAs(
    t,
    a.user,
    sql`insert into memberships (workspace_id, user_id, role) values (${a.workspace.id}, ${b.user.id}, 'viewer')`,
  );
  const seen = await sqlAs(t, b.user, sql`select id from dashboards`);
  deepStrictEqual(seen, [{ id: dashboardId }]);
  const changed = await sqlAs(t, b.user, sql`update dashboards set name = 'x' where id = ${dashboardId} returning id`);
  equal(changed.length, 0);
  // A viewer cannot promote themself.
  const promoted = await sqlAs(
    t,
    b.user,
    sql`update memberships set role = 'owner' where user_id = ${b.user.id} and workspace_id = ${a.workspace.id} returning role`,
  );
  equal(promoted.length, 0);
});

testEachBackend("RLS: sessions, tokens, users and rate-limit rows of others are invisible", async (t) => {
  const { a, b } = await twoTenants(t);
  await t.call("/api/tokens", { body: { name: "a's" }, cookie: a.cookie });
  const asB = await asUser(t.deps.db, b.user.id, async (tx) => ({
    sessions: await rows<{ user_id: string }>(tx, sql`select user_id from sessions`),
    tokens: await rows(tx, sql`select id from api_tokens`),
    users: await rows<{ id: string }>(tx, sql`select id from users`),
  }));
  deepStrictEqual([...new Set(asB.sessions.map((s) => s.user_id))], [b.user.id]);
  equal(asB.tokens.length, 0);
  deepStrictEqual(asB.users.map((u) => u.id), [b.user.id]);
  await rejects(sqlAs(t, b.user, sql`select * from rate_limit_events`), refusedWith(/permission denied/));
});

testEachBackend("audit_logs are append-only, even for the owning role", async (t) => {
  const { a } = await twoTenants(t);
  await rejects(
    sqlAs(t, a.user, sql`delete from audit_logs where user_id = ${a.user.id}`),
    refusedWith(/permission denied/),
  );
  await rejects(
    t.deps.db.orm.execute(sql`update audit_logs set action = 'forged' where user_id = ${a.user.id}`),
    refusedWith(/append-only/),
  );
});

testEachBackend("RLS through HTTP: pages and /api/me list only the caller's workspace", async (t) => {
  const { a, b } = await twoTenants(t);
  const pageA = await t.call("/dashboards", { cookie: a.cookie });
  const pageB = await t.call("/dashboards", { cookie: b.cookie });
  match(pageA.text, /Revenue/);
  equal(pageB.status, 200);
  equal(pageB.text.includes("Revenue"), false);
  match(pageB.text, /No dashboards yet/);
  const me = (await t.call("/api/me", { cookie: b.cookie })).body as { workspaces: { id: string }[] };
  deepStrictEqual(me.workspaces.map((w) => w.id), [b.workspace.id]);
});

testEachBackend("RLS: a query outside a transaction never runs in another request's open transaction", async (t) => {
  const { a } = await twoTenants(t);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  // Request 1 holds a transaction open as the app role (PGlite has a single session to share).
  const inside = asUser(t.deps.db, a.user.id, async (tx) => {
    await gate;
    return await rows<{ r: string }>(tx, sql`select current_user as r`);
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  // Request 2 reads as the system meanwhile, as the session lookup does.
  const outside = rows<{ r: string; u: string | null }>(
    t.deps.db.orm,
    sql`select current_user as r, nullif(current_setting('app.user_id', true), '') as u`,
  );
  setTimeout(release, 20);
  const [[o], [i]] = await Promise.all([outside, inside]);
  equal(i.r, "workspace_app");
  ok(o.r !== "workspace_app", `the outside query ran as ${o.r}`);
  equal(o.u, null);
});

testEachBackend(
  "RLS: another workspace's workflows, executions and steps are not found; a viewer reads but cannot act",
  async (t) => {
    const a = await t.signUp({ name: "Alice" });
    const b = await t.signUp({ name: "Bob" });
    const created = await t.call("/api/workflows", {
      cookie: a.cookie,
      body: { name: "Mine", steps: [{ id: "t", type: "transform", config: { expression: "1" } }] },
    });
    const wf = created.body as { id: string };
    const run = await t.call(`/api/workflows/${wf.id}/run`, { cookie: a.cookie, body: {} });
    const executionId = (run.body as { execution_id: string }).execution_id;
    for (let i = 0; i < 100; i++) {
      const e = await t.call(`/api/executions/${executionId}`, { cookie: a.cookie });
      if ((e.body as { status: string }).status === "succeeded") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const calls: [string, string, unknown?][] = [
      ["GET", `/api/workflows/${wf.id}`],
      ["PATCH", `/api/workflows/${wf.id}`, { name: "Theirs" }],
      ["DELETE", `/api/workflows/${wf.id}`],
      ["POST", `/api/workflows/${wf.id}/rotate-secret`, {}],
      ["POST", `/api/workflows/${wf.id}/run`, {}],
      ["POST", `/api/workflows/${wf.id}/test-event`, {}],
      ["GET", `/api/workflows/${wf.id}/executions`],
      ["POST", `/api/workflows/${wf.id}/replay`, {}],
      ["GET", `/api/executions/${executionId}`],
      ["POST", `/api/executions/${executionId}/cancel`],
      ["POST", `/api/executions/${executionId}/rerun`, {}],
    ];
    for (const [method, path, body] of calls) {
      const res = await t.call(path, { method, cookie: b.cookie, body });
      equal(res.status, 404, `${method} ${path} as another workspace: ${res.text}`);
    }
    equal(((await t.call("/api/workflows", { cookie: b.cookie })).body as { items: unknown[] }).items.length, 0);
    for (const table of ["workflows", "workflow_executions", "execution_steps"]) {
      equal((await sqlAs(t, b.user, sql`select * from ${sql.identifier(table)}`)).length, 0, table);
      ok((await sqlAs(t, a.user, sql`select * from ${sql.identifier(table)}`)).length > 0, table);
    }
    await sqlAs(
      t,
      a.user,
      sql`insert into memberships (workspace_id, user_id, role) values (${a.workspace.id}, ${b.user.id}, 'viewer')`,
    );
    equal((await t.call(`/api/workflows/${wf.id}`, { cookie: b.cookie })).status, 200);
    equal((await t.call(`/api/executions/${executionId}`, { cookie: b.cookie })).status, 200);
    for (const [method, path, body] of calls.filter(([m]) => m !== "GET")) {
      const res = await t.call(path, { method, cookie: b.cookie, body });
      equal(res.status, 403, `${method} ${path} as a viewer: ${res.text}`);
    }
    const [unchanged] = await sqlAs<{ name: string; n: number }>(
      t,
      a.user,
      sql`select name, (select count(*)::int from workflow_executions) as n from workflows where id = ${wf.id}`,
    );
    deepStrictEqual(unchanged, { name: "Mine", n: 1 });
  },
);

closeSharedAppsAfterAll();
