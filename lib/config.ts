/** The workspace's configuration, read once from the environment and validated. */
import { z } from "zod";
import { join } from "node:path";
import ipaddr from "ipaddr.js";

/** An empty variable (`SYNC_TIMEOUT_MS=`) counts as unset, so the default applies. */
function emptyIsUnset<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === "" ? undefined : value), schema);
}

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  DATA_DIR: z.string().min(1).default("./.data"),
  DATABASE_URL: z.string().optional(),
  DATABASE_DRIVER: z.enum(["pglite", "postgres", "neon"]).optional(),
  APP_SECRET: z.string().min(32, "APP_SECRET must be at least 32 characters").optional(),
  /** Earlier APP_SECRETs, comma-separated: credentials they encrypted still decrypt until rotated. */
  APP_SECRET_PREVIOUS: z.string().optional(),
  APP_URL: z.url().optional(),
  /** Private hosts outbound requests may reach: hosts, host:port or CIDR ranges, comma-separated. */
  OUTBOUND_ALLOW_HOSTS: z.string().optional(),
  /** How long an outbound call (a source, a model endpoint) may stay silent: before its headers, between reads. */
  OUTBOUND_TIMEOUT_MS: emptyIsUnset(z.coerce.number().int().min(100).max(600_000).default(30_000)),
  /** The largest response this server reads from a source, in MiB. */
  SOURCE_MAX_MB: emptyIsUnset(z.coerce.number().int().min(1).max(10_240).default(64)),
  /** The longest a sync may run before it is stopped and marked failed. */
  SYNC_TIMEOUT_MS: emptyIsUnset(z.coerce.number().int().min(1000).default(30 * 60_000)),
  /** How often a running sync proves it is alive, and hears a cancel made in another process. */
  SYNC_HEARTBEAT_MS: emptyIsUnset(z.coerce.number().int().min(100).max(60_000).default(20_000)),
  /** How long a client may take to send a request body. */
  REQUEST_BODY_TIMEOUT_MS: emptyIsUnset(z.coerce.number().int().min(100).max(3_600_000).default(30_000)),
  /** The largest CSV upload, in MiB. */
  UPLOAD_MAX_MB: z.coerce.number().int().min(1).max(10_240).default(512),
  /** The most a source SQL result may bring in, in MiB (fractions allowed). */
  SQL_RESULT_MAX_MB: z.coerce.number().positive().max(1024).default(8),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  LLM_MODEL: z.string().optional(),
  /** How long the model may stay silent: before its first token, and between tokens. */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  /** Tokens (in and out) each user may spend a UTC day; 0 turns the budget off. */
  CHAT_DAILY_TOKEN_BUDGET: z.coerce.number().int().min(0).default(1_000_000),
  /** Chat messages each user may send a minute. */
  CHAT_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  /** Requests to public share links each client address may make a minute; 0 turns the limit off. */
  SHARE_REQUESTS_PER_MINUTE: z.coerce.number().int().min(0).default(120),
  /** Deliveries each workflow's webhook accepts a minute, counted before any verification; 0 turns the limit off. */
  WEBHOOK_REQUESTS_PER_MINUTE: emptyIsUnset(z.coerce.number().int().min(0).default(6000)),
  WORKFLOW_LEASE_MS: z.coerce.number().int().min(500).max(3_600_000).default(30_000),
  WORKFLOW_WORKERS: z.coerce.number().int().min(0).max(1000).default(16),
  SUPABASE_URL: z.url().optional(),
  SUPABASE_ANON_KEY: z.string().optional(),
  SUPABASE_JWT_SECRET: z.string().optional(),
  /** Proxies whose X-Forwarded-For is believed: IPs or CIDR ranges, comma-separated. */
  TRUSTED_PROXIES: z.string().optional().refine((v) => splitList(v).every(isIpOrCidr), {
    error: "TRUSTED_PROXIES must list IP addresses or CIDR ranges, comma-separated",
  }),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

export type DatabaseDriver = "pglite" | "postgres" | "neon";

/** Everything the app needs to know about where and how it runs. */
export interface Config {
  port: number;
  dataDir: string;
  production: boolean;
  database: { driver: DatabaseDriver; url?: string; dataDir?: string };
  appSecret: string;
  previousSecrets: string[];
  appUrl?: string;
  outboundAllowHosts: string[];
  uploadMaxBytes: number;
  /** Outbound calls: the longest silence, and the largest response read from a source. */
  outbound: { timeoutMs: number; sourceMaxBytes: number };
  sync: { timeoutMs: number; heartbeatMs: number };
  requestBodyTimeoutMs: number;
  sqlResultMaxBytes: number;
  llm: { apiKey?: string; baseUrl?: string; model?: string; timeoutMs: number };
  chat: { dailyTokenBudget: number; requestsPerMinute: number };
  share: { requestsPerMinute: number };
  webhooks: { requestsPerMinute: number };
  /** Workflow workers: executions each process runs at once (0: accept only), and their lease. */
  workflows: { workers: number; leaseMs: number };
  supabase: { url?: string; anonKey?: string; jwtSecret?: string };
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** Peers whose X-Forwarded-For names the client (IPs and CIDR ranges). */
  trustedProxies: string[];
}

/** Picks the driver: explicit `DATABASE_DRIVER`, a Neon host, any other URL, or embedded PGlite. */
export function databaseDriverFor(url: string | undefined, explicit?: DatabaseDriver): DatabaseDriver {
  if (explicit) return explicit;
  if (!url) return "pglite";
  if (/\.neon\.tech(?::\d+)?(?:\/|$)/.test(new URL(url).host + "/")) return "neon";
  return "postgres";
}

/**
 * Reads the configuration from `env`. In local mode a missing APP_SECRET is generated and kept in
 * DATA_DIR (mode 0600); in production it must be given.
 */
export async function loadConfig(
  env: Record<string, string | undefined> = Deno.env.toObject(),
  log: (message: string) => void = console.log,
): Promise<Config> {
  env = withoutEmpty(env);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Cannot read the configuration: ${problems}`);
  }
  const e = parsed.data;
  const production = Boolean(env.DENO_DEPLOYMENT_ID) || env.NODE_ENV === "production";
  const driver = databaseDriverFor(e.DATABASE_URL, e.DATABASE_DRIVER);
  if (driver !== "pglite" && !e.DATABASE_URL) {
    throw new Error(`Cannot use DATABASE_DRIVER "${driver}": DATABASE_URL is not set`);
  }
  const appSecret = e.APP_SECRET ?? (production ? undefined : await localSecret(e.DATA_DIR, log));
  if (!appSecret) {
    throw new Error("Cannot start in production without APP_SECRET: set it to 32 or more random characters");
  }
  return {
    port: e.PORT,
    dataDir: e.DATA_DIR,
    production,
    database: {
      driver,
      url: e.DATABASE_URL,
      dataDir: driver === "pglite" ? join(e.DATA_DIR, "pglite") : undefined,
    },
    appSecret,
    previousSecrets: splitList(e.APP_SECRET_PREVIOUS),
    appUrl: e.APP_URL,
    outboundAllowHosts: splitList(e.OUTBOUND_ALLOW_HOSTS),
    uploadMaxBytes: e.UPLOAD_MAX_MB * 1024 * 1024,
    outbound: { timeoutMs: e.OUTBOUND_TIMEOUT_MS, sourceMaxBytes: e.SOURCE_MAX_MB * 1024 * 1024 },
    sync: { timeoutMs: e.SYNC_TIMEOUT_MS, heartbeatMs: e.SYNC_HEARTBEAT_MS },
    requestBodyTimeoutMs: e.REQUEST_BODY_TIMEOUT_MS,
    sqlResultMaxBytes: Math.round(e.SQL_RESULT_MAX_MB * 1024 * 1024),
    llm: { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.LLM_MODEL, timeoutMs: e.LLM_TIMEOUT_MS },
    chat: { dailyTokenBudget: e.CHAT_DAILY_TOKEN_BUDGET, requestsPerMinute: e.CHAT_REQUESTS_PER_MINUTE },
    share: { requestsPerMinute: e.SHARE_REQUESTS_PER_MINUTE },
    webhooks: { requestsPerMinute: e.WEBHOOK_REQUESTS_PER_MINUTE },
    workflows: { workers: e.WORKFLOW_WORKERS, leaseMs: e.WORKFLOW_LEASE_MS },
    supabase: { url: e.SUPABASE_URL, anonKey: e.SUPABASE_ANON_KEY, jwtSecret: e.SUPABASE_JWT_SECRET },
    logLevel: e.LOG_LEVEL,
    trustedProxies: splitList(e.TRUSTED_PROXIES),
  };
}

/**
 * The variables that are set to something. `.env` files, compose files and CI templates leave
 * variables present but empty (`OPENAI_BASE_URL=`); every one of them means "not set", so its
 * default applies instead of a validation error (or a URL parse of "").
 */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ""),
  );
}

function splitList(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

function isIpOrCidr(entry: string): boolean {
  return ipaddr.isValid(entry) || (() => {
    try {
      ipaddr.parseCIDR(entry);
      return true;
    } catch {
      return false;
    }
  })();
}

/** Reads the generated local secret, or makes one; the file is readable by its owner only. */
async function localSecret(dataDir: string, log: (message: string) => void): Promise<string> {
  const path = join(dataDir, "app_secret");
  try {
    return (await Deno.readTextFile(path)).trim();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.mkdir(dataDir, { recursive: true });
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const secret = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  // createNew: two processes starting at once must not overwrite each other's secret.
  try {
    await Deno.writeTextFile(path, secret + "\n", { mode: 0o600, createNew: true });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return (await Deno.readTextFile(path)).trim();
    throw error;
  }
  log(`No APP_SECRET set: generated one and stored it in ${path} (mode 0600). Set APP_SECRET in production.`);
  return secret;
}
