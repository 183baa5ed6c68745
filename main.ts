/**
 * Entry point: reads the configuration, opens and migrates the database, builds the app and
 * serves it. The only place that creates dependencies.
 */
// First: empty variables are unset before any library reads the environment as it loads.
import "./lib/empty_env.ts";
import { loadConfig } from "./lib/config.ts";
import { createLogger } from "./lib/log.ts";
import { openDatabase } from "./db/client.ts";
import { migrate } from "./db/migrate.ts";
import { keepStatisticsFresh, keepUploadsTidy } from "./db/maintenance.ts";
import { createApp } from "./lib/app.ts";
import { isDatabaseUnavailable } from "./db/client.ts";
import { startScheduler } from "./functions/scheduled_syncs.ts";
import { startWorkflows } from "./functions/workflows/maintenance.ts";
import { flushShareViews } from "./functions/dashboards/share_view.ts";
import { installFontMetrics } from "./lib/charts/font_metrics.ts";

const config = await loadConfig();
const log = createLogger(config.logLevel);
const db = await openDatabase({ ...config.database });
const applied = await migrate(db);
if (applied.length) log.info("migrations applied", { versions: applied });
/** How long after start-up background chores wait, so the first requests do not queue behind them. */
const STARTUP_QUIET_MS = 3_000;
const statistics = keepStatisticsFresh(db, log, STARTUP_QUIET_MS);
const uploads = keepUploadsTidy(db, log);

// postgres-js (3.4 on Deno) can fail a write on a socket the server has just closed (a restart, a
// terminated backend) in a timer of its own, outside any query's promise: the query itself fails
// and is retried, so only that failure is kept from ending the process; anything else still does.
const lostConnection = (error: unknown) =>
  isDatabaseUnavailable(error) ||
  (error instanceof Error && /postgres\/src\/connection\.js/.test(error.stack ?? "") &&
    /write/.test(error.message + error.stack));
for (const type of ["unhandledrejection", "error"] as const) {
  globalThis.addEventListener(type, (event) => {
    const error = event instanceof ErrorEvent ? event.error : (event as PromiseRejectionEvent).reason;
    if (!lostConnection(error)) return;
    event.preventDefault();
    log.warn("database connection lost", { error: String(error) });
  });
}

const deps = { config, db, log, now: () => new Date(), fetch: globalThis.fetch };
// Workers need no app: started first, they resume a backlog left by the last run while the pages
// are built (0.1–0.4 s here), not after.
const workflows = startWorkflows(deps);
const { app } = await createApp(deps, { prebuilt: config.production });
const scheduler = startScheduler(deps);
// Parse the chart font soon, not on the first chart a viewer waits for, and not at once either:
// the first pages after a start read their charts from the database (chart_drawings) and need no
// font, and the parse (about 0.2 s) would hold them up. A chart drawn sooner loads it itself.
const fontTimer = setTimeout(
  () => installFontMetrics().catch((error) => log.warn("chart font not loaded", { error: String(error) })),
  STARTUP_QUIET_MS,
);
Deno.unrefTimer(fontTimer);

const server = Deno.serve({
  port: config.port,
  onListen: ({ hostname, port }) => {
    const host = hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname;
    log.info("listening", { url: `http://${host}:${port}`, database: config.database.driver });
  },
}, app.fetch);

// Close the database cleanly so PGlite's data folder is never left half-written.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    scheduler.stop();
    statistics.stop();
    await workflows.stop();
    uploads.stop();
    await server.shutdown();
    await flushShareViews(deps).catch((error) => log.warn("share views not written", { error: String(error) }));
    await db.close();
    Deno.exit(0);
  });
}
