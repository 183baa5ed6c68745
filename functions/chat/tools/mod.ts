/**
 * The tools the chat model may call. Each is a factory given the request's context, so it acts as
 * the signed-in user inside the chat's workspace. Later features add theirs to CHAT_TOOLS.
 */
import type { Tool } from "ai";
import type { ChatToolContext } from "./context.ts";
import { listDatasetsTool } from "./list_datasets.ts";
import { describeDatasetTool } from "./describe_dataset.ts";
import { queryDatasetTool } from "./query_dataset.ts";
import { createChartTool } from "./create_chart.ts";
import { createTableTool } from "./create_table.ts";
import { createDocumentTool } from "./create_document.ts";
import { readArtifactTool } from "./read_artifact.ts";
import { updateArtifactTool } from "./update_artifact.ts";
import { pinToDashboardTool } from "./pin_to_dashboard.ts";
import { runWorkflowTool } from "./run_workflow.ts";

export type { ChatToolContext } from "./context.ts";

// deno-lint-ignore no-explicit-any -- each tool has its own input and output types
type ToolFactory = (ctx: ChatToolContext) => Tool<any, any>;

/** Tool name → factory. The name is what the model calls and what UI parts are typed by. */
export const CHAT_TOOLS: Record<string, ToolFactory> = {
  list_datasets: listDatasetsTool,
  describe_dataset: describeDatasetTool,
  query_dataset: queryDatasetTool,
  create_chart: createChartTool,
  create_table: createTableTool,
  create_document: createDocumentTool,
  read_artifact: readArtifactTool,
  update_artifact: updateArtifactTool,
  pin_to_dashboard: pinToDashboardTool,
  run_workflow: runWorkflowTool,
};

/** The tool set for one chat turn. */
export function chatTools(ctx: ChatToolContext) {
  return Object.fromEntries(Object.entries(CHAT_TOOLS).map(([name, make]) => [name, make(ctx)]));
}
