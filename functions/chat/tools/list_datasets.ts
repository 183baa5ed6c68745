/** list_datasets: the workspace's connectors and what each has synced. */
import { tool, zodSchema } from "ai";
import { z } from "zod";
import { asUser } from "../../../db/rls.ts";
import { listConnectors, listWorkspaceDatasets } from "../../../db/queries/connectors.ts";
import { type ChatToolContext, toolStep } from "./context.ts";

// Made once: the SDK derives (and caches) the JSON schema the model sees from it.
const input = zodSchema(z.object({}));

export function listDatasetsTool(ctx: ChatToolContext) {
  return tool({
    description: "List the workspace's data connectors and their synced datasets (name, row count, columns).",
    inputSchema: input,
    execute: () =>
      toolStep(ctx, "list_datasets", () =>
        asUser(ctx.deps.db, ctx.userId, async (tx) => {
          const connectors = await listConnectors(tx, { limit: 100, workspaceId: ctx.workspaceId });
          const datasets = await listWorkspaceDatasets(tx, ctx.workspaceId);
          return {
            connectors: connectors.map((c) => ({
              connector_id: c.id,
              name: c.name,
              type: c.type,
              status: c.status,
              datasets: datasets.filter((d) => d.connectorId === c.id).map((d) => ({
                name: d.name,
                row_count: d.rowCount,
                synced: d.syncedAt !== null,
                columns: d.columns.map((col) => col.name),
              })),
            })),
          };
        })),
  });
}
