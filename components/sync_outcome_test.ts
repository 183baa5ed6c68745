import { equal } from "node:assert/strict";
import { cancelledBy, cancelledError, shortError, shownSyncStatus, syncEndSentence } from "./sync_outcome.ts";

Deno.test("a cancelled sync reads as cancelled, once, from its stored error", () => {
  const error = cancelledError("Ada Lovelace");
  equal(cancelledBy(error), "Ada Lovelace");
  equal(cancelledBy("Connection refused"), undefined);
  equal(shownSyncStatus({ status: "failed", error }), "cancelled");
  equal(shownSyncStatus({ status: "failed", error: "boom" }), "failed");
  equal(syncEndSentence({ rows: 0, error }), "Sync cancelled by Ada Lovelace after 0 rows.");
  equal(
    syncEndSentence({ rows: 1, error: "Connection refused." }),
    "The last sync failed after 1 row: Connection refused.",
  );
  equal(shortError(error), "by Ada Lovelace");
  equal(shortError("x".repeat(100)).length, 60);
});
