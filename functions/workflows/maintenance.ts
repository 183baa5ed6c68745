/**
 * What runs on a clock for workflows: due cron schedules (claimed with a conditional update, so
 * two processes never both fire one), the sweep that picks up executions left behind (an isolate
 * stopped mid-run, a retry whose time has come), and retention (execution data pruned after the
 * workflow's `retention_days`, default 14; unfinished executions never; a summary row remains;
 * webhook ids kept 7 days for de-duplication). `Deno.cron` drives it on Deploy, a timer elsewhere.
 */
import { and, eq, isNotNull, lte, sql } from "drizzle-orm";
import type { AppDeps } from "../../lib/deps.ts";
import type { Db } from "../../db/client.ts";
import { workflows } from "../../db/schema.ts";
import { rows } from "../../db/rows.ts";
import { enqueueExecution } from "../../db/queries/workflow_queue.ts";
import { nextScheduledRun, WorkflowConfig } from "./definition.ts";
import { engineFor } from "./engine.ts";

/** How long a webhook id is remembered (senders retry for days). */
export const DELIVERY_RETENTION_DAYS = 7;

/** Queues a run of every workflow whose schedule is due; returns the new executions' ids. */
export async function runDueSchedules(deps: AppDeps): Promise<string[]> {
  const db = deps.db.orm;
  const now = deps.now();
  const due = await db.select().from(workflows).where(and(
    isNotNull(workflows.nextRunAt),
    lte(workflows.nextRunAt, now),
    eq(workflows.enabled, true),
  )).limit(100);
  const started: string[] = [];
  for (const workflow of due) {
    const config = WorkflowConfig.safeParse(workflow.config);
    const next = config.success ? nextScheduledRun(config.data.schedule, now) : null;
    const id = await db.transaction(async (tx) => {
      // Only the process whose update moves the due time on gets to queue the run: a second one
      // waits for the row, then finds it no longer due. (No equality on the time: JavaScript
      // dates hold milliseconds, Postgres microseconds.)
      const [claimed] = await tx.update(workflows).set({ nextRunAt: next })
        .where(and(eq(workflows.id, workflow.id), lte(workflows.nextRunAt, now)))
        .returning({ id: workflows.id });
      if (!claimed) return undefined;
      return await enqueueExecution(tx, {
        workflowId: workflow.id,
        workspaceId: workflow.workspaceId,
        trigger: "schedule",
        input: { payload: { scheduled_at: workflow.nextRunAt!.toISOString() }, headers: {} },
      });
    });
    if (id) {
      started.push(id);
      engineFor(deps).kick(id);
    }
  }
  return started;
}

/**
 * Prunes finished executions older than their workflow's retention: their steps go, their input
 * and results are cleared and `pruned_at` is set (status, trigger, timing and error stay). Webhook
 * ids older than 7 days are forgotten. Returns how many executions were pruned.
 */
export async function pruneExecutions(db: Db, now: Date, batch = 1000): Promise<number> {
  const pruned = await rows<{ id: string }>(
    db,
    sql`with old as (
        select e.id from workflow_executions e join workflows w on w.id = e.workflow_id
        where e.status in ('succeeded', 'failed', 'cancelled') and e.pruned_at is null
          and e.completed_at < ${now.toISOString()}::timestamptz
            - coalesce((w.config ->> 'retention_days')::int, 14) * interval '1 day'
        limit ${batch}
      ), gone as (
        delete from execution_steps s using old where s.execution_id = old.id
      )
      update workflow_executions e set input = null, results = null, steps = '[]', pruned_at = now()
      from old where e.id = old.id
      returning e.id::text`,
  );
  await db.execute(sql`delete from webhook_deliveries
    where received_at < ${now.toISOString()}::timestamptz - ${DELIVERY_RETENTION_DAYS} * interval '1 day'`);
  return pruned.length;
}

/** One round of the clock's work; each part failing alone is logged, not fatal. */
export async function workflowTick(deps: AppDeps): Promise<void> {
  await runDueSchedules(deps).catch((error) => deps.log.warn("workflow schedules failed", { error: String(error) }));
  await pruneExecutions(deps.db.orm, deps.now())
    .catch((error) => deps.log.warn("workflow pruning failed", { error: String(error) }));
}

/**
 * Starts workflows for the life of the process: on Deploy a `Deno.cron` each minute runs the tick
 * and a sweep of what is due (an isolate may stop after its request, so no loop is trusted to
 * live); elsewhere the engine's own loop polls and a timer runs the tick each minute.
 */
export function startWorkflows(deps: AppDeps): { stop(): Promise<void> } {
  const engine = engineFor(deps);
  const cron = (Deno as { cron?: (name: string, schedule: string, fn: () => Promise<unknown>) => Promise<void> }).cron;
  if (Deno.env.get("DENO_DEPLOYMENT_ID") && cron) {
    cron("workflow-sweep", "* * * * *", async () => {
      await workflowTick(deps);
      await engine.sweep(50_000).catch((error) => deps.log.warn("workflow sweep failed", { error: String(error) }));
    });
    return { stop: () => Promise.resolve() };
  }
  engine.start();
  const timer = setInterval(() => workflowTick(deps), 60_000);
  Deno.unrefTimer(timer);
  return {
    async stop() {
      clearInterval(timer);
      await engine.stop();
    },
  };
}
