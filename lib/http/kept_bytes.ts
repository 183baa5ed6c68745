/**
 * Responses made of bytes kept in memory and sent again and again (a kept share page, a static
 * file). `new Response(bytes)` copies a BufferSource body every time (Fetch standard, "extract a
 * body"): for a 220 KB share page that copy was the biggest part of the server's work per view
 * (CPU profile of bench/dashboard.ts). A one-chunk stream hands Deno the kept bytes themselves;
 * the `content-length` it carries keeps the answer unchunked and right for HEAD. The bytes must
 * never be changed once kept.
 */

/** A response whose body is `bytes`, not copied; `headers` gets their `content-length`. */
export function keptBytesResponse(
  bytes: Uint8Array<ArrayBuffer>,
  init: { status?: number; headers: Headers | [string, string][] },
): Response {
  const length = String(bytes.byteLength);
  const headers = init.headers instanceof Headers
    ? (init.headers.set("content-length", length), init.headers)
    : [...init.headers, ["content-length", length] as [string, string]];
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  return new Response(body, { status: init.status, headers });
}
