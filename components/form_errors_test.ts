import { equal } from "node:assert/strict";
import { formMessage } from "./form_errors.ts";

Deno.test("formMessage() names fields by their form label, never by a JSON path", () => {
  const labels = { "config.schedule": "Schedule (cron, UTC)", "config.url": "URL" };
  equal(
    formMessage("Invalid request: config.schedule: Invalid cron expression", labels),
    "Schedule (cron, UTC): invalid cron expression.",
  );
  equal(
    formMessage("Invalid request: config.pagination.param: Required", { "config.pagination": "Pagination" }),
    "Pagination: required.",
  );
  equal(formMessage('Invalid request: base_url: "x" is not a URL'), 'Base URL: "x" is not a URL.');
  equal(
    formMessage("Only the workspace's owner can change its model settings"),
    "Only the workspace's owner can change its model settings.",
  );
});
