/** GET /health: 200 when the database answers, 503 when it does not. */
import { Hono } from "hono";
import { sql } from "drizzle-orm";
import type { AppDeps } from "../../lib/deps.ts";
import type { AppEnv } from "../../lib/http/env.ts";
import { errorBody } from "../../lib/http/errors.ts";

/** The health route. */
export function healthRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get("/health", async (c) => {
    try {
      await deps.db.orm.execute(sql`select 1`);
      return c.json({ status: "ok", db: "ok" });
    } catch (error) {
      deps.log.error("health check failed", { error });
      c.header("retry-after", "5");
      return c.json({
        status: "unavailable",
        db: "unreachable",
        ...errorBody("database_unavailable", "The database is unreachable"),
      }, 503);
    }
  });
}
