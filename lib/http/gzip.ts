/**
 * Pages the server keeps rendered (a shared dashboard) are compressed once and served compressed
 * to every client that accepts it, instead of Deno.serve compressing the same bytes per request.
 */

/** The gzip bytes of `text` (UTF-8), made with the runtime's CompressionStream (RFC 1952). */
export async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const compressed = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(compressed).arrayBuffer());
}

/**
 * Whether an `Accept-Encoding` header accepts gzip (RFC 9110 §12.5.3): `gzip` with a quality above
 * 0, or, when gzip is not named, `*` with a quality above 0 (so `gzip;q=0, *` refuses it).
 */
export function acceptsGzip(header: string | null): boolean {
  const quality = new Map<string, number>();
  for (const part of (header ?? "").toLowerCase().split(",")) {
    const [coding, ...params] = part.split(";").map((s) => s.trim());
    if (!coding) continue;
    const q = params.find((p) => p.startsWith("q="));
    quality.set(coding, q ? Number(q.slice(2)) : 1);
  }
  const q = quality.get("gzip") ?? quality.get("*") ?? 0;
  return q > 0;
}
