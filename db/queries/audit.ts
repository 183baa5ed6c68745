/** The append-only audit log: one row for every state change. */
import type { Db } from "../client.ts";
import type { RequestMeta } from "../../lib/deps.ts";
import { auditLogs } from "../schema.ts";

/** One audited change. `details` must not hold secrets; the logger's redaction does not run here. */
export interface AuditEntry {
  action: string;
  userId?: string | null;
  workspaceId?: string | null;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

/** Appends an entry, with the request it came from when there was one. */
export async function recordAudit(db: Db, entry: AuditEntry, meta: RequestMeta = {}): Promise<void> {
  await db.insert(auditLogs).values({ ...entry, details: entry.details ?? {}, requestId: meta.requestId, ip: meta.ip });
}
