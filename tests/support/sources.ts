/**
 * Real sources for connector tests, started by the tests: one local HTTP server that serves the
 * vega-datasets files, a paginated JSON API behind a secret header, and a server that answers as
 * Supabase's PostgREST does for the calls supabase-js makes; plus tables on the machine's Postgres.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import type { TestApp } from "./test_app.ts";
import { syncsSettled } from "../../functions/sync_connector.ts";
import "vega-datasets"; // so that a fresh checkout installs the package whose files are read below

/** The secret header value the JSON API and the fake Supabase demand. */
export const API_SECRET = "Bearer s3cret-api-token-7f2c";
export const SUPABASE_KEY = "sb-service-key-9d1e-very-secret";

/** Where vega-datasets' files are (the package is a dependency so that tests can read them). */
export function vegaDataDir(): string {
  return fileURLToPath(new URL("../../node_modules/vega-datasets/data/", import.meta.url));
}

/** 250 records that the JSON API pages through, 100 at a time. */
export const ITEMS = Array.from({ length: 250 }, (_, i) => ({
  id: i + 1,
  sku: `SKU-${String(i + 1).padStart(4, "0")}`,
  price: Math.round((i * 7.31) % 100 * 100) / 100,
  in_stock: i % 3 !== 0,
  added: `2024-01-${String((i % 28) + 1).padStart(2, "0")}`,
  tags: { group: i % 5 },
}));

const SUPABASE_PROFILES = Array.from({ length: 2345 }, (_, i) => ({
  id: i + 1,
  handle: `user${i + 1}`,
  score: (i * 13) % 97,
  created_at: new Date(Date.UTC(2024, 0, 1) + i * 3600_000).toISOString(),
}));

export interface Sources {
  base: string;
  port: number;
  /** Requests seen, for tests that check what reached the source. */
  requests: Request[];
  /** Waits for a request on /api/gated and lets it through (later ones wait again). */
  release(): Promise<void>;
  close(): Promise<void>;
}

export function startSources(): Sources {
  const requests: Request[] = [];
  let gate = Promise.withResolvers<void>();
  let waiting = Promise.withResolvers<void>();
  const dataDir = vegaDataDir();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    requests.push(req.clone());
    const url = new URL(req.url);
    const path = url.pathname;
    if (path.startsWith("/vega/")) {
      const file = await Deno.open(join(dataDir, path.slice("/vega/".length).replaceAll("/", "")));
      return new Response(file.readable);
    }
    if (path.startsWith("/api/")) {
      if (req.headers.get("authorization") !== API_SECRET) {
        return Response.json({ error: "unauthorized" }, { status: 401 });
      }
      if (path === "/api/pages") {
        const page = Number(url.searchParams.get("page") ?? 1);
        return Response.json({ data: { items: ITEMS.slice((page - 1) * 100, page * 100) } });
      }
      if (path === "/api/cursor") {
        const from = Number(url.searchParams.get("after") ?? 0);
        const next = from + 100 < ITEMS.length ? String(from + 100) : null;
        return Response.json({ results: ITEMS.slice(from, from + 100), meta: { next } });
      }
      if (path === "/api/links") {
        const from = Number(url.searchParams.get("offset") ?? 0);
        const next = from + 100 < ITEMS.length ? `/api/links?offset=${from + 100}` : undefined;
        return Response.json({ records: ITEMS.slice(from, from + 100), links: { next } });
      }
      if (path === "/api/gated") {
        waiting.resolve();
        await gate.promise;
        return Response.json({ data: { items: ITEMS } });
      }
    }
    if (path.startsWith("/rest/v1/")) {
      if (req.headers.get("apikey") !== SUPABASE_KEY) {
        return Response.json({ message: "Invalid API key" }, { status: 401 });
      }
      if (path === "/rest/v1/") return Response.json(postgrestOpenApi());
      if (path === "/rest/v1/profiles") {
        // As PostgREST: offset/limit from the query, order=col.asc,…
        const offset = Number(url.searchParams.get("offset") ?? 0);
        const limit = Math.min(Number(url.searchParams.get("limit") ?? 1000), 1000);
        if (!url.searchParams.get("order")?.startsWith("id.asc")) {
          return Response.json({ message: "unordered" }, { status: 400 });
        }
        return Response.json(SUPABASE_PROFILES.slice(offset, offset + limit));
      }
      return Response.json({ message: "relation does not exist" }, { status: 404 });
    }
    return new Response("not found", { status: 404 });
  });
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
    requests,
    async release() {
      await waiting.promise;
      waiting = Promise.withResolvers<void>();
      gate.resolve();
      gate = Promise.withResolvers<void>();
    },
    close: () => server.shutdown(),
  };
}

function postgrestOpenApi() {
  return {
    swagger: "2.0",
    definitions: {
      profiles: {
        properties: {
          id: { format: "bigint", type: "integer" },
          handle: { format: "text", type: "string" },
          score: { format: "integer", type: "integer" },
          created_at: { format: "timestamp with time zone", type: "string" },
        },
      },
    },
  };
}

/** The Supabase profiles, for tests that compute aggregates themselves. */
export const supabaseProfiles = () => SUPABASE_PROFILES;

/** A source schema on the machine's Postgres, dropped by `close`. */
export interface PostgresSource {
  url: string;
  schema: string;
  sql: postgres.Sql;
  close(): Promise<void>;
}

/** Creates a schema with an `orders` table of `rows` rows in the server at TEST_DATABASE_URL. */
export async function startPostgresSource(rows = 2500): Promise<PostgresSource | undefined> {
  const url = Deno.env.get("TEST_DATABASE_URL");
  if (!url) return undefined;
  const schema = `src_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  await sql.unsafe(`create schema ${schema}`);
  await sql.unsafe(`create table ${schema}.orders (
    id bigint primary key, customer text, amount numeric(10,2), paid boolean, placed_on date, placed_at timestamptz)`);
  await sql.unsafe(`insert into ${schema}.orders
    select i, 'customer ' || (i % 50), (i % 1000) / 10.0, i % 2 = 0, date '2024-01-01' + (i % 365),
      timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute'
    from generate_series(1, ${rows}) i`);
  await sql.unsafe(`create view ${schema}.big_orders as select * from ${schema}.orders where amount > 50`);
  return {
    url,
    schema,
    sql,
    async close() {
      await sql.unsafe(`drop schema ${schema} cascade`);
      await sql.end();
    },
  };
}

/** A CSV connector of seattle-weather.csv, created and synced as the user behind `cookie`. */
export async function syncedWeatherConnector(t: TestApp, cookie: string, sources: Sources): Promise<string> {
  const created = await t.call("/api/connectors", {
    cookie,
    body: { name: "Seattle weather", type: "csv", config: { url: `${sources.base}/vega/seattle-weather.csv` } },
  });
  if (created.status !== 201) throw new Error(`Cannot create the connector: ${created.text}`);
  const id = (created.body as { id: string }).id;
  const started = await t.call(`/api/connectors/${id}/sync`, { method: "POST", cookie });
  if (started.status !== 202) throw new Error(`Cannot sync: ${started.text}`);
  await syncsSettled();
  return id;
}

/** A request a hostile source saw: its headers and body, for tests that check what leaked. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Local servers that misbehave the ways sources do in the wild; see `startHostileSources`. */
export interface HostileSources {
  base: string;
  port: number;
  /** A second origin (another port): it records every request and answers `{"items":[{"ok":1}]}`. */
  other: { base: string; port: number; seen: SeenRequest[] };
  /** Requests to the first origin. */
  seen: SeenRequest[];
  /** Bytes the endless paths have sent so far. */
  endlessBytes(): number;
  close(): Promise<void>;
}

/**
 * Starts two local origins. The first serves:
 *  - `/stall.json`, `/stall.csv`: headers and the start of a body, then silence (the connection stays open);
 *  - `/no-headers`: never answers;
 *  - `/endless.json` (`{"items":[{…},{…},…` for ever) and `/endless.csv` (a header, then rows for ever),
 *    without Content-Length, as fast as the reader takes them;
 *  - `/redirect?to=<url>&status=<3xx>`: a redirect (the secret-header and 307 tests point it at `other`);
 *  - `/long-line.csv`: one line of 256 KiB (a header of one name) and nothing else;
 *  - `/short-body`: a Content-Length of 1000 and a body of 10 bytes;
 *  - `/next?to=<url>`: `{"items":[{"ok":1}],"next":"<url>"}`, a next-page link to anywhere;
 *  - anything else: `{"items":[{"ok":1}]}`.
 */
export function startHostileSources(): HostileSources {
  const silent = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const waiting = new Set<() => void>();
  const encoder = new TextEncoder();
  let endless = 0;
  const record = async (req: Request, into: SeenRequest[]) => {
    into.push({
      method: req.method,
      path: new URL(req.url).pathname,
      headers: Object.fromEntries(req.headers),
      body: req.body ? await req.text() : "",
    });
  };
  const stall = (start: string) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(start));
        silent.add(controller);
      },
    });
  const forever = (head: string, piece: string) => {
    const chunk = encoder.encode(piece.repeat(Math.ceil(65536 / piece.length)));
    let started = false;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        const bytes = started ? chunk : encoder.encode(head);
        started = true;
        endless += bytes.byteLength;
        controller.enqueue(bytes);
      },
    }, { highWaterMark: 0 });
  };
  const seen: SeenRequest[] = [];
  const otherSeen: SeenRequest[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await record(req, seen);
    const url = new URL(req.url);
    switch (url.pathname) {
      case "/stall.json":
        return new Response(stall('{"items":[{"id":1},'), { headers: { "content-type": "application/json" } });
      case "/stall.csv":
        return new Response(stall("id,name\n1,one\n"), { headers: { "content-type": "text/csv" } });
      case "/no-headers":
        await new Promise<void>((resolve) => waiting.add(resolve));
        return new Response("late");
      case "/endless.json":
        return new Response(forever('{"items":[', '{"id":1,"name":"a row of an endless source"},'));
      case "/endless.csv":
        return new Response(forever("id,name\n", "1,a row of an endless source\n"));
      case "/redirect":
        return new Response(null, {
          status: Number(url.searchParams.get("status") ?? 302),
          headers: { location: url.searchParams.get("to") ?? "/" },
        });
      case "/long-line.csv":
        return new Response("x".repeat(256 * 1024));
      case "/short-body":
        // Claims 1000 bytes, sends 10, and ends.
        return new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(encoder.encode("a,b\n1,2\n3,"));
              controller.close();
            },
          }),
          { headers: { "content-length": "1000" } },
        );
      case "/next":
        return Response.json({ items: [{ ok: 1 }], next: url.searchParams.get("to") });
      default:
        return Response.json({ items: [{ ok: 1 }] });
    }
  });
  const other = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await record(req, otherSeen);
    return Response.json({ items: [{ ok: 1 }] });
  });
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
    other: { base: `http://127.0.0.1:${other.addr.port}`, port: other.addr.port, seen: otherSeen },
    seen,
    endlessBytes: () => endless,
    async close() {
      for (const controller of silent) {
        try {
          controller.close();
        } catch {
          // the client went away already
        }
      }
      for (const release of waiting) release();
      await Promise.all([server.shutdown(), other.shutdown()]);
    },
  };
}

/** Where the data-fidelity cases are (copied from ../shared/cases/data-fidelity, with their README). */
export const FIDELITY_CASES = fileURLToPath(new URL("../fixtures/data-fidelity/", import.meta.url));

/** Rows of the capped PostgREST table: more than one page of its cap. */
export const CAPPED_EVENTS = Array.from({ length: 450 }, (_, i) => ({ id: i + 1, label: `event ${i + 1}` }));

/** A local server with the sources the data-fidelity tests read; see each path below. */
export interface FidelitySources {
  base: string;
  port: number;
  /** Requests seen, as `path?query`. */
  seen: string[];
  close(): Promise<void>;
}

/**
 * Serves, on 127.0.0.1:
 * - `/file/<name>`: a case file, whole; `/split/<name>`: the same in two writes split at byte
 *   1,048,576 (a character cut in two), the second a moment later; `/bytes/<key>`: bytes set by `files`.
 * - `/json/pages?page=N`: http_keys_by_page.json, one array a page, then empty pages.
 * - `/json/selfnext`: http_next_is_self.json, whose next link is itself, every time.
 * - `/json/clamped?page=N`: 2 records a page for pages 1-3, and page 3 again for any page past it.
 * - `/json/cycle?at=a`: a next link a → b → c → a.
 * - `/json/big`: integers past 2^53 and a decimal of 30 digits, top-level and nested.
 * - `/rest/v1/`: PostgREST with one table, `events`, whose answers stop at 100 rows (max-rows)
 *   whatever the range asked, with Content-Range `from-to/total` when asked to count.
 */
export function startFidelitySources(files: Record<string, Uint8Array> = {}): FidelitySources {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const path = url.pathname;
    seen.push(path + url.search);
    const caseFile = (name: string) => Deno.readFile(join(FIDELITY_CASES, name.replaceAll("/", "")));
    if (path.startsWith("/file/")) return new Response(await caseFile(path.slice(6)));
    if (path.startsWith("/bytes/")) return new Response(files[path.slice(7)] as Uint8Array<ArrayBuffer>);
    if (path.startsWith("/split/")) {
      const bytes = await caseFile(path.slice(7));
      const at = 1_048_576;
      return new Response(
        new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(bytes.slice(0, at));
            await new Promise((resolve) => setTimeout(resolve, 50));
            controller.enqueue(bytes.slice(at));
            controller.close();
          },
        }),
      );
    }
    if (path === "/json/pages") {
      const pages = JSON.parse(await Deno.readTextFile(join(FIDELITY_CASES, "http_keys_by_page.json")));
      return Response.json(pages[Number(url.searchParams.get("page")) - 1] ?? []);
    }
    if (path === "/json/selfnext") return new Response(await caseFile("http_next_is_self.json"));
    if (path === "/json/clamped") {
      const page = Math.min(Math.max(Number(url.searchParams.get("page")), 1), 3);
      return Response.json({ items: [{ id: page * 2 - 1 }, { id: page * 2 }] });
    }
    if (path === "/json/cycle") {
      const at = url.searchParams.get("at") ?? "a";
      const next = { a: "b", b: "c", c: "a" }[at] ?? "a";
      return Response.json({ items: [{ page: at }], next: `/json/cycle?at=${next}` });
    }
    if (path === "/json/big") {
      return new Response(
        '[{"id": 9007199254740993, "amount": 12345678901234567890.1234567890, "meta": {"ref": 9223372036854775807}},' +
          ' {"id": 2, "amount": 1.5, "meta": {"ref": 1}}]',
        { headers: { "content-type": "application/json" } },
      );
    }
    if (path === "/rest/v1/") {
      return Response.json({
        swagger: "2.0",
        definitions: {
          events: {
            properties: { id: { format: "bigint", type: "integer" }, label: { format: "text", type: "string" } },
          },
        },
      });
    }
    if (path === "/rest/v1/events") {
      const offset = Number(url.searchParams.get("offset") ?? 0);
      const limit = Math.min(Number(url.searchParams.get("limit") ?? 1000), 100);
      const rows = CAPPED_EVENTS.slice(offset, offset + limit);
      const counted = /count=exact/.test(req.headers.get("prefer") ?? "");
      const range = rows.length ? `${offset}-${offset + rows.length - 1}` : "*";
      return Response.json(rows, {
        status: counted ? 206 : 200,
        headers: { "content-range": `${range}/${counted ? CAPPED_EVENTS.length : "*"}` },
      });
    }
    return new Response("not found", { status: 404 });
  });
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
    seen,
    close: () => server.shutdown(),
  };
}

/**
 * A fresh database on the PostgreSQL server at TEST_DATABASE_URL with `setup` run in it (a case's
 * SQL), for the postgres connector to read; undefined without a server. `close` drops it.
 */
export async function startPostgresDatabase(
  setup: string,
): Promise<{ database: string; sql: postgres.Sql; close(): Promise<void> } | undefined> {
  const url = Deno.env.get("TEST_DATABASE_URL");
  if (!url) return undefined;
  const database = `src_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${database}`);
  const target = new URL(url);
  target.pathname = `/${database}`;
  const sql = postgres(target.href, { max: 2, onnotice: () => {} });
  await sql.unsafe(setup);
  return {
    database,
    sql,
    async close() {
      await sql.end();
      await admin.unsafe(`drop database if exists ${database} with (force)`);
      await admin.end();
    },
  };
}

/**
 * A login role that reads every table of the server and can do nothing else (PostgreSQL 14+'s
 * `pg_read_all_data`): postgres sources refuse superusers, so tests connect as this. `drop()`
 * removes it (roles belong to the whole server, not to one database).
 */
export async function readOnlyRole(
  sql: postgres.Sql,
): Promise<{ user: string; password: string; drop(): Promise<void> }> {
  const user = `reader_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const password = crypto.randomUUID();
  await sql.unsafe(`create role ${user} login password '${password}'; grant pg_read_all_data to ${user}`);
  return {
    user,
    password,
    async drop() {
      await sql.unsafe(`drop role if exists ${user}`).catch(() => {});
    },
  };
}
