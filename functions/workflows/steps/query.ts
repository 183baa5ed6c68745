/** query: a structured query on a synced dataset, as `POST /api/query` runs it (functions/query_dataset.ts). */
import { z } from "zod";
import { StructuredQuery } from "../../../connectors/query.ts";
import { queryDataset } from "../../query_dataset.ts";
import type { StepType } from "./types.ts";

const Config = z.object({
  connector_id: z.uuid({ error: "Not a connector id" }),
  dataset: z.string().trim().min(1).max(200),
  query: StructuredQuery.default({}),
}).strict();

export const queryStep: StepType<z.infer<typeof Config>> = {
  config: Config,
  async run({ deps, config, userId, workspaceId }) {
    const result = await queryDataset(deps, userId, {
      connectorId: config.connector_id,
      dataset: config.dataset,
      query: config.query,
      workspaceId,
    });
    // Rows as objects: what JSONata in later steps reads most naturally.
    const names = result.columns.map((c) => c.name);
    return {
      columns: result.columns,
      rows: result.rows.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]]))),
    };
  },
};
