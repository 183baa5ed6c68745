/** /api/artifacts: what chats made (charts, tables, CSV files, documents), by version, and their downloads. */
import { withDarkChartStyle } from "../../lib/charts/theme.ts";
import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../../lib/deps.ts";
import { ApiError } from "../../lib/http/errors.ts";
import {
  apiRouter,
  callerId,
  errorResponses,
  jsonContent,
  notFoundResponse,
  signedInRoute,
} from "../../lib/http/api_router.ts";
import type { ArtifactRow } from "../../db/queries/artifacts.ts";
import {
  ARTIFACT_TYPES,
  artifactCsv,
  artifactSvg,
  artifactVersions,
  getArtifact,
  listArtifacts,
} from "../../functions/artifacts.ts";
import { IdParam } from "./schemas.ts";

const ArtifactSchema = z.object({
  id: z.uuid(),
  type: z.enum(ARTIFACT_TYPES),
  name: z.string(),
  data: z.unknown(),
  version: z.number().int(),
  session_id: z.uuid().nullable(),
  created_at: z.iso.datetime(),
}).openapi("Artifact");

/** Versions are Postgres integers (int4). */
const VersionQuery = z.object({ version: z.coerce.number().int().min(1).max(2_147_483_647).optional() }).strict();
const FORMATS = ["csv", "svg", "md", "json"] as const;

export function artifactJson(row: ArtifactRow) {
  return {
    id: row.artifactId,
    type: row.type as typeof ARTIFACT_TYPES[number],
    name: row.name,
    data: row.data,
    version: row.version,
    session_id: row.sessionId,
    created_at: row.createdAt.toISOString(),
  };
}

const route = signedInRoute("Artifacts");
const notFound = notFoundResponse("No such artifact or version");

const routes = {
  list: createRoute({
    ...route("get", "/", "The newest version of each artifact of a chat or workspace"),
    request: {
      query: z.object({
        session_id: z.uuid().optional(),
        workspace_id: z.uuid().optional(),
        limit: z.coerce.number().int().min(1).max(100).default(50),
      }),
    },
    responses: {
      200: {
        description: "Artifacts",
        content: jsonContent(z.object({ items: z.array(ArtifactSchema), next_cursor: z.null() })),
      },
      ...errorResponses,
    },
  }),
  get: createRoute({
    ...route("get", "/{id}", "An artifact: its newest version, or ?version="),
    request: { params: IdParam, query: VersionQuery },
    responses: {
      200: { description: "The artifact", content: jsonContent(ArtifactSchema) },
      ...notFound,
      ...errorResponses,
    },
  }),
  versions: createRoute({
    ...route("get", "/{id}/versions", "Every version of an artifact, newest first"),
    request: { params: IdParam },
    responses: {
      200: {
        description: "Versions",
        content: jsonContent(z.object({
          items: z.array(z.object({ version: z.number().int(), name: z.string(), created_at: z.iso.datetime() })),
        })),
      },
      ...notFound,
      ...errorResponses,
    },
  }),
  svg: createRoute({
    ...route("get", "/{id}/chart.svg", "A chart drawn as SVG"),
    request: { params: IdParam, query: VersionQuery },
    responses: {
      200: { description: "SVG", content: { "image/svg+xml": { schema: z.string() } } },
      ...notFound,
      ...errorResponses,
    },
  }),
  download: createRoute({
    ...route("get", "/{id}/download", "Download: csv (charts, tables, CSV files), svg (charts), md (documents), json"),
    request: { params: IdParam, query: VersionQuery.extend({ format: z.enum(FORMATS).default("json") }) },
    responses: {
      200: {
        description: "The file, as an attachment",
        content: { "application/octet-stream": { schema: z.string() } },
      },
      ...notFound,
      ...errorResponses,
    },
  }),
};

/** A file name from an artifact's name: letters, digits, dashes. */
function fileName(row: ArtifactRow, extension: string): string {
  const base = row.name.normalize("NFKD").replace(/[^\w\s-]/g, "").trim().replace(/\s+/g, "-").slice(0, 80);
  return `${base || "artifact"}-v${row.version}.${extension}`;
}

export function artifactRoutes(deps: AppDeps) {
  const app = apiRouter();
  const userId = callerId;
  const load = (c: Parameters<typeof userId>[0], id: string, version?: number) =>
    getArtifact(deps, userId(c), id, { version });

  app.openapi(routes.list, async (c) => {
    const { session_id, workspace_id, limit } = c.req.valid("query");
    const rows = await listArtifacts(deps, userId(c), { sessionId: session_id, workspaceId: workspace_id, limit });
    return c.json({ items: rows.map(artifactJson), next_cursor: null }, 200);
  });
  app.openapi(routes.get, async (c) => {
    return c.json(artifactJson(await load(c, c.req.valid("param").id, c.req.valid("query").version)), 200);
  });
  app.openapi(routes.versions, async (c) => {
    const versions = await artifactVersions(deps, userId(c), c.req.valid("param").id);
    return c.json({
      items: versions.map((v) => ({ version: v.version, name: v.name, created_at: v.createdAt.toISOString() })),
    }, 200);
  });
  app.openapi(routes.svg, async (c) => {
    const row = await load(c, c.req.valid("param").id, c.req.valid("query").version);
    // Shown in pages as an <img>, which the page's stylesheet cannot recolour: it carries its own dark mode.
    return c.body(withDarkChartStyle(await artifactSvg(row)), 200, {
      "content-type": "image/svg+xml; charset=utf-8",
      // A version never changes; the newest may, so only pinned versions are cached long.
      "cache-control": c.req.valid("query").version ? "private, max-age=31536000, immutable" : "private, no-cache",
    }) as never;
  });
  app.openapi(routes.download, async (c) => {
    const { version, format } = c.req.valid("query");
    const row = await load(c, c.req.valid("param").id, version);
    let body: string;
    let type: string;
    if (format === "csv") [body, type] = [artifactCsv(row), "text/csv; charset=utf-8"];
    else if (format === "svg") [body, type] = [await artifactSvg(row), "image/svg+xml; charset=utf-8"];
    else if (format === "md") {
      if (row.type !== "document") throw new ApiError(400, "invalid_request", "Only documents download as markdown");
      [body, type] = [(row.data as { markdown: string }).markdown, "text/markdown; charset=utf-8"];
    } else [body, type] = [JSON.stringify(artifactJson(row), null, 2), "application/json"];
    return c.body(body, 200, {
      "content-type": type,
      "content-disposition": `attachment; filename="${fileName(row, format)}"`,
    }) as never;
  });
  return app;
}
