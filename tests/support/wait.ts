/** Waiting in tests for work the app finishes in the background (a stored result, a drawing). */

/** Resolves once `done()` is true; throws after `ms` milliseconds of asking every 20 ms. */
export async function waitUntil(done: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!await done()) {
    if (Date.now() > until) throw new Error(`still not done after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
