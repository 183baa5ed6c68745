/**
 * The client's address, for rate limits, audit rows and sessions. `X-Forwarded-For` is anyone's to
 * write, so it is read only when the peer that connected is a proxy named in `TRUSTED_PROXIES`;
 * then the address is the right-most hop that is not itself a trusted proxy (hops to its left were
 * written by the client and prove nothing; OWASP, and MDN's X-Forwarded-For "Selecting an IP
 * address").
 */
import type { MiddlewareHandler } from "hono";
import ipaddr from "ipaddr.js";
import type { AppEnv } from "../env.ts";

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

/** Parses `TRUSTED_PROXIES` entries (IPs and CIDR ranges; the config checked them). */
export function parseTrustedProxies(entries: string[]): Range[] {
  return entries.map((entry) => {
    if (entry.includes("/")) return ipaddr.parseCIDR(entry);
    const ip = ipaddr.parse(entry);
    return [ip, ip.kind() === "ipv4" ? 32 : 128] as Range;
  });
}

/** Parsed addresses by their text: the same peers and proxies come back request after request. */
const parsed = new Map<string, Address>();
const PARSED_ENTRIES = 4096;

function parse(address: string): Address | undefined {
  const known = parsed.get(address);
  if (known) return known;
  const ip = parseAddress(address);
  // Only real addresses are kept: a header's junk (any length a client sends) is parsed and dropped.
  if (ip && address.length <= 64) {
    if (parsed.size >= PARSED_ENTRIES) parsed.clear();
    parsed.set(address, ip);
  }
  return ip;
}

function parseAddress(address: string): Address | undefined {
  // "[v6]" and "v4:port" forms appear in some proxies' headers; ipaddr.process unwraps v4-mapped v6.
  const bare = address.trim().replace(/^\[(.*)\](?::\d+)?$/, "$1").replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, "$1");
  return ipaddr.isValid(bare) ? ipaddr.process(bare) : undefined;
}

function trusted(ip: Address, ranges: Range[]): boolean {
  return ranges.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));
}

/**
 * The client's address: the peer's, unless the peer is a trusted proxy, in which case the
 * right-most `forwardedFor` hop that is not trusted (or the left-most hop, when every hop is). A
 * malformed hop stops the walk: nothing to its left can be believed, so the hop to its right
 * (or the peer) is the answer.
 */
export function resolveClientAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  ranges: Range[],
): string | undefined {
  const peerIp = peer ? parse(peer) : undefined;
  if (!peerIp || ranges.length === 0 || !forwardedFor || !trusted(peerIp, ranges)) {
    return peerIp?.toString() ?? peer;
  }
  let client = peerIp;
  for (const hop of forwardedFor.split(",").reverse()) {
    const ip = parse(hop);
    if (!ip) break;
    client = ip;
    if (!trusted(ip, ranges)) break;
  }
  return client.toString();
}

/** Sets `clientIp` for `requestMeta` from the connection and, behind trusted proxies, X-Forwarded-For. */
export function clientAddress(trustedProxies: string[]): MiddlewareHandler<AppEnv> {
  const ranges = parseTrustedProxies(trustedProxies);
  return async function clientAddressMiddleware(c, next) {
    const peer = (c.env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr?.hostname;
    c.set("clientIp", resolveClientAddress(peer, c.req.header("x-forwarded-for"), ranges));
    await next();
  };
}
