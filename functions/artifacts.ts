/**
 * Artifacts: charts, tables, CSV files and markdown documents made in chat. Each change is a new
 * version row, so old versions stay viewable. Query-backed artifacts keep their query and a
 * snapshot of its result, so they read the same later and can be re-run when revised.
 */
import { z } from "zod";
import type { AppDeps } from "../lib/deps.ts";
import { ApiError, notFound } from "../lib/http/errors.ts";
import { postgresCode } from "../lib/http/error_handler.ts";
import { asUser } from "../db/rls.ts";
import { type ArtifactRow, findArtifact, insertArtifacts, listLatest, listVersions } from "../db/queries/artifacts.ts";
import { groupCommit } from "../lib/group_commit.ts";
import type { artifacts } from "../db/schema.ts";
import { StructuredQuery } from "../connectors/query.ts";
import type { Column } from "../connectors/types.ts";
import { ChartSpec, missingColumns } from "../lib/charts/chart_spec.ts";
import { renderChartSvg } from "../lib/charts/render_svg.ts";
import { toCsv } from "../lib/csv_export.ts";
import { storableJson, storableText } from "../lib/text.ts";
import { queryDataset } from "./query_dataset.ts";

export const ARTIFACT_TYPES = ["chart", "table", "csv", "document"] as const;
export type ArtifactType = typeof ARTIFACT_TYPES[number];

/** Where a query-backed artifact's rows come from. */
export const ArtifactSource = z.object({
  connector_id: z.uuid(),
  dataset: z.string().min(1),
  query: StructuredQuery,
});
export type ArtifactSource = z.infer<typeof ArtifactSource>;

/** What each type of artifact holds. */
export interface QueryArtifactData {
  source: ArtifactSource;
  columns: Column[];
  rows: unknown[][];
  chart?: ChartSpec;
}
export interface DocumentData {
  markdown: string;
}

/** Who is acting, and in which workspace and chat. */
export interface ArtifactContext {
  userId: string;
  workspaceId: string;
  sessionId?: string;
}

/** Runs an artifact's query inside the context's workspace. */
async function runSource(deps: AppDeps, ctx: ArtifactContext, source: ArtifactSource) {
  return await queryDataset(deps, ctx.userId, {
    connectorId: source.connector_id,
    dataset: source.dataset,
    query: source.query,
    workspaceId: ctx.workspaceId,
  });
}

function checkChart(chart: ChartSpec, columns: Column[]) {
  const missing = missingColumns(chart, columns);
  if (missing.length) {
    throw new ApiError(
      400,
      "invalid_request",
      `The chart names ${missing.map((m) => `"${m}"`).join(", ")}, which the query does not return: ` +
        `its columns are ${columns.map((c) => `"${c.name}"`).join(", ")}`,
    );
  }
}

/** A chart, table or CSV artifact from a query on a dataset. */
export async function createQueryArtifact(
  deps: AppDeps,
  ctx: ArtifactContext,
  input: { type: "chart" | "table" | "csv"; name: string; source: ArtifactSource; chart?: ChartSpec },
): Promise<ArtifactRow> {
  if (input.type === "chart" && !input.chart) throw new ApiError(400, "invalid_request", "A chart needs a chart spec");
  const result = await runSource(deps, ctx, input.source);
  if (input.chart) checkChart(input.chart, result.columns);
  const data: QueryArtifactData = {
    source: input.source,
    columns: result.columns,
    rows: result.rows,
    ...(input.type === "chart" ? { chart: input.chart } : {}),
  };
  return await insertVersion(deps, ctx, {
    artifactId: crypto.randomUUID(),
    version: 1,
    type: input.type,
    name: input.name,
    data,
  });
}

/** A markdown document artifact. */
export async function createDocument(
  deps: AppDeps,
  ctx: ArtifactContext,
  input: { name: string; markdown: string },
): Promise<ArtifactRow> {
  const data: DocumentData = { markdown: input.markdown };
  return await insertVersion(deps, ctx, {
    artifactId: crypto.randomUUID(),
    version: 1,
    type: "document",
    name: input.name,
    data,
  });
}

/**
 * A table or chart artifact from rows a workflow computed (no dataset query behind it): the
 * columns are given, `rows` hold their values in order.
 */
export async function createRowsArtifact(
  deps: AppDeps,
  ctx: ArtifactContext,
  input: { type: "table" | "chart"; name: string; columns: Column[]; rows: unknown[][]; chart?: ChartSpec },
): Promise<ArtifactRow> {
  if (input.type === "chart" && !input.chart) throw new ApiError(400, "invalid_request", "A chart needs a chart spec");
  if (input.chart) checkChart(input.chart, input.columns);
  return await insertVersion(deps, ctx, {
    artifactId: crypto.randomUUID(),
    version: 1,
    type: input.type,
    name: input.name,
    data: { columns: input.columns, rows: input.rows, ...(input.chart ? { chart: input.chart } : {}) },
  });
}

/** What a revision may change; what it leaves out stays as it was. */
export interface ArtifactChanges {
  name?: string;
  markdown?: string;
  chart?: ChartSpec;
  query?: StructuredQuery;
}

/** A new version of an artifact with `changes` applied; a changed query is run again. */
export async function reviseArtifact(
  deps: AppDeps,
  ctx: ArtifactContext,
  artifactId: string,
  changes: ArtifactChanges,
): Promise<ArtifactRow> {
  const current = await getArtifact(deps, ctx.userId, artifactId, { workspaceId: ctx.workspaceId });
  let data: QueryArtifactData | DocumentData;
  if (current.type === "document") {
    if (changes.chart || changes.query) {
      throw new ApiError(400, "invalid_request", "A document has no query or chart: change its markdown");
    }
    data = { markdown: changes.markdown ?? (current.data as DocumentData).markdown };
  } else {
    if (changes.markdown !== undefined) throw new ApiError(400, "invalid_request", "Only documents have markdown");
    if (changes.chart && current.type !== "chart") {
      throw new ApiError(400, "invalid_request", `A ${current.type} has no chart spec`);
    }
    const before = current.data as QueryArtifactData;
    const source = changes.query ? { ...before.source, query: changes.query } : before.source;
    const result = changes.query ? await runSource(deps, ctx, source) : before;
    const chart = changes.chart ?? before.chart;
    if (chart) checkChart(chart, result.columns);
    data = { source, columns: result.columns, rows: result.rows, ...(chart ? { chart } : {}) };
  }
  return await insertVersion(deps, ctx, {
    artifactId,
    version: current.version + 1,
    type: current.type as ArtifactType,
    name: changes.name ?? current.name,
    data,
    sessionId: current.sessionId ?? ctx.sessionId,
  });
}

/** One version to insert, as its caller's user in its workspace. */
type NewVersion = typeof artifacts.$inferInsert & { workspaceId: string; createdBy: string };

/**
 * Artifact versions are written with group commit (lib/group_commit.ts), one writer per user:
 * versions a user's work creates while a write is in flight (a burst of workflow executions, each
 * saving its result) go together in the next, one multi-row insert in one transaction under that
 * user's RLS. One user's group is all or nothing, so a refused write never touches another user's.
 */
const writers = new WeakMap<AppDeps, Map<string, (version: NewVersion) => Promise<ArtifactRow>>>();
/** Writers kept per process; the oldest idle one goes first (a dropped writer finishes what it holds). */
const WRITERS_KEPT = 1000;

function writeVersion(deps: AppDeps, version: NewVersion): Promise<ArtifactRow> {
  let byUser = writers.get(deps);
  if (!byUser) writers.set(deps, byUser = new Map());
  const userId = version.createdBy;
  let write = byUser.get(userId);
  if (write) {
    byUser.delete(userId);
  } else {
    write = groupCommit(
      (versions: NewVersion[]) => asUser(deps.db, userId, (tx) => insertArtifacts(tx, versions)),
      { maxItems: 64, maxInFlight: 2 },
    );
    if (byUser.size >= WRITERS_KEPT) byUser.delete(byUser.keys().next().value!);
  }
  byUser.set(userId, write);
  return write(version);
}

async function insertVersion(
  deps: AppDeps,
  ctx: ArtifactContext,
  row: {
    artifactId: string;
    version: number;
    type: ArtifactType;
    name: string;
    data: unknown;
    sessionId?: string | null;
  },
): Promise<ArtifactRow> {
  try {
    // Names, markdown and chart titles come from the model's tool calls: made storable here, where they enter.
    return await writeVersion(deps, {
      ...row,
      name: storableText(row.name),
      data: storableJson(row.data),
      workspaceId: ctx.workspaceId,
      sessionId: row.sessionId ?? ctx.sessionId ?? null,
      createdBy: ctx.userId,
    });
  } catch (error) {
    // Two revisions of the same version at once: the unique (artifact_id, version) keeps one.
    if (postgresCode(error) === "23505") {
      throw new ApiError(409, "conflict", "The artifact changed meanwhile: read it again and revise that");
    }
    throw error;
  }
}

/** One artifact (its newest version unless `version` is given); 404 outside the caller's reach. */
export async function getArtifact(
  deps: AppDeps,
  userId: string,
  artifactId: string,
  options: { version?: number; workspaceId?: string } = {},
): Promise<ArtifactRow> {
  const row = await asUser(deps.db, userId, (tx) => findArtifact(tx, artifactId, options.version));
  if (!row || (options.workspaceId && row.workspaceId !== options.workspaceId)) {
    throw notFound(options.version ? `Version ${options.version} of the artifact` : "Artifact");
  }
  return row;
}

/** The versions of an artifact the caller can read, newest first. */
export async function artifactVersions(deps: AppDeps, userId: string, artifactId: string) {
  const versions = await asUser(deps.db, userId, (tx) => listVersions(tx, artifactId));
  if (!versions.length) throw notFound("Artifact");
  return versions;
}

/** The newest version of each artifact in a chat, or in a workspace. */
export async function listArtifacts(
  deps: AppDeps,
  userId: string,
  filter: { sessionId?: string; workspaceId?: string; limit: number },
): Promise<ArtifactRow[]> {
  return await asUser(deps.db, userId, (tx) => listLatest(tx, filter));
}

/** Rendered charts by version row id: a version never changes, so neither does its SVG. */
const svgCache = new Map<string, Promise<string>>();
const SVG_CACHE_ENTRIES = 200;

/** A chart artifact's SVG. */
export function artifactSvg(row: ArtifactRow): Promise<string> {
  const data = row.data as QueryArtifactData;
  if (row.type !== "chart" || !data.chart) throw new ApiError(400, "invalid_request", "Only charts render to SVG");
  let svg = svgCache.get(row.id);
  if (!svg) {
    // Artifacts a workflow step made carry no source query.
    svg = renderChartSvg(data.chart, data.columns, data.rows, { query: data.source?.query });
    svg.catch(() => svgCache.delete(row.id));
    svgCache.set(row.id, svg);
    if (svgCache.size > SVG_CACHE_ENTRIES) svgCache.delete(svgCache.keys().next().value!);
  }
  return svg;
}

/** A query-backed artifact's rows as CSV with a header row, safe to open in a spreadsheet (lib/csv_export.ts). */
export function artifactCsv(row: ArtifactRow): string {
  if (row.type === "document") {
    throw new ApiError(400, "invalid_request", "A document has no rows: download it as markdown");
  }
  const data = row.data as QueryArtifactData;
  return toCsv(data.columns, data.rows);
}
