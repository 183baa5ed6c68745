import { equal } from "node:assert/strict";
import { loggablePath } from "./request_log.ts";

Deno.test("loggablePath() hides share tokens in paths and leaves other paths alone", () => {
  equal(loggablePath("/share/s3cr3t-token"), "/share/[redacted]");
  equal(loggablePath("/api/share/s3cr3t-token"), "/api/share/[redacted]");
  equal(loggablePath("/api/tokens/123"), "/api/tokens/123");
});
