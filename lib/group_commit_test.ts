import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { groupCommit } from "./group_commit.ts";

Deno.test("group commit: calls made while a write is in flight go together in the next write", async () => {
  const writes: number[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const write = groupCommit(async (items: number[]) => {
    writes.push(items);
    if (writes.length === 1) await gate;
    return items.map((n) => n * 10);
  }, { maxItems: 4, maxInFlight: 1 });
  const first = write(0);
  await new Promise((r) => setTimeout(r, 0));
  const rest = Array.from({ length: 9 }, (_, i) => write(i + 1));
  release();
  assertEquals(await Promise.all([first, ...rest]), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  // One write alone, then the nine that waited, four at most in each.
  assertEquals(writes, [[0], [1, 2, 3, 4], [5, 6, 7, 8], [9]]);
});

Deno.test("group commit: a failed write is made again item by item, so only the bad item fails", async () => {
  const writes: string[][] = [];
  const write = groupCommit((items: string[]) => {
    writes.push(items);
    if (items.includes("bad")) return Promise.reject(new Error("refused"));
    return Promise.resolve(items.map((s) => s.toUpperCase()));
  }, { maxItems: 10, maxInFlight: 1 });
  const results = await Promise.allSettled(["a", "bad", "c"].map(write));
  assertEquals(results.map((r) => r.status === "fulfilled" ? r.value : (r.reason as Error).message), [
    "A",
    "refused",
    "C",
  ]);
  assertEquals(writes, [["a", "bad", "c"], ["a"], ["bad"], ["c"]]);
  await rejects(() => write("bad"), /refused/);
});

Deno.test("group commit: a write takes items up to maxSize, and always at least one", async () => {
  const writes: number[][] = [];
  const write = groupCommit((items: number[]) => {
    writes.push(items);
    return Promise.resolve(items);
  }, { maxItems: 10, maxInFlight: 1, sizeOf: (n) => n, maxSize: 10 });
  await Promise.all([4, 5, 3, 20, 1].map(write));
  assertEquals(writes, [[4, 5], [3], [20], [1]]);
});
