/** transform: a JSONata expression over the context; its value is the step's output. */
import { z } from "zod";
import { evaluate, expressionIssues } from "./expressions.ts";
import type { StepType } from "./types.ts";

const Config = z.object({ expression: z.string().trim().min(1).max(20_000) }).strict();

export const transformStep: StepType<z.infer<typeof Config>> = {
  config: Config,
  check: (c) => expressionIssues([["expression", c.expression, "expression"]]),
  run: ({ config, context }) => evaluate(config.expression, context),
};
