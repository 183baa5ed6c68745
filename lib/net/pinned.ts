/**
 * Fetch over a connection to an address that was already checked, keeping the URL's host name for
 * the Host header, TLS SNI and certificate checks. Without this, `fetch(url)` would look the name
 * up again, and a DNS server that answers a public address first and 127.0.0.1 second would steer
 * the call inside (DNS rebinding; OWASP SSRF prevention cheat sheet).
 *
 * Deno 2 has no resolver hook in `fetch`, so each call gets its own `Deno.createHttpClient` whose
 * only way out is the checked address:
 *  - http: the `tcp` proxy transport, which sends the request over a TCP connection to the address
 *    (the request line and Host header keep the name);
 *  - https: the `tcp` transport would send plain text, so the client instead uses an HTTP CONNECT
 *    proxy that runs in this process on loopback and opens the tunnel to the checked address,
 *    whatever host the CONNECT line names. TLS runs end to end between fetch and the source, with
 *    SNI and certificate verification for the URL's name, so the proxy sees only ciphertext.
 * Fetching the IP literal with a Host header was rejected: it cannot carry TLS with the right name.
 * Checking the peer after connecting was rejected: fetch does not expose the peer address.
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
    const head = await readHead(conn);
    const auth = /^proxy-authorization:\s*basic\s+(\S+)\s*$/im.exec(head ?? "")?.[1];
    const token = auth ? atob(auth).split(":")[0] : "";
    const target = head?.startsWith("CONNECT ") ? this.#targets.get(token) : undefined;
    if (!target) {
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
    await conn.write(new TextEncoder().encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
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

/** Reads a request head (up to 8 KiB) byte-exact, so nothing of the TLS stream after it is taken. */
async function readHead(conn: Deno.Conn): Promise<string | undefined> {
  const buffer = new Uint8Array(8192);
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
  let client: Deno.HttpClient;
  let unregister = () => {};
  if (url.protocol === "http:") {
    client = Deno.createHttpClient({ caCerts: options.caCerts, proxy: { transport: "tcp", hostname: address, port } });
  } else {
    const { token, release } = tunnel.register({ hostname: address, port });
    unregister = release;
    client = Deno.createHttpClient({
      caCerts: options.caCerts,
      proxy: { url: tunnel.url(), basicAuth: { username: token, password: "x" } },
    });
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    unregister();
    client.close();
  };
  try {
    const response = await (options.baseFetch ?? fetch)(request, { client } as RequestInit);
    return { response, release };
  } catch (error) {
    release();
    throw error;
  }
}
