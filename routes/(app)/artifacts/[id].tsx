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

/** Rows the page shows; the CSV download has them all. */
const SHOWN_ROWS = 500;

interface Data {
  artifact: ArtifactRow;
  versions: { version: number; createdAt: Date }[];
  /** The chat it was made in, for the way back. */
  chat?: { id: string; title: string };
  pageTitle: string;
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Data> {
    const { deps, user } = ctx.state;
    const asked = Number(ctx.url.searchParams.get("version"));
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
    };
  },
};

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
            <PngDownload svgUrl={`${api}/chart.svg?${pinned}`} fileName={`${name}-v${artifact.version}.png`} />
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
    </section>
  );
}
