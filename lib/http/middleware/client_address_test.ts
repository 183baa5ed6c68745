import { equal } from "node:assert/strict";
import { parseTrustedProxies, resolveClientAddress } from "./client_address.ts";

const trusted = parseTrustedProxies(["10.0.0.0/8", "2001:db8:1::/48", "192.0.2.1"]);

Deno.test("resolveClientAddress() ignores X-Forwarded-For without trusted proxies or from an untrusted peer", () => {
  equal(resolveClientAddress("198.51.100.1", "203.0.113.9", []), "198.51.100.1");
  equal(resolveClientAddress("198.51.100.1", "203.0.113.9", trusted), "198.51.100.1");
  equal(resolveClientAddress("10.0.0.1", undefined, trusted), "10.0.0.1");
  equal(resolveClientAddress(undefined, "203.0.113.9", trusted), undefined);
});

Deno.test("resolveClientAddress() takes the right-most hop that is not a trusted proxy", () => {
  equal(resolveClientAddress("10.0.0.1", "203.0.113.9", trusted), "203.0.113.9");
  equal(resolveClientAddress("10.0.0.1", "1.1.1.1, 203.0.113.9, 10.2.3.4", trusted), "203.0.113.9");
  equal(resolveClientAddress("192.0.2.1", "1.1.1.1,203.0.113.9 , 192.0.2.1", trusted), "203.0.113.9");
  equal(resolveClientAddress("2001:db8:1::5", "2001:DB8:2::7", trusted), "2001:db8:2::7");
  equal(resolveClientAddress("::ffff:10.0.0.1", "[2001:db8:2::7]:443", trusted), "2001:db8:2::7");
  equal(resolveClientAddress("10.0.0.1", "203.0.113.9:5123", trusted), "203.0.113.9");
  // Every hop trusted: the left-most is as far as the chain goes.
  equal(resolveClientAddress("10.0.0.1", "10.0.0.2, 10.0.0.3", trusted), "10.0.0.2");
  // A malformed hop ends the walk: what is left of it was not written by our proxies.
  equal(resolveClientAddress("10.0.0.1", "203.0.113.9, garbage", trusted), "10.0.0.1");
  equal(resolveClientAddress("10.0.0.1", "garbage, 203.0.113.9", trusted), "203.0.113.9");
});
