/**
 * The one rate-limit primitive, on every backend: concurrent takers never pass the limit, a
 * rolled-back transaction gives its slot back, and the window slides.
 */
import { equal, ok } from "node:assert/strict";
import { asSystem } from "../db/rls.ts";
import { releaseSlot, takeSlot } from "../db/queries/rate_limits.ts";
import { closeSharedAppsAfterAll, testEachBackend } from "./support/test_app.ts";

testEachBackend("takeSlot admits exactly `limit` of 40 concurrent takers", async (t) => {
  const bucket = `test:${crypto.randomUUID()}`;
  const now = new Date();
  const slots = await Promise.all(
    Array.from(
      { length: 40 },
      () => asSystem(t.deps.db, (tx) => takeSlot(tx, { bucket, limit: 20, windowMs: 60_000, now })),
    ),
  );
  equal(slots.filter((s) => s.admitted).length, 20);
  const counts = slots.filter((s) => s.admitted).map((s) => s.count).sort((a, b) => a - b);
  equal(counts.join(","), Array.from({ length: 20 }, (_, i) => i + 1).join(","), "each taker saw the ones before it");
  for (const refused of slots.filter((s) => !s.admitted)) {
    ok(!refused.admitted && refused.retryAfter >= 1 && refused.retryAfter <= 60);
  }
});

testEachBackend("a slot taken in a transaction that rolls back is given back; released slots free up", async (t) => {
  const bucket = `test:${crypto.randomUUID()}`;
  const now = new Date();
  const take = () => asSystem(t.deps.db, (tx) => takeSlot(tx, { bucket, limit: 2, windowMs: 60_000, now }));
  await asSystem(t.deps.db, async (tx) => {
    ok((await takeSlot(tx, { bucket, limit: 2, windowMs: 60_000, now })).admitted);
    throw new Error("the work failed");
  }).catch(() => {});
  ok((await take()).admitted);
  ok((await take()).admitted);
  equal((await take()).admitted, false);
  await asSystem(t.deps.db, (tx) => releaseSlot(tx, bucket, now));
  ok((await take()).admitted, "a released slot can be taken again");
  // A minute later the window has slid past them all.
  const later = new Date(now.getTime() + 60_001);
  const next = await asSystem(t.deps.db, (tx) => takeSlot(tx, { bucket, limit: 2, windowMs: 60_000, now: later }));
  ok(next.admitted && next.count === 1);
});

closeSharedAppsAfterAll();
