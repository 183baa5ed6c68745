/**
 * artifact: saves a result as an artifact (functions/artifacts.ts). `content` is a JSONata
 * expression: for a document, its value is the markdown; for a table, an array of objects (the
 * columns are their keys, typed from the values); for a chart, `{rows, chart}` with a chart spec.
 */
import { z } from "zod";
import { ChartSpec } from "../../../lib/charts/chart_spec.ts";
import { typeOfValue, widen } from "../../../connectors/type_inference.ts";
import type { Column, ColumnType } from "../../../connectors/types.ts";
import { createDocument, createRowsArtifact } from "../../artifacts.ts";
import { evaluate, expressionIssues } from "./expressions.ts";
import { StepFailure, type StepType } from "./types.ts";

const Config = z.object({
  type: z.enum(["table", "document", "chart"]),
  name: z.string().trim().min(1).max(200),
  content: z.string().trim().min(1).max(20_000),
}).strict();

const MAX_ROWS = 10_000;

/** Columns (in first-seen key order) and rows of values from an array of objects. */
function tableOf(value: unknown): { columns: Column[]; rows: unknown[][] } {
  const items = Array.isArray(value) ? value : value && typeof value === "object" ? [value] : undefined;
  if (!items || !items.every((item) => item && typeof item === "object" && !Array.isArray(item))) {
    throw new StepFailure("A table's content must evaluate to an array of objects", false);
  }
  if (items.length > MAX_ROWS) throw new StepFailure(`A table holds at most ${MAX_ROWS} rows`, false);
  const types = new Map<string, ColumnType | undefined>();
  for (const item of items as Record<string, unknown>[]) {
    for (const [key, v] of Object.entries(item)) {
      const before = types.get(key);
      types.set(key, v === null || v === undefined ? before : widen(before, typeOfValue(v)));
    }
  }
  const columns = [...types].map(([name, type]) => ({ name, type: type ?? "text" }));
  const rows = (items as Record<string, unknown>[]).map((item) =>
    columns.map((c) => {
      const v = item[c.name];
      return v === undefined ? null : typeof v === "object" && v !== null ? JSON.stringify(v) : v;
    })
  );
  return { columns, rows };
}

export const artifactStep: StepType<z.infer<typeof Config>> = {
  config: Config,
  check: (c) => expressionIssues([["content", c.content, "expression"]]),
  async run({ deps, config, context, userId, workspaceId }) {
    const value = await evaluate(config.content, context);
    const ctx = { userId, workspaceId };
    let row;
    if (config.type === "document") {
      const markdown = typeof value === "string" ? value : JSON.stringify(value, null, 2);
      row = await createDocument(deps, ctx, { name: config.name, markdown });
    } else if (config.type === "table") {
      row = await createRowsArtifact(deps, ctx, { type: "table", name: config.name, ...tableOf(value) });
    } else {
      const { rows, chart } = (value ?? {}) as { rows?: unknown; chart?: unknown };
      const spec = ChartSpec.safeParse(chart);
      if (!spec.success) {
        throw new StepFailure(
          `A chart's content must give {rows, chart}: chart: ${spec.error.issues[0].message}`,
          false,
        );
      }
      row = await createRowsArtifact(deps, ctx, {
        type: "chart",
        name: config.name,
        ...tableOf(rows),
        chart: spec.data,
      });
    }
    return { artifact_id: row.artifactId, version: row.version, type: row.type, name: row.name };
  },
};
