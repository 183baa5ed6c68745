/** How dates and counts read on pages: one format everywhere, in UTC (the server's clock and the API's). */

const DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

/**
 * "30 Nov 2026, 14:05 UTC", or "—" for no date: the one way pages and islands show a date-time.
 * Takes a Date or an API timestamp (ISO 8601 string).
 */
export function formatWhen(date: Date | string | null | undefined): string {
  if (date === null || date === undefined || date === "") return "—";
  const at = typeof date === "string" ? new Date(date) : date;
  return Number.isNaN(at.getTime()) ? "—" : `${DATE_TIME.format(at)} UTC`;
}

/** "1 column", "6 columns", "1,461 rows": the count with its noun, singular for one. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? noun : nouns}`;
}

/** "640 ms", "2.4 s", "1 min 5 s": how long something took, in the largest unit that still reads well. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 59_950) return `${Number((ms / 1000).toFixed(1))} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** `text` as a sentence for a page: a capital first letter and a closing full stop (API messages end bare). */
export function asSentence(text: string): string {
  const first = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
