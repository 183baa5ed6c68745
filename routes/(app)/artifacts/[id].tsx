/** /artifacts/:id: one artifact on its own page, any version, with its downloads. */
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import type { ArtifactRow } from "../../../db/queries/artifacts.ts";
import { artifactVersions, getArtifact, type QueryArtifactData } from "../../../functions/artifacts.ts";
import MarkdownView from "../../../islands/MarkdownView.tsx";
import PngDownload from "../../../islands/PngDownload.tsx";
import { ResultTable } from "../../../components/ResultTable.tsx";
import { formatWhen } from "../../../components/format.ts";
import { asUser } from "../../../db/rls.ts";
import { findSession } from "../../../db/queries/chat.ts";
import { renderFormError } from "../../../components/auth_form.ts";
import { createDashboard, listDashboardsOf } from "../../../functions/dashboards/dashboards.ts";
import { pinArtifact } from "../../../functions/dashboards/widgets.ts";
import { notFound } from "../../../lib/http/errors.ts";

/** Rows the page shows; the CSV download has them all. */
const SHOWN_ROWS = 500;

interface Data {
  artifact: ArtifactRow;
  versions: { version: number; createdAt: Date }[];
  /** The chat it was made in, for the way back. */
  chat?: { id: string; title: string };
  pageTitle: string;
  /** Where "Pin to dashboard" can put it, and why a pin was refused. */
  dashboards: { id: string; name: string }[];
  pinError?: string;
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Data> {
    const { deps, user } = ctx.state;
    const asked = Number(ctx.url.searchParams.get("version"));
    // Versions are Postgres integers (int4): one past them names no version, like any missing one.
    if (Number.isInteger(asked) && asked > 2_147_483_647) throw notFound("Artifact");
    const version = Number.isInteger(asked) && asked > 0 ? asked : undefined;
    const artifact = await getArtifact(deps, user!.id, ctx.params.id, { version });
    const session = artifact.sessionId
      ? await asUser(deps.db, user!.id, (tx) => findSession(tx, artifact.sessionId!))
      : undefined;
    return {
      artifact,
      versions: await artifactVersions(deps, user!.id, ctx.params.id),
      chat: session ? { id: session.id, title: session.title } : undefined,
      pageTitle: `${artifact.name} · ${artifact.type}`,
      dashboards: await pinTargets(ctx, artifact.workspaceId),
    };
  },
  /** "Pin to dashboard": to a chosen dashboard, or a new one named in the form. */
  async POST(ctx: FreshContext<PageState>) {
    const { deps, user, meta } = ctx.state;
    const form = await ctx.req.formData();
    const artifact = await getArtifact(deps, user!.id, ctx.params.id);
    try {
      let dashboardId = String(form.get("dashboard_id") ?? "");
      if (!dashboardId) {
        const name = String(form.get("dashboard_name") ?? "").trim();
        const created = await createDashboard(deps, user!.id, {
          name: name || artifact.name,
          workspace_id: artifact.workspaceId,
        }, meta);
        dashboardId = created.id;
      }
      await pinArtifact(deps, user!.id, dashboardId, { artifact_id: artifact.artifactId }, meta);
      return ctx.redirect(`/dashboards/${dashboardId}`);
    } catch (error) {
      return await renderFormError(ctx, error, async (message) => ({
        artifact,
        versions: await artifactVersions(deps, user!.id, ctx.params.id),
        pageTitle: `${artifact.name} · ${artifact.type}`,
        dashboards: await pinTargets(ctx, artifact.workspaceId),
        pinError: message,
      }));
    }
  },
};

async function pinTargets(ctx: FreshContext<PageState>, workspaceId: string) {
  const found = await listDashboardsOf(ctx.state.deps, ctx.state.user!.id, { limit: 100, workspaceId });
  return found.map((d) => ({ id: d.id, name: d.name }));
}

export default function ArtifactPage({ data }: PageProps<Data>) {
  const { artifact } = data;
  const api = `/api/artifacts/${artifact.artifactId}`;
  const pinned = `version=${artifact.version}`;
  const query = artifact.type === "document" ? undefined : artifact.data as QueryArtifactData;
  const name = artifact.name.replace(/[^\w-]+/g, "-");
  return (
    <section class="section">
      <header class="section-header">
        <div>
          <p class="muted small breadcrumb">
            {data.chat
              ? (
                <>
                  <a href="/chat">Chat</a> /{" "}
                  <a href={`/chat/${data.chat.id}`} data-testid="back-to-chat">
                    {data.chat.title}
                  </a>
                </>
              )
              : "Artifact"} / {artifact.type}
          </p>
          <h1>{artifact.name}</h1>
          <p class="muted">
            Version {artifact.version} of {data.versions.length} · {formatWhen(artifact.createdAt)}
            {query?.source && (
              <>
                {" · "}from <code>{query.source.dataset}</code>
              </>
            )}
          </p>
        </div>
        <div class="button-row" aria-label="Downloads">
          {artifact.type !== "document" && <a class="button" href={`${api}/download?format=csv&${pinned}`}>CSV</a>}
          {artifact.type === "chart" && <a class="button" href={`${api}/download?format=svg&${pinned}`}>SVG</a>}
          {artifact.type === "chart" && (
            <PngDownload
              svgUrl={`${api}/download?format=svg&${pinned}`}
              fileName={`${name}-v${artifact.version}.png`}
            />
          )}
          {artifact.type === "document" && <a class="button" href={`${api}/download?format=md&${pinned}`}>Markdown</a>}
        </div>
      </header>
      {data.versions.length > 1 && (
        <nav class="tabs" aria-label="Versions">
          {data.versions.map((v) => (
            <a
              class={v.version === artifact.version ? "tab active" : "tab"}
              href={`/artifacts/${artifact.artifactId}?version=${v.version}`}
            >
              v{v.version}
            </a>
          ))}
        </nav>
      )}
      <div class="card">
        {artifact.type === "chart" && (
          <img class="artifact-chart" src={`${api}/chart.svg?${pinned}`} alt={artifact.name} />
        )}
        {artifact.type === "document" && <MarkdownView markdown={(artifact.data as { markdown: string }).markdown} />}
        {query && artifact.type !== "chart" && (
          <ResultTable columns={query.columns} rows={query.rows} limit={SHOWN_ROWS} />
        )}
      </div>
      {(artifact.type === "chart" || artifact.type === "table") && (
        // An explicit action, so the chat's "#pin" link does not follow the redirect to the dashboard.
        <form class="card form form-grid" method="post" id="pin" action={`/artifacts/${artifact.artifactId}?${pinned}`}>
          <h2>Pin to dashboard</h2>
          <p class="muted small">The widget keeps this query, so it shows fresh data after every sync.</p>
          {data.pinError && <p class="alert" role="alert">{data.pinError}</p>}
          <label>
            Dashboard
            <select name="dashboard_id">
              {data.dashboards.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
              <option value="">A new dashboard…</option>
            </select>
          </label>
          <label>
            New dashboard's name <input type="text" name="dashboard_name" maxLength={200} placeholder={artifact.name} />
          </label>
          <div>
            <button type="submit" class="button primary">Pin</button>
          </div>
        </form>
      )}
    </section>
  );
}
