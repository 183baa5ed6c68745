/** read_artifact: an artifact's current content (or an older version's), to revise it. */
import { tool, zodSchema } from "ai";
import { z } from "zod";
import { getArtifact, type QueryArtifactData } from "../../artifacts.ts";
import { type ChatToolContext, MODEL_ROW_LIMIT, toolStep } from "./context.ts";

// Made once: the SDK derives (and caches) the JSON schema the model sees from it.
const input = zodSchema(z.object({
  artifact_id: z.uuid().describe("The artifact's id (a UUID), from the tool that made it"),
  version: z.number().int().min(1).optional().describe("An older version; the newest when left out"),
}));

export function readArtifactTool(ctx: ChatToolContext) {
  return tool({
    description: "Read an artifact's content: a document's markdown, or a chart or table's query, chart spec " +
      `and first ${MODEL_ROW_LIMIT} rows. Read before revising.`,
    inputSchema: input,
    execute: ({ artifact_id, version }) =>
      toolStep(ctx, "read_artifact", async () => {
        const row = await getArtifact(ctx.deps, ctx.userId, artifact_id, { version, workspaceId: ctx.workspaceId });
        const base = { artifact_id: row.artifactId, version: row.version, type: row.type, name: row.name };
        if (row.type === "document") return { ...base, markdown: (row.data as { markdown: string }).markdown };
        const data = row.data as QueryArtifactData;
        return {
          ...base,
          source: data.source,
          chart: data.chart,
          columns: data.columns,
          rows: data.rows.slice(0, MODEL_ROW_LIMIT),
          row_count: data.rows.length,
        };
      }),
  });
}
