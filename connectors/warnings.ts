/**
 * What a sync coerced, skipped or stopped early on, so that no value changes without the user
 * being told: every warning ends up on the sync's record (`connector_syncs.warnings`), in
 * `GET /api/connectors/:id/syncs` and beside the sync on the connector's page.
 *
 * The one way to add a warning, from any code that runs during a sync (a connector's read, the
 * dataset store, type inference), is {@link warn}:
 *
 *   warn({ code: "date_as_text", message: "The column day holds dates Postgres cannot store, such as 2024-02-30: it is kept as text", count: 1 });
 *
 * The sync it belongs to (and the dataset being read) is found from the async context, so nothing
 * has to be passed down; outside a sync (a connection test) a warning is dropped.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** One thing a sync did to the data, in a sentence a user reads. */
export interface SyncWarning {
  /** Stable and machine-readable: `field_count`, `pagination_repeat`, … */
  code: string;
  /** A whole sentence: what happened, to what, and what the user can do about it. */
  message: string;
  /** How many rows or values it touched, when that is countable. */
  count?: number;
  /** The first line (or record) numbers it touched, at most MAX_LINES of them. */
  lines?: number[];
  /** The dataset it happened in; set by the sync. */
  dataset?: string;
}

/** At most this many warnings a sync; the rest are counted in one more. */
const MAX_WARNINGS = 50;
/** At most this many line numbers a warning. */
export const MAX_LINES = 10;

/** The warnings of one sync, gathered as it runs. */
export class SyncWarnings {
  readonly items: SyncWarning[] = [];
  #dropped = 0;

  add(warning: SyncWarning): void {
    if (this.items.length >= MAX_WARNINGS) {
      this.#dropped++;
      return;
    }
    const lines = warning.lines?.slice(0, MAX_LINES);
    this.items.push({ ...warning, ...(lines ? { lines } : {}) });
  }

  /** The list as stored: the warnings, then one saying how many more there were. */
  list(): SyncWarning[] {
    if (this.#dropped === 0) return [...this.items];
    return [...this.items, {
      code: "more_warnings",
      message: `${this.#dropped} more warnings were left out of this list.`,
      count: this.#dropped,
    }];
  }
}

const current = new AsyncLocalStorage<{ warnings: SyncWarnings; dataset?: string }>();

/**
 * Records a warning on the sync that is running (the one `collectWarnings` started); the current
 * dataset's name is added unless the warning names one. Does nothing outside a sync.
 */
export function warn(warning: SyncWarning): void {
  const scope = current.getStore();
  if (!scope) return;
  scope.warnings.add({ ...warning, dataset: warning.dataset ?? scope.dataset });
}

/** Runs `fn` (a whole sync) with `warnings` as where `warn` writes. */
export function collectWarnings<T>(warnings: SyncWarnings, fn: () => Promise<T>): Promise<T> {
  return current.run({ warnings }, fn);
}

/** Runs `fn` (the sync of one dataset) so that its warnings name `dataset`. */
export function inDataset<T>(dataset: string, fn: () => Promise<T>): Promise<T> {
  const scope = current.getStore();
  if (!scope) return fn();
  return current.run({ ...scope, dataset }, fn);
}
