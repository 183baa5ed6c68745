/**
 * The one gate for calls to addresses users configure (connector hosts and URLs, model endpoints,
 * workflow http steps). Every URL, redirects included, passes the address check
 * (lib/net/addresses.ts) and is fetched from the address that was checked (lib/net/pinned.ts).
 * Time is capped by a deadline that garbage collection cannot lose and that covers the headers and
 * every read of the body (lib/net/deadline.ts); size is capped per response. Redirects are
 * followed by hand as the Fetch standard does (§4.4 HTTP-redirect fetch): credentials are dropped
 * when a hop leaves the origin, and a 307/308 replays the request body.
 */
import { Deadline } from "./deadline.ts";
import { checkUrl, outboundRefused, type Resolver } from "./addresses.ts";
import { fetchPinned } from "./pinned.ts";
import { ApiError } from "../http/errors.ts";

export {
  type AllowList,
  allowListFor,
  checkHost,
  checkUrl,
  forbiddenRange,
  outboundRefused,
  parseAllowList,
  type Resolver,
} from "./addresses.ts";
export { Deadline } from "./deadline.ts";
import type { AllowList } from "./addresses.ts";

/** Limits and options for one outbound HTTP call. */
export interface FetchLimits {
  /** The whole call, from the request to the last byte of the body. Default 30 s. */
  timeoutMs?: number;
  /** The longest silence: waiting for the headers, or for any one read of the body. Default: timeoutMs. */
  idleMs?: number;
  /** An enclosing deadline (a sync's, a cancel button's) that ends the call too. */
  deadline?: Deadline;
  /** The largest response body; reading past it fails. Default 64 MiB. */
  maxBytes?: number;
  /**
   * What sets `maxBytes`, named in the message when a body passes it (`SOURCE_MAX_MB`), or a
   * phrase saying what the fixed limit is for. None: the message names no setting.
   */
  maxBytesSource?: string;
  maxRedirects?: number;
  /** Header names that carry the caller's secrets, dropped when a redirect leaves the origin. */
  secretHeaders?: string[];
  /** Secret values: any header containing one is dropped when a redirect leaves the origin. */
  secretValues?: string[];
  /** Resolves host names (tests inject one to play a rebinding DNS server). */
  resolve?: Resolver;
  /** Extra trusted root certificates, PEM (tests; an internal CA). */
  caCerts?: string[];
}

/** Request bodies are buffered once so a 307/308 can send them again; larger ones are refused. */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/**
 * Headers that always carry credentials (Fetch standard: Authorization on a cross-origin redirect;
 * browsers never send cookies of one origin to another), plus the API-key names that sources use.
 */
const CREDENTIAL_HEADERS = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "x-api-key",
  "api-key",
  "apikey",
  "x-auth-token",
];

/**
 * A `fetch` that checks every URL it goes to (including each redirect) against the allow list,
 * connects to the checked address, and caps time and body size. Failures are 422
 * `outbound_refused` ApiErrors whose message says what happened (refused address, no answer
 * within N s, body over N bytes, too many redirects). Hand it to libraries (supabase-js, the AI
 * SDK) as their fetch.
 */
export function guardedFetch(
  allow: AllowList,
  limits: FetchLimits = {},
  baseFetch: typeof fetch = fetch,
): typeof fetch {
  return boundedFetch(allow, limits, baseFetch);
}

/**
 * The same time and size limits for an address the operator configured (their own model
 * endpoint): no address check, no pinning. Never hand it a URL a user chose.
 */
export function operatorFetch(limits: FetchLimits = {}, baseFetch: typeof fetch = fetch): typeof fetch {
  return boundedFetch(undefined, limits, baseFetch);
}

function boundedFetch(
  allow: AllowList | undefined,
  limits: FetchLimits,
  baseFetch: typeof fetch,
): typeof fetch {
  const { timeoutMs = 30_000, maxBytes = 64 * 1024 * 1024, maxRedirects = 5 } = limits;
  const idleMs = limits.idleMs ?? timeoutMs;
  const secretNames = new Set([...CREDENTIAL_HEADERS, ...(limits.secretHeaders ?? []).map((h) => h.toLowerCase())]);
  const secretValues = (limits.secretValues ?? []).filter((v) => v.length >= 4);
  return async (input, init) => {
    const request = new Request(input, init);
    const first = new URL(request.url);
    const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
    const call = new Deadline(
      timeoutMs,
      () => outboundRefused(`${first.host} did not finish answering within ${seconds(timeoutMs)}`),
      limits.deadline,
    );
    // The caller's own signal (a stop button) ends the call with the caller's reason, so a library
    // that aborted (the AI SDK) sees its own AbortError, not ours.
    const onCallerAbort = () => {
      const reason = request.signal.reason;
      call.abort(reason instanceof Error ? reason : new DOMException("The call was stopped", "AbortError"));
    };
    request.signal.addEventListener("abort", onCallerAbort, { once: true });
    if (request.signal.aborted) onCallerAbort();
    const done = () => {
      call.clear();
      request.signal.removeEventListener("abort", onCallerAbort);
    };
    try {
      const body = request.body ? await call.race(readRequestBody(request)) : undefined;
      let url = first;
      let method = request.method;
      let headers = new Headers(request.headers);
      // A proxy's credential, never a source's: fetch replaces it with the pinning proxy's own on
      // plain http, so it is dropped for every scheme alike (browsers forbid setting it at all).
      headers.delete("proxy-authorization");
      let sendBody = body;
      for (let hop = 0;; hop++) {
        const address = allow ? await call.race(checkUrl(url, allow, limits.resolve)) : undefined;
        const silence = new Deadline(
          idleMs,
          () => outboundRefused(`${url.host} did not answer within ${seconds(idleMs)}`),
          call,
        );
        // The attempt listens to `silence`, which also ends with the call: a deadline aborts the fetch.
        const attempt = new Request(url, {
          method,
          headers,
          body: sendBody,
          redirect: "manual",
          signal: silence.signal,
        });
        const { response, release } = await silence.race(
          address
            ? fetchPinned(attempt, address, { caCerts: limits.caCerts, baseFetch })
            : baseFetch(attempt).then((response) => ({ response, release: () => {} })),
        ).catch((error) => {
          if (silence.expired) throw silence.signal.reason;
          throw outboundRefused(`Cannot reach ${url.host}: ${networkReason(error)}`);
        }).finally(() => silence.clear());
        const location = response.headers.get("location");
        if (response.status < 300 || response.status > 399 || !location) {
          return limitBody(
            response,
            { call, idleMs, maxBytes, source: limits.maxBytesSource, host: url.host, seconds },
            () => (release(), done()),
          );
        }
        await response.body?.cancel().catch(() => {});
        release();
        if (hop >= maxRedirects) throw outboundRefused(`Too many redirects from ${request.url}`);
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw outboundRefused(`${url.host} answered with a redirect to an address that is not a valid URL`);
        }
        // 303, and 301/302 after a POST (as browsers do), turn into a GET without a body.
        if (response.status === 303 || (response.status <= 302 && method === "POST")) {
          method = method === "HEAD" ? "HEAD" : "GET";
          sendBody = undefined;
          headers = new Headers(headers);
          for (const name of ["content-type", "content-length", "content-encoding", "content-language"]) {
            headers.delete(name);
          }
        }
        if (next.origin !== url.origin) headers = withoutSecrets(headers, secretNames, secretValues);
        url = next;
      }
    } catch (error) {
      done();
      throw error;
    }
  };
}

/**
 * Why a fetch failed, from its cause ("…for url (…): client error (Connect): invalid peer
 * certificate: …"): only the last clause, so a URL (which may carry a key in its query) is not repeated.
 */
function networkReason(error: unknown): string {
  const detail = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
  return (detail.split("): ").pop() ?? detail).slice(0, 300);
}

/** The request body, read once (up to MAX_REQUEST_BYTES) so that a redirect can send it again. */
async function readRequestBody(request: Request): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_REQUEST_BYTES) throw outboundRefused(`The request body is over ${MAX_REQUEST_BYTES} bytes`);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_REQUEST_BYTES) {
    throw outboundRefused(`The request body is over ${MAX_REQUEST_BYTES} bytes`);
  }
  return bytes;
}

/** `headers` without those that carry credentials, for a hop to another origin. */
function withoutSecrets(headers: Headers, names: Set<string>, values: string[]): Headers {
  const kept = new Headers();
  for (const [name, value] of headers) {
    if (names.has(name) || values.some((secret) => value.includes(secret))) continue;
    kept.append(name, value);
  }
  return kept;
}

interface BodyLimits {
  call: Deadline;
  idleMs: number;
  maxBytes: number;
  source?: string;
  host: string;
  seconds: (ms: number) => string;
}

/**
 * The response with its body bounded: every read must finish before the call's deadline and within
 * `idleMs` of asking, and the body may not pass `maxBytes`. `end` runs once when the body is done.
 */
function limitBody(response: Response, limits: BodyLimits, end: () => void): Response {
  const { call, idleMs, maxBytes, source, host, seconds } = limits;
  const size = maxBytes >= 1048576 ? `${Math.round(maxBytes / 104857.6) / 10} MiB` : `${maxBytes} bytes`;
  const tooLarge = () =>
    outboundRefused(
      `${host} sent more than ${size}, the most this server reads in one response${source ? ` (${source})` : ""}`,
    );
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > maxBytes || !response.body) {
    response.body?.cancel().catch(() => {});
    end();
    if (declared > maxBytes) throw tooLarge();
    return response;
  }
  const reader = response.body.getReader();
  let seen = 0;
  let ended = false;
  // A body nobody reads any more still closes its connection when the call's time is up.
  const onExpiry = () => reader.cancel(call.signal.reason).catch(() => {});
  call.signal.addEventListener("abort", onExpiry, { once: true });
  const finish = () => {
    if (ended) return;
    ended = true;
    call.signal.removeEventListener("abort", onExpiry);
    end();
  };
  const bounded = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const silence = new Deadline(
        idleMs,
        () => outboundRefused(`${host} stopped sending for ${seconds(idleMs)}`),
        call,
      );
      try {
        const next = await silence.race(reader.read());
        // A read that the expiry cancelled ends "done": it is the deadline's error all the same.
        if (silence.expired) throw silence.signal.reason;
        if (next.done) {
          finish();
          return controller.close();
        }
        seen += next.value.byteLength;
        if (seen > maxBytes) throw tooLarge();
        controller.enqueue(next.value);
      } catch (thrown) {
        const ours = thrown instanceof ApiError || call.signal.aborted ||
          (thrown instanceof DOMException && thrown.name === "AbortError");
        const error = ours
          ? thrown
          // The connection's own failure ("error reading a body from connection": a body shorter
          // than its Content-Length, a broken chunk) in a sentence about the source.
          : outboundRefused(`The answer from ${host} ended early or was malformed, so it was not read`);
        finish();
        reader.cancel(error).catch(() => {});
        controller.error(error);
      } finally {
        silence.clear();
      }
    },
    cancel(reason) {
      finish();
      // Not awaited: cancelling a read still waiting on a silent source would wait with it.
      reader.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
  return new Response(bounded, { status: response.status, statusText: response.statusText, headers: response.headers });
}
