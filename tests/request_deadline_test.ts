/**
 * A client that sends its body slower than REQUEST_BODY_TIMEOUT_MS is cut off with a 408 and the
 * JSON error, over a real socket (Deno.serve), forty at once, while the server keeps answering.
 */
import { equal, ok } from "node:assert/strict";
import { startTestApp } from "./support/test_app.ts";

const TIMEOUT_MS = 600;
const JSON_TYPE = { "content-type": "application/json" };

/** Opens a raw connection, sends the head and the first bytes, then one byte every `dripMs`. */
async function drip(port: number, path: string, headers: Record<string, string>, dripMs: number) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const encoder = new TextEncoder();
  const started = performance.now();
  await conn.write(encoder.encode(
    `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 400\r\nOrigin: http://localhost\r\n` +
      Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("") + `\r\n{"email":"`,
  ));
  let stop = false;
  const dripping = (async () => {
    while (!stop) {
      await new Promise((r) => setTimeout(r, dripMs));
      if (stop) break;
      await conn.write(encoder.encode("a")).catch(() => (stop = true));
    }
  })();
  let text = "";
  const buffer = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
    // The whole answer: a JSON body, plain or as the last chunk of a chunked one.
    if (/\r\n\r\n[\s\S]*\}(\r\n0\r\n\r\n|\s*)$/.test(text)) break;
  }
  const ms = performance.now() - started;
  stop = true;
  conn.close();
  await dripping;
  return { text, ms };
}

Deno.test({
  name: "a body dripped slower than the deadline gets 408 with a JSON error, forty clients at once",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const t = await startTestApp("pglite", { REQUEST_BODY_TIMEOUT_MS: String(TIMEOUT_MS) });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req, info) => t.fetch(req, info));
    try {
      const clients = Array.from({ length: 40 }, () => drip(server.addr.port, "/api/auth/login", JSON_TYPE, 100));
      // The server still answers others while forty bodies drip in.
      const health = await fetch(`http://127.0.0.1:${server.addr.port}/health`);
      equal(health.status, 200);
      await health.body?.cancel();
      for (const { text, ms } of await Promise.all(clients)) {
        ok(text.startsWith("HTTP/1.1 408"), text.slice(0, 200));
        const body = JSON.parse(text.slice(text.indexOf("{")));
        equal(body.error.code, "request_timeout");
        ok(/did not arrive within 0\.6 s/.test(body.error.message), body.error.message);
        ok(ms >= TIMEOUT_MS - 50 && ms < TIMEOUT_MS + 4000, `cut off after ${ms} ms`);
      }
      // A streamed upload that stops sending is cut off the same way (each read has the deadline).
      const { cookie } = await t.signUp();
      const created = await t.call("/api/connectors", { cookie, body: { name: "Up", type: "csv", config: {} } });
      const id = (created.body as { id: string }).id;
      const upload = await drip(
        server.addr.port,
        `/api/connectors/${id}/upload`,
        { "content-type": "text/csv", cookie },
        5_000,
      );
      ok(upload.text.startsWith("HTTP/1.1 408"), upload.text.slice(0, 200));
      ok(upload.ms < TIMEOUT_MS + 4000, `upload cut off after ${upload.ms} ms`);
    } finally {
      await server.shutdown();
      await t.close();
    }
  },
});
