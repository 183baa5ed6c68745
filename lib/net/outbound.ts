/**
 * The one gate for addresses users configure (connector hosts and URLs, workflow http steps).
 * A user who could make the server call 127.0.0.1, 10.0.0.0/8 or 169.254.169.254 could read
 * internal services and cloud credentials, so every name is resolved and each address must be
 * public unicast, unless the operator allowed it in OUTBOUND_ALLOW_HOSTS. Redirects are followed
 * by hand and checked again; time and size are capped.
 */
import ipaddr from "ipaddr.js";
import { ApiError } from "../http/errors.ts";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A parsed OUTBOUND_ALLOW_HOSTS. */
export interface AllowList {
  hosts: { host: string; port?: number }[];
  ranges: [Address, number][];
}

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

/** Why `address` may not be called, or undefined when it is public unicast. */
export function forbiddenRange(address: string): string | undefined {
  const ip = ipaddr.process(address); // unwraps IPv4-mapped IPv6
  const range = ip.range();
  return range === "unicast" ? undefined : range;
}

/**
 * Resolves `host` and checks every address it has. Returns the first address, which callers
 * connect to so that a second lookup cannot answer differently.
 */
export async function checkHost(host: string, port: number, allow: AllowList): Promise<string> {
  const name = normalHost(host);
  const hostAllowed = allow.hosts.some((h) => h.host === name && (h.port === undefined || h.port === port));
  const addresses = await resolve(name);
  for (const address of addresses) {
    if (hostAllowed) continue;
    const ip = ipaddr.process(address);
    if (allow.ranges.some(([net, bits]) => ip.kind() === net.kind() && ip.match(net, bits))) continue;
    if (allow.hosts.some((h) => h.host === ip.toString() && (h.port === undefined || h.port === port))) continue;
    const range = forbiddenRange(address);
    if (range) {
      throw outboundRefused(
        `${host} resolves to ${address}, a ${range} address, which this server does not call. ` +
          `An operator can allow it in OUTBOUND_ALLOW_HOSTS.`,
      );
    }
  }
  return addresses[0];
}

async function resolve(name: string): Promise<string[]> {
  if (ipaddr.isValid(name)) return [name];
  if (name === "localhost" || name.endsWith(".localhost")) return ["127.0.0.1", "::1"];
  const [v4, v6] = await Promise.allSettled([Deno.resolveDns(name, "A"), Deno.resolveDns(name, "AAAA")]);
  const addresses = [
    ...(v4.status === "fulfilled" ? v4.value : []),
    ...(v6.status === "fulfilled" ? v6.value : []),
  ];
  if (addresses.length === 0) throw outboundRefused(`Cannot resolve the host ${name}`);
  return addresses;
}

/** Limits for one outbound HTTP call. */
export interface FetchLimits {
  timeoutMs?: number;
  /** The largest response body; reading past it fails. */
  maxBytes?: number;
  maxRedirects?: number;
}

/**
 * A `fetch` that checks every URL it goes to (including each redirect) against the allow list and
 * caps time and body size. Hand it to libraries (supabase-js) as their fetch.
 */
export function guardedFetch(
  allow: AllowList,
  limits: FetchLimits = {},
  baseFetch: typeof fetch = fetch,
): typeof fetch {
  const { timeoutMs = 30_000, maxBytes = 50 * 1024 * 1024, maxRedirects = 5 } = limits;
  return async (input, init) => {
    const request = new Request(input, init);
    let url = new URL(request.url);
    const signal = AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]);
    let current = new Request(request, { redirect: "manual", signal });
    for (let hop = 0;; hop++) {
      await checkUrl(url, allow);
      const response = await baseFetch(current).catch((error) => {
        if (signal.aborted) throw outboundRefused(`${url.host} did not answer within ${timeoutMs / 1000} s`);
        throw outboundRefused(`Cannot reach ${url.host}: ${error instanceof Error ? error.message : error}`);
      });
      const location = response.headers.get("location");
      if (response.status < 300 || response.status > 399 || !location) return capBody(response, maxBytes);
      await response.body?.cancel();
      if (hop >= maxRedirects) throw outboundRefused(`Too many redirects from ${request.url}`);
      url = new URL(location, url);
      // 303 (and 301/302 after POST, as browsers do) turns into a GET without a body.
      const toGet = response.status === 303 || (response.status <= 302 && current.method === "POST");
      current = new Request(url, {
        method: toGet ? "GET" : current.method,
        headers: current.headers,
        body: toGet ? undefined : current.body,
        redirect: "manual",
        signal,
      });
    }
  };
}

/** Checks scheme and host of a URL. */
export async function checkUrl(url: URL, allow: AllowList): Promise<void> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw outboundRefused(`Only http and https URLs are allowed, not ${url.protocol.replace(":", "")}`);
  }
  if (url.username || url.password) throw outboundRefused("Put credentials in headers, not in the URL");
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  await checkHost(url.hostname, port, allow);
}

function capBody(response: Response, maxBytes: number): Response {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > maxBytes) {
    response.body?.cancel();
    throw outboundRefused(`The response is larger than ${maxBytes} bytes`);
  }
  if (!response.body) return response;
  let seen = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(outboundRefused(`The response is larger than ${maxBytes} bytes`));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
}

const allowLists = new WeakMap<{ outboundAllowHosts: string[] }, AllowList>();

/** The parsed OUTBOUND_ALLOW_HOSTS of a configuration, made once. */
export function allowListFor(config: { outboundAllowHosts: string[] }): AllowList {
  let list = allowLists.get(config);
  if (!list) allowLists.set(config, list = parseAllowList(config.outboundAllowHosts));
  return list;
}
