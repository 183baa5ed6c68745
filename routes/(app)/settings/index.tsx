/** Settings: the account, its workspaces, and API tokens (a new token is shown once, here). */
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import { asUser } from "../../../db/rls.ts";
import { listWorkspacesOf } from "../../../db/queries/users.ts";
import { listLiveSessions } from "../../../db/queries/sessions.ts";
import { signOutOtherSessions } from "../../../functions/accounts.ts";
import { listApiTokens, type TokenInfo } from "../../../db/queries/api_tokens.ts";
import { type SessionRow, SessionsCard } from "../../../components/SessionsCard.tsx";
import { TokensCard } from "../../../components/TokensCard.tsx";
import { ModelCard } from "../../../components/ModelCard.tsx";
import {
  clearLlmSettings,
  getLlmSettings,
  type LlmSettingsView,
  putLlmSettings,
} from "../../../functions/llm_settings.ts";
import { createApiToken, revokeToken } from "../../../functions/api_tokens.ts";
import { TokenBody } from "../../api/schemas.ts";
import { parseForm, renderFormError } from "../../../components/auth_form.ts";
import { cookieOrigin } from "../../../lib/auth/session_cookie.ts";
import { parse, serialize } from "hono/utils/cookie";
import { z } from "zod";

interface SettingsData {
  model: LlmSettingsView;
  modelError?: string;
  /** What was typed into the model form when a save was refused, shown again. */
  modelValues?: { base_url: string; model: string };
  pageTitle?: string;
  workspaces: { id: string; name: string; role: string }[];
  tokens: TokenInfo[];
  sessions: SessionRow[];
  newToken?: string;
  error?: string;
}

async function load(ctx: FreshContext<PageState>, extra: Partial<SettingsData> = {}): Promise<SettingsData> {
  const userId = ctx.state.user!.id;
  const currentSession = (await ctx.state.principal())?.sessionId;
  // One RLS transaction for everything the page shows.
  const [workspaces, sessions, tokens] = await asUser(ctx.state.deps.db, userId, async (tx) =>
    [
      await listWorkspacesOf(tx, userId),
      await listLiveSessions(tx, userId, ctx.state.deps.now()),
      await listApiTokens(tx, userId, { limit: 100 }),
    ] as const);
  return {
    model: await getLlmSettings(ctx.state.deps, userId),
    workspaces,
    tokens,
    sessions: sessions.map((s) => ({ ...s, current: s.id === currentSession })),
    ...extra,
  };
}

const RevokeForm = z.object({
  id: z.uuid({ error: "That token is not in your list: reload the page and try again" }),
});

// Post/redirect/get: the new secret rides to the next page view in a one-minute, HttpOnly
// cookie scoped to this page, and is cleared as it is shown, so a reload cannot re-post.
const FLASH = "new_api_token";

function flashCookie(ctx: FreshContext<PageState>, value: string, maxAge: number): string {
  const secure = cookieOrigin(ctx.req.url, ctx.state.deps.config.appUrl).protocol === "https:";
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
    const action = form.get("action");
    if (action === "llm_save" || action === "llm_clear") {
      try {
        if (action === "llm_clear") await clearLlmSettings(ctx.state.deps, userId);
        else {
          const field = (name: string) => String(form.get(name) ?? "").trim() || null;
          const key = field("api_key");
          await putLlmSettings(ctx.state.deps, userId, {
            base_url: field("base_url"),
            model: field("model"),
            ...(key ? { api_key: key } : {}), // blank keeps the stored key
          }, ctx.state.meta);
        }
        return ctx.redirect("/settings#model");
      } catch (error) {
        const typed = { base_url: String(form.get("base_url") ?? ""), model: String(form.get("model") ?? "") };
        return await renderFormError(
          ctx,
          error,
          (message) => load(ctx, { modelError: message, modelValues: typed }),
          { base_url: "Base URL", model: "Model", api_key: "API key" },
        );
      }
    }
    try {
      if (form.get("action") === "sign_out_others") {
        const current = (await ctx.state.principal())?.sessionId;
        if (current) await signOutOtherSessions(ctx.state.deps, userId, current, ctx.state.meta);
        return ctx.redirect("/settings#sessions");
      }
      if (form.get("action") === "revoke") {
        const { id } = parseForm(form, RevokeForm);
        await revokeToken(ctx.state.deps, userId, id, ctx.state.meta);
        return ctx.redirect("/settings#tokens");
      }
      const { name } = parseForm(form, TokenBody);
      const created = await createApiToken(ctx.state.deps, userId, name, ctx.state.meta);
      const res = ctx.redirect("/settings#tokens");
      res.headers.append("set-cookie", flashCookie(ctx, created.token, 60));
      return res;
    } catch (error) {
      return await renderFormError(ctx, error, (message) => load(ctx, { error: message }));
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
      <ModelCard settings={data.model} error={data.modelError} values={data.modelValues} />
      <SessionsCard sessions={data.sessions} />
      <TokensCard tokens={data.tokens} newToken={data.newToken} error={data.error} />
    </section>
  );
}
