/**
 * Executions as users see and steer them: start a run (by hand, from chat), list and read them,
 * cancel, re-run from a chosen step (reusing earlier steps' outputs), and replay every failed
 * execution of a window. All of it runs as the caller under Row Level Security.
 */
import { and, eq, gte, inArray, notExists, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { AppDeps, RequestMeta } from "../../lib/deps.ts";
import { ApiError, notFound } from "../../lib/http/errors.ts";
import { asUser } from "../../db/rls.ts";
import type { Db } from "../../db/client.ts";
import { executionSteps, workflowExecutions } from "../../db/schema.ts";
import type { ExecutionTrigger, WorkflowExecutionStatus } from "../../db/schema.ts";
import { writableWorkspace } from "../../db/queries/connectors.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { enqueueExecution } from "../../db/queries/workflow_queue.ts";
import {
  duplicatesOf,
  type ExecutionRow,
  type ExecutionStepRow,
  findExecution,
  findWorkflow,
  listExecutions,
  listExecutionSteps,
  type WorkflowRow,
} from "../../db/queries/workflows.ts";
import type { Step } from "./definition.ts";
import { engineFor } from "./engine.ts";
import { storable } from "./json.ts";

async function writableWorkflow(tx: Db, userId: string, id: string): Promise<WorkflowRow> {
  const row = await findWorkflow(tx, id);
  if (!row) throw notFound("Workflow");
  const workspace = await writableWorkspace(tx, userId, row.workspaceId);
  if (!workspace || workspace.role === "viewer") {
    throw new ApiError(403, "forbidden", "You can read this workflow but not run it: ask a workspace owner");
  }
  return row;
}

/** Queues a run of a workflow with `input` as its payload and starts it in this process. */
export async function runWorkflow(
  deps: AppDeps,
  userId: string,
  workflowId: string,
  options: { input?: unknown; trigger: Extract<ExecutionTrigger, "manual" | "chat">; workspaceId?: string },
  meta: RequestMeta = {},
): Promise<string> {
  const id = await asUser(deps.db, userId, async (tx) => {
    const workflow = await writableWorkflow(tx, userId, workflowId);
    if (options.workspaceId && workflow.workspaceId !== options.workspaceId) throw notFound("Workflow");
    if (!workflow.enabled) {
      throw new ApiError(409, "conflict", "This workflow is disabled: enable it before running it");
    }
    const executionId = await enqueueExecution(tx, {
      workflowId,
      workspaceId: workflow.workspaceId,
      trigger: options.trigger,
      input: { payload: storable(options.input ?? null), headers: {} },
      createdBy: userId,
    });
    await recordAudit(tx, {
      action: "workflow.run",
      userId,
      workspaceId: workflow.workspaceId,
      targetType: "workflow",
      targetId: workflowId,
      details: { execution_id: executionId, trigger: options.trigger },
    }, meta);
    return executionId;
  });
  engineFor(deps).kick(id);
  return id;
}

/** A page of a workflow's executions the caller can read. */
export async function listExecutionsOf(
  deps: AppDeps,
  userId: string,
  workflowId: string,
  options: { status?: WorkflowExecutionStatus; limit: number; before?: { createdAt: Date; id: string } },
) {
  return await asUser(deps.db, userId, async (tx) => {
    if (!await findWorkflow(tx, workflowId)) throw notFound("Workflow");
    return await listExecutions(tx, workflowId, options);
  });
}

/** An execution with its step rows and how many duplicate deliveries it absorbed. */
export async function getExecution(
  deps: AppDeps,
  userId: string,
  id: string,
): Promise<{ execution: ExecutionRow; steps: ExecutionStepRow[]; duplicates: number }> {
  return await asUser(deps.db, userId, async (tx) => {
    const execution = await findExecution(tx, id);
    if (!execution) throw notFound("Execution");
    const [steps, duplicates] = await Promise.all([listExecutionSteps(tx, id), duplicatesOf(tx, id)]);
    return { execution, steps, duplicates };
  });
}

/** Cancels a queued or running execution; its worker stops at its next checkpoint or heartbeat. */
export async function cancelExecution(deps: AppDeps, userId: string, id: string, meta: RequestMeta): Promise<void> {
  await asUser(deps.db, userId, async (tx) => {
    const execution = await findExecution(tx, id);
    if (!execution) throw notFound("Execution");
    await writableWorkflow(tx, userId, execution.workflowId);
    const [cancelled] = await tx.update(workflowExecutions).set({
      status: "cancelled",
      completedAt: sql`now()`,
      leaseOwner: null,
      leaseExpiresAt: null,
      error: "Cancelled",
    }).where(and(eq(workflowExecutions.id, id), inArray(workflowExecutions.status, ["queued", "running"])))
      .returning({ id: workflowExecutions.id });
    if (!cancelled) {
      throw new ApiError(409, "conflict", `This execution has already ${execution.status}; there is nothing to cancel`);
    }
    await tx.update(executionSteps).set({ status: "cancelled", finishedAt: sql`now()` }).where(and(
      eq(executionSteps.executionId, id),
      inArray(executionSteps.status, ["running", "retrying"]),
    ));
    await recordAudit(tx, {
      action: "workflow.cancel",
      userId,
      workspaceId: execution.workspaceId,
      targetType: "execution",
      targetId: id,
    }, meta);
  });
}

/**
 * Queues a new execution of `original`'s workflow with the same input; the steps before
 * `fromStep` (in the current definition) that succeeded in the original are copied as reused.
 */
async function queueRerun(
  tx: Db,
  workflow: WorkflowRow,
  original: ExecutionRow,
  fromStep: string | undefined,
  trigger: "rerun" | "replay",
  userId: string,
): Promise<string> {
  const steps = workflow.steps as Step[];
  const start = fromStep === undefined ? 0 : steps.findIndex((s) => s.id === fromStep);
  if (start < 0) {
    throw new ApiError(
      400,
      "invalid_request",
      `Invalid request: from_step: the workflow has no step "${fromStep}"; its steps are ` +
        steps.map((s) => `"${s.id}"`).join(", "),
    );
  }
  const id = await enqueueExecution(tx, {
    workflowId: workflow.id,
    workspaceId: workflow.workspaceId,
    trigger,
    input: original.input,
    createdBy: userId,
    rerunOf: original.id,
    fromStep: fromStep ?? steps[0]?.id,
  });
  const earlier = new Set(steps.slice(0, start).map((s) => s.id));
  if (earlier.size) {
    const reused = (await listExecutionSteps(tx, original.id))
      .filter((s) => earlier.has(s.stepId) && s.status === "succeeded");
    if (reused.length) {
      await tx.insert(executionSteps).values(reused.map((s) => ({
        executionId: id,
        stepId: s.stepId,
        workspaceId: s.workspaceId,
        seq: s.seq,
        status: "succeeded" as const,
        attempts: 0,
        reused: true,
        input: s.input,
        output: s.output,
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
      })));
    }
  }
  return id;
}

/** Re-runs an execution from `fromStep` (or the start); 202 with the new execution's id. */
export async function rerunExecution(
  deps: AppDeps,
  userId: string,
  id: string,
  fromStep: string | undefined,
  meta: RequestMeta,
): Promise<string> {
  const newId = await asUser(deps.db, userId, async (tx) => {
    const original = await findExecution(tx, id);
    if (!original) throw notFound("Execution");
    if (original.prunedAt) {
      throw new ApiError(409, "conflict", "This execution's data was pruned by retention; run the workflow anew");
    }
    const workflow = await writableWorkflow(tx, userId, original.workflowId);
    const newId = await queueRerun(tx, workflow, original, fromStep, "rerun", userId);
    await recordAudit(tx, {
      action: "workflow.rerun",
      userId,
      workspaceId: workflow.workspaceId,
      targetType: "execution",
      targetId: id,
      details: { execution_id: newId, from_step: fromStep ?? null },
    }, meta);
    return newId;
  });
  engineFor(deps).kick(newId);
  return newId;
}

const REPLAY_LIMIT = 1000;

/**
 * Re-runs every failed execution of a workflow created since `since` that has not been re-run
 * yet, each from its failed step (earlier outputs reused). Returns how many were queued.
 */
export async function replayFailed(
  deps: AppDeps,
  userId: string,
  workflowId: string,
  since: Date,
  meta: RequestMeta,
): Promise<number> {
  const queued = await asUser(deps.db, userId, async (tx) => {
    const workflow = await writableWorkflow(tx, userId, workflowId);
    const rerun = alias(workflowExecutions, "rerun");
    const failed = await tx.select().from(workflowExecutions).where(and(
      eq(workflowExecutions.workflowId, workflowId),
      eq(workflowExecutions.status, "failed"),
      gte(workflowExecutions.createdAt, since),
      sql`${workflowExecutions.prunedAt} is null`,
      notExists(tx.select({ one: sql`1` }).from(rerun).where(eq(rerun.rerunOf, workflowExecutions.id))),
    )).limit(REPLAY_LIMIT);
    const ids: string[] = [];
    const known = new Set((workflow.steps as Step[]).map((s) => s.id));
    for (const original of failed) {
      const steps = await listExecutionSteps(tx, original.id);
      const failedStep = steps.find((s) => s.status === "failed")?.stepId;
      ids.push(
        await queueRerun(
          tx,
          workflow,
          original,
          failedStep && known.has(failedStep) ? failedStep : undefined,
          "replay",
          userId,
        ),
      );
    }
    await recordAudit(tx, {
      action: "workflow.replay",
      userId,
      workspaceId: workflow.workspaceId,
      targetType: "workflow",
      targetId: workflowId,
      details: { count: ids.length, since: since.toISOString() },
    }, meta);
    return ids;
  });
  for (const id of queued) engineFor(deps).kick(id);
  return queued.length;
}
