/** query_dataset: a structured query (the shape of POST /api/query) on one dataset. */
import { tool, zodSchema } from "ai";
import { z } from "zod";
import { StructuredQuery } from "../../../connectors/query.ts";
import { queryDataset } from "../../query_dataset.ts";
import { type ChatToolContext, MODEL_ROW_LIMIT, toolStep } from "./context.ts";

export const DatasetQueryInput = z.object({
  connector_id: z.uuid().describe("The connector's id, from list_datasets"),
  dataset: z.string().describe("The dataset's name"),
  query: StructuredQuery.describe(
    "dimensions: columns to group by, or {column, bucket: hour|day|week|month|quarter|year} for dates; " +
      "measures: [{fn: count|count_distinct|sum|avg|min|max, column?, as?}]; " +
      "filters: [{column, op: eq|neq|gt|gte|lt|lte|in|contains|is_null|not_null|between, value}] " +
      "(between takes [from, to]; is_null and not_null no value); order_by: [{column, dir}]; limit",
  ),
});

// Made once: the SDK derives (and caches) the JSON schema the model sees from it.
const input = zodSchema(DatasetQueryInput);

export function queryDatasetTool(ctx: ChatToolContext) {
  return tool({
    description: "Run a structured query on a dataset: group, aggregate, filter, sort, limit. " +
      `Shows at most ${MODEL_ROW_LIMIT} rows.`,
    inputSchema: input,
    execute: ({ connector_id, dataset, query }) =>
      toolStep(ctx, "query_dataset", async () => {
        const result = await queryDataset(ctx.deps, ctx.userId, {
          connectorId: connector_id,
          dataset,
          query,
          workspaceId: ctx.workspaceId,
        });
        return {
          columns: result.columns,
          rows: result.rows.slice(0, MODEL_ROW_LIMIT),
          row_count: result.rows.length,
          truncated: result.rows.length > MODEL_ROW_LIMIT,
        };
      }),
  });
}
