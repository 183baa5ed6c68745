/**
 * The one-click sample for an empty workspace: vega-datasets' seattle-weather.csv (1,461 days of
 * Seattle weather, BSD-3-Clause), read from the installed npm package and uploaded to a new CSV
 * connector, then synced. No network: the file ships with the app's dependencies.
 */
import "vega-datasets"; // keeps the package in the module graph, so installs bring its data files
import type { AppDeps, RequestMeta } from "../lib/deps.ts";
import { createConnector, uploadFile } from "./connectors.ts";
import { startSync } from "./sync_connector.ts";

const SAMPLE = new URL("../node_modules/vega-datasets/data/seattle-weather.csv", import.meta.url);

/** Creates the sample connector for `userId` and starts its sync; returns the connector's id. */
export async function addSampleData(deps: AppDeps, userId: string, meta: RequestMeta): Promise<string> {
  const connector = await createConnector(deps, userId, {
    name: "Seattle weather (sample)",
    type: "csv",
    config: { dataset_name: "seattle-weather" },
  }, meta);
  const file = await Deno.open(SAMPLE);
  await uploadFile(deps, userId, connector.id, file.readable, "seattle-weather.csv", meta);
  await startSync(deps, userId, connector.id, "manual", meta);
  return connector.id;
}
