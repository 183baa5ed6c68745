/** The practical limit for bench/dashboard.ts: Deno.serve answering a fixed HTML body of the given size. */
const [port, bytes] = Deno.args.map(Number);
const body = new TextEncoder().encode("<!doctype html><p>" + "x".repeat(Math.max(0, bytes - 18)));
Deno.serve(
  { hostname: "127.0.0.1", port, onListen() {} },
  () => new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } }),
);
