/**
 * Deadlines that garbage collection cannot lose. `AbortSignal.timeout()` combined through
 * `AbortSignal.any()` is held only weakly on Deno 2.9: once nothing else references the timeout
 * signal, a collection drops it with its timer and the call it guarded waits for ever (a source that
 * sent its headers and then went silent kept a sync "running" for good). A Deadline keeps its timer
 * in a plain `setTimeout`, whose callback the runtime holds strongly until it fires or is cleared,
 * and it does not rely on an abort signal reaching a pending body read: `race` settles the caller's
 * promise itself.
 */

/** A point in time after which work must stop, with the error the work fails with. */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #expired: Promise<never>;
  #reject!: (error: Error) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #parentRelease: (() => void) | undefined;

  /**
   * Starts a deadline `ms` milliseconds from now (`Infinity` or undefined: none of its own).
   * `onExpiry` makes the error the work fails with. A `parent` deadline that ends first (or is
   * cancelled) ends this one with the parent's error.
   */
  constructor(ms: number | undefined, onExpiry: () => Error, parent?: Deadline) {
    this.#expired = new Promise<never>((_, reject) => (this.#reject = reject));
    // Nobody may be racing yet; an expiry nobody awaits is not an unhandled rejection.
    this.#expired.catch(() => {});
    if (ms !== undefined && Number.isFinite(ms)) {
      const timer = setTimeout(() => this.abort(onExpiry()), Math.max(0, ms));
      // The timer must not hold a finished process open; it stays strongly held all the same.
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
    if (parent) {
      if (parent.signal.aborted) this.abort(parent.signal.reason as Error);
      else {
        const onParent = () => this.abort(parent.signal.reason as Error);
        parent.signal.addEventListener("abort", onParent, { once: true });
        this.#parentRelease = () => parent.signal.removeEventListener("abort", onParent);
      }
    }
  }

  /** Aborted when the deadline passes or `abort` is called; its reason is the error. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether the deadline has passed (or was ended early). */
  get expired(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Ends the deadline now with `error` (a user cancelled, a parent ended). Later calls do nothing. */
  abort(error: Error): void {
    if (this.#controller.signal.aborted) return;
    this.clear();
    this.#controller.abort(error);
    this.#reject(error);
  }

  /** Stops the timer once the work is done, so nothing fires later. */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#parentRelease?.();
    this.#parentRelease = undefined;
  }

  /**
   * Settles with `work`, or rejects with the deadline's error as soon as it passes, whichever comes
   * first. The work itself is not stopped by this; callers cancel what they can (a body reader).
   */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.expired) {
      work.catch(() => {}); // it may still fail later; nobody is listening
      return Promise.reject(this.#controller.signal.reason);
    }
    return Promise.race([work, this.#expired]);
  }
}
