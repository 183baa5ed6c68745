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
