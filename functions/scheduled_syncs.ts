/**
 * Scheduled syncs. Each connector with a `schedule` (cron) has `next_sync_at`; once a minute the
 * scheduler claims the due ones (a conditional update, so two processes never both take one),
 * moves them to their next time and starts their syncs. Each tick (and process start) also fails
 * syncs whose process died, so a crash never leaves a connector "syncing". On Deno Deploy
 * `Deno.cron` drives it; elsewhere a timer does.
 */
import type { AppDeps } from "../lib/deps.ts";
import { ApiError } from "../lib/http/errors.ts";
import { claimScheduledRun, dueConnectors } from "../db/queries/connectors.ts";
import { nextRun } from "./connectors.ts";
import { startSync } from "./sync_connector.ts";
import { failStaleSyncRuns } from "./sync_control.ts";

/** Starts the syncs that are due at `deps.now()`; returns their connector ids. */
export async function runDueSyncs(deps: AppDeps): Promise<string[]> {
  const interrupted = await failStaleSyncRuns(deps);
  if (interrupted) deps.log.warn("failed syncs whose process stopped", { count: interrupted });
  const now = deps.now();
  const started: string[] = [];
  for (const connector of await dueConnectors(deps.db.orm, now)) {
    const schedule = (connector.config as { schedule?: string }).schedule;
    if (!await claimScheduledRun(deps.db.orm, connector.id, connector.nextSyncAt!, nextRun(schedule, now))) continue;
    try {
      await startSync(deps, null, connector.id, "schedule");
      started.push(connector.id);
    } catch (error) {
      // Still running from last time: this turn is skipped, the next one comes.
      if (error instanceof ApiError && error.code === "sync_in_progress") continue;
      deps.log.error("scheduled sync could not start", { connectorId: connector.id, error: String(error) });
    }
  }
  return started;
}

/** Runs `runDueSyncs` now (process start) and every minute for the life of the process. */
export function startScheduler(deps: AppDeps): { stop(): void } {
  const tick = () =>
    runDueSyncs(deps).catch((error) => deps.log.error("scheduler tick failed", { error: String(error) }));
  tick();
  const cron = (Deno as { cron?: (name: string, schedule: string, fn: () => Promise<unknown>) => Promise<void> }).cron;
  if (Deno.env.get("DENO_DEPLOYMENT_ID") && cron) {
    cron("connector-syncs", "* * * * *", tick);
    return { stop() {} };
  }
  const timer = setInterval(tick, 60_000);
  Deno.unrefTimer(timer);
  return { stop: () => clearInterval(timer) };
}
