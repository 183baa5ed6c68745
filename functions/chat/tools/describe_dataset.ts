/** describe_dataset: a dataset's columns with their types, its size, and a few sample rows. */
import { tool, zodSchema } from "ai";
import { z } from "zod";
import { queryDataset } from "../../query_dataset.ts";
import { type ChatToolContext, toolStep } from "./context.ts";

// Made once: the SDK derives (and caches) the JSON schema the model sees from it.
const input = zodSchema(z.object({
  connector_id: z.uuid().describe("The connector's id, from list_datasets"),
  dataset: z.string().describe("The dataset's name"),
}));

export function describeDatasetTool(ctx: ChatToolContext) {
  return tool({
    description: "Describe one dataset: its columns and their types, and five sample rows.",
    inputSchema: input,
    execute: ({ connector_id, dataset }) =>
      toolStep(ctx, "describe_dataset", async () => {
        const sample = await queryDataset(ctx.deps, ctx.userId, {
          connectorId: connector_id,
          dataset,
          query: { limit: 5 },
          workspaceId: ctx.workspaceId,
        });
        return { dataset, columns: sample.columns, sample_rows: sample.rows };
      }),
  });
}
