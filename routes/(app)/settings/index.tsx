/** Settings: the account, its workspaces, and API tokens (a new token is shown once, here). */
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import { asUser } from "../../../db/rls.ts";
import { listWorkspacesOf } from "../../../db/queries/users.ts";
import type { TokenInfo } from "../../../db/queries/api_tokens.ts";
import { createApiToken, listTokens, revokeToken } from "../../../functions/api_tokens.ts";
import { TokenBody } from "../../api/schemas.ts";
import { parseForm } from "../../../components/auth_form.ts";
import { ApiError } from "../../../lib/http/errors.ts";

interface SettingsData {
  workspaces: { id: string; name: string; role: string }[];
  tokens: TokenInfo[];
  newToken?: string;
  error?: string;
}

async function load(ctx: FreshContext<PageState>, extra: Partial<SettingsData> = {}): Promise<SettingsData> {
  const userId = ctx.state.user!.id;
  const [workspaces, tokens] = await Promise.all([
    asUser(ctx.state.deps.db, userId, (tx) => listWorkspacesOf(tx, userId)),
    listTokens(ctx.state.deps, userId, { limit: 100 }),
  ]);
  return { workspaces, tokens, ...extra };
}

export const handler = {
  GET: (ctx: FreshContext<PageState>) => load(ctx),
  async POST(ctx: FreshContext<PageState>) {
    const form = await ctx.req.formData();
    const userId = ctx.state.user!.id;
    try {
      if (form.get("action") === "revoke") {
        await revokeToken(ctx.state.deps, userId, String(form.get("id") ?? ""), ctx.state.meta);
        return ctx.redirect("/settings#tokens");
      }
      const { name } = parseForm(form, TokenBody);
      const created = await createApiToken(ctx.state.deps, userId, name, ctx.state.meta);
      // Not a redirect: the secret must reach the page once and never sit in a URL.
      return ctx.render(await load(ctx, { newToken: created.token }), { headers: { "cache-control": "no-store" } });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      return ctx.render(await load(ctx, { error: error.message }), { status: error.status });
    }
  },
};

export default function Settings({ data, state }: PageProps<SettingsData, PageState>) {
  const user = state.user!;
  return (
    <section class="section">
      <header class="section-header">
        <div>
          <h1>Settings</h1>
          <p class="muted">Your account, workspaces and API access.</p>
        </div>
      </header>
      <div class="card">
        <h2>Account</h2>
        <dl class="facts">
          <dt>Name</dt>
          <dd>{user.name || "—"}</dd>
          <dt>Email</dt>
          <dd>{user.email}</dd>
        </dl>
      </div>
      <div class="card">
        <h2>Workspaces</h2>
        <ul class="plain-list">
          {data.workspaces.map((w) => <li>{w.name} <span class="badge">{w.role}</span></li>)}
        </ul>
      </div>
      <div class="card" id="tokens">
        <h2>API tokens</h2>
        <p class="muted small">
          Send a token as <code>Authorization: Bearer …</code> to call the <a href="/api/docs">REST API</a>.
        </p>
        {data.error && <p class="alert" role="alert">{data.error}</p>}
        {data.newToken && (
          <div class="notice" role="status">
            <strong>Copy your new token now: it will not be shown again.</strong>
            <code class="secret" data-testid="new-token">{data.newToken}</code>
          </div>
        )}
        <form method="post" class="inline-form">
          <input type="hidden" name="action" value="create" />
          <input type="text" name="name" placeholder="Token name, e.g. CI" required maxLength={100} aria-label="Token name" />
          <button type="submit" class="button primary">Create token</button>
        </form>
        {data.tokens.length > 0 && (
          <table class="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Token</th>
                <th>Created</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.tokens.map((t) => (
                <tr>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{t.createdAt.toISOString().slice(0, 10)}</td>
                  <td>{t.lastUsedAt ? t.lastUsedAt.toISOString().slice(0, 10) : "never"}</td>
                  <td>
                    <form method="post">
                      <input type="hidden" name="action" value="revoke" />
                      <input type="hidden" name="id" value={t.id} />
                      <button type="submit" class="button danger small">Revoke</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
