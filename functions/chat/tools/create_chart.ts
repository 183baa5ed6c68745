/** create_chart: a chart artifact drawn from a query's result. */
import { tool, zodSchema } from "ai";
import { z } from "zod";
import { ChartSpec } from "../../../lib/charts/chart_spec.ts";
import { createQueryArtifact } from "../../artifacts.ts";
import { DatasetQueryInput } from "./query_dataset.ts";
import { artifactSummary, type ChatToolContext, toolStep } from "./context.ts";

// Made once: the SDK derives (and caches) the JSON schema the model sees from it.
const input = zodSchema(DatasetQueryInput.extend({
  name: z.string().min(1).max(200).describe("A short title for the artifact"),
  chart: ChartSpec,
}));

export function createChartTool(ctx: ChatToolContext) {
  return tool({
    description: "Make a chart artifact from a query on a dataset. The chat shows it as soon as it is made. " +
      "x, y and color name columns of the query's result (a measure's `as` name, or fn_column).",
    inputSchema: input,
    execute: ({ name, connector_id, dataset, query, chart }) =>
      toolStep(ctx, "create_chart", async () =>
        artifactSummary(
          await createQueryArtifact(ctx.deps, ctx, {
            type: "chart",
            name,
            source: { connector_id, dataset, query },
            chart,
          }),
        )),
  });
}
