/**
 * Metric widgets: one number (the query's first measure over all its filtered rows) and, when a
 * date column is set, the same number for the latest period in the data (day, week, month,
 * quarter or year, in UTC) against the period before it: "this month against last".
 */
import type { StructuredQuery } from "../../connectors/query.ts";
import type { Column } from "../../connectors/types.ts";
import type { QueryResult } from "../query_dataset.ts";
import { ApiError } from "../../lib/http/errors.ts";
import type { WidgetConfig } from "./schemas.ts";

export interface MetricValue {
  value: number | string | null;
  /** The period measured (the latest in the data) and the previous period's value. */
  period?: string;
  previous?: number | string | null;
  /** (value − previous) / |previous|, null when previous is 0 or missing. */
  change?: number | null;
}

/** The first instant of the `period` holding `date`, and of the one after it (UTC). */
export function periodBounds(date: Date, period: NonNullable<WidgetConfig["period"]>, offset = 0): [Date, Date] {
  const y = date.getUTCFullYear(), m = date.getUTCMonth(), d = date.getUTCDate();
  const make = (yy: number, mm: number, dd: number) => new Date(Date.UTC(yy, mm, dd));
  switch (period) {
    case "day":
      return [make(y, m, d + offset), make(y, m, d + offset + 1)];
    case "week": {
      // ISO weeks start on Monday.
      const monday = d - ((date.getUTCDay() + 6) % 7) + 7 * offset;
      return [make(y, m, monday), make(y, m, monday + 7)];
    }
    case "month":
      return [make(y, m + offset, 1), make(y, m + offset + 1, 1)];
    case "quarter": {
      const q = Math.floor(m / 3) * 3 + 3 * offset;
      return [make(y, q, 1), make(y, q + 3, 1)];
    }
    case "year":
      return [make(y + offset, 0, 1), make(y + offset + 1, 0, 1)];
  }
}

/** The queries a metric runs: the latest date first (when periods apply), then one per period. */
export function metricQueries(query: StructuredQuery, config: WidgetConfig, columns: Column[]) {
  const measure = query.measures?.[0] ?? { fn: "count" as const, as: "count" };
  const base: StructuredQuery = { measures: [measure], filters: query.filters };
  const dateColumn = config.date_column;
  if (!dateColumn) return { latest: undefined, periods: () => [base] };
  const column = columns.find((c) => c.name === dateColumn);
  if (!column || (column.type !== "date" && column.type !== "timestamp")) {
    throw new ApiError(400, "invalid_request", `The metric's date column "${dateColumn}" is not a date column`);
  }
  const period = config.period ?? "month";
  return {
    latest: { measures: [{ fn: "max" as const, column: dateColumn, as: "latest" }], filters: query.filters },
    periods(latest: QueryResult | undefined): StructuredQuery[] {
      const at = latest?.rows[0]?.[0];
      if (at === null || at === undefined) return [base];
      const date = new Date(String(at).length === 10 ? `${at}T00:00:00Z` : String(at));
      return [0, -1].map((offset) => {
        const [from, to] = periodBounds(date, period, offset);
        const iso = (d: Date) => column.type === "date" ? d.toISOString().slice(0, 10) : d.toISOString();
        return {
          ...base,
          filters: [
            ...(base.filters ?? []),
            { column: dateColumn, op: "gte" as const, value: iso(from) },
            { column: dateColumn, op: "lt" as const, value: iso(to) },
          ],
        };
      });
    },
  };
}

/** The metric from the results of `metricQueries`' period queries. */
export function metricValue(config: WidgetConfig, results: QueryResult[]): MetricValue {
  const first = (r: QueryResult | undefined) => (r?.rows[0]?.[0] ?? null) as number | string | null;
  const value = first(results[0]);
  if (results.length < 2) return { value };
  const previous = first(results[1]);
  const [a, b] = [Number(value ?? 0), Number(previous)];
  const change = previous === null || b === 0 || !Number.isFinite(a) || !Number.isFinite(b)
    ? null
    : (a - b) / Math.abs(b);
  return { value, previous, change, period: config.period ?? "month" };
}
