import { deepStrictEqual, equal, rejects } from "node:assert/strict";
import { checkHost, checkUrl, forbiddenRange, guardedFetch, parseAllowList } from "./outbound.ts";

Deno.test("private, loopback, link-local, multicast and reserved addresses are refused; public ones pass", () => {
  for (
    const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "240.0.0.1",
      "255.255.255.255",
      "::1",
      "::",
      "fe80::1",
      "fc00::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:169.254.169.254",
    ]
  ) equal(typeof forbiddenRange(address), "string", address);
  for (const address of ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"]) {
    equal(forbiddenRange(address), undefined, address);
  }
});

Deno.test("IPv6 forms that embed an IPv4 address are refused, as v6 and as URL hosts", async () => {
  const embedded = [
    "::7f00:1", // IPv4-compatible 127.0.0.1
    "::127.0.0.1",
    "::a00:1", // IPv4-compatible 10.0.0.1
    "::808:808", // IPv4-compatible, even of a public address: deprecated and not routed as such
    "::ffff:0:7f00:1", // IPv4-translated (RFC 6145)
    "2002:7f00:1::1", // 6to4 of 127.0.0.1
    "2002:808:808::1", // 6to4 of a public address: a relay decides where it goes
    "64:ff9b::7f00:1", // NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
    "64:ff9b:1::1", // local-use NAT64 (RFC 8215)
    "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
  ];
  for (const address of embedded) equal(typeof forbiddenRange(address), "string", address);
  const allow = parseAllowList([]);
  for (const host of ["[::7f00:1]", "[::127.0.0.1]", "[::8.8.8.8]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]"]) {
    await rejects(checkUrl(new URL(`http://${host}:8080/`), allow), { code: "outbound_refused" }, host);
  }
});

Deno.test("the allow list takes hosts, host:port and CIDR ranges", async () => {
  const allow = parseAllowList(["db.internal:5432", "127.0.0.1:8080", "10.20.0.0/16", "[::1]:9000"]);
  equal(await checkHost("127.0.0.1", 8080, allow), "127.0.0.1");
  equal(await checkHost("10.20.3.4", 1, allow), "10.20.3.4");
  equal(await checkHost("::1", 9000, allow), "::1");
  await rejects(checkHost("127.0.0.1", 8081, allow), { code: "outbound_refused", status: 422 });
  await rejects(checkHost("10.21.0.1", 5432, allow), /10\.21\.0\.1 is a private address/);
  await rejects(checkHost("localhost", 8080, allow), /loopback/);
  await rejects(checkHost("::1", 9001, allow), /loopback/);
});

Deno.test("guarded fetch refuses other schemes and checks every redirect", async () => {
  await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/to-metadata") return Response.redirect("http://169.254.169.254/latest/meta-data/", 302);
    if (url.pathname === "/hop") return Response.redirect(new URL("/ok", url), 302);
    if (url.pathname === "/big") return new Response("x".repeat(5000));
    if (url.pathname === "/stream") {
      return new Response(ReadableStream.from(["x", "y"].map((c) => new TextEncoder().encode(c.repeat(600)))));
    }
    return Response.json({ ok: true });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const allowed = guardedFetch(parseAllowList([`127.0.0.1:${server.addr.port}`]), { maxBytes: 1000 });
  deepStrictEqual(await (await allowed(`${base}/hop`)).json(), { ok: true });
  await rejects(allowed(`${base}/to-metadata`), /169\.254\.169\.254 is a linkLocal address/);
  await rejects(allowed(`${base}/big`).then((r) => r.text()), /more than 1000 bytes/);
  await rejects(allowed(`${base}/stream`).then((r) => r.text()), /more than 1000 bytes/);
  await rejects(allowed("file:///etc/passwd"), /Only http and https/);
  await rejects(allowed(`http://user:pw@127.0.0.1:${server.addr.port}/`), /not in the URL/);
  await rejects(guardedFetch(parseAllowList([]))(`${base}/`), /loopback address/);
});
