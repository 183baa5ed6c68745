/** Every connector type, by the name the API uses. */
import { csvConnector } from "./csv.ts";
import { httpJsonConnector } from "./http_json.ts";
import { postgresConnector } from "./postgres.ts";
import { supabaseConnector } from "./supabase.ts";
import type { ConnectorType } from "./types.ts";

export const CONNECTOR_TYPES = {
  postgres: postgresConnector,
  http_json: httpJsonConnector,
  csv: csvConnector,
  supabase: supabaseConnector,
} as const;

export type ConnectorTypeName = keyof typeof CONNECTOR_TYPES;
export const CONNECTOR_TYPE_NAMES = Object.keys(CONNECTOR_TYPES) as [ConnectorTypeName, ...ConnectorTypeName[]];

/** The module of a type. */
export function connectorType(type: string): ConnectorType {
  const found = CONNECTOR_TYPES[type as ConnectorTypeName];
  if (!found) throw new Error(`Unknown connector type ${type}`);
  return found as unknown as ConnectorType;
}
