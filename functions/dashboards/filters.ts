/**
 * Dashboard filters: the values a viewer sets in the URL (`?f.<id>=value`, a range `from..to`),
 * merged with a share link's locked values (which always win, whatever the URL says), and turned
 * into structured-query filters for each widget whose dataset has the filter's column.
 */
import type { StructuredQuery } from "../../connectors/query.ts";
import type { Column } from "../../connectors/types.ts";
import { ApiError } from "../../lib/http/errors.ts";
import type { DashboardFilter } from "./schemas.ts";

/** Filter id → raw value, as the URL carries it. */
export type FilterValues = Record<string, string>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The longest filter value taken. */
const MAX_VALUE_CHARS = 200;

/**
 * The values in effect: each filter's URL value (`f.<id>`), else its default; locked values
 * replace both. Unknown `f.` parameters are ignored (an old link may name a deleted filter).
 */
export function effectiveValues(
  filters: DashboardFilter[],
  params: URLSearchParams,
  locked: FilterValues = {},
): FilterValues {
  const values: FilterValues = {};
  for (const f of filters) {
    const value = f.id in locked ? locked[f.id] : fromUrl(f, params) ?? f.default;
    if (value !== undefined && value !== "") values[f.id] = value;
  }
  return values;
}

/**
 * A filter's value in the URL: `f.<id>`, or for ranges the pair `f.<id>.from` / `f.<id>.to` that a
 * plain HTML form with two inputs sends (joined as `from..to`).
 */
function fromUrl(f: DashboardFilter, params: URLSearchParams): string | undefined {
  const whole = params.get(`f.${f.id}`);
  if (whole !== null) return whole;
  if (f.type === "select") return undefined;
  const [from, to] = [params.get(`f.${f.id}.from`), params.get(`f.${f.id}.to`)];
  if (from === null && to === null) return undefined;
  return (from ?? "") || (to ?? "") ? `${from ?? ""}..${to ?? ""}` : "";
}

/**
 * What a page's look depends on in a query string: each open (not `locked`) filter's value exactly
 * as `fromUrl` reads it, written `f.<id>=value` in the filters' order, with "?" when not empty.
 * Nothing else a URL carries (junk, a select's `.from`, a locked filter's id) gets in, and a value
 * is cut just past the 200 characters any value may have (so it is still refused), so kept pages'
 * keys, their size and the links they write stay bounded.
 */
export function filterQuery(filters: DashboardFilter[], params: URLSearchParams, locked: FilterValues = {}): string {
  const read = new URLSearchParams();
  for (const f of filters) {
    if (f.id in locked) continue;
    const value = fromUrl(f, params);
    if (value !== undefined) read.append(`f.${f.id}`, value.slice(0, MAX_VALUE_CHARS + 1));
  }
  const text = read.toString();
  return text ? `?${text}` : "";
}

/** `from..to` split, either side possibly empty; a value without `..` is both ends. */
function range(value: string): [string, string] {
  const at = value.indexOf("..");
  return at < 0 ? [value, value] : [value.slice(0, at).trim(), value.slice(at + 2).trim()];
}

/** `YYYY-MM-DD` naming a day of the real calendar (not 2024-02-30 or month 13, which Postgres refuses). */
function realDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const day = new Date(`${text}T00:00:00Z`);
  // Year 0 is no year to Postgres (1 BC is written with "BC").
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text && !text.startsWith("0000");
}

/**
 * Checks every value against its filter's type; throws a 400 whose sentence names the filter and
 * says what it takes, so a form can show it beside the field.
 */
export function checkValues(filters: DashboardFilter[], values: FilterValues): void {
  for (const f of filters) {
    const value = values[f.id];
    if (value === undefined) continue;
    if (value.length > MAX_VALUE_CHARS || value.includes("\0")) {
      throw new ApiError(400, "invalid_request", `The filter "${f.label}" takes at most ${MAX_VALUE_CHARS} characters`);
    }
    if (f.type === "select") continue;
    const [from, to] = range(value);
    const dates = f.type === "date_range";
    const ok = (s: string) => s === "" || (dates ? realDate(s) : Number.isFinite(Number(s)));
    // A date box cannot show 2024-02-30, so the sentence names it.
    const unreal = dates ? [from, to].find((s) => DATE.test(s) && !realDate(s)) : undefined;
    if (unreal) {
      throw new ApiError(
        400,
        "invalid_request",
        `The filter "${f.label}" was given ${unreal}, which is not a day of the calendar: choose a date in its box`,
      );
    }
    if (!ok(from) || !ok(to)) {
      const example = dates ? "dates such as 2024-01-01 and 2024-03-31" : "numbers such as 10 and 250";
      throw new ApiError(
        400,
        "invalid_request",
        `The filter "${f.label}" takes ${example}: either end may be left empty`,
      );
    }
    // ISO dates compare as text; numbers as numbers.
    if (from !== "" && to !== "" && (dates ? from > to : Number(from) > Number(to))) {
      throw new ApiError(
        400,
        "invalid_request",
        `The filter "${f.label}" runs from ${from} to ${to}, so nothing can match: swap the two ends`,
      );
    }
  }
}

/**
 * `values` without those `filters` refuse, and the first refusal's sentence: a page applies every
 * good value and says what was wrong with the bad one, rather than dropping them all. A `locked`
 * value (a share link's) is never dropped, even refused: dropping it would show the rows the lock
 * keeps out, so it stays applied and the widgets fail closed instead.
 */
export function withoutRefused(
  filters: DashboardFilter[],
  values: FilterValues,
  locked: FilterValues = {},
): { values: FilterValues; refusal?: string } {
  const kept = { ...values };
  let refusal: string | undefined;
  for (const f of filters) {
    if (f.id in locked) continue;
    try {
      checkValues([f], values);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      delete kept[f.id];
      refusal ??= error.message;
    }
  }
  return { values: kept, refusal };
}

/**
 * `query` with the dashboard's filters added for the columns `columns` has; filters on other
 * columns do not apply to this widget.
 */
export function applyFilters(
  query: StructuredQuery,
  filters: DashboardFilter[],
  values: FilterValues,
  columns: Column[],
): StructuredQuery {
  const names = new Set(columns.map((c) => c.name));
  const added: NonNullable<StructuredQuery["filters"]> = [];
  for (const f of filters) {
    const value = values[f.id];
    if (value === undefined || !names.has(f.column)) continue;
    if (f.type === "select") {
      added.push({ column: f.column, op: "eq", value });
      continue;
    }
    const [from, to] = range(value);
    const typed = (s: string) => f.type === "number_range" ? Number(s) : s;
    if (from !== "") added.push({ column: f.column, op: "gte", value: typed(from) });
    if (to !== "") added.push({ column: f.column, op: "lte", value: typed(to) });
  }
  return added.length ? { ...query, filters: [...(query.filters ?? []), ...added] } : query;
}
