import { equal, ok, rejects } from "node:assert/strict";
import { guardedFetch, parseAllowList } from "./outbound.ts";
import { startHostileSources } from "../../tests/support/sources.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("a source that sends headers and part of a body, then goes silent, fails within the silence limit", async () => {
  const sources = startHostileSources();
  try {
    const allow = parseAllowList([`127.0.0.1`]);
    const silent = guardedFetch(allow, { timeoutMs: 60_000, idleMs: 300 });
    for (const path of ["/stall.json", "/stall.csv"]) {
      const started = performance.now();
      const response = await silent(`${sources.base}${path}`);
      equal(response.status, 200);
      await rejects(response.text(), { code: "outbound_refused", message: /stopped sending for 0\.3 s/ });
      const took = performance.now() - started;
      ok(took >= 250 && took < 3000, `${path} ended after ${took} ms`);
    }
    // Headers that never come: the same limit.
    const started = performance.now();
    await rejects(silent(`${sources.base}/no-headers`), { message: /did not answer within 0\.3 s/ });
    ok(performance.now() - started < 3000);
    // The whole call has its own limit even while bytes keep coming (the byte cap lifted: a quiet
    // machine receives the default 64 MiB in under 0.4 s, and this is about time).
    const total = guardedFetch(allow, { timeoutMs: 400, idleMs: 60_000, maxBytes: 2 ** 40 });
    await rejects(total(`${sources.base}/endless.json`).then((r) => r.arrayBuffer()), {
      message: /did not finish answering within 0\.4 s/,
    });
  } finally {
    await sources.close();
  }
});

Deno.test("an enclosing deadline (a sync's, a cancel) ends a call that is waiting on a body read", async () => {
  const sources = startHostileSources();
  try {
    const { Deadline } = await import("./deadline.ts");
    const sync = new Deadline(60_000, () => new Error("never"));
    const fetcher = guardedFetch(parseAllowList(["127.0.0.1"]), { idleMs: 60_000, deadline: sync });
    const response = await fetcher(`${sources.base}/stall.json`);
    const reading = response.text();
    setTimeout(() => sync.abort(new Error("Cancelled by Ada")), 100);
    await rejects(reading, /Cancelled by Ada/);
  } finally {
    await sources.close();
  }
});

// The fault this guards against only shows after a garbage collection: `AbortSignal.any` over
// `AbortSignal.timeout` lost its timer and the read waited for ever. So the check runs in its own
// process with V8's gc() exposed, collecting every 20 ms while the source is silent.
Deno.test("the time limit holds while the garbage collector runs (a long-running server)", async () => {
  const sources = startHostileSources();
  try {
    const script = `
      import { guardedFetch, parseAllowList } from "${ROOT}lib/net/outbound.ts";
      const collect = setInterval(() => globalThis.gc(), 20);
      const started = performance.now();
      const silent = guardedFetch(parseAllowList(["127.0.0.1"]), { timeoutMs: 600 });
      let outcome;
      try {
        await (await silent("${sources.base}/stall.json")).text();
        outcome = "read to the end";
      } catch (error) {
        outcome = error.message;
      }
      clearInterval(collect);
      console.log(JSON.stringify({ outcome, ms: performance.now() - started }));
      Deno.exit(0);
    `;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", "--v8-flags=--expose-gc", "-"],
      cwd: ROOT,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(script));
    await writer.close();
    // Without a working limit the child never ends on its own: stop it after 15 s and fail.
    const killer = setTimeout(() => child.kill(), 15_000);
    const { stdout, stderr } = await child.output();
    clearTimeout(killer);
    const line = new TextDecoder().decode(stdout).trim().split("\n").pop() ?? "";
    ok(line.startsWith("{"), `the child did not finish: ${new TextDecoder().decode(stderr).slice(-2000)}`);
    const { outcome, ms } = JSON.parse(line);
    ok(/did not finish answering within 0\.6 s/.test(outcome), outcome);
    ok(ms < 5000, `took ${ms} ms`);
  } finally {
    await sources.close();
  }
});
