/**
 * The one interface every step type implements (like connectors/types.ts): a zod schema for its
 * config, an optional deeper check at save time, and `run`, which returns the step's output.
 */
import type { z } from "zod";
import type { AppDeps } from "../../../lib/deps.ts";

/** What a step sees: the trigger and earlier steps' outputs. */
export interface StepContext {
  /** `encoding: "base64"`: a webhook body that was not UTF-8 text, kept whole as base64 in `payload`. */
  trigger: { type: string; payload: unknown; headers: Record<string, string>; encoding?: "base64" };
  steps: Record<string, { output: unknown }>;
}

/** Everything a step needs to run once. */
export interface StepRun<C> {
  deps: AppDeps;
  config: C;
  context: StepContext;
  workspaceId: string;
  workflowId: string;
  executionId: string;
  stepId: string;
  /** The user steps act as (the workflow's creator): RLS applies to their reads and writes. */
  userId: string;
  /** Secret header values of this step, opened from the vault (http only). */
  secrets: Record<string, string>;
  /** Aborted when the execution is cancelled or its lease is lost. */
  signal: AbortSignal;
}

/** A step type. */
export interface StepType<C = unknown> {
  /** Parses the step's config; messages name the field. */
  config: z.ZodType<C>;
  /** Problems a schema cannot see (expression syntax), as [field, message] pairs. */
  check?(config: C): [string, string][];
  run(run: StepRun<C>): Promise<unknown>;
}

/**
 * A step failure. `retryable: false` fails the execution at once: a 4xx from a receiver, an
 * output that does not match its schema, an expression error: the next attempt would fail alike.
 */
export class StepFailure extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = "StepFailure";
  }
}
