/** Create an account. A plain form post, like sign-in. */
import type { FreshContext, PageProps } from "../../lib/fresh/mod.ts";
import type { PageState } from "../../lib/app.ts";
import { SignupBody } from "../api/schemas.ts";
import { signUp } from "../../functions/accounts.ts";
import { type FormState, parseForm, renderFormError, safeNext, signedInRedirect } from "../../components/auth_form.ts";

export const handler = {
  GET(ctx: FreshContext<PageState>) {
    if (ctx.state.user) return ctx.redirect(safeNext(ctx.url, ctx.state.deps.config.appUrl));
    return { values: {} } satisfies FormState;
  },
  async POST(ctx: FreshContext<PageState>) {
    const form = await ctx.req.formData();
    const values = { email: String(form.get("email") ?? ""), name: String(form.get("name") ?? "") };
    try {
      const input = parseForm(form, SignupBody);
      const { session } = await signUp(ctx.state.deps, input, ctx.state.meta);
      return signedInRedirect(
        ctx.req,
        ctx.state.deps.config.appUrl,
        safeNext(ctx.url, ctx.state.deps.config.appUrl),
        session,
      );
    } catch (error) {
      return await renderFormError(ctx, error, (message): FormState => ({ error: message, values }));
    }
  },
};

export default function Signup({ data, url, state }: PageProps<FormState, PageState>) {
  const next = url.searchParams.has("next") ? safeNext(url, state.deps.config.appUrl) : undefined;
  return (
    <div class="card narrow">
      <h1>Create your workspace</h1>
      <p class="muted">One account, a personal workspace, and room to invite your team later.</p>
      {data.error && <p class="alert" role="alert">{data.error}</p>}
      <form method="post" class="form">
        <label>
          Name
          <input type="text" name="name" autocomplete="name" maxLength={100} value={data.values.name ?? ""} />
        </label>
        <label>
          Email
          <input type="email" name="email" autocomplete="email" required value={data.values.email ?? ""} />
        </label>
        <label>
          Password <span class="muted small">(8 characters or more)</span>
          <input type="password" name="password" autocomplete="new-password" minLength={8} required />
        </label>
        <button type="submit" class="button primary" data-busy-label="Creating your account…">Create account</button>
      </form>
      <p class="muted small">
        Already have an account? <a href={next ? `/login?next=${encodeURIComponent(next)}` : "/login"}>Sign in</a>
      </p>
    </div>
  );
}
