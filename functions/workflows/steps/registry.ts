/** Every step type, by the name definitions use (like connectors/registry.ts). */
import { artifactStep } from "./artifact.ts";
import { conditionStep } from "./condition.ts";
import { httpStep } from "./http.ts";
import { llmStep } from "./llm.ts";
import { queryStep } from "./query.ts";
import { syncStep } from "./sync.ts";
import { transformStep } from "./transform.ts";
import type { StepType } from "./types.ts";

export const STEP_TYPES = {
  llm: llmStep,
  query: queryStep,
  http: httpStep,
  transform: transformStep,
  condition: conditionStep,
  sync: syncStep,
  artifact: artifactStep,
} as const;

export type StepTypeName = keyof typeof STEP_TYPES;
export const STEP_TYPE_NAMES = Object.keys(STEP_TYPES) as [StepTypeName, ...StepTypeName[]];

/** The module of a step type. */
export function stepType(name: StepTypeName): StepType {
  return STEP_TYPES[name] as unknown as StepType;
}
