/**
 * Limits the chat's server enforces and its composer shows before the server would refuse: one
 * constant for both, so the counter in the browser can never disagree with the API's schema.
 */

/** The longest question, in UTF-16 code units after trimming (what `String.length` and zod's `max` count). */
export const MAX_MESSAGE_CHARS = 20_000;
