/**
 * Which addresses the server may call. A user who could make the server call 127.0.0.1, 10.0.0.0/8
 * or 169.254.169.254 could read internal services and cloud credentials (OWASP SSRF prevention
 * cheat sheet), so every name is resolved once and each address must be public unicast, unless
 * the operator allowed it in OUTBOUND_ALLOW_HOSTS. Callers then connect to the address that was
 * checked (lib/net/pinned.ts), never to the name again.
 */
import ipaddr from "ipaddr.js";
import { ApiError } from "../http/errors.ts";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A parsed OUTBOUND_ALLOW_HOSTS. */
export interface AllowList {
  hosts: { host: string; port?: number }[];
  ranges: [Address, number][];
}

/** Resolves a host name to its addresses (A and AAAA). Tests inject their own. */
export type Resolver = (name: string) => Promise<string[]>;

/** Parses `host`, `host:port`, `[v6]:port` and CIDR entries. */
export function parseAllowList(entries: string[]): AllowList {
  const list: AllowList = { hosts: [], ranges: [] };
  for (const entry of entries) {
    if (entry.includes("/")) {
      list.ranges.push(ipaddr.parseCIDR(entry));
      continue;
    }
    const v6 = /^\[(.+)\](?::(\d+))?$/.exec(entry);
    const hostPort = /^([^:]+):(\d+)$/.exec(entry);
    if (v6) list.hosts.push({ host: normalHost(v6[1]), port: v6[2] ? Number(v6[2]) : undefined });
    else if (hostPort) list.hosts.push({ host: normalHost(hostPort[1]), port: Number(hostPort[2]) });
    else list.hosts.push({ host: normalHost(entry) });
  }
  return list;
}

function normalHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return ipaddr.isValid(bare) ? ipaddr.process(bare).toString() : bare;
}

/** The 422 every refusal answers with; the message says what to change. */
export function outboundRefused(message: string): ApiError {
  return new ApiError(422, "outbound_refused", message);
}

/**
 * Why `address` may not be called, or undefined when it is public unicast. IPv6 forms that carry
 * an IPv4 address inside are refused whole: IPv4-mapped (::ffff:0:0/96) is judged by the v4
 * address it maps; IPv4-compatible (::/96, deprecated by RFC 4291 §2.5.5.1), IPv4-translated
 * (RFC 6145), NAT64 (64:ff9b::/96 and 64:ff9b:1::/48, RFC 6052/8215), 6to4 (2002::/16, RFC 3056)
 * and Teredo (2001::/32, RFC 4380) are refused, since a relay or translator on the path turns them
 * into whatever v4 address they embed, loopback and private ones included.
 */
export function forbiddenRange(address: string): string | undefined {
  const raw = ipaddr.parse(address);
  if (raw.kind() === "ipv6") {
    const parts = (raw as ipaddr.IPv6).parts;
    // ::/96 minus :: and ::1 (their own ranges): the IPv4-compatible form, e.g. [::7f00:1].
    if (parts.slice(0, 6).every((p) => p === 0) && (parts[6] !== 0 || parts[7] > 1)) return "ipv4Compatible";
  }
  const ip = ipaddr.process(address); // unwraps IPv4-mapped IPv6
  const range = ip.range();
  return range === "unicast" ? undefined : range;
}

/**
 * Resolves `host` and checks every address it has. Returns the first address, which callers
 * connect to so that a second lookup cannot answer differently (DNS rebinding).
 * Throws a 422 `outbound_refused` naming the address and its range.
 */
export async function checkHost(
  host: string,
  port: number,
  allow: AllowList,
  resolver: Resolver = resolve,
): Promise<string> {
  const name = normalHost(host);
  const hostAllowed = allow.hosts.some((h) => h.host === name && (h.port === undefined || h.port === port));
  const addresses = ipaddr.isValid(name) ? [name] : await resolver(name);
  if (addresses.length === 0) throw outboundRefused(`Cannot resolve the host ${name}`);
  for (const address of addresses) {
    if (!ipaddr.isValid(address)) throw outboundRefused(`${host} resolves to ${address}, which is not an address`);
    if (hostAllowed) continue;
    const ip = ipaddr.process(address);
    if (allow.ranges.some(([net, bits]) => ip.kind() === net.kind() && ip.match(net, bits))) continue;
    if (allow.hosts.some((h) => h.host === ip.toString() && (h.port === undefined || h.port === port))) continue;
    const range = forbiddenRange(address);
    if (range) {
      // A bare address is named once ("127.0.0.1 is a loopback address"), a name with what it resolves to.
      const what = name === address ? `${address} is` : `${host} resolves to ${address},`;
      throw outboundRefused(
        `${what} a ${range} address, which this server does not call. An operator can allow it in OUTBOUND_ALLOW_HOSTS.`,
      );
    }
  }
  return ipaddr.process(addresses[0]).toString();
}

/** The system's answer for `name`: A and AAAA records; `localhost` is loopback without asking. */
export async function resolve(name: string): Promise<string[]> {
  if (name === "localhost" || name.endsWith(".localhost")) return ["127.0.0.1", "::1"];
  const [v4, v6] = await Promise.allSettled([Deno.resolveDns(name, "A"), Deno.resolveDns(name, "AAAA")]);
  return [
    ...(v4.status === "fulfilled" ? v4.value : []),
    ...(v6.status === "fulfilled" ? v6.value : []),
  ];
}

/** The port a URL connects to. */
export function urlPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/**
 * Checks scheme, credentials and host of a URL; returns the address to connect to.
 * 422 `outbound_refused` for anything but http(s), user:password in the URL, or a refused address.
 */
export async function checkUrl(url: URL, allow: AllowList, resolver?: Resolver): Promise<string> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw outboundRefused(`Only http and https URLs are allowed, not ${url.protocol.replace(":", "")}`);
  }
  if (url.username || url.password) throw outboundRefused("Put credentials in headers, not in the URL");
  return await checkHost(url.hostname, urlPort(url), allow, resolver);
}

const allowLists = new WeakMap<{ outboundAllowHosts: string[] }, AllowList>();

/** The parsed OUTBOUND_ALLOW_HOSTS of a configuration, made once. */
export function allowListFor(config: { outboundAllowHosts: string[] }): AllowList {
  let list = allowLists.get(config);
  if (!list) allowLists.set(config, list = parseAllowList(config.outboundAllowHosts));
  return list;
}
