/**
 * The memory bound the README states: the real server process (main.ts, PGlite) reading sources
 * that never end (an endless JSON body, an endless CSV, no Content-Length) stops each at
 * SOURCE_MAX_MB with a sentence, and its resident memory, sampled from /proc every 20 ms
 * throughout, grows by less than GROWTH_BOUND_MB over what it held after start (PGlite alone holds
 * several hundred MB, which is the same with or without sources).
 */
import { equal, match, ok } from "node:assert/strict";
import { spawnServer } from "./support/spawn.ts";
import { startHostileSources } from "./support/sources.ts";

const SOURCE_MAX_MB = 16;
/** The README's promise for this run: how far the server's resident memory may rise above its start. */
const GROWTH_BOUND_MB = 200;

function rssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

Deno.test({
  name: "endless JSON and CSV sources stop at SOURCE_MAX_MB and the server's memory stays within its bound",
  ignore: Deno.build.os !== "linux",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const sources = startHostileSources();
    const dataDir = await Deno.makeTempDir();
    const server = await spawnServer({
      DATA_DIR: dataDir,
      OUTBOUND_ALLOW_HOSTS: "127.0.0.1",
      SOURCE_MAX_MB: String(SOURCE_MAX_MB),
      LOG_LEVEL: "warn",
    }, 240_000); // a busy machine builds the islands slowly
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid))), 20);
    try {
      const call = async (path: string, body?: unknown, cookie = "") => {
        const res = await fetch(`${server.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: server.url, cookie },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { res, body: await res.json() };
      };
      const signup = await call("/api/auth/signup", {
        email: "mem@example.com",
        password: "correct horse battery",
        name: "Mem",
      });
      equal(signup.res.status, 201);
      const cookie = signup.res.headers.getSetCookie()[0].split(";")[0];
      const baseline = rssMb(server.pid);
      peak = baseline; // from here on: what the sources add
      const make = async (name: string, type: string, config: Record<string, unknown>) => {
        const created = await call("/api/connectors", { name, type, config }, cookie);
        equal(created.res.status, 201, JSON.stringify(created.body));
        return (created.body as { id: string }).id;
      };
      const json = await make("Endless JSON", "http_json", {
        url: `${sources.base}/endless.json`,
        records_path: "items",
      });
      const csv = await make("Endless CSV", "csv", { url: `${sources.base}/endless.csv` });
      const cap = new RegExp(`sent more than ${SOURCE_MAX_MB} MiB, .*SOURCE_MAX_MB`);

      // Three tests of the endless JSON at once (as the report that found this did), and the CSV's.
      const tests = await Promise.all(
        [json, json, json, csv].map((id) => call(`/api/connectors/${id}/test`, {}, cookie)),
      );
      for (const result of tests.slice(0, 3)) {
        equal(result.res.status, 200);
        equal(result.body.ok, false);
        match(result.body.message, cap);
      }
      match(tests[3].body.message, /^Readable: 2 columns/, "the CSV test needs only its header");

      // Both syncs at once: each fails at the cap with the same sentence.
      for (const id of [json, csv]) equal((await call(`/api/connectors/${id}/sync`, {}, cookie)).res.status, 202);
      for (const id of [json, csv]) {
        let sync: { status: string; error: string | null } | undefined;
        for (let i = 0; i < 1200; i++) {
          const res = await fetch(`${server.url}/api/connectors/${id}/syncs`, { headers: { cookie } });
          sync = (await res.json()).items[0];
          if (sync?.status === "failed" || sync?.status === "succeeded") break;
          await new Promise((r) => setTimeout(r, 100));
        }
        equal(sync?.status, "failed");
        match(sync?.error ?? "", cap);
      }
      ok(sources.endlessBytes() >= 5 * SOURCE_MAX_MB * 1048576, `the sources sent ${sources.endlessBytes()} bytes`);
      console.log(
        `resident memory: ${baseline.toFixed(0)} MB after start, peak ${peak.toFixed(0)} MB ` +
          `(growth ${(peak - baseline).toFixed(0)} MB, bound ${GROWTH_BOUND_MB} MB) while reading ${
            (sources.endlessBytes() / 1048576).toFixed(0)
          } MiB ` +
          `of endless sources with SOURCE_MAX_MB=${SOURCE_MAX_MB}`,
      );
      ok(
        peak - baseline < GROWTH_BOUND_MB,
        `resident memory rose ${(peak - baseline).toFixed(0)} MB, over the ${GROWTH_BOUND_MB} MB bound`,
      );
    } finally {
      clearInterval(sampler);
      await server.stop();
      await sources.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
