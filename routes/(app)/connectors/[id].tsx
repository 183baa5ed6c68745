/**
 * One connector: what it reads, its datasets with a preview of each, the sync history, and the
 * actions (test, sync with live progress, upload) in the ConnectorActions island.
 */
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import { deleteConnector, getConnector, updateConnector } from "../../../functions/connectors.ts";
import { notFound } from "../../../lib/http/errors.ts";
import { queryDataset, type QueryResult } from "../../../functions/query_dataset.ts";
import { asUser } from "../../../db/rls.ts";
import {
  type ConnectorRow,
  type DatasetRow,
  findConnector,
  listDatasets,
  listSyncs,
  type SyncRow,
} from "../../../db/queries/connectors.ts";
import { CONNECTOR_TYPES, type ConnectorTypeName } from "../../../connectors/registry.ts";
import { fieldLabels, FORM_FIELDS } from "../../../components/connector_form.ts";
import { renderFormError } from "../../../components/auth_form.ts";
import { StatusBadge } from "../../../components/StatusBadge.tsx";
import ConnectorActions from "../../../islands/ConnectorActions.tsx";
import { ResultTable } from "../../../components/ResultTable.tsx";
import ConfirmButton from "../../../islands/ConfirmButton.tsx";
import {
  deleteConnector as confirmDeleteConnector,
  deleteDataset as confirmDeleteDataset,
} from "../../../components/confirmations.ts";
import { deleteDataset } from "../../../functions/datasets.ts";
import { formatDuration, formatWhen, plural } from "../../../components/format.ts";
import { cancelledBy, shortError, shownSyncStatus, syncEndSentence } from "../../../components/sync_outcome.ts";

const PREVIEW_ROWS = 20;

interface Data {
  connector: ConnectorRow;
  datasets: { dataset: DatasetRow; preview: QueryResult }[];
  syncs: SyncRow[];
  error?: string;
  pageTitle: string;
}

async function load(ctx: FreshContext<PageState>, error?: string): Promise<Data> {
  const { deps, user } = ctx.state;
  // One RLS transaction for what the page shows; the previews below go through the query cache.
  const { connector, datasets, syncs } = await asUser(deps.db, user!.id, async (tx) => {
    const connector = await findConnector(tx, ctx.params.id);
    if (!connector) throw notFound("Connector");
    return {
      connector,
      datasets: await listDatasets(tx, connector.id),
      syncs: await listSyncs(tx, connector.id, { limit: 20 }),
    };
  });
  const previews = [];
  for (const dataset of datasets.filter((d) => d.syncedAt)) {
    const preview = await queryDataset(deps, user!.id, {
      connectorId: connector.id,
      dataset: dataset.name,
      query: { limit: PREVIEW_ROWS },
    });
    previews.push({ dataset, preview });
  }
  return { connector, datasets: previews, syncs, error, pageTitle: `${connector.name} · Connectors` };
}

export const handler = {
  GET: (ctx: FreshContext<PageState>) => load(ctx),
  async POST(ctx: FreshContext<PageState>) {
    const form = await ctx.req.formData();
    const { deps, user, meta } = ctx.state;
    try {
      if (form.get("action") === "delete") {
        await deleteConnector(deps, user!.id, ctx.params.id, meta);
        return ctx.redirect("/connectors");
      }
      if (form.get("action") === "delete_dataset") {
        await deleteDataset(deps, user!.id, ctx.params.id, String(form.get("dataset") ?? ""), meta);
        return ctx.redirect(`/connectors/${ctx.params.id}`);
      }
      // Replacing secrets: only the fields filled in are sent; blank keeps what is stored.
      const connector = await getConnector(deps, user!.id, ctx.params.id);
      const secret = (name: string) => String(form.get(name) ?? "");
      const credentials = connector.type === "postgres"
        ? { password: secret("password") }
        : connector.type === "supabase"
        ? { key: secret("key") }
        : connector.type === "http_json"
        ? { headers: { [secret("auth_header") || "Authorization"]: secret("auth_value") } }
        : undefined;
      if (credentials && Object.values(credentials).every((v) => typeof v === "string" ? v !== "" : true)) {
        await updateConnector(deps, user!.id, ctx.params.id, { credentials }, meta);
      }
      return ctx.redirect(`/connectors/${ctx.params.id}`);
    } catch (error) {
      return await renderFormError(ctx, error, (message) => load(ctx, message));
    }
  },
};

const when = formatWhen;

export default function ConnectorPage({ data }: PageProps<Data>) {
  const { connector } = data;
  const type = CONNECTOR_TYPES[connector.type as ConnectorTypeName];
  const config = Object.entries(connector.config).filter(([k]) => k !== "upload");
  const upload = (connector.config as { upload?: { bytes: number; name?: string } }).upload;
  const labels = fieldLabels(connector.type as ConnectorTypeName);
  const secretFields = FORM_FIELDS[connector.type as ConnectorTypeName].filter((f) =>
    f.secret || f.name === "auth_header"
  );
  return (
    <section class="section">
      {/* id="connector-header": ConnectorActions swaps it in from the server when a sync ends. */}
      <div id="connector-header" class="live-region">
        <header class="section-header">
          <div>
            <p class="muted small breadcrumb">
              <a href="/connectors">Connectors</a> / {type?.label ?? connector.type}
            </p>
            <h1 data-testid="connector-title">
              {connector.name} <StatusBadge status={connector.status} />
            </h1>
            <p class="muted" data-testid="last-sync">
              Last sync: {when(connector.lastSync)}
              {connector.nextSyncAt && <>{" · "}next scheduled: {when(connector.nextSyncAt)}</>}
            </p>
          </div>
        </header>
        <LastSyncOutcome connector={connector} latest={data.syncs[0]} />
      </div>
      {data.error && <p class="alert" role="alert">{data.error}</p>}

      <ConnectorActions connectorId={connector.id} acceptsUpload={connector.type === "csv"} />

      <div class="card">
        <h2>Settings</h2>
        <dl class="facts">
          {config.map(([key, value]) => (
            <>
              <dt>{(labels[`config.${key}`] ?? key).replace(/ \(.*\)$/, "")}</dt>
              <dd>
                <code>{typeof value === "string" ? value : JSON.stringify(value)}</code>
              </dd>
            </>
          ))}
          {upload && (
            <>
              <dt>File</dt>
              <dd>{upload.name ?? "uploaded"} ({(upload.bytes / 1024).toFixed(1)} KiB)</dd>
            </>
          )}
          <dt>Credentials</dt>
          <dd>{connector.credentialsCiphertext ? "stored, encrypted (never shown)" : "none"}</dd>
        </dl>
        {secretFields.length > 0 && (
          <form method="post" class="inline-form">
            {secretFields.map((f) => (
              <input
                type={f.secret ? "password" : "text"}
                name={f.name}
                placeholder={f.secret ? `New ${f.label.toLowerCase()}` : f.placeholder}
                aria-label={f.label}
                autocomplete="new-password"
              />
            ))}
            <button type="submit" class="button small">Replace credentials</button>
          </form>
        )}
      </div>

      {data.datasets.map(({ dataset, preview }) => (
        <div class="card" data-testid="dataset">
          <div class="card-header">
            <h2>
              {dataset.name}{" "}
              <span class="muted small">
                {plural(dataset.rowCount, "row")} · {plural(dataset.columns.length, "column")}
              </span>
            </h2>
            <ConfirmButton
              label="Delete dataset…"
              confirmation={confirmDeleteDataset(connector, dataset.name)}
              testId="delete-dataset"
            />
          </div>
          <ResultTable columns={preview.columns} rows={preview.rows} class="preview" />
        </div>
      ))}

      <div class="card live-region" id="sync-history-card">
        <h2>Sync history</h2>
        {data.syncs.length === 0 ? <p class="muted">No syncs yet.</p> : (
          <div class="table-wrap">
            <table class="table stack" data-testid="sync-history">
              <thead>
                <tr>
                  <th>Started</th>
                  <th>Trigger</th>
                  <th>Status</th>
                  <th>Rows</th>
                  <th>Took</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {data.syncs.flatMap((s) => [
                  <tr key={s.id}>
                    <td data-label="Started">{when(s.startedAt ?? s.createdAt)}</td>
                    <td data-label="Trigger">{s.trigger}</td>
                    <td data-label="Status">
                      <StatusBadge status={shownSyncStatus(s)} />
                    </td>
                    <td data-label="Rows">{s.rows.toLocaleString("en-US")}</td>
                    <td data-label="Took">
                      {s.startedAt && s.finishedAt
                        ? formatDuration(s.finishedAt.getTime() - s.startedAt.getTime())
                        : "—"}
                    </td>
                    <td data-label="Details" class="small" title={s.error ?? undefined}>{shortError(s.error)}</td>
                  </tr>,
                  <SyncWarningRow key={`${s.id}-warnings`} warnings={s.warnings} />,
                ])}
              </tbody>
            </table>
          </div>
        )}
      </div>

      <div class="danger-zone">
        <ConfirmButton
          label="Delete connector and its datasets…"
          confirmation={confirmDeleteConnector(connector)}
          testId="delete-connector"
        />
      </div>
    </section>
  );
}

/**
 * How the last sync ended, said once at the top: a failure in red with its reason, a cancel as a
 * neutral note. Nothing while a sync runs (the progress shows it) or after a success.
 */
function LastSyncOutcome({ connector, latest }: { connector: ConnectorRow; latest: SyncRow | undefined }) {
  if (latest && latest.status !== "failed") return null;
  if (latest && cancelledBy(latest.error) !== undefined) {
    return <p class="notice neutral" role="status" data-testid="sync-cancelled">{syncEndSentence(latest)}</p>;
  }
  const sentence = latest
    ? syncEndSentence(latest)
    : connector.lastError && `The last sync failed: ${connector.lastError}`;
  return sentence ? <p class="alert" role="alert" data-testid="last-error">{sentence}</p> : null;
}

/**
 * What a sync coerced, skipped or stopped early on, one sentence each (connectors/warnings.ts), in
 * a row of its own under the sync: the list stays at the left of the scrolling table, as wide as
 * the screen, so a phone shows it without scrolling sideways.
 */
function SyncWarningRow({ warnings }: { warnings: SyncRow["warnings"] }) {
  if (!warnings?.length) return null;
  return (
    <tr class="sync-warnings-row">
      <td colSpan={6}>
        <ul class="sync-warnings" data-testid="sync-warnings">
          {warnings.map((w) => (
            <li>
              {w.dataset ? <strong>{w.dataset}:</strong> : null} {w.message}
              {w.lines?.length
                ? (
                  <span class="muted">
                    {` (${w.lines.length === 1 ? "line" : "lines"} ${w.lines.join(", ")}${
                      (w.count ?? 0) > w.lines.length ? ", …" : ""
                    })`}
                  </span>
                )
                : null}
            </li>
          ))}
        </ul>
      </td>
    </tr>
  );
}
