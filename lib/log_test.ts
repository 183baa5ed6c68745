import { deepStrictEqual, equal } from "node:assert/strict";
import { createLogger, redact } from "./log.ts";

Deno.test("redact() hides secret-looking fields at any depth", () => {
  deepStrictEqual(
    redact({
      email: "a@b.c",
      password: "p",
      nested: { apiKey: "k", list: [{ token: "t", ok: 1 }] },
      Authorization: "Bearer x",
    }),
    {
      email: "a@b.c",
      password: "[redacted]",
      nested: { apiKey: "[redacted]", list: [{ token: "[redacted]", ok: 1 }] },
      Authorization: "[redacted]",
    },
  );
});

Deno.test("createLogger() writes one JSON object a line at or above its level", () => {
  const lines: string[] = [];
  const log = createLogger("info", (l) => lines.push(l));
  log.debug("hidden");
  log.info("shown", { user_id: "u1", error: new Error("boom") });
  equal(lines.length, 1);
  const entry = JSON.parse(lines[0]);
  equal(entry.level, "info");
  equal(entry.msg, "shown");
  deepStrictEqual(entry.error, { name: "Error", message: "boom" });
});
