/** sync: starts a sync of a connector (functions/sync_connector.ts) and waits until it has finished. */
import { z } from "zod";
import { asUser } from "../../../db/rls.ts";
import { findSync } from "../../../db/queries/connectors.ts";
import { ApiError } from "../../../lib/http/errors.ts";
import { startSync } from "../../sync_connector.ts";
import { StepFailure, type StepType } from "./types.ts";

const Config = z.object({ connector_id: z.uuid({ error: "Not a connector id" }) }).strict();
const POLL_MS = 250;

export const syncStep: StepType<z.infer<typeof Config>> = {
  config: Config,
  async run({ deps, config, userId, signal }) {
    let syncId: string;
    try {
      syncId = await startSync(deps, userId, config.connector_id, "manual");
    } catch (error) {
      // Another sync of it is running: a later attempt can start one.
      if (error instanceof ApiError && error.code === "sync_in_progress") throw new StepFailure(error.message, true);
      throw error;
    }
    while (true) {
      const sync = await asUser(deps.db, userId, (tx) => findSync(tx, syncId));
      if (!sync) throw new StepFailure("The sync disappeared", false);
      if (sync.status === "succeeded") return { sync_id: sync.id, rows: Number(sync.rows) };
      if (sync.status === "failed") throw new StepFailure(`The sync failed: ${sync.error ?? "no reason given"}`, true);
      if (signal.aborted) throw new StepFailure("Cancelled while the sync ran", false);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  },
};
