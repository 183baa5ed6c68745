/**
 * Group commit: calls that arrive while a write is in flight wait, and go together in the next
 * write, so N concurrent callers cost about one round trip and one commit instead of N (the
 * technique databases use for their own log flushes). Nothing is delayed on purpose: a call that
 * finds a writer free is written in the same turn of the event loop it arrived in.
 *
 * Every caller is answered only after the write that carried its item has finished, so "answered"
 * still means "committed". A write that throws is made again one item at a time, so one item the
 * database refuses fails alone and the others in its group are written as if they had come alone.
 */
export interface GroupCommitOptions<I> {
  /** Most items in one write. */
  maxItems: number;
  /** Most writes running at once (each holds a connection). */
  maxInFlight: number;
  /** An item's size (bytes, roughly); a write takes items up to `maxSize` of it, always at least one. */
  sizeOf?: (item: I) => number;
  maxSize?: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Wraps `write` (items in, one result per item out, in the same order) as a function of one item.
 * Errors: a caller's promise rejects with the error its item's own write threw.
 */
export function groupCommit<I, O>(
  write: (items: I[]) => Promise<O[]>,
  options: GroupCommitOptions<I>,
): (item: I) => Promise<O> {
  const waiting: Waiting<I, O>[] = [];
  let inFlight = 0;
  let scheduled = false;

  const take = (): Waiting<I, O>[] => {
    let size = 0;
    let n = 0;
    while (n < waiting.length && n < options.maxItems) {
      size += options.sizeOf?.(waiting[n].item) ?? 0;
      if (n > 0 && options.maxSize !== undefined && size > options.maxSize) break;
      n++;
    }
    return waiting.splice(0, n);
  };

  const writeGroup = async (group: Waiting<I, O>[]): Promise<void> => {
    try {
      const results = await write(group.map((w) => w.item));
      group.forEach((w, i) => w.resolve(results[i]));
    } catch (error) {
      if (group.length === 1) return group[0].reject(error);
      await Promise.all(group.map((w) => writeGroup([w])));
    }
  };

  const pump = () => {
    scheduled = false;
    while (inFlight < options.maxInFlight && waiting.length) {
      inFlight++;
      writeGroup(take()).finally(() => {
        inFlight--;
        pump();
      });
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      // Calls made in the same turn go out together.
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(pump);
      }
    });
}
