/**
 * condition: a JSONata test; truthy goes to `then`, otherwise to `else` (a later step's id, or
 * "end"); left out, the next step in order. The output says which way it went.
 */
import { z } from "zod";
import { evaluate, expressionIssues } from "./expressions.ts";
import type { StepType } from "./types.ts";

const target = z.string().trim().min(1).max(100);
const Config = z.object({ if: z.string().trim().min(1).max(20_000), then: target.optional(), else: target.optional() })
  .strict();

export const conditionStep: StepType<z.infer<typeof Config>> = {
  config: Config,
  check: (c) => expressionIssues([["if", c.if, "expression"]]),
  async run({ config, context }) {
    const value = await evaluate(config.if, context);
    const passed = Array.isArray(value) ? value.length > 0 : Boolean(value);
    return { result: passed, next: (passed ? config.then : config.else) ?? null };
  },
};
