/**
 * run_workflow: starts a workflow of the chat's workspace with an input and waits (up to 30 s)
 * for its result, so chat can show it; a longer run is reported as still running, with its id.
 */
import { tool, zodSchema } from "ai";
import { z } from "zod";
import { getExecution, runWorkflow } from "../../workflows/executions.ts";
import { capped } from "../../workflows/json.ts";
import { type ChatToolContext, toolStep } from "./context.ts";

const WAIT_MS = 30_000;
const RESULT_CHARS = 8 * 1024;

const input = zodSchema(z.object({
  workflow_id: z.string().describe("The workflow's id"),
  input: z.unknown().optional().describe("The run's input: steps read it as trigger.payload"),
}));

export function runWorkflowTool(ctx: ChatToolContext) {
  return tool({
    description: "Run one of the workspace's workflows with an input and report its result (or its error).",
    inputSchema: input,
    execute: ({ workflow_id, input }) =>
      toolStep(ctx, "run_workflow", async () => {
        const id = await runWorkflow(ctx.deps, ctx.userId, workflow_id, {
          input,
          trigger: "chat",
          workspaceId: ctx.workspaceId,
        });
        const until = Date.now() + WAIT_MS;
        while (true) {
          const { execution, steps } = await getExecution(ctx.deps, ctx.userId, id);
          const finished = ["succeeded", "failed", "cancelled"].includes(execution.status);
          if (finished || Date.now() > until) {
            return {
              execution_id: id,
              status: execution.status,
              steps: steps.map((s) => ({ id: s.stepId, status: s.status })),
              ...(execution.results !== null ? { result: capped(execution.results, RESULT_CHARS) } : {}),
              ...(execution.error ? { error: execution.error } : {}),
            };
          }
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }),
  });
}
