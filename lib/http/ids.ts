/** Ids are UUIDs (API.md): one check for every entry that takes one from outside. */
import { z } from "zod";

const Uuid = z.uuid();

/**
 * True when `value` is a UUID in its canonical text form (RFC 9562). Check before an id reaches
 * SQL: Postgres refuses anything else as a `uuid` with an error that would be a 500 and would put
 * the query in the log.
 */
export function isUuid(value: unknown): value is string {
  return Uuid.safeParse(value).success;
}
