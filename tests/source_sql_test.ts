/**
 * `POST /api/connectors/:id/sql` against the machine's PostgreSQL, as an attacker would use it:
 * privileged credentials are refused at create, update, test, sync and SQL; a plain SELECT-only
 * role's attacks are refused or harmless; viewers get 403. Needs TEST_DATABASE_URL (CI sets it).
 */
import { equal, match, ok } from "node:assert/strict";
import { closeSharedAppsAfterAll, testEachBackend } from "./support/test_app.ts";
import { startPostgresSource } from "./support/sources.ts";
import { syncsSettled } from "../functions/sync_connector.ts";
import { sql } from "drizzle-orm";

const ENV = { OUTBOUND_ALLOW_HOSTS: "127.0.0.1:5432" };
const withPostgresSource = Deno.env.get("TEST_DATABASE_URL")
  ? testEachBackend
  : (name: string) => Deno.test({ name, ignore: true, fn() {} });

type Source = NonNullable<Awaited<ReturnType<typeof startPostgresSource>>>;

/** A login role on the source that may only read the source's schema, dropped with `drop()`. */
async function readerOf(source: Source) {
  const name = `${source.schema}_reader`;
  await source.sql.unsafe(`create role ${name} login password 'reader-pw'`);
  await source.sql.unsafe(`grant usage on schema ${source.schema} to ${name};
    grant select on all tables in schema ${source.schema} to ${name}`);
  return {
    name,
    async drop() {
      await source.sql.unsafe(`drop owned by ${name}; drop role ${name}`).catch(() => {});
    },
  };
}

function connectorBody(source: Source, user: string) {
  const url = new URL(source.url);
  return {
    name: "Source DB",
    type: "postgres",
    config: { host: "127.0.0.1", port: Number(url.port || 5432), database: url.pathname.slice(1), user },
    credentials: { password: "reader-pw" },
  };
}

withPostgresSource("a superuser or a server-file role is refused at create, update, test, sync and SQL", async (t) => {
  const source = (await startPostgresSource(10))!;
  const reader = await readerOf(source);
  const middle = `${source.schema}_mid`;
  try {
    const { cookie } = await t.signUp();
    const asSuper = await t.call("/api/connectors", { cookie, body: connectorBody(source, "postgres") });
    equal(asSuper.status, 422, asSuper.text);
    match(asSuper.text, /role postgres is a superuser.*read-only role/);

    const created = await t.call("/api/connectors", { cookie, body: connectorBody(source, reader.name) });
    equal(created.status, 201, created.text);
    const id = (created.body as { id: string }).id;
    const select = () => t.call(`/api/connectors/${id}/sql`, { cookie, body: { sql: "select 1 as one" } });
    equal((await select()).status, 200);

    // A role that gains power after it was saved is refused on every connect.
    await source.sql.unsafe(`alter role ${reader.name} superuser`);
    const refused = await select();
    equal(refused.status, 422, refused.text);
    match(refused.text, /is a superuser/);
    const tested = (await t.call(`/api/connectors/${id}/test`, { cookie, method: "POST" })).body as { ok: boolean };
    equal(tested.ok, false);
    const started = await t.call(`/api/connectors/${id}/sync`, { cookie, method: "POST" });
    equal(started.status, 202, started.text);
    await syncsSettled();
    const history = (await t.call(`/api/connectors/${id}/syncs`, { cookie })).body as {
      items: { status: string; error: string }[];
    };
    equal(history.items[0].status, "failed");
    match(history.items[0].error, /superuser/);
    const patched = await t.call(`/api/connectors/${id}`, {
      cookie,
      method: "PATCH",
      body: { credentials: { password: "reader-pw" } },
    });
    equal(patched.status, 422, patched.text);
    await source.sql.unsafe(`alter role ${reader.name} nosuperuser`);

    // The predefined roles that reach the server's files and programs, directly or through another role.
    for (const role of ["pg_read_server_files", "pg_write_server_files", "pg_execute_server_program"]) {
      await source.sql.unsafe(`grant ${role} to ${reader.name}`);
      const res = await select();
      equal(res.status, 422, res.text);
      match(res.text, new RegExp(`holds ${role}`));
      await source.sql.unsafe(`revoke ${role} from ${reader.name}`);
    }
    await source.sql.unsafe(`create role ${middle}; grant pg_execute_server_program to ${middle};
      grant ${middle} to ${reader.name}`);
    match((await select()).text, /holds pg_execute_server_program/);
    await source.sql.unsafe(`revoke ${middle} from ${reader.name}`);
    equal((await select()).status, 200);

    // CREATEROLE can grant itself those roles: refused the same way, directly or through another role.
    await source.sql.unsafe(`alter role ${reader.name} createrole`);
    const creator = await select();
    equal(creator.status, 422, creator.text);
    equal(
      (creator.body as { error: { message: string } }).error.message,
      `The source's role ${reader.name} has CREATEROLE, which can grant itself other roles (and through them the ` +
        "server's files and programs). Connect with a read-only role instead: CREATE ROLE reader LOGIN PASSWORD " +
        "'…'; GRANT pg_read_all_data TO reader (PostgreSQL 14+), or GRANT USAGE ON SCHEMA … and GRANT SELECT ON " +
        "ALL TABLES IN SCHEMA … TO reader. See the README's Security section.",
    );
    equal((await t.call("/api/connectors", { cookie, body: connectorBody(source, reader.name) })).status, 422);
    await source.sql.unsafe(`alter role ${reader.name} nocreaterole; revoke pg_execute_server_program from ${middle};
      alter role ${middle} createrole; grant ${middle} to ${reader.name}`);
    match((await select()).text, /has CREATEROLE/);
    await source.sql.unsafe(`revoke ${middle} from ${reader.name}`);
    equal((await select()).status, 200);
  } finally {
    await source.sql.unsafe(`drop role if exists ${middle}`).catch(() => {});
    await reader.drop();
    await source.close();
  }
}, ENV);

withPostgresSource("a SELECT-only role's attacks are refused or harmless; reads of every kind run", async (t) => {
  const source = (await startPostgresSource(10))!;
  const reader = await readerOf(source);
  const marker = `/tmp/pwned-${crypto.randomUUID()}`;
  try {
    const { cookie } = await t.signUp();
    const created = await t.call("/api/connectors", { cookie, body: connectorBody(source, reader.name) });
    equal(created.status, 201, created.text);
    const id = (created.body as { id: string }).id;
    const run = (text: string) => t.call(`/api/connectors/${id}/sql`, { cookie, body: { sql: text } });
    const orders = `${source.schema}.orders`;
    const pid = (await source.sql.unsafe(`select pg_backend_pid() as pid`))[0].pid as number;

    const attacks = [
      `copy (select 1) to program 'touch ${marker}'`,
      `select dblink_exec('dbname=test', 'create table pwned ()')`,
      `select * from public.dblink('dbname=test', 'select email from users') as t(email text)`,
      `select pg_terminate_backend(${pid})`,
      `select pg_cancel_backend(${pid})`,
      `select pg_catalog.pg_read_file('/etc/passwd')`,
      `select "pg_read_binary_file"('/etc/passwd')`,
      `select lo_import('/etc/passwd')`,
      `select lo_from_bytea(0, 'x')`,
      `set transaction read write`,
      `select set_config('default_transaction_read_only', 'off', false)`,
      `select 1; delete from ${orders}`,
      `with gone as (delete from ${orders} returning *) select count(*) from gone`,
      `explain analyze delete from ${orders}`,
      `explain (analyze, format json) select 1`,
      `explain (analyze off, analyze on) select 1`,
      `explain (analyze 1) select 1`,
      `select txid_current()`,
      `select pg_catalog.pg_current_xact_id()`,
      `delete from ${orders}`,
      `select * into ${source.schema}.copied from ${orders}`,
      `select * from ${orders} for update`,
      `select query_to_xml('delete from ${orders}', true, false, '')`,
      `select pg_advisory_lock(1)`,
      `/* ; */ do $$ begin perform 1; end $$`,
      `call some_procedure()`,
      `begin`,
    ];
    for (const attack of attacks) {
      const res = await run(attack);
      equal(res.status, 422, `${attack}: ${res.text}`);
      match(res.text, /read-only/, attack);
    }
    const bad = await run("selec 1");
    equal(bad.status, 422);
    match(bad.text, /does not parse: syntax error at or near \\"selec\\"/);

    // Nothing happened: the file is absent, the rows and the backend are there.
    ok(!await Deno.stat(marker).then(() => true, () => false), "copy to program ran");
    equal((await source.sql.unsafe(`select count(*)::int as n from ${orders}`))[0].n, 10);
    equal((await source.sql.unsafe(`select 1 as one`))[0].one, 1);

    // Reads of every accepted kind run, with quotes, dollar quotes and comments that hold semicolons.
    const reads: [string, unknown[][]][] = [
      [`select count(*)::int from ${orders}`, [[10]]],
      [`with o as (select id from ${orders}) select count(*)::int from o`, [[10]]],
      [`values (1, 'a;b')`, [[1, "a;b"]]],
      [`table ${orders} limit 0`, []],
      [`show transaction_read_only`, [["on"]]],
      [`select $x$;delete$x$ as t, 'it''s; fine' as u -- ; drop\n /* ; */`, [[";delete", "it's; fine"]]],
      [`select pg_sleep(0)::text`, [[""]]],
    ];
    for (const [text, expected] of reads) {
      const res = await run(text);
      equal(res.status, 200, `${text}: ${res.text}`);
      equal(JSON.stringify((res.body as { rows: unknown[][] }).rows), JSON.stringify(expected), `${text}: ${res.text}`);
    }
    const explained = await run(`explain select * from ${orders}`);
    equal(explained.status, 200, explained.text);
    match(explained.text, /Seq Scan/);
    for (const off of ["(analyze off)", "(ANALYZE false, costs off)", "(analyze 0)"]) {
      const plan = await run(`explain ${off} select * from ${orders}`);
      equal(plan.status, 200, `${off}: ${plan.text}`);
      match(plan.text, /Seq Scan/);
    }
    // Functions that only read transaction ids still run.
    equal((await run("select txid_current_if_assigned() is null as unassigned")).status, 200);
    // Even if the parser let something through, the session is read-only: a function that writes fails there.
    await source.sql.unsafe(`create function ${source.schema}.writer() returns int language sql
      as $$ insert into ${orders} (id) values (-1) returning 1 $$`);
    await source.sql.unsafe(`grant execute on function ${source.schema}.writer() to ${reader.name}`);
    const sneaky = await run(`select ${source.schema}.writer()`);
    equal(sneaky.status, 422, sneaky.text);
    match(sneaky.text, /read-only/);
    equal((await source.sql.unsafe(`select count(*)::int as n from ${orders}`))[0].n, 10);
  } finally {
    await reader.drop();
    await source.close();
  }
}, ENV);

withPostgresSource("SQL on a source is for owners and editors: a viewer gets 403", async (t) => {
  const source = (await startPostgresSource(10))!;
  const reader = await readerOf(source);
  try {
    const owner = await t.signUp();
    const viewer = await t.signUp();
    const editor = await t.signUp();
    await t.deps.db.orm.execute(sql`insert into memberships (workspace_id, user_id, role) values
      (${owner.workspace.id}, ${viewer.user.id}, 'viewer'), (${owner.workspace.id}, ${editor.user.id}, 'editor')`);
    const created = await t.call("/api/connectors", { cookie: owner.cookie, body: connectorBody(source, reader.name) });
    equal(created.status, 201, created.text);
    const path = `/api/connectors/${(created.body as { id: string }).id}/sql`;
    const body = { sql: "select 1" };
    const asViewer = await t.call(path, { cookie: viewer.cookie, body });
    equal(asViewer.status, 403, asViewer.text);
    match(asViewer.text, /owners and editors/);
    equal((await t.call(path, { cookie: editor.cookie, body })).status, 200);
    equal((await t.call(path, { cookie: owner.cookie, body })).status, 200);
  } finally {
    await reader.drop();
    await source.close();
  }
}, ENV);

closeSharedAppsAfterAll();
