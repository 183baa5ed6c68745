/** Sign in. A plain form post: works before (and without) any JavaScript. */
import type { FreshContext, PageProps } from "../../lib/fresh/mod.ts";
import type { PageState } from "../../lib/app.ts";
import { LoginBody } from "../api/schemas.ts";
import { logIn } from "../../functions/accounts.ts";
import { type FormState, parseForm, renderFormError, safeNext, signedInRedirect } from "../../components/auth_form.ts";

export const handler = {
  GET(ctx: FreshContext<PageState>) {
    if (ctx.state.user) return ctx.redirect(safeNext(ctx.url, ctx.state.deps.config.appUrl));
    return { values: {} } satisfies FormState;
  },
  async POST(ctx: FreshContext<PageState>) {
    const form = await ctx.req.formData();
    const email = String(form.get("email") ?? "");
    try {
      const input = parseForm(form, LoginBody);
      const { session } = await logIn(ctx.state.deps, input, ctx.state.meta);
      return signedInRedirect(
        ctx.req,
        ctx.state.deps.config.appUrl,
        safeNext(ctx.url, ctx.state.deps.config.appUrl),
        session,
      );
    } catch (error) {
      return await renderFormError(ctx, error, (message): FormState => ({ error: message, values: { email } }));
    }
  },
};

export default function Login({ data, url, state }: PageProps<FormState, PageState>) {
  // Carried to sign-up only once checked, so the page never echoes a hostile target.
  const next = url.searchParams.has("next") ? safeNext(url, state.deps.config.appUrl) : undefined;
  return (
    <div class="card narrow">
      <h1>Sign in</h1>
      <p class="muted">Welcome back. Chat with your data, build dashboards, run workflows.</p>
      {data.error && <p class="alert" role="alert">{data.error}</p>}
      <form method="post" class="form">
        <label>
          Email
          <input type="email" name="email" autocomplete="email" required value={data.values.email ?? ""} />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" required />
        </label>
        <button type="submit" class="button primary" data-busy-label="Signing in…">Sign in</button>
      </form>
      <p class="muted small">
        New here? <a href={next ? `/signup?next=${encodeURIComponent(next)}` : "/signup"}>Create an account</a>
      </p>
    </div>
  );
}
