/** create_table: a table (or downloadable CSV file) artifact from a query's result. */
import { tool } from "ai";
import { z } from "zod";
import { createQueryArtifact } from "../../artifacts.ts";
import { DatasetQueryInput } from "./query_dataset.ts";
import { artifactSummary, type ChatToolContext, toolStep } from "./context.ts";

export function createTableTool(ctx: ChatToolContext) {
  return tool({
    description: "Make a table artifact from a query on a dataset; format csv makes it a CSV file to download.",
    inputSchema: DatasetQueryInput.extend({
      name: z.string().min(1).max(200).describe("A short title for the artifact"),
      format: z.enum(["table", "csv"]).default("table"),
    }),
    execute: ({ name, connector_id, dataset, query, format }) =>
      toolStep(ctx, "create_table", async () =>
        artifactSummary(
          await createQueryArtifact(ctx.deps, ctx, { type: format, name, source: { connector_id, dataset, query } }),
        )),
  });
}
