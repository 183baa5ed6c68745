/**
 * JSONata expressions and `{{ }}` templates over a step's context. Expressions are compiled once
 * and cached (a workflow's steps run many times); a syntax error is found at save time by
 * `checkExpression`, with JSONata's own message and position.
 */
import { holdsMoreThan } from "../../../lib/json_shape.ts";
import jsonata from "jsonata";

type Compiled = ReturnType<typeof jsonata>;
const compiled = new Map<string, Compiled>();
const CACHE_ENTRIES = 1000;

/** A failure of the user's expression: retrying cannot help, so the step fails at once. */
export class ExpressionError extends Error {}

function compile(expression: string): Compiled {
  let found = compiled.get(expression);
  if (found) return found;
  try {
    found = jsonata(expression);
  } catch (error) {
    throw new ExpressionError(describe(error));
  }
  if (compiled.size >= CACHE_ENTRIES) compiled.delete(compiled.keys().next().value!);
  compiled.set(expression, found);
  return found;
}

function describe(error: unknown): string {
  const e = error as { message?: string; position?: number; token?: string };
  const where = typeof e.position === "number" ? ` (at character ${e.position})` : "";
  return `${e.message ?? String(error)}${where}`;
}

/** The JSONata syntax error in `expression`, or undefined when it compiles. */
export function checkExpression(expression: string): string | undefined {
  try {
    compile(expression);
    return undefined;
  } catch (error) {
    return error instanceof ExpressionError ? error.message : String(error);
  }
}

/** Evaluates a JSONata expression over `context`; errors are `ExpressionError`s. */
export async function evaluate(expression: string, context: unknown): Promise<unknown> {
  const expr = compile(expression);
  try {
    const result = await expr.evaluate(context);
    return normalize(result);
  } catch (error) {
    throw new ExpressionError(`The expression failed: ${describe(error)}`);
  }
}

/** The most values an expression's result may hold once written out (far past the 1 MiB output cap). */
const MAX_RESULT_VALUES = 1_000_000;

/**
 * JSONata returns arrays with a `sequence` flag and may return undefined: plain JSON values instead.
 * A result that shares one object many times is checked before it is written out, which would
 * otherwise hold the server for minutes.
 */
function normalize(value: unknown): unknown {
  if (value === undefined) return null;
  if (holdsMoreThan(value, MAX_RESULT_VALUES)) {
    throw new Error(`the result holds more than ${MAX_RESULT_VALUES.toLocaleString("en")} values: make it smaller`);
  }
  return JSON.parse(JSON.stringify(value));
}

const TEMPLATE = /\{\{([\s\S]*?)\}\}/g;

/** The `{{ expression }}` parts of a template, for checking at save time. */
export function templateExpressions(template: string): string[] {
  return [...template.matchAll(TEMPLATE)].map((m) => m[1].trim());
}

/**
 * Fills a template: each `{{ expression }}` is replaced by its value over `context` (strings as
 * they are, anything else as JSON, null and undefined as empty).
 */
export async function renderTemplate(template: string, context: unknown): Promise<string> {
  let out = "";
  let last = 0;
  for (const match of template.matchAll(TEMPLATE)) {
    out += template.slice(last, match.index);
    const value = await evaluate(match[1].trim(), context);
    out += typeof value === "string" ? value : value === null ? "" : JSON.stringify(value);
    last = match.index! + match[0].length;
  }
  return out + template.slice(last);
}

/** [field, message] for each field that is not a valid expression (or a template with one that is not). */
export function expressionIssues(
  fields: [field: string, value: string | undefined, kind: "expression" | "template"][],
): [string, string][] {
  const issues: [string, string][] = [];
  for (const [field, value, kind] of fields) {
    if (value === undefined) continue;
    for (const expression of kind === "expression" ? [value] : templateExpressions(value)) {
      const problem = checkExpression(expression);
      if (problem) issues.push([field, `not a valid JSONata expression: ${problem}`]);
    }
  }
  return issues;
}
