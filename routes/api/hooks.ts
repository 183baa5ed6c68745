/**
 * `POST /hooks/:workflow_id`: where other systems deliver webhooks. Mounted at the root beside the
 * API, exempt from CSRF (a signature, not a cookie, authorizes it), and given the raw body, since
 * the signature covers the exact bytes sent (Standard Webhooks).
 */
import { Hono } from "hono";
import type { AppDeps } from "../../lib/deps.ts";
import type { AppEnv } from "../../lib/http/env.ts";
import { receiveWebhook } from "../../functions/workflows/webhooks.ts";

export function hookRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.post("/hooks/:workflow_id", async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer());
    const { status, executionId } = await receiveWebhook(deps, c.req.param("workflow_id"), c.req.raw.headers, body);
    return c.json({ execution_id: executionId, ...(status === 200 ? { duplicate: true } : {}) }, status);
  });
  return app;
}
