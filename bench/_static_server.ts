/**
 * The practical limits for bench/dashboard.ts: Deno.serve answering the share page's bytes from
 * memory, at `/` with only a content type, and at `/same-headers` with every header the share
 * response carried (its security headers, cache lifetime, request id), as any copy of the page
 * the app sends must.
 *
 *   deno run --allow-net --allow-read bench/_static_server.ts <port> <page.html> <headers.json>
 */
const [port, pagePath, headersPath] = [Number(Deno.args[0]), Deno.args[1], Deno.args[2]];
const body = await Deno.readFile(pagePath);
const sameHeaders: [string, string][] = JSON.parse(await Deno.readTextFile(headersPath));
const bare: [string, string][] = [["content-type", "text/html; charset=utf-8"]];
Deno.serve(
  { hostname: "127.0.0.1", port, onListen() {} },
  (req) => new Response(body, { headers: req.url.endsWith("/same-headers") ? sameHeaders : bare }),
);
