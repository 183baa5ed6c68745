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
import { parse, serialize } from "hono/utils/cookie";

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

// Post/redirect/get: the new secret rides to the next page view in a one-minute, HttpOnly
// cookie scoped to this page, and is cleared as it is shown, so a reload cannot re-post.
const FLASH = "new_api_token";

function flashCookie(ctx: FreshContext<PageState>, value: string, maxAge: number): string {
  const secure = ctx.url.protocol === "https:";
  return serialize(FLASH, value, { path: "/settings", httpOnly: true, sameSite: "Strict", secure, maxAge });
}

export const handler = {
  async GET(ctx: FreshContext<PageState>) {
    const newToken = parse(ctx.req.headers.get("cookie") ?? "", FLASH)[FLASH];
    if (!newToken) return load(ctx);
    return ctx.render(await load(ctx, { newToken }), {
      headers: { "set-cookie": flashCookie(ctx, "", 0), "cache-control": "no-store" },
    });
  },
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
      const res = ctx.redirect("/settings#tokens");
      res.headers.append("set-cookie", flashCookie(ctx, created.token, 60));
      return res;
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
          {data.workspaces.map((w) => (
            <li>
              {w.name} <span class="badge">{w.role}</span>
            </li>
          ))}
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
          <input
            type="text"
            name="name"
            placeholder="Token name, e.g. CI"
            required
            maxLength={100}
            aria-label="Token name"
          />
          <button type="submit" class="button primary">Create token</button>
        </form>
        {data.tokens.length > 0 && (
          <div class="table-wrap">
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
          </div>
        )}
      </div>
    </section>
  );
}
