/**
 * Sign-in throttling (OWASP Authentication Cheat Sheet, "Login Throttling"; NIST SP 800-63B
 * 5.2.2). Two limits, each taking its slot atomically before the password is checked:
 *
 * - per email: strict. 10 failures a minute lock that account's sign-in for the rest of the minute,
 *   whatever the password (guessing one account's password is the attack it stops).
 * - per client address: loose (100 failures a minute) and never refuses a correct password on its
 *   own, because a proxy or a NAT puts many users behind one address. Each failure from the address
 *   makes its next attempts wait a little longer (progressive delay, capped at a few seconds); over
 *   the limit, wrong passwords get 429 instead of 401 and right ones still sign in.
 *
 * An attempt that signs in gives its slots back, so only failures count.
 */
import type { Db } from "../../db/client.ts";
import { releaseSlot, type Slot, takeSlot } from "../../db/queries/rate_limits.ts";

export const LOGIN_WINDOW_MS = 60_000;
export const EMAIL_FAILURE_LIMIT = 10;
export const ADDRESS_FAILURE_LIMIT = 100;
/** Failures from one address in the window before attempts from it start to wait. */
const FREE_FAILURES = 5;
const DELAY_STEP_MS = 250;
const MAX_DELAY_MS = 3_000;

/** The slots one sign-in attempt took (see `takeLoginSlots`). */
export interface LoginSlots {
  now: Date;
  email: { bucket: string; slot: Slot };
  address?: { bucket: string; slot: Slot };
}

/**
 * Takes the attempt's slots: the email's first (refused: nothing else is taken), then the
 * address's. Runs in the caller's transaction as the system role; always in this order, so two
 * attempts can never wait on each other's locks in a cycle.
 */
export async function takeLoginSlots(tx: Db, email: string, ip: string | undefined, now: Date): Promise<LoginSlots> {
  const window = { windowMs: LOGIN_WINDOW_MS, now };
  const emailBucket = `login:email:${email.toLowerCase()}`;
  const emailSlot = await takeSlot(tx, { bucket: emailBucket, limit: EMAIL_FAILURE_LIMIT, ...window });
  const slots: LoginSlots = { now, email: { bucket: emailBucket, slot: emailSlot } };
  if (!emailSlot.admitted || !ip) return slots;
  const addressBucket = `login:ip:${ip}`;
  slots.address = {
    bucket: addressBucket,
    slot: await takeSlot(tx, { bucket: addressBucket, limit: ADDRESS_FAILURE_LIMIT, ...window }),
  };
  return slots;
}

/** Gives back the slots of an attempt that signed in. */
export async function releaseLoginSlots(tx: Db, slots: LoginSlots): Promise<void> {
  for (const taken of [slots.email, slots.address]) {
    if (taken?.slot.admitted) await releaseSlot(tx, taken.bucket, slots.now);
  }
}

/**
 * How long an attempt waits before its password is checked, from the failures its address had in
 * the window before it: nothing for the first few (people mistype), then 250 ms more per failure,
 * at most 3 s. It slows a guesser from one address to a crawl without locking anyone out.
 */
export function loginDelayMs(slots: LoginSlots): number {
  const before = slots.address ? slots.address.slot.count - (slots.address.slot.admitted ? 1 : 0) : 0;
  return Math.min(MAX_DELAY_MS, Math.max(0, before - FREE_FAILURES + 1) * DELAY_STEP_MS);
}
