/** create_table: a table (or downloadable CSV file) artifact from a query's result. */
import { tool, zodSchema } from "ai";
import { z } from "zod";
import { createQueryArtifact } from "../../artifacts.ts";
import { DatasetQueryInput } from "./query_dataset.ts";
import { artifactSummary, type ChatToolContext, toolStep } from "./context.ts";

// Made once: the SDK derives (and caches) the JSON schema the model sees from it.
const input = zodSchema(DatasetQueryInput.extend({
  name: z.string().min(1).max(200).describe("A short title for the artifact"),
  format: z.enum(["table", "csv"]).default("table"),
}));

export function createTableTool(ctx: ChatToolContext) {
  return tool({
    description: "Make a table artifact from a query on a dataset; format csv makes it a CSV file to download.",
    inputSchema: input,
    execute: ({ name, connector_id, dataset, query, format }) =>
      toolStep(ctx, "create_table", async () =>
        artifactSummary(
          await createQueryArtifact(ctx.deps, ctx, { type: format, name, source: { connector_id, dataset, query } }),
        )),
  });
}
