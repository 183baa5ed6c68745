import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { guardedFetch, parseAllowList } from "./outbound.ts";
import { startHostileSources } from "../../tests/support/sources.ts";

const SECRETS = {
  authorization: "Bearer top-secret-token-1",
  cookie: "session=top-secret-cookie-2",
  "proxy-authorization": "Basic dG9wOnNlY3JldA==",
  "x-api-key": "top-secret-key-3",
  "x-tenant-secret": "top-secret-custom-4",
  "x-signature": "sig=top-secret-value-5",
};

Deno.test("a redirect to another origin drops every credential header; the same origin keeps them", async () => {
  const sources = startHostileSources();
  try {
    // Another port on 127.0.0.1 is another origin, and both are allowed: only the credentials must not follow.
    const fetcher = guardedFetch(parseAllowList(["127.0.0.1"]), {
      secretHeaders: ["X-Tenant-Secret"],
      secretValues: ["top-secret-value-5"],
    });
    const headers = { ...SECRETS, accept: "application/json", "x-trace": "kept" };
    for (const status of [301, 302, 303, 307, 308]) {
      const to = encodeURIComponent(`${sources.other.base}/landing`);
      const response = await fetcher(`${sources.base}/redirect?status=${status}&to=${to}`, { headers });
      deepStrictEqual(await response.json(), { items: [{ ok: 1 }] });
      const seen = sources.other.seen.at(-1)!;
      for (const name of Object.keys(SECRETS)) equal(seen.headers[name], undefined, `${status}: ${name} leaked`);
      equal(seen.headers["x-trace"], "kept");
      equal(seen.headers.accept, "application/json");
    }
    // A hop that stays on the origin keeps them, as browsers do.
    await fetcher(`${sources.base}/redirect?status=302&to=/same`, { headers }).then((r) => r.body?.cancel());
    const same = sources.seen.at(-1)!;
    equal(same.path, "/same");
    for (const [name, value] of Object.entries(SECRETS)) {
      // Proxy-Authorization is for proxies: no source ever gets it (see outbound.ts).
      equal(same.headers[name], name === "proxy-authorization" ? undefined : value, name);
    }
    ok(!JSON.stringify(sources.other.seen).includes("top-secret"), "no secret reached the other origin");
  } finally {
    await sources.close();
  }
});

Deno.test("a 307/308 replays a POST body; 301/302/303 turn a POST into a GET without one", async () => {
  const sources = startHostileSources();
  try {
    const fetcher = guardedFetch(parseAllowList(["127.0.0.1"]));
    const body = JSON.stringify({ query: "x".repeat(70_000) }); // larger than one stream chunk
    for (const status of [307, 308]) {
      const to = encodeURIComponent(`${sources.other.base}/replayed`);
      const response = await fetcher(`${sources.base}/redirect?status=${status}&to=${to}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      equal(response.status, 200, `${status}`);
      await response.body?.cancel();
      const seen = sources.other.seen.at(-1)!;
      deepStrictEqual([seen.method, seen.path, seen.body.length], ["POST", "/replayed", body.length]);
      equal(seen.body, body);
    }
    for (const status of [301, 302, 303]) {
      const to = encodeURIComponent(`${sources.other.base}/as-get`);
      await fetcher(`${sources.base}/redirect?status=${status}&to=${to}`, { method: "POST", body: "a=1" })
        .then((r) => r.body?.cancel());
      const seen = sources.other.seen.at(-1)!;
      deepStrictEqual([seen.method, seen.body, seen.headers["content-type"]], ["GET", "", undefined], `${status}`);
    }
  } finally {
    await sources.close();
  }
});
