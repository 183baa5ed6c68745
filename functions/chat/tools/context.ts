/** What every chat tool is made with: the caller, their chat's workspace, and the app. */
import type { AppDeps } from "../../../lib/deps.ts";
import { ApiError } from "../../../lib/http/errors.ts";
import { postgresCode } from "../../../lib/http/error_handler.ts";
import type { ArtifactRow } from "../../../db/queries/artifacts.ts";

/** A tool acts as `userId` (RLS applies) and only inside `workspaceId`, the chat's workspace. */
export interface ChatToolContext {
  deps: AppDeps;
  userId: string;
  workspaceId: string;
  sessionId: string;
}

/** Rows of a result the model is shown; the rest stay in the artifact or behind `truncated`. */
export const MODEL_ROW_LIMIT = 100;

/** A failure the model is told about; it reads as its message alone (the SDK stringifies errors). */
export class ToolError extends Error {
  override toString(): string {
    return this.message;
  }
}

/**
 * Runs a tool's work, turning our errors into messages the model can act on (a missing column, a
 * dataset that is not there) and anything unexpected into a plain failure, logged, not shown.
 */
export async function toolStep<T>(ctx: ChatToolContext, tool: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError) throw new ToolError(error.message);
    // Row Level Security refused a write: the user only has read access to this workspace.
    if (postgresCode(error) === "42501") {
      throw new ToolError("This user can read this workspace but not change it, so nothing was saved");
    }
    ctx.deps.log.error("chat tool failed", { tool, error: error instanceof Error ? error.message : String(error) });
    throw new ToolError(`The ${tool} tool failed on the server`);
  }
}

/** An artifact as tools report it back to the model and the chat. */
export function artifactSummary(row: ArtifactRow) {
  const data = row.data as { columns?: unknown[]; rows?: unknown[][] };
  return {
    artifact_id: row.artifactId,
    version: row.version,
    type: row.type,
    name: row.name,
    ...(data.rows ? { row_count: data.rows.length, columns: data.columns } : {}),
  };
}
