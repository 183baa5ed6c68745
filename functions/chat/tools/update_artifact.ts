/** update_artifact: a new version of an artifact, with the changes given. */
import { tool, zodSchema } from "ai";
import { z } from "zod";
import { ChartSpec } from "../../../lib/charts/chart_spec.ts";
import { StructuredQuery } from "../../../connectors/query.ts";
import { reviseArtifact } from "../../artifacts.ts";
import { artifactSummary, type ChatToolContext, toolStep } from "./context.ts";

// Made once: the SDK derives (and caches) the JSON schema the model sees from it.
const input = zodSchema(z.object({
  artifact_id: z.uuid().describe("The artifact's id (a UUID), from the tool that made it"),
  name: z.string().min(1).max(200).optional(),
  markdown: z.string().min(1).max(100_000).optional(),
  chart: ChartSpec.optional(),
  query: StructuredQuery.optional(),
}));

export function updateArtifactTool(ctx: ChatToolContext) {
  return tool({
    description: "Revise an artifact: each call makes a new version and keeps the old ones. Give only what " +
      "changes: name; markdown (documents); chart spec (charts); query (charts and tables, re-run on the same dataset).",
    inputSchema: input,
    execute: ({ artifact_id, ...changes }) =>
      toolStep(
        ctx,
        "update_artifact",
        async () => artifactSummary(await reviseArtifact(ctx.deps, ctx, artifact_id, changes)),
      ),
  });
}
