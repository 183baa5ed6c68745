import { deepStrictEqual, equal } from "node:assert/strict";
import { createLogger, redact, scrubSecrets } from "./log.ts";

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

Deno.test("scrubSecrets() removes credentials from free text, also from URLs that do not parse", () => {
  const cases: [string, string][] = [
    [
      'Invalid URL: "postgres://u:SECRET@h1:5432,h2:5432/db"',
      'Invalid URL: "postgres://[redacted]@h1:5432,h2:5432/db"',
    ],
    ["postgres://u:p@ss/w@h/db", "postgres://[redacted]@h/db"],
    ["https://ghp_token@github.com/x", "https://[redacted]@github.com/x"],
    ["host=h user=u password=SECRET dbname=d", "host=h user=u password=[redacted] dbname=d"],
    ["GET /x?api_key=SECRET&y=1", "GET /x?api_key=[redacted]&y=1"],
    ['{"password":"SECRET","n":1}', '{"password":"[redacted]","n":1}'],
    ["Authorization: Bearer SECRET-0123456789", "Authorization: Bearer [redacted]"],
    ["key sk-proj-SECRET0123456789abcdef", "key sk-[redacted]"],
    ["token wst_SECRET0123456789abcdefghijkl", "token wst_[redacted]"],
    ['password authentication failed for user "bob"', 'password authentication failed for user "bob"'],
    ["see http://localhost:8000/chat and a@b.c", "see http://localhost:8000/chat and a@b.c"],
  ];
  for (const [input, expected] of cases) equal(scrubSecrets(input), expected);
});

Deno.test("createLogger() scrubs the message, error messages and stacks of credentials", () => {
  const lines: string[] = [];
  const log = createLogger("info", (l) => lines.push(l));
  const error = new TypeError('Invalid URL: "postgres://u:SECRET@h1:5432,h2:5432/db"');
  log.error("failed for postgres://u:SECRET@h/db", { error, stack: error.stack, nested: { text: "password=SECRET" } });
  equal(lines.length, 1);
  equal(lines[0].includes("SECRET"), false, lines[0]);
});
