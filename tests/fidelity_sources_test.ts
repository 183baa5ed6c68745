/**
 * Every source is read as it is, whole and once (issue 9): the data-fidelity cases
 * (tests/fixtures/data-fidelity, from ../shared/cases) and more of each kind, through the HTTP API
 * on PGlite and the PostgreSQL server, against real local sources: an HTTP server that sends files,
 * JSON APIs and a PostgREST that caps its pages, and fresh databases on the machine's PostgreSQL.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { closeSharedAppsAfterAll, ORIGIN, type TestApp, testEachBackend } from "./support/test_app.ts";
import {
  CAPPED_EVENTS,
  FIDELITY_CASES,
  readOnlyRole,
  startFidelitySources,
  startPostgresDatabase,
} from "./support/sources.ts";
import { syncsSettled } from "../functions/sync_connector.ts";
import { sql } from "drizzle-orm";
import { rows } from "../db/rows.ts";

const encoder = new TextEncoder();
/** Bytes the server sends at /bytes/<key>: files no case holds (other encodings, wide headers). */
const FILES: Record<string, Uint8Array> = {
  // "café;naïve" in windows-1252: é is 0xE9, ï 0xEF, both invalid as UTF-8.
  "empty.csv": new Uint8Array(),
  "latin1.csv": new Uint8Array([
    ...encoder.encode("word;note\ncaf"),
    0xe9,
    ...encoder.encode(";na"),
    0xef,
    0x76,
    0x65,
    0x0a,
  ]),
};
const sources = startFidelitySources(FILES);
const ENV = { OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port},127.0.0.1:5432` };

interface Warning {
  code: string;
  message: string;
  count?: number;
  lines?: number[];
  dataset?: string;
}
interface Sync {
  id: string;
  status: string;
  rows: number;
  error: string | null;
  warnings: Warning[];
}

async function createConnector(t: TestApp, cookie: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.call("/api/connectors", { body, cookie });
  equal(res.status, 201, res.text);
  return (res.body as { id: string }).id;
}

/** Starts a sync, waits for it, and returns the finished sync record as the API lists it. */
async function sync(t: TestApp, cookie: string, id: string): Promise<Sync> {
  const started = await t.call(`/api/connectors/${id}/sync`, { method: "POST", cookie });
  equal(started.status, 202, started.text);
  await syncsSettled();
  const history = await t.call(`/api/connectors/${id}/syncs`, { cookie });
  const latest = (history.body as { items: Sync[] }).items[0];
  equal(latest.id, (started.body as { sync_id: string }).sync_id);
  return latest;
}

async function datasets(t: TestApp, cookie: string, id: string) {
  const res = await t.call(`/api/connectors/${id}/datasets`, { cookie });
  equal(res.status, 200, res.text);
  return (res.body as { items: { name: string; columns: { name: string; type: string }[]; row_count: number }[] })
    .items;
}

async function query(t: TestApp, cookie: string, connectorId: string, dataset: string, q: unknown) {
  const res = await t.call("/api/query", { body: { connector_id: connectorId, dataset, query: q }, cookie });
  equal(res.status, 200, res.text);
  return res.body as { columns: { name: string; type: string }[]; rows: unknown[][] };
}

/** Uploads bytes as a csv connector's file, as a browser does (one streamed body). */
async function upload(t: TestApp, cookie: string, id: string, bytes: Uint8Array, filename: string) {
  const res = await t.fetch(
    new Request(`${ORIGIN}/api/connectors/${id}/upload?filename=${filename}`, {
      method: "POST",
      headers: { cookie, origin: ORIGIN, "content-type": "text/csv" },
      body: bytes as Uint8Array<ArrayBuffer>,
    }),
    { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50000 } },
  );
  equal(res.status, 200, await res.text());
}

const readCase = (name: string) => Deno.readFile(join(FIDELITY_CASES, name));

/** A csv connector of `file`, uploaded (`upload`) or by URL, synced; its id and sync. */
async function csvSynced(
  t: TestApp,
  cookie: string,
  how: { upload: Uint8Array } | { url: string },
  config: Record<string, unknown> = {},
) {
  const id = await createConnector(t, cookie, {
    name: "CSV",
    type: "csv",
    config: { dataset_name: "data", ...("url" in how ? { url: how.url } : {}), ...config },
  });
  if ("upload" in how) await upload(t, cookie, id, how.upload, "data.csv");
  return { id, done: await sync(t, cookie, id) };
}

testEachBackend("a byte-order mark before a quoted header is not part of the first column's name", async (t) => {
  const { cookie } = await t.signUp();
  const { id, done } = await csvSynced(t, cookie, { upload: await readCase("bom_quoted_header.csv") });
  deepStrictEqual([done.status, done.rows, done.warnings], ["succeeded", 2, []]);
  deepStrictEqual((await datasets(t, cookie, id))[0].columns.map((c) => c.name), ["id", "city"]);
  const rows = await query(t, cookie, id, "data", { order_by: [{ column: "id" }] });
  deepStrictEqual(rows.rows.map((r) => [Number(r[0]), r[1]]), [[1, "Lisbon"], [2, "Porto"]]);
}, ENV);

for (const how of ["upload", "url"] as const) {
  testEachBackend(`a character split at byte 1,048,576 (${how}) arrives whole`, async (t) => {
    const { cookie } = await t.signUp();
    const bytes = await readCase("multibyte_at_1MiB.csv");
    // The case is built so that byte 1,048,576 falls inside 中 (3 bytes in UTF-8).
    equal(bytes[1_048_576] & 0xc0, 0x80, "the split is inside a character");
    const { id, done } = await csvSynced(
      t,
      cookie,
      how === "upload" ? { upload: bytes } : { url: `${sources.base}/split/multibyte_at_1MiB.csv` },
    );
    const lines = new TextDecoder().decode(bytes).trim().split("\n").length - 1;
    deepStrictEqual([done.status, done.rows], ["succeeded", lines]);
    const row = await query(t, cookie, id, "data", { filters: [{ column: "id", op: "eq", value: 42387 }] });
    deepStrictEqual(row.rows.map((r) => r[1]), ["x".repeat(42) + "中文"]);
    const replaced = await query(t, cookie, id, "data", {
      measures: [{ fn: "count" }],
      filters: [{ column: "word", op: "contains", value: "\uFFFD" }],
    });
    deepStrictEqual(replaced.rows, [[0]], "no U+FFFD anywhere");
  }, ENV);

  testEachBackend(`a semicolon CSV (${how}) is split at its semicolons, not its decimal commas`, async (t) => {
    const { cookie } = await t.signUp();
    const { id, done } = await csvSynced(
      t,
      cookie,
      how === "upload" ? { upload: await readCase("semicolon.csv") } : { url: `${sources.base}/file/semicolon.csv` },
    );
    deepStrictEqual([done.status, done.rows, done.warnings], ["succeeded", 2, []]);
    deepStrictEqual((await datasets(t, cookie, id))[0].columns.map((c) => c.name), ["name", "amount", "date"]);
    const rows = await query(t, cookie, id, "data", { order_by: [{ column: "name" }] });
    deepStrictEqual(rows.rows.map((r) => String(r[1])), ["1,5", "2,25"]);
  }, ENV);
}

testEachBackend("tab, pipe and quoted delimiters are detected from the first lines", async (t) => {
  const { cookie } = await t.signUp();
  const files = {
    tab: "a\tb\n1\t2\n3\t4\n",
    pipe: "a|b|c\n1|2|3\n",
    // Commas inside quotes do not count: the delimiter is the semicolon outside them.
    quoted: '"a,1";"b,2"\n"x,y";"z"\n"p";"q,r,s"\n',
  };
  const expected = { tab: ["a", "b"], pipe: ["a", "b", "c"], quoted: ["a,1", "b,2"] };
  for (const [kind, text] of Object.entries(files)) {
    const { id, done } = await csvSynced(t, cookie, { upload: encoder.encode(text) });
    equal(done.status, "succeeded", done.error ?? "");
    deepStrictEqual((await datasets(t, cookie, id))[0].columns.map((c) => c.name), expected[kind as "tab"], kind);
  }
}, ENV);

testEachBackend(
  "a windows-1252 file is decoded as such and the sync says so; a declared encoding is used",
  async (t) => {
    const { cookie } = await t.signUp();
    const { id, done } = await csvSynced(t, cookie, { url: `${sources.base}/bytes/latin1.csv` });
    equal(done.status, "succeeded", done.error ?? "");
    deepStrictEqual(done.warnings.map((w) => [w.code, w.dataset]), [["encoding_detected", "data"]]);
    match(done.warnings[0].message, /windows-1252/);
    deepStrictEqual((await query(t, cookie, id, "data", {})).rows, [["café", "naïve"]]);

    // UTF-16 with its byte-order mark.
    const utf16 = new Uint8Array([
      0xff,
      0xfe,
      ...new Uint8Array(new Uint16Array([..."k,v\nä,中\n"].map((c) => c.charCodeAt(0))).buffer),
    ]);
    const second = await csvSynced(t, cookie, { upload: utf16 });
    equal(second.done.status, "succeeded", second.done.error ?? "");
    deepStrictEqual((await query(t, cookie, second.id, "data", {})).rows, [["ä", "中"]]);

    // Declared: ISO-8859-7 (Greek) reads 0xE1 as α, where windows-1252 would say á.
    const greek = await csvSynced(t, cookie, { upload: new Uint8Array([0x67, 0x0a, 0xe1, 0x0a]) }, {
      encoding: "ISO-8859-7",
    });
    deepStrictEqual((await query(t, cookie, greek.id, "data", {})).rows, [["α"]]);
    deepStrictEqual(greek.done.warnings, []);

    const bad = await t.call("/api/connectors", {
      cookie,
      body: { name: "x", type: "csv", config: { encoding: "klingon" } },
    });
    equal(bad.status, 400, bad.text);
    match(bad.text, /Not an encoding/);
  },
  ENV,
);

testEachBackend("bytes invalid in the file's encoding fail the sync with a sentence, never U+FFFD", async (t) => {
  const { cookie } = await t.signUp();
  // Valid UTF-8 past the first upload piece (1 MiB, so UTF-8 is detected), then a lone 0xFF.
  const head = encoder.encode("id,word\n" + Array.from({ length: 100_000 }, (_, i) => `${i},ascii-word`).join("\n"));
  ok(head.length > 1_100_000);
  const bytes = new Uint8Array([...head, 0x0a, 0x31, 0x2c, 0xff, 0x0a]);
  const { done } = await csvSynced(t, cookie, { upload: bytes });
  equal(done.status, "failed");
  match(done.error ?? "", /not valid utf-8: set the file's encoding/);
}, ENV);

testEachBackend(
  "rows with more or fewer fields than the header are counted on the sync, with their lines",
  async (t) => {
    const { cookie } = await t.signUp();
    const text = "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n13\n";
    const { id, done } = await csvSynced(t, cookie, { upload: encoder.encode(text) });
    equal(done.status, "succeeded");
    deepStrictEqual(
      done.warnings.map((w) => [w.code, w.count, w.lines, w.dataset]),
      [["missing_fields", 2, [3, 6], "data"], ["extra_fields", 1, [4], "data"]],
    );
    match(done.warnings[0].message, /^2 rows have fewer fields than the header's 3/);
    equal((await query(t, cookie, id, "data", { measures: [{ fn: "count" }] })).rows[0][0], 5);

    // The connector's page shows them beside the sync.
    const page = await t.call(`/connectors/${id}`, { cookie });
    equal(page.status, 200);
    match(page.text, /data-testid="sync-warnings"/);
    match(page.text, /2 rows have fewer fields than the header&#39;s 3|2 rows have fewer fields than the header's 3/);
  },
  ENV,
);

testEachBackend("warnings of syncs running at once stay with their own sync and dataset", async (t) => {
  const { cookie } = await t.signUp();
  // Eight files, each short of a field on a different line.
  const ids = await Promise.all(Array.from({ length: 8 }, async (_, n) => {
    const lines = ["a,b", ...Array.from({ length: 20 }, (_, i) => (i === n ? `${i}` : `${i},x`))];
    const id = await createConnector(t, cookie, { name: `c${n}`, type: "csv", config: { dataset_name: `d${n}` } });
    await upload(t, cookie, id, encoder.encode(lines.join("\n") + "\n"), `d${n}.csv`);
    return id;
  }));
  const started = await Promise.all(ids.map((id) => t.call(`/api/connectors/${id}/sync`, { method: "POST", cookie })));
  deepStrictEqual(started.map((r) => r.status), ids.map(() => 202));
  await syncsSettled();
  for (const [n, id] of ids.entries()) {
    const history = (await t.call(`/api/connectors/${id}/syncs`, { cookie })).body as { items: Sync[] };
    deepStrictEqual(
      history.items[0].warnings.map((w) => [w.code, w.dataset, w.lines]),
      [["missing_fields", `d${n}`, [n + 2]]],
    );
  }
}, ENV);

testEachBackend(
  "a header line longer than 64 KB is read; more than 1,600 columns is refused in a sentence",
  async (t) => {
    const { cookie } = await t.signUp();
    // Names of 120 characters: 600 columns make a header of 72 KB (and a row Postgres can store).
    const wide = (n: number) => {
      const names = Array.from({ length: n }, (_, i) => `column_${String(i).padStart(5, "0")}_`.padEnd(120, "x"));
      return encoder.encode(
        names.join(",") + "\n" + names.map((_, i) => i).join(",") + "\n",
      );
    };
    const wideFile = wide(600);
    ok(wideFile.indexOf(10) > 64 * 1024, "the header is longer than 64 KB");
    const { id, done } = await csvSynced(t, cookie, { upload: wideFile });
    deepStrictEqual([done.status, done.rows, done.error], ["succeeded", 1, null]);
    equal((await datasets(t, cookie, id))[0].columns.length, 600);

    const tooWide = await csvSynced(t, cookie, { upload: wide(1700) });
    equal(tooWide.done.status, "failed");
    match(tooWide.done.error ?? "", /1,700 columns; a dataset holds at most 1,600 columns/);
    ok((tooWide.done.error ?? "").length < 300);
    const tested = await t.call(`/api/connectors/${tooWide.id}/test`, { method: "POST", cookie });
    deepStrictEqual(tested.body, { ok: false, message: tooWide.done.error });
  },
  ENV,
);

testEachBackend("testing a connection gives the sync's own sentence for an empty file, for every type", async (t) => {
  const { cookie } = await t.signUp();
  const empty = await csvSynced(t, cookie, { url: `${sources.base}/bytes/empty.csv` });
  equal(empty.done.status, "failed");
  const tested = await t.call(`/api/connectors/${empty.id}/test`, { method: "POST", cookie });
  equal(tested.status, 200, tested.text);
  deepStrictEqual(tested.body, { ok: false, message: empty.done.error });
  match(empty.done.error ?? "", /The file is empty/);

  const semicolon = await csvSynced(t, cookie, { url: `${sources.base}/file/semicolon.csv` });
  const good = await t.call(`/api/connectors/${semicolon.id}/test`, { method: "POST", cookie });
  deepStrictEqual(good.body, {
    ok: true,
    message: 'Readable: 3 columns (name, amount, date), separated by ";", encoded as utf-8',
  });

  // http_json: a page that is not JSON reads the same in a test and a sync.
  const notJson = await createConnector(t, cookie, {
    name: "Not JSON",
    type: "http_json",
    config: { url: `${sources.base}/file/semicolon.csv` },
  });
  const jsonSync = await sync(t, cookie, notJson);
  const jsonTest = await t.call(`/api/connectors/${notJson}/test`, { method: "POST", cookie });
  deepStrictEqual(jsonTest.body, { ok: false, message: jsonSync.error });
}, ENV);

testEachBackend("http_json: the columns are the union of every page's keys; a late key is kept", async (t) => {
  const { cookie } = await t.signUp();
  const id = await createConnector(t, cookie, {
    name: "Keys by page",
    type: "http_json",
    config: { url: `${sources.base}/json/pages`, dataset_name: "people", pagination: { type: "page", param: "page" } },
  });
  const done = await sync(t, cookie, id);
  deepStrictEqual([done.status, done.rows, done.warnings], ["succeeded", 4, []]);
  deepStrictEqual((await datasets(t, cookie, id))[0].columns.map((c) => c.name), ["id", "name", "email", "vip"]);
  const rows = await query(t, cookie, id, "people", { order_by: [{ column: "id" }] });
  deepStrictEqual(rows.rows.map((r) => [Number(r[0]), ...r.slice(1)]), [
    [1, "ann", null, null],
    [2, "bob", null, null],
    [3, "cy", "cy@example.invalid", null],
    [4, "di", "di@example.invalid", true],
  ]);
}, ENV);

testEachBackend("http_json: pagination that comes back to a page ends, and the sync says why", async (t) => {
  const { cookie } = await t.signUp();
  const cycleStarts = sources.seen.filter((s) => s === "/json/cycle?at=a").length;
  const cases = [
    // The next link is the page itself, every time.
    { url: "/json/selfnext", pagination: { type: "next_url", next_path: "next" }, rows: 2 },
    // A cycle of three pages: a → b → c → a.
    { url: "/json/cycle?at=a", pagination: { type: "next_url", next_path: "next" }, rows: 3 },
    // Pages past the end answer with the last page again.
    { url: "/json/clamped", pagination: { type: "page", param: "page" }, rows: 6 },
  ];
  for (const c of cases) {
    const id = await createConnector(t, cookie, {
      name: c.url,
      type: "http_json",
      config: {
        url: sources.base + c.url,
        dataset_name: "d",
        records_path: c.url === "/json/selfnext" ? "items" : "items",
        pagination: c.pagination,
      },
    });
    const done = await sync(t, cookie, id);
    deepStrictEqual([done.status, done.rows], ["succeeded", c.rows], c.url);
    deepStrictEqual(done.warnings.map((w) => w.code), ["pagination_repeat"], c.url);
    match(done.warnings[0].message, /^Pagination stopped after (1 page|\d+ pages): /);
    equal((await datasets(t, cookie, id))[0].row_count, c.rows);
  }
  // No page was asked for twice in a cycle that is read once.
  equal(sources.seen.filter((s) => s === "/json/cycle?at=a").length, cycleStarts + 1);
}, ENV);

testEachBackend("http_json: integers past 2^53 and long decimals keep their digits, nested too", async (t) => {
  const { cookie } = await t.signUp();
  const id = await createConnector(t, cookie, {
    name: "Big",
    type: "http_json",
    config: { url: `${sources.base}/json/big`, dataset_name: "big" },
  });
  equal((await sync(t, cookie, id)).status, "succeeded");
  // What the store holds, as Postgres' own text (how the query API prints it is the store's concern).
  const [dataset] = await rows<{ storage_table: string }>(
    t.deps.db.orm,
    sql`select storage_table from datasets where connector_id = ${id}`,
  );
  const stored = await rows<{ id: string; meta: string }>(
    t.deps.db.orm,
    sql.raw(`select c0::text as id, c2::text as meta from ${dataset.storage_table} order by c0 desc`),
  );
  deepStrictEqual(stored.map((r) => r.id), ["9007199254740993", "2"]);
  deepStrictEqual(JSON.parse(stored[0].meta.replace(/\d{16,}/g, '"$&"')), { ref: "9223372036854775807" });
}, ENV);

testEachBackend("supabase: a page cut short by max-rows is not the end; Content-Range's total is", async (t) => {
  const { cookie } = await t.signUp();
  const id = await createConnector(t, cookie, {
    name: "Capped",
    type: "supabase",
    config: { url: sources.base },
    credentials: { key: "any-key" },
  });
  const done = await sync(t, cookie, id);
  deepStrictEqual([done.status, done.rows, done.error], ["succeeded", CAPPED_EVENTS.length, null]);
  const result = await query(t, cookie, id, "events", {
    measures: [{ fn: "count" }, { fn: "max", column: "id" }, { fn: "sum", column: "id" }],
  });
  deepStrictEqual(result.rows[0].map(Number), [450, 450, (450 * 451) / 2]);
}, ENV);

testEachBackend('postgres: sales.orders and public."sales.orders" stay two datasets', async (t) => {
  const source = await startPostgresDatabase(await Deno.readTextFile(join(FIDELITY_CASES, "pg_dotted_table.sql")));
  if (!source) return; // needs TEST_DATABASE_URL
  const reader = await readOnlyRole(source.sql); // a superuser source is refused
  try {
    const { cookie } = await t.signUp();
    // Also every other kind of relation a user can select from; a partition only through its parent.
    await source.sql.unsafe(`
      create view sales.big as select * from sales.orders where total > 15;
      create materialized view sales.totals as select sum(total) as total from sales.orders;
      create table public.measures (at date, v integer) partition by range (at);
      create table public.measures_2024 partition of public.measures for values from ('2024-01-01') to ('2025-01-01');
      insert into public.measures values ('2024-03-01', 7);
      create extension file_fdw;
      create server files foreign data wrapper file_fdw;
      create foreign table public.remote_numbers (x integer) server files options (program 'printf "5\\n6\\n"');`);
    const base = { host: "127.0.0.1", port: 5432, database: source.database, user: reader.user };
    const all = await createConnector(t, cookie, { name: "All", type: "postgres", config: base });
    const done = await sync(t, cookie, all);
    equal(done.status, "succeeded", done.error ?? "");
    const found = await datasets(t, cookie, all);
    deepStrictEqual(found.map((d) => [d.name, d.columns.map((c) => c.name), d.row_count]).sort(), [
      ["measures", ["at", "v"], 1],
      ['public."sales.orders"', ["legacy_code"], 1],
      ["remote_numbers", ["x"], 2],
      ["sales.big", ["order_no", "total"], 1],
      ["sales.orders", ["order_no", "total"], 2],
      ["sales.totals", ["total"], 1],
    ]);

    const one = await createConnector(t, cookie, {
      name: "One",
      type: "postgres",
      config: { ...base, tables: ["sales.orders"] },
    });
    equal((await sync(t, cookie, one)).status, "succeeded");
    deepStrictEqual((await datasets(t, cookie, one)).map((d) => [d.name, d.row_count]), [["sales.orders", 2]]);
    const quoted = await createConnector(t, cookie, {
      name: "Quoted",
      type: "postgres",
      config: { ...base, tables: ['public."sales.orders"'] },
    });
    equal((await sync(t, cookie, quoted)).status, "succeeded");
    const legacy = await query(t, cookie, quoted, 'public."sales.orders"', {});
    deepStrictEqual(legacy.rows, [["L-1"]]);

    const missing = await createConnector(t, cookie, {
      name: "Missing",
      type: "postgres",
      config: { ...base, tables: ['"sales.orders"."x"'] },
    });
    const missed = await sync(t, cookie, missing);
    match(missed.error ?? "", /No such table or view in the source.*"sales\.orders"\."x"/);
    // Testing the connection says the same, not "Connected".
    const tested = await t.call(`/api/connectors/${missing}/test`, { method: "POST", cookie });
    deepStrictEqual(tested.body, { ok: false, message: missed.error });
  } finally {
    await source.close();
    await reader.drop();
  }
}, ENV);

testEachBackend("postgres: an incremental sync takes rows that tie with the last cursor value, once", async (t) => {
  const source = await startPostgresDatabase(await Deno.readTextFile(join(FIDELITY_CASES, "pg_cursor_ties.sql")));
  if (!source) return; // needs TEST_DATABASE_URL
  const reader = await readOnlyRole(source.sql); // a superuser source is refused
  try {
    const { cookie } = await t.signUp();
    const id = await createConnector(t, cookie, {
      name: "Ties",
      type: "postgres",
      config: {
        host: "127.0.0.1",
        database: source.database,
        user: reader.user,
        cursor_columns: { events_tie: "created_on" },
      },
    });
    equal((await sync(t, cookie, id)).rows, 2);
    await source.sql.unsafe(`insert into public.events_tie values (3, '2024-05-02'), (4, '2024-05-03')`);
    const second = await sync(t, cookie, id);
    deepStrictEqual([second.status, second.rows], ["succeeded", 2]);
    const ids = async () =>
      (await query(t, cookie, id, "events_tie", {
        dimensions: ["id"],
        measures: [{ fn: "count" }],
        order_by: [{ column: "id" }],
      })).rows.map((r) => r.map(Number));
    deepStrictEqual(await ids(), [[1, 1], [2, 1], [3, 1], [4, 1]]);

    // A row identical to one stored at the last value is the source's second copy: it is added once.
    await source.sql.unsafe(`insert into public.events_tie values (4, '2024-05-03')`);
    equal((await sync(t, cookie, id)).rows, 1);
    equal((await sync(t, cookie, id)).rows, 0);
    deepStrictEqual(await ids(), [[1, 1], [2, 1], [3, 1], [4, 2]]);
  } finally {
    await source.close();
    await reader.drop();
  }
}, ENV);

closeSharedAppsAfterAll();
Deno.test({
  name: "(close the local sources)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sources.close(),
});
