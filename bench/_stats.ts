/** Small statistics for benchmark output: medians and percentiles over samples. */

/** The p-th percentile (0–100) of `values`, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** The median of `values`. */
export function median(values: number[]): number {
  return percentile(values, 50);
}

/** A number with `digits` decimals, for tables. */
export function fixed(value: number, digits = 1): string {
  return value.toFixed(digits);
}
