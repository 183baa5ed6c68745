/**
 * Every page: knows who is visiting (one query, only for pages). A signed-in page is never stored
 * by the browser (`Cache-Control: no-store`, RFC 9111 §5.2.2.5): Back and Forward then fetch it
 * again instead of showing a copy without the latest messages, and a shared computer keeps no
 * workspace page on disk after sign-out. A page that sets its own cache-control keeps it.
 */
import type { FreshContext } from "../lib/fresh/mod.ts";
import type { PageState } from "../lib/app.ts";

export async function handler(ctx: FreshContext<PageState>) {
  ctx.state.user = (await ctx.state.principal())?.user;
  const res = await ctx.next();
  if (ctx.state.user && !res.headers.has("cache-control")) res.headers.set("cache-control", "no-store");
  return res;
}
