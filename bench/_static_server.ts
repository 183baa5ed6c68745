/** The practical limit for bench/dashboard.ts: Deno.serve answering the same HTML page from memory. */
const [port, path] = [Number(Deno.args[0]), Deno.args[1]];
const body = await Deno.readFile(path);
Deno.serve(
  { hostname: "127.0.0.1", port, onListen() {} },
  () => new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } }),
);
