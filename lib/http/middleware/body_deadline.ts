/**
 * Bounds how long and how much a client may send. Deno.serve has no header or body read timeout,
 * so a client that drips its body a byte at a time would hold a request (and whatever the handler
 * holds) open for as long as it likes (OWASP: slow HTTP / Slowloris-style attacks). Ordinary bodies
 * are read here in full, at most `maxBytes`, within `timeoutMs` from the first byte asked for;
 * streamed uploads (`streamed(path)`) keep their own size cap but each read of them must arrive
 * within `timeoutMs`. A late body is a 408, a large one a 413, both with the JSON error shape.
 * Slow request *headers* cannot be seen from here: that is the reverse proxy's job (README).
 */
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors.ts";
import { Deadline } from "../../net/deadline.ts";

/** Options: the largest ordinary body, the time limit, and which paths stream their body. */
export interface BodyDeadlineOptions {
  maxBytes: number;
  timeoutMs: number;
  streamed?: (path: string) => boolean;
}

/** The middleware; see the module comment for what it promises. */
export function bodyDeadline(options: BodyDeadlineOptions): MiddlewareHandler {
  const { maxBytes, timeoutMs } = options;
  const late = () =>
    new ApiError(
      408,
      "request_timeout",
      `The request body did not arrive within ${timeoutMs / 1000} s: check the connection and send it again`,
    );
  const tooLarge = () =>
    new ApiError(413, "payload_too_large", `The body is over the ${Math.round(maxBytes / 1024)} KiB limit`);
  return async function bodyDeadlineMiddleware(c, next) {
    const body = c.req.raw.body;
    if (!body) return await next();
    if (options.streamed?.(c.req.path)) {
      c.req.raw = new Request(
        c.req.raw,
        { body: eachReadWithin(body, timeoutMs, late), duplex: "half" } as RequestInit,
      );
      return await next();
    }
    if (Number(c.req.header("content-length") ?? 0) > maxBytes) throw tooLarge();
    const deadline = new Deadline(timeoutMs, late);
    const reader = body.getReader();
    const pieces: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const next = await deadline.race(reader.read());
        if (next.done) break;
        size += next.value.byteLength;
        if (size > maxBytes) throw tooLarge();
        pieces.push(next.value);
      }
    } catch (error) {
      reader.cancel().catch(() => {});
      // The client will not be reading an answer it is still sending into: close the connection.
      c.header("connection", "close");
      throw error;
    } finally {
      deadline.clear();
    }
    const whole = new Uint8Array(size);
    let offset = 0;
    for (const piece of pieces) (whole.set(piece, offset), offset += piece.byteLength);
    c.req.raw = new Request(c.req.raw, { body: whole });
    await next();
  };
}

/** `source`, failing with `late()` when any one read takes longer than `timeoutMs`. */
function eachReadWithin(
  source: ReadableStream<Uint8Array>,
  timeoutMs: number,
  late: () => Error,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const deadline = new Deadline(timeoutMs, late);
      try {
        const next = await deadline.race(reader.read());
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        reader.cancel().catch(() => {});
        controller.error(error);
      } finally {
        deadline.clear();
      }
    },
    // Not awaited: cancelling a read that is still waiting on the client would wait with it.
    cancel(reason) {
      reader.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}
