/** The shapes /api/workflows and /api/executions send and take, with their OpenAPI names. */
import { z } from "@hono/zod-openapi";
import type { ExecutionRow, ExecutionStepRow, WorkflowRow } from "../../db/queries/workflows.ts";
import { STEP_TYPE_NAMES } from "../../functions/workflows/steps/registry.ts";
import { capped, storable } from "../../functions/workflows/json.ts";

/** What the API shows of a step's input or output; the rest is behind `truncated`. */
const SHOWN_CHARS = 64 * 1024;
const STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
const TRIGGERS = ["webhook", "manual", "schedule", "chat", "rerun", "replay", "failure"] as const;

const StepSchema = z.object({
  id: z.string(),
  type: z.enum(STEP_TYPE_NAMES),
  config: z.record(z.string(), z.unknown()),
});

export const WorkflowSchema = z.object({
  id: z.uuid(),
  workspace_id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  steps: z.array(StepSchema),
  config: z.record(z.string(), z.unknown()),
  enabled: z.boolean(),
  webhook_url: z.string(),
  previous_secret_expires_at: z.iso.datetime().nullable(),
  next_run_at: z.iso.datetime().nullable(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
}).openapi("Workflow");

export const CreatedWorkflowSchema = WorkflowSchema.extend({ webhook_secret: z.string() })
  .openapi("CreatedWorkflow");

// Text Postgres cannot store (NUL, lone surrogates) is cleaned where it enters (README: Values).
const clean = (text: string) => storable(text) as string;
const name = z.string().trim().min(1).max(100).transform(clean);
const description = z.string().trim().max(2000).transform(clean).nullable().optional();
export const CreateWorkflowBody = z.object({
  name,
  description,
  steps: z.array(z.unknown()).openapi({ description: "Steps {id, type, config}; checked in full on save" }),
  config: z.record(z.string(), z.unknown()).optional(),
  workspace_id: z.uuid().optional(),
}).strict().openapi("CreateWorkflowRequest");

export const PatchWorkflowBody = z.object({
  name: name.optional(),
  description,
  steps: z.array(z.unknown()).optional(),
  renamed_steps: z.record(z.string().max(64), z.string().max(64)).optional().openapi({
    description: "Steps this change renames, old id → new id, so that their sealed secret headers go with them",
  }),
  config: z.record(z.string(), z.unknown()).optional(),
}).strict()
  .refine((b) => Object.keys(b).length > 0, { error: "Send at least one of name, description, steps, config" })
  .refine((b) => !b.renamed_steps || b.steps, {
    error: "renamed_steps goes with the steps it renames",
    path: ["renamed_steps"],
  })
  .openapi("UpdateWorkflowRequest");

export const ExecutionStepSchema = z.object({
  id: z.string(),
  status: z.string(),
  attempts: z.number().int(),
  reused: z.boolean(),
  input: z.unknown(),
  output: z.unknown(),
  error: z.string().nullable(),
  started_at: z.iso.datetime().nullable(),
  finished_at: z.iso.datetime().nullable(),
}).openapi("ExecutionStep");

export const ExecutionSchema = z.object({
  id: z.uuid(),
  workflow_id: z.uuid(),
  status: z.enum(STATUSES),
  trigger: z.enum(TRIGGERS),
  rerun_of: z.uuid().nullable(),
  duplicates_suppressed: z.number().int(),
  error: z.string().nullable(),
  created_at: z.iso.datetime(),
  started_at: z.iso.datetime().nullable(),
  completed_at: z.iso.datetime().nullable(),
  duration_ms: z.number().nullable(),
  pruned: z.boolean(),
}).openapi("ExecutionSummary");

export const ExecutionDetailSchema = ExecutionSchema.extend({
  input: z.unknown(),
  steps: z.array(ExecutionStepSchema),
  results: z.unknown(),
}).openapi("Execution");

export const StatusQuery = z.enum(STATUSES);

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function workflowJson(row: WorkflowRow, origin: string) {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    name: row.name,
    description: row.description,
    steps: row.steps as z.infer<typeof StepSchema>[],
    config: row.config,
    enabled: row.enabled,
    webhook_url: `${origin}/hooks/${row.id}`,
    previous_secret_expires_at: iso(row.webhookPreviousExpiresAt),
    next_run_at: iso(row.nextRunAt),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function executionJson(row: ExecutionRow, duplicates: number | null) {
  const end = row.completedAt ?? null;
  return {
    id: row.id,
    workflow_id: row.workflowId,
    status: row.status,
    trigger: row.trigger,
    rerun_of: row.rerunOf,
    duplicates_suppressed: duplicates ?? 0,
    error: row.error,
    created_at: row.createdAt.toISOString(),
    started_at: iso(row.startedAt),
    completed_at: iso(row.completedAt),
    duration_ms: row.startedAt && end ? end.getTime() - row.startedAt.getTime() : null,
    pruned: row.prunedAt !== null,
  };
}

export function stepJson(row: ExecutionStepRow) {
  return {
    id: row.stepId,
    status: row.status,
    attempts: row.attempts,
    reused: row.reused,
    input: capped(row.input, SHOWN_CHARS),
    output: capped(row.output, SHOWN_CHARS),
    error: row.error,
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
  };
}

export function executionDetailJson(row: ExecutionRow, steps: ExecutionStepRow[], duplicates: number) {
  return {
    ...executionJson(row, duplicates),
    input: capped((row.input as { payload?: unknown } | null)?.payload ?? null, SHOWN_CHARS),
    steps: steps.map(stepJson),
    results: row.results,
  };
}
