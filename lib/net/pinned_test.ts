import { deepStrictEqual, equal } from "node:assert/strict";
import { guardedFetch, parseAllowList } from "./outbound.ts";
import { closeTunnel } from "./pinned.ts";

const TLS = new URL("../../tests/fixtures/tls/", import.meta.url);
const cert = Deno.readTextFileSync(new URL("localhost.pem", TLS));
const key = Deno.readTextFileSync(new URL("localhost.key", TLS));
const ca = Deno.readTextFileSync(new URL("ca.pem", TLS));

/**
 * Two servers on one port: 127.0.0.2 plays the public address the guard checks (allowed by a CIDR
 * entry), 127.0.0.1 the internal service a rebinding DNS server answers with the second time.
 */
function twoServers(tls: boolean) {
  for (let attempt = 0;; attempt++) {
    const hits = { checked: 0, internal: 0 };
    const options = tls ? { cert, key } : {};
    const checked = Deno.serve({ hostname: "127.0.0.2", port: 0, onListen() {}, ...options }, () => {
      hits.checked++;
      return Response.json({ from: "checked" });
    });
    try {
      const internal = Deno.serve({ hostname: "127.0.0.1", port: checked.addr.port, onListen() {}, ...options }, () => {
        hits.internal++;
        return Response.json({ from: "internal" });
      });
      return {
        port: checked.addr.port,
        hits,
        close: () => Promise.all([checked.shutdown(), internal.shutdown()]),
      };
    } catch (error) {
      checked.shutdown();
      if (!(error instanceof Deno.errors.AddrInUse) || attempt > 20) throw error;
    }
  }
}

/** A DNS server that answers the checked address first and loopback on every later question. */
function rebindingResolver() {
  const asked: string[] = [];
  return {
    asked,
    resolve: (name: string) => {
      asked.push(name);
      return Promise.resolve(asked.length === 1 ? ["127.0.0.2"] : ["127.0.0.1"]);
    },
  };
}

for (const scheme of ["http", "https"] as const) {
  Deno.test(`${scheme}: a name that rebinds to loopback after the check still reaches the checked address`, async () => {
    const servers = twoServers(scheme === "https");
    try {
      const dns = rebindingResolver();
      const fetcher = guardedFetch(parseAllowList(["127.0.0.2/32"]), {
        resolve: dns.resolve,
        caCerts: [ca],
      });
      // "localhost" is a name the system resolver answers with 127.0.0.1: a fetch by name would go inside.
      const response = await fetcher(`${scheme}://localhost:${servers.port}/`);
      deepStrictEqual(await response.json(), { from: "checked" });
      deepStrictEqual(servers.hits, { checked: 1, internal: 0 });
      deepStrictEqual(dns.asked, ["localhost"], "resolved once");
    } finally {
      await servers.close();
      closeTunnel();
    }
  });
}

Deno.test("https: the pinned connection still verifies the certificate for the URL's name", async () => {
  const servers = twoServers(true);
  try {
    // The certificate is for "localhost"; a URL naming another host must fail even on the right address.
    const fetcher = guardedFetch(parseAllowList(["127.0.0.2/32"]), {
      resolve: () => Promise.resolve(["127.0.0.2"]),
      caCerts: [ca],
    });
    const error = await fetcher(`https://other.test:${servers.port}/`).catch((e) => e);
    equal(error.code, "outbound_refused");
    equal(/certificate/i.test(error.message), true, error.message);
    equal(servers.hits.checked, 0);
  } finally {
    await servers.close();
    closeTunnel();
  }
});

/** A bare HTTP/1.1 origin (as Python's http.server behaves): the request line's target taken as the path. */
function strictOrigin() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const heads: string[] = [];
  (async () => {
    for await (const conn of listener) {
      (async () => {
        const buffer = new Uint8Array(65536);
        let text = "";
        while (!text.includes("\r\n\r\n")) {
          const n = await conn.read(buffer);
          if (n === null) break;
          text += new TextDecoder().decode(buffer.subarray(0, n));
        }
        const head = text.split("\r\n\r\n")[0];
        heads.push(head);
        const target = head.split(" ")[1];
        const body = target === "/data.csv?x=1" ? "id,name\n1,one\n" : "not found";
        const status = target === "/data.csv?x=1" ? "200 OK" : "404 Not Found";
        await conn.write(new TextEncoder().encode(
          `HTTP/1.1 ${status}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        ));
        conn.close();
      })().catch(() => {});
    }
  })().catch(() => {});
  return { port: (listener.addr as Deno.NetAddr).port, heads, close: () => listener.close() };
}

Deno.test("http: the source gets the request in origin form with its Host, and no proxy headers", async () => {
  const origin = strictOrigin();
  try {
    const fetcher = guardedFetch(parseAllowList(["127.0.0.1"]), { resolve: () => Promise.resolve(["127.0.0.1"]) });
    const response = await fetcher(`http://source.test:${origin.port}/data.csv?x=1`);
    equal(response.status, 200);
    equal(await response.text(), "id,name\n1,one\n");
    const [line, ...fields] = origin.heads[0].split("\r\n");
    equal(line, "GET /data.csv?x=1 HTTP/1.1");
    deepStrictEqual(fields.filter((f) => /^host:/i.test(f)).map((f) => f.toLowerCase()), [
      `host: source.test:${origin.port}`,
    ]);
    equal(fields.some((f) => /^proxy-/i.test(f)), false, "a proxy header reached the source");
    deepStrictEqual(fields.filter((f) => /^connection:/i.test(f)).map((f) => f.toLowerCase()), ["connection: close"]);
  } finally {
    origin.close();
    closeTunnel();
  }
});

Deno.test("originForm() rewrites only absolute-form HTTP/1.x requests", async () => {
  const { originForm } = await import("./pinned.ts");
  const ours = "Proxy-Authorization: Basic eA==";
  equal(
    originForm(
      `POST http://a.test:81/p/q?r=1 HTTP/1.1\r\nHost: a.test:81\r\n${ours}\r\nConnection: keep-alive\r\n\r\n`,
      ours,
    ),
    "POST /p/q?r=1 HTTP/1.1\r\nHost: a.test:81\r\nconnection: close\r\n\r\n",
  );
  equal(originForm("GET /already HTTP/1.1\r\n\r\n", ours), undefined);
  equal(originForm("GET https://a.test/ HTTP/1.1\r\n\r\n", ours), undefined);
  equal(originForm("GET http://a.test/ HTTP/2\r\n\r\n", ours), undefined);
});
