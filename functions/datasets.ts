/**
 * Deleting one dataset of a connector: its row, and its rows table. The connector stays; its next
 * sync reads the dataset again if the source still has it. Editors and owners only (RLS decides:
 * a viewer's delete touches no row and is told so), refused while a sync of the connector runs
 * (the sync would swap a table back in under the deleted row), and written to the audit log.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { AppDeps, RequestMeta } from "../lib/deps.ts";
import { ApiError, notFound } from "../lib/http/errors.ts";
import { asSystem, asUser } from "../db/rls.ts";
import { connectorSyncs, datasets } from "../db/schema.ts";
import { findConnector, findDataset } from "../db/queries/connectors.ts";
import { recordAudit } from "../db/queries/audit.ts";
import { dropDatasetTables } from "../connectors/dataset_store.ts";

/** Deletes the dataset `name` of connector `connectorId` as `userId`; 404, 403 or 409 otherwise. */
export async function deleteDataset(
  deps: AppDeps,
  userId: string,
  connectorId: string,
  name: string,
  meta: RequestMeta,
): Promise<void> {
  const datasetId = await asUser(deps.db, userId, async (tx) => {
    const connector = await findConnector(tx, connectorId);
    if (!connector) throw notFound("Connector");
    const dataset = await findDataset(tx, connectorId, name);
    if (!dataset) throw notFound("Dataset");
    const [running] = await tx.select({ id: connectorSyncs.id }).from(connectorSyncs).where(and(
      eq(connectorSyncs.connectorId, connectorId),
      inArray(connectorSyncs.status, ["queued", "running"]),
    )).limit(1);
    if (running) {
      throw new ApiError(
        409,
        "sync_in_progress",
        "A sync of this connector is running: delete the dataset after it ends",
      );
    }
    const [deleted] = await tx.delete(datasets).where(eq(datasets.id, dataset.id)).returning({ id: datasets.id });
    if (!deleted) {
      // Gone since it was read (a concurrent delete): 404. Still there: RLS refused the caller.
      if (!await findDataset(tx, connectorId, name)) throw notFound("Dataset");
      throw new ApiError(403, "forbidden", "You can read this dataset but not delete it");
    }
    await recordAudit(tx, {
      action: "dataset.delete",
      userId,
      workspaceId: connector.workspaceId,
      targetType: "dataset",
      targetId: dataset.id,
      details: { connector_id: connectorId, name: dataset.name },
    }, meta);
    return dataset.id;
  });
  // As in deleteConnector: the rows table belongs to the owner role, and PGlite has one connection.
  await asSystem(deps.db, (tx) => dropDatasetTables(tx, [datasetId]));
}
