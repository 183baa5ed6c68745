/** Every page: knows who is visiting (one query, only for pages). */
import type { FreshContext } from "../lib/fresh/mod.ts";
import type { PageState } from "../lib/app.ts";

export async function handler(ctx: FreshContext<PageState>) {
  ctx.state.user = (await ctx.state.principal())?.user;
  return await ctx.next();
}
