/**
 * Fetch over a connection to an address that was already checked, keeping the URL's host name for
 * the Host header, TLS SNI and certificate checks. Without this, `fetch(url)` would look the name
 * up again, and a DNS server that answers a public address first and 127.0.0.1 second would steer
 * the call inside (DNS rebinding; OWASP SSRF prevention cheat sheet).
 *
 * Deno 2 has no resolver hook in `fetch`, so each call gets its own `Deno.createHttpClient` whose
 * only way out is a proxy that runs in this process on loopback and connects to the checked
 * address, whatever host the request names:
 *  - https: fetch asks it for a CONNECT tunnel; TLS runs end to end between fetch and the source,
 *    with SNI and certificate verification for the URL's name, so the proxy sees only ciphertext;
 *  - http: fetch sends it the request in absolute form (`GET http://host/path`), as to any proxy;
 *    it passes the request on in origin form (`GET /path`, RFC 9112 §3.2.1) with the Host header
 *    as sent, since many servers (Python's http.server, Express routes) do not accept the absolute
 *    form from a client, and with `Connection: close`, so nothing else is sent on that connection.
 *    (Deno's `tcp` proxy transport was tried first: it sends the absolute form to the source.)
 * Fetching the IP literal with a Host header was rejected: it cannot carry TLS with the right name.
 * Checking the peer after connecting was rejected: fetch does not expose the peer address.
 * Where a runtime offers neither custom clients nor listening sockets (Deno Deploy), the call falls
 * back to fetching by name after the check: Deploy's network cannot reach private addresses anyway.
 */
import { urlPort } from "./addresses.ts";

interface Target {
  hostname: string;
  port: number;
}

/** The CONNECT proxy: one loopback listener for the process, a random token per client. */
class Tunnel {
  readonly #targets = new Map<string, Target>();
  #listener: Deno.TcpListener | undefined;

  /** The proxy's URL, starting it on first use. */
  url(): string {
    if (!this.#listener) {
      this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      this.#listener.unref(); // a waiting accept must not keep a finished process alive
      this.#accept(this.#listener);
    }
    return `http://127.0.0.1:${this.#listener.addr.port}`;
  }

  /** A proxy user name that tunnels to `target` until `release` is called. */
  register(target: Target): { token: string; release(): void } {
    const token = crypto.randomUUID().replaceAll("-", "");
    this.#targets.set(token, target);
    return { token, release: () => this.#targets.delete(token) };
  }

  /** Stops listening (tests; the process otherwise keeps it). */
  close(): void {
    this.#listener?.close();
    this.#listener = undefined;
  }

  async #accept(listener: Deno.TcpListener) {
    try {
      for await (const conn of listener) this.#serve(conn).catch(() => conn.close());
    } catch {
      // closed
    }
  }

  async #serve(conn: Deno.TcpConn) {
    const head = await readHead(conn) ?? "";
    // Ours is the Proxy-Authorization whose user name is a registered token; a source's own
    // header of that name (a caller may set one) is passed on untouched.
    const ours = head.split("\r\n").find((field) => this.#targets.has(proxyUser(field) ?? ""));
    const target = ours ? this.#targets.get(proxyUser(ours)!) : undefined;
    const tunnelled = head.startsWith("CONNECT ");
    const forwarded = target && !tunnelled ? originForm(head, ours!) : undefined;
    if (!target || (!tunnelled && !forwarded)) {
      await conn.write(new TextEncoder().encode("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"));
      conn.close();
      return;
    }
    const upstream = await Deno.connect({ hostname: target.hostname, port: target.port }).catch(() => undefined);
    if (!upstream) {
      await conn.write(new TextEncoder().encode("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
      conn.close();
      return;
    }
    if (forwarded) await writeAll(upstream, new TextEncoder().encode(forwarded));
    else await conn.write(new TextEncoder().encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
    const closeBoth = () => {
      for (const c of [conn, upstream]) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
    };
    // Either side ending ends the tunnel: an HTTP client never half-closes here.
    await Promise.race([
      upstream.readable.pipeTo(conn.writable, { preventClose: true }).catch(() => {}),
      conn.readable.pipeTo(upstream.writable, { preventClose: true }).catch(() => {}),
    ]);
    closeBoth();
  }
}

/** The user name of a `Proxy-Authorization: Basic …` header line, else undefined. */
function proxyUser(field: string): string | undefined {
  const encoded = /^proxy-authorization:\s*basic\s+(\S+)\s*$/i.exec(field)?.[1];
  try {
    return encoded ? atob(encoded).split(":")[0] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A proxy request head (`GET http://host/path HTTP/1.1`, headers) rewritten for the origin server:
 * the origin-form target, the proxy's own `ours` authorization line and connection headers
 * dropped, `Connection: close`. Undefined when the head is not an absolute-form HTTP/1.x request.
 */
export function originForm(head: string, ours: string): string | undefined {
  const [line, ...fields] = head.split("\r\n");
  const request = /^([A-Z]+) (http:\/\/\S+) (HTTP\/1\.[01])$/.exec(line);
  if (!request) return undefined;
  let url: URL;
  try {
    url = new URL(request[2]);
  } catch {
    return undefined;
  }
  const kept = fields.filter((f) => f !== "" && f !== ours && !/^(proxy-connection|connection):/i.test(f));
  return [`${request[1]} ${url.pathname}${url.search} ${request[3]}`, ...kept, "connection: close", "", ""]
    .join("\r\n");
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) written += await conn.write(bytes.subarray(written));
}

/** Reads a request head (up to 32 KiB) byte-exact, so nothing of the stream after it is taken. */
async function readHead(conn: Deno.Conn): Promise<string | undefined> {
  const buffer = new Uint8Array(32 * 1024);
  let length = 0;
  const one = new Uint8Array(1);
  while (length < buffer.length) {
    const n = await conn.read(one);
    if (n === null) return undefined;
    buffer[length++] = one[0];
    if (length >= 4 && buffer[length - 4] === 13 && buffer[length - 3] === 10 && buffer[length - 2] === 13) {
      if (buffer[length - 1] === 10) return new TextDecoder().decode(buffer.subarray(0, length));
    }
  }
  return undefined;
}

const tunnel = new Tunnel();

let canListen: boolean | undefined;

/** Whether this runtime can pin a call (custom HTTP clients and a loopback listener). */
function pinningAvailable(): boolean {
  if (typeof Deno.createHttpClient !== "function") return false;
  if (canListen === undefined) {
    try {
      tunnel.url();
      canListen = true;
    } catch {
      canListen = false;
    }
  }
  return canListen;
}

/** Closes the process's CONNECT proxy (for tests that check for leaked resources). */
export function closeTunnel(): void {
  tunnel.close();
}

/**
 * Sends `request` over a connection to `address` (an IP the guard checked), keeping the URL's name
 * for Host, SNI and certificates. `caCerts` adds trusted roots (tests, an internal CA). `release`
 * must be called once the response body is done: it closes the client.
 */
export async function fetchPinned(
  request: Request,
  address: string,
  options: { caCerts?: string[]; baseFetch?: typeof fetch } = {},
): Promise<{ response: Response; release(): void }> {
  const url = new URL(request.url);
  const port = urlPort(url);
  const baseFetch = options.baseFetch ?? fetch;
  if (!pinningAvailable()) return { response: await baseFetch(request), release: () => {} };
  const { token, release: unregister } = tunnel.register({ hostname: address, port });
  const client = Deno.createHttpClient({
    caCerts: options.caCerts,
    proxy: { url: tunnel.url(), basicAuth: { username: token, password: "x" } },
  });
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    unregister();
    client.close();
  };
  try {
    const response = await baseFetch(request, { client } as RequestInit);
    return { response, release };
  } catch (error) {
    release();
    throw error;
  }
}
