/** Workflows and the rows users manage: definitions, executions as listed, their step checkpoints. */
import { and, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { executionSteps, webhookDeliveries, workflowExecutions, workflows } from "../schema.ts";
import type { WorkflowExecutionStatus } from "../schema.ts";

export type WorkflowRow = typeof workflows.$inferSelect;
export type ExecutionRow = typeof workflowExecutions.$inferSelect;
export type ExecutionStepRow = typeof executionSteps.$inferSelect;

export async function findWorkflow(db: Db, id: string): Promise<WorkflowRow | undefined> {
  const [row] = await db.select().from(workflows).where(eq(workflows.id, id)).limit(1);
  return row;
}

/** A page of workflows the caller can read, newest first, optionally of one workspace. */
export async function listWorkflows(
  db: Db,
  options: { workspaceId?: string; limit: number; before?: { createdAt: Date; id: string } },
): Promise<WorkflowRow[]> {
  const conditions = [];
  if (options.workspaceId) conditions.push(eq(workflows.workspaceId, options.workspaceId));
  if (options.before) {
    conditions.push(or(
      lt(workflows.createdAt, options.before.createdAt),
      and(eq(workflows.createdAt, options.before.createdAt), lt(workflows.id, options.before.id)),
    ));
  }
  return await db.select().from(workflows).where(and(...conditions))
    .orderBy(desc(workflows.createdAt), desc(workflows.id)).limit(options.limit + 1);
}

export async function findExecution(db: Db, id: string): Promise<ExecutionRow | undefined> {
  const [row] = await db.select().from(workflowExecutions).where(eq(workflowExecutions.id, id)).limit(1);
  return row;
}

/** A page of a workflow's executions, newest first, optionally with one status. */
export async function listExecutions(
  db: Db,
  workflowId: string,
  options: { status?: WorkflowExecutionStatus; limit: number; before?: { createdAt: Date; id: string } },
): Promise<(ExecutionRow & { duplicates: number | null })[]> {
  const conditions = [eq(workflowExecutions.workflowId, workflowId)];
  if (options.status) conditions.push(eq(workflowExecutions.status, options.status));
  if (options.before) {
    conditions.push(
      or(
        lt(workflowExecutions.createdAt, options.before.createdAt),
        and(eq(workflowExecutions.createdAt, options.before.createdAt), lt(workflowExecutions.id, options.before.id)),
      )!,
    );
  }
  const found = await db.select({ execution: workflowExecutions, duplicates: webhookDeliveries.duplicates })
    .from(workflowExecutions)
    .leftJoin(webhookDeliveries, eq(webhookDeliveries.executionId, workflowExecutions.id))
    .where(and(...conditions))
    .orderBy(desc(workflowExecutions.createdAt), desc(workflowExecutions.id)).limit(options.limit + 1);
  return found.map((r) => ({ ...r.execution, duplicates: r.duplicates }));
}

/** The workflows with these ids (those that still exist). */
export async function findWorkflows(db: Db, ids: string[]): Promise<WorkflowRow[]> {
  if (!ids.length) return [];
  return await db.select().from(workflows).where(inArray(workflows.id, ids));
}

/** The step rows of several executions, each execution's in the order they ran. */
export async function listStepsOfExecutions(db: Db, executionIds: string[]): Promise<ExecutionStepRow[]> {
  if (!executionIds.length) return [];
  return await db.select().from(executionSteps).where(inArray(executionSteps.executionId, executionIds))
    .orderBy(executionSteps.executionId, executionSteps.seq);
}

/** An execution's step rows, in the order they ran. */
export async function listExecutionSteps(db: Db, executionId: string): Promise<ExecutionStepRow[]> {
  return await db.select().from(executionSteps).where(eq(executionSteps.executionId, executionId))
    .orderBy(executionSteps.seq);
}

/** How often the delivery behind an execution was repeated and suppressed (0 when none, or not a webhook). */
export async function duplicatesOf(db: Db, executionId: string): Promise<number> {
  const [row] = await db.select({ n: webhookDeliveries.duplicates }).from(webhookDeliveries)
    .where(eq(webhookDeliveries.executionId, executionId)).limit(1);
  return row?.n ?? 0;
}

/** Each step's newest finished run in a workflow (the editor shows its last input and output). */
export async function lastStepRuns(db: Db, workflowId: string): Promise<ExecutionStepRow[]> {
  const found = await db.select({ step: executionSteps }).from(executionSteps)
    .innerJoin(workflowExecutions, eq(workflowExecutions.id, executionSteps.executionId))
    .where(and(
      eq(workflowExecutions.workflowId, workflowId),
      eq(executionSteps.reused, false),
      sql`${executionSteps.status} in ('succeeded', 'failed')`,
    ))
    .orderBy(desc(executionSteps.finishedAt)).limit(200);
  const newest = new Map<string, ExecutionStepRow>();
  for (const { step } of found) if (!newest.has(step.stepId)) newest.set(step.stepId, step);
  return [...newest.values()];
}
