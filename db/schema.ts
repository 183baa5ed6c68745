/**
 * The drizzle schema: a typed mirror of db/migrations/*.sql, which stay the source of truth
 * (RLS policies, roles and triggers live there). tests/schema_test.ts checks the two agree.
 */
import {
  bigint,
  boolean,
  customType,
  date,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import type { SyncWarning } from "../connectors/warnings.ts";

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });
const id = () => uuid("id").primaryKey().defaultRandom();
const createdAt = () =>
  timestamp("created_at", { withTimezone: true, mode: "date", precision: 3 }).notNull().defaultNow();
const updatedAt = () =>
  timestamp("updated_at", { withTimezone: true, mode: "date", precision: 3 }).notNull().defaultNow();
const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const workspaceId = () => uuid("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" });

export const users = pgTable("users", {
  id: id(),
  email: text("email").notNull(),
  name: text("name").notNull().default(""),
  passwordHash: text("password_hash"),
  externalId: text("external_id").unique(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const userProfiles = pgTable("user_profiles", {
  userId: uuid("user_id").primaryKey().references(() => users.id, { onDelete: "cascade" }),
  displayName: text("display_name"),
  avatarUrl: text("avatar_url"),
  preferences: jsonb("preferences").$type<Record<string, unknown>>().notNull().default({}),
  updatedAt: updatedAt(),
});

export const workspaces = pgTable("workspaces", {
  id: id(),
  name: text("name").notNull(),
  personal: boolean("personal").notNull().default(false),
  createdBy: uuid("created_by"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export type WorkspaceRole = "owner" | "editor" | "viewer";

export const memberships = pgTable("memberships", {
  workspaceId: workspaceId(),
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  role: text("role").$type<WorkspaceRole>().notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })]);

export const sessions = pgTable("sessions", {
  id: id(),
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull().unique(),
  createdAt: createdAt(),
  expiresAt: at("expires_at").notNull(),
  lastSeenAt: at("last_seen_at").notNull().defaultNow(),
  revokedAt: at("revoked_at"),
  userAgent: text("user_agent"),
  ip: text("ip"),
});

export const apiTokens = pgTable("api_tokens", {
  id: id(),
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  prefix: text("prefix").notNull(),
  createdAt: createdAt(),
  lastUsedAt: at("last_used_at"),
  revokedAt: at("revoked_at"),
});

export const auditLogs = pgTable("audit_logs", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  workspaceId: uuid("workspace_id"),
  userId: uuid("user_id"),
  action: text("action").notNull(),
  targetType: text("target_type"),
  targetId: text("target_id"),
  details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
  requestId: text("request_id"),
  ip: text("ip"),
  createdAt: createdAt(),
});

export const rateLimitEvents = pgTable("rate_limit_events", {
  bucket: text("bucket").notNull(),
  at: at("at").notNull().defaultNow(),
});

export const connectors = pgTable("connectors", {
  id: id(),
  workspaceId: workspaceId(),
  name: text("name").notNull(),
  type: text("type").notNull(),
  config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
  credentialsCiphertext: bytea("credentials_ciphertext"),
  credentialsKeyId: text("credentials_key_id"),
  status: text("status").notNull().default("idle"),
  lastSync: at("last_sync"),
  lastError: text("last_error"),
  nextSyncAt: at("next_sync_at"),
  createdBy: uuid("created_by"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const datasets = pgTable("datasets", {
  id: id(),
  workspaceId: workspaceId(),
  connectorId: uuid("connector_id").notNull().references(() => connectors.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  columns: jsonb("columns").$type<{ name: string; type: string }[]>().notNull().default([]),
  rowCount: bigint("row_count", { mode: "number" }).notNull().default(0),
  storageTable: text("storage_table"),
  syncedAt: at("synced_at"),
  cursorValue: text("cursor_value"),
});

export const connectorSyncs = pgTable("connector_syncs", {
  id: id(),
  workspaceId: workspaceId(),
  connectorId: uuid("connector_id").notNull().references(() => connectors.id, { onDelete: "cascade" }),
  trigger: text("trigger").$type<"manual" | "schedule">().notNull().default("manual"),
  status: text("status").$type<ExecutionStatus>().notNull().default("queued"),
  rows: bigint("rows", { mode: "number" }).notNull().default(0),
  error: text("error"),
  /** What the sync coerced, skipped or stopped early on (connectors/warnings.ts). */
  warnings: jsonb("warnings").$type<SyncWarning[]>().notNull().default([]),
  createdAt: createdAt(),
  startedAt: at("started_at"),
  finishedAt: at("finished_at"),
  heartbeatAt: at("heartbeat_at"),
});

export const connectorFiles = pgTable("connector_files", {
  connectorId: uuid("connector_id").notNull().references(() => connectors.id, { onDelete: "cascade" }),
  uploadId: uuid("upload_id").notNull(),
  seq: integer("seq").notNull(),
  workspaceId: workspaceId(),
  bytes: bytea("bytes").notNull(),
}, (t) => [primaryKey({ columns: [t.connectorId, t.uploadId, t.seq] })]);

export const dashboards = pgTable("dashboards", {
  id: id(),
  workspaceId: workspaceId(),
  name: text("name").notNull(),
  description: text("description"),
  filters: jsonb("filters").$type<unknown[]>().notNull().default([]),
  config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
  createdBy: uuid("created_by"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const widgets = pgTable("widgets", {
  id: id(),
  workspaceId: workspaceId(),
  dashboardId: uuid("dashboard_id").notNull().references(() => dashboards.id, { onDelete: "cascade" }),
  type: text("type").notNull(),
  title: text("title"),
  artifactId: uuid("artifact_id"),
  connectorId: uuid("connector_id"),
  dataset: text("dataset"),
  dataQuery: jsonb("data_query"),
  config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
  positionX: integer("position_x").notNull().default(0),
  positionY: integer("position_y").notNull().default(0),
  width: integer("width").notNull().default(4),
  height: integer("height").notNull().default(3),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const shareLinks = pgTable("share_links", {
  id: id(),
  workspaceId: workspaceId(),
  dashboardId: uuid("dashboard_id").notNull().references(() => dashboards.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull().unique(),
  label: text("label").notNull().default(""),
  tokenCiphertext: bytea("token_ciphertext"),
  tokenKeyId: text("token_key_id"),
  lockedFilters: jsonb("locked_filters").$type<Record<string, string>>().notNull().default({}),
  allowDownloads: boolean("allow_downloads").notNull().default(false),
  allowEmbed: boolean("allow_embed").notNull().default(false),
  viewCount: bigint("view_count", { mode: "number" }).notNull().default(0),
  lastViewedAt: at("last_viewed_at"),
  createdBy: uuid("created_by"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  expiresAt: at("expires_at"),
  revokedAt: at("revoked_at"),
});

export const workflows = pgTable("workflows", {
  id: id(),
  workspaceId: workspaceId(),
  name: text("name").notNull(),
  description: text("description"),
  steps: jsonb("steps").$type<unknown[]>().notNull().default([]),
  config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
  webhookSecretCiphertext: bytea("webhook_secret_ciphertext"),
  webhookSecretKeyId: text("webhook_secret_key_id"),
  createdBy: uuid("created_by"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  enabled: boolean("enabled").notNull().default(true),
  webhookPreviousCiphertext: bytea("webhook_previous_ciphertext"),
  webhookPreviousKeyId: text("webhook_previous_key_id"),
  webhookPreviousExpiresAt: at("webhook_previous_expires_at"),
  secretsCiphertext: bytea("secrets_ciphertext"),
  secretsKeyId: text("secrets_key_id"),
  nextRunAt: at("next_run_at"),
});

export type ExecutionStatus = "queued" | "running" | "succeeded" | "failed";
export type WorkflowExecutionStatus = ExecutionStatus | "cancelled";
export type ExecutionTrigger = "webhook" | "manual" | "schedule" | "chat" | "rerun" | "replay" | "failure";

export const workflowExecutions = pgTable("workflow_executions", {
  id: id(),
  workspaceId: workspaceId(),
  workflowId: uuid("workflow_id").notNull().references(() => workflows.id, { onDelete: "cascade" }),
  status: text("status").$type<WorkflowExecutionStatus>().notNull().default("queued"),
  trigger: text("trigger").$type<ExecutionTrigger>().notNull().default("manual"),
  input: jsonb("input"),
  steps: jsonb("steps").$type<unknown[]>().notNull().default([]),
  results: jsonb("results"),
  error: text("error"),
  createdAt: createdAt(),
  startedAt: at("started_at"),
  completedAt: at("completed_at"),
  runAt: at("run_at").notNull().defaultNow(),
  leaseOwner: text("lease_owner"),
  leaseExpiresAt: at("lease_expires_at"),
  heartbeatAt: at("heartbeat_at"),
  rerunOf: uuid("rerun_of"),
  fromStep: text("from_step"),
  createdBy: uuid("created_by"),
  prunedAt: at("pruned_at"),
});

export type StepStatus = "running" | "succeeded" | "failed" | "retrying" | "cancelled";

export const executionSteps = pgTable("execution_steps", {
  executionId: uuid("execution_id").notNull().references(() => workflowExecutions.id, { onDelete: "cascade" }),
  stepId: text("step_id").notNull(),
  workspaceId: workspaceId(),
  seq: integer("seq").notNull(),
  status: text("status").$type<StepStatus>().notNull(),
  attempts: integer("attempts").notNull().default(0),
  reused: boolean("reused").notNull().default(false),
  input: jsonb("input"),
  output: jsonb("output"),
  error: text("error"),
  startedAt: at("started_at"),
  finishedAt: at("finished_at"),
}, (t) => [primaryKey({ columns: [t.executionId, t.stepId] })]);

export const webhookDeliveries = pgTable("webhook_deliveries", {
  workflowId: uuid("workflow_id").notNull().references(() => workflows.id, { onDelete: "cascade" }),
  webhookId: text("webhook_id").notNull(),
  workspaceId: workspaceId(),
  executionId: uuid("execution_id").notNull().references(() => workflowExecutions.id, { onDelete: "cascade" }),
  receivedAt: at("received_at").notNull().defaultNow(),
  duplicates: integer("duplicates").notNull().default(0),
  lastDuplicateAt: at("last_duplicate_at"),
}, (t) => [primaryKey({ columns: [t.workflowId, t.webhookId] })]);

export const jobs = pgTable("jobs", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  workspaceId: uuid("workspace_id").references(() => workspaces.id, { onDelete: "cascade" }),
  queue: text("queue").notNull(),
  payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
  status: text("status").$type<ExecutionStatus>().notNull().default("queued"),
  attempts: integer("attempts").notNull().default(0),
  runAt: at("run_at").notNull().defaultNow(),
  lockedAt: at("locked_at"),
  lockedBy: text("locked_by"),
  lastError: text("last_error"),
  createdAt: createdAt(),
});

export const chatSessions = pgTable("chat_sessions", {
  id: id(),
  workspaceId: workspaceId(),
  userId: uuid("user_id"),
  title: text("title").notNull().default("New chat"),
  titleSource: text("title_source").$type<"auto" | "generated" | "user">().notNull().default("auto"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const chatMessages = pgTable("chat_messages", {
  id: id(),
  workspaceId: workspaceId(),
  sessionId: uuid("session_id").notNull().references(() => chatSessions.id, { onDelete: "cascade" }),
  role: text("role").$type<"system" | "user" | "assistant">().notNull(),
  parts: jsonb("parts").$type<unknown[]>().notNull().default([]),
  userId: uuid("user_id"),
  status: text("status").$type<"done" | "stopped" | "error">().notNull().default("done"),
  error: text("error"),
  model: text("model"),
  inputTokens: integer("input_tokens"),
  outputTokens: integer("output_tokens"),
  createdAt: createdAt(),
});

export const chatStreams = pgTable("chat_streams", {
  id: id(),
  workspaceId: workspaceId(),
  sessionId: uuid("session_id").notNull().references(() => chatSessions.id, { onDelete: "cascade" }),
  messageId: uuid("message_id").notNull(),
  status: text("status").$type<"active" | "done">().notNull().default("active"),
  stopRequested: boolean("stop_requested").notNull().default(false),
  heartbeatAt: at("heartbeat_at").notNull().defaultNow(),
  createdAt: createdAt(),
});

export const chatStreamChunks = pgTable("chat_stream_chunks", {
  streamId: uuid("stream_id").notNull().references(() => chatStreams.id, { onDelete: "cascade" }),
  seq: integer("seq").notNull(),
  workspaceId: workspaceId(),
  chunks: text("chunks").notNull(),
}, (t) => [primaryKey({ columns: [t.streamId, t.seq] })]);

export const llmUsageDaily = pgTable("llm_usage_daily", {
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  day: date("day", { mode: "string" }).notNull(),
  inputTokens: bigint("input_tokens", { mode: "number" }).notNull().default(0),
  outputTokens: bigint("output_tokens", { mode: "number" }).notNull().default(0),
  requests: integer("requests").notNull().default(0),
}, (t) => [primaryKey({ columns: [t.userId, t.day] })]);

export const workspaceLlmSettings = pgTable("workspace_llm_settings", {
  workspaceId: uuid("workspace_id").primaryKey().references(() => workspaces.id, { onDelete: "cascade" }),
  baseUrl: text("base_url"),
  model: text("model"),
  apiKeyCiphertext: bytea("api_key_ciphertext"),
  apiKeyKeyId: text("api_key_key_id"),
  updatedAt: updatedAt(),
});

export const artifacts = pgTable("artifacts", {
  id: id(),
  artifactId: uuid("artifact_id").notNull(),
  version: integer("version").notNull().default(1),
  workspaceId: workspaceId(),
  sessionId: uuid("session_id"),
  type: text("type").notNull(),
  name: text("name").notNull(),
  data: jsonb("data").notNull(),
  createdBy: uuid("created_by"),
  createdAt: createdAt(),
});

/** Query results by dataset version (db/queries/query_results.ts): computed once per sync. */
export const queryResults = pgTable("query_results", {
  datasetId: uuid("dataset_id").notNull().references(() => datasets.id, { onDelete: "cascade" }),
  queryKey: text("query_key").notNull(),
  version: bigint("version", { mode: "number" }).notNull(),
  workspaceId: workspaceId(),
  result: text("result").notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.datasetId, t.queryKey] })]);

/** Widget charts as drawn (db/queries/chart_drawings.ts): drawn once per widget and data version. */
export const chartDrawings = pgTable("chart_drawings", {
  key: text("key").primaryKey(),
  widgetId: uuid("widget_id").notNull().references(() => widgets.id, { onDelete: "cascade" }),
  workspaceId: workspaceId(),
  widgetVersion: bigint("widget_version", { mode: "number" }).notNull(),
  dataVersion: bigint("data_version", { mode: "number" }).notNull(),
  svg: text("svg").notNull(),
  createdAt: createdAt(),
});

export type User = typeof users.$inferSelect;
export type Workspace = typeof workspaces.$inferSelect;
