/**
 * A workflow's definition as it is saved: ordered steps `{id, type, config}` and the workflow's
 * `config` (retries, timeout, concurrency, schedule, retention). Everything is checked with zod
 * when saved, and every message names the step and the field ("Step "notify" (http): url: …"),
 * so the editor can put it beside the field.
 */
import { Cron } from "croner";
import { z } from "zod";
import { ApiError } from "../../lib/http/errors.ts";
import { storable } from "./json.ts";
import { STEP_TYPE_NAMES, stepType, type StepTypeName } from "./steps/registry.ts";

export const StepId = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, {
  error: "Step ids start with a letter and hold letters, digits, - and _ (at most 64)",
});

export const StepInput = z.object({
  id: StepId,
  type: z.enum(STEP_TYPE_NAMES),
  config: z.record(z.string(), z.unknown()).default({}),
}).strict();
export type StepInput = z.infer<typeof StepInput>;

/** A checked step: its config has its type's defaults applied. */
export interface Step {
  id: string;
  type: StepTypeName;
  config: Record<string, unknown>;
}

export const WorkflowConfig = z.object({
  retries: z.object({
    attempts: z.number().int().min(1).max(10).default(3),
    backoff_ms: z.number().int().min(10).max(3_600_000).default(1000),
    max_backoff_ms: z.number().int().min(10).max(24 * 3_600_000).default(300_000),
  }).strict().default({ attempts: 3, backoff_ms: 1000, max_backoff_ms: 300_000 }),
  timeout_ms: z.number().int().min(100).max(3_600_000).default(300_000),
  concurrency: z.number().int().min(1).max(1000).default(10),
  enabled: z.boolean().default(true),
  schedule: z.string().trim().max(100).nullable().optional()
    .refine((s) => !s || validCron(s), { error: "Not a cron expression (five fields, UTC)" }),
  retention_days: z.number().int().min(1).max(3650).default(14),
  on_failure: z.uuid({ error: "Not a workflow id" }).nullable().optional(),
}).strict();
export type WorkflowConfig = z.infer<typeof WorkflowConfig>;

function validCron(expression: string): boolean {
  try {
    new Cron(expression, { timezone: "UTC", paused: true });
    return expression.trim().split(/\s+/).length === 5;
  } catch {
    return false;
  }
}

/** When a schedule next fires after `now` (UTC), or null without one. */
export function nextScheduledRun(schedule: string | null | undefined, now: Date): Date | null {
  return schedule ? new Cron(schedule, { timezone: "UTC", paused: true }).nextRun(now) : null;
}

function invalid(path: string, message: string): never {
  throw new ApiError(400, "invalid_request", `Invalid request: ${path}: ${message}`, {
    details: [{ path, code: "custom", message }],
  });
}

/** Parses a workflow config; 400 naming the field. */
export function parseWorkflowConfig(value: unknown): WorkflowConfig {
  const result = WorkflowConfig.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    invalid(["config", ...issue.path].join("."), issue.message);
  }
  return storable(result.data) as WorkflowConfig;
}

/**
 * Where a config reads an earlier step's output: `steps.<id>` (or steps.`<id>`) at the root of an
 * expression or template, in any of its text fields; each as [field path, step id].
 */
function stepReferences(config: Record<string, unknown>): [string, string][] {
  const found: [string, string][] = [];
  const visit = (value: unknown, path: string) => {
    if (typeof value === "string") {
      for (const m of value.matchAll(/(?<![\w.$`])steps\.(?:([A-Za-z][A-Za-z0-9_]*)|`([^`]+)`)/g)) {
        found.push([path, m[1] ?? m[2]]);
      }
    } else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) visit(inner, path ? `${path}.${key}` : key);
    }
  };
  visit(config, "");
  return found;
}

/**
 * Checks steps: each one's shape, ids unique, its config against its type (with expression syntax),
 * references to other steps' outputs naming earlier steps (a renamed step must not leave a
 * reference that silently reads nothing), and condition targets naming a later step or "end"
 * (only forward, so no execution can loop).
 */
export function parseSteps(value: unknown): Step[] {
  const list = z.array(z.unknown()).min(1, { error: "A workflow needs at least one step" }).max(50).safeParse(value);
  if (!list.success) invalid("steps", list.error.issues[0].message);
  const steps: Step[] = [];
  const seen = new Set<string>();
  list.data.forEach((raw, index) => {
    const shape = StepInput.safeParse(raw);
    const label = `steps.${index}`;
    if (!shape.success) {
      const issue = shape.error.issues[0];
      invalid([label, ...issue.path].join("."), issue.message);
    }
    const { id, type } = shape.data;
    const named = `Step "${id}" (${type})`;
    if (seen.has(id)) invalid(`${label}.id`, `${named}: another step has the id "${id}"`);
    seen.add(id);
    const module = stepType(type);
    const config = module.config.safeParse(shape.data.config);
    if (!config.success) {
      const issue = config.error.issues[0];
      const field = issue.path.join(".") || "config";
      invalid(`${label}.config.${issue.path.join(".")}`.replace(/\.$/, ""), `${named}: ${field}: ${issue.message}`);
    }
    const problem = module.check?.(config.data)?.[0];
    if (problem) invalid(`${label}.config.${problem[0]}`, `${named}: ${problem[0]}: ${problem[1]}`);
    steps.push({ id, type, config: storable(config.data) as Record<string, unknown> });
  });
  steps.forEach((step, index) => {
    const earlier = new Set(steps.slice(0, index).map((s) => s.id));
    for (const [field, id] of stepReferences(step.config)) {
      if (earlier.has(id)) continue;
      const which = steps.some((s) => s.id === id)
        ? "a later step, whose output does not exist yet"
        : "but there is no step with that id";
      invalid(
        `steps.${index}.config.${field}`,
        `Step "${step.id}" (${step.type}): ${field}: reads the output of "${id}", ${which}: use an earlier step's id`,
      );
    }
  });
  steps.forEach((step, index) => {
    if (step.type !== "condition") return;
    for (const branch of ["then", "else"] as const) {
      const target = step.config[branch] as string | undefined;
      if (!target || target === "end") continue;
      const at = steps.findIndex((s) => s.id === target);
      if (at <= index) {
        invalid(
          `steps.${index}.config.${branch}`,
          `Step "${step.id}" (condition): ${branch}: "${target}" must be a later step's id, or "end"`,
        );
      }
    }
  });
  return steps;
}
