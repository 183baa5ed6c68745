/** Helpers for workflow tests: create one, sign deliveries as a sender would, wait for executions. */
import { Webhook } from "standardwebhooks";
import type { TestApp } from "./test_app.ts";

export interface CreatedWorkflow {
  id: string;
  webhook_url: string;
  webhook_secret: string;
  workspace_id: string;
}

/** Creates a workflow as `cookie`'s user; throws with the answer when it is not 201. */
export async function createWorkflow(
  t: TestApp,
  cookie: string,
  body: { name?: string; steps: unknown[]; config?: Record<string, unknown>; workspace_id?: string },
): Promise<CreatedWorkflow> {
  const res = await t.call("/api/workflows", { cookie, body: { name: "Test flow", ...body } });
  if (res.status !== 201) throw new Error(`Cannot create the workflow: ${res.status} ${res.text}`);
  return res.body as CreatedWorkflow;
}

/** Standard Webhooks headers for `body`, signed with `secret` by the `standardwebhooks` package. */
export function signedHeaders(
  secret: string,
  body: string,
  options: { id?: string; at?: Date } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${crypto.randomUUID()}`;
  const at = options.at ?? new Date();
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, at, body),
  };
}

/** Delivers `payload` to a workflow's hook, signed; returns the raw result. */
export function deliver(
  t: TestApp,
  workflow: CreatedWorkflow,
  payload: unknown,
  options: { id?: string; at?: Date; secret?: string; headers?: Record<string, string> } = {},
) {
  const body = JSON.stringify(payload);
  const headers = { ...signedHeaders(options.secret ?? workflow.webhook_secret, body, options), ...options.headers };
  return t.call(`/hooks/${workflow.id}`, { method: "POST", body, headers });
}

export interface ExecutionView {
  id: string;
  status: string;
  trigger: string;
  error: string | null;
  duplicates_suppressed: number;
  results: unknown;
  steps: { id: string; status: string; attempts: number; reused: boolean; output: unknown; error: string | null }[];
}

/** Waits until an execution has finished (or `timeoutMs` passed) and returns it. */
export async function waitForExecution(
  t: TestApp,
  cookie: string,
  id: string,
  timeoutMs = 20_000,
): Promise<ExecutionView> {
  const until = Date.now() + timeoutMs;
  while (true) {
    const res = await t.call(`/api/executions/${id}`, { cookie });
    const body = res.body as ExecutionView;
    if (res.status !== 200) throw new Error(`Cannot read execution ${id}: ${res.status} ${res.text}`);
    if (["succeeded", "failed", "cancelled"].includes(body.status)) return body;
    if (Date.now() > until) throw new Error(`Execution ${id} is still ${body.status}: ${res.text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
