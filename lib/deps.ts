/** What `main.ts` builds and hands to `createApp`: nothing else reaches outside the process. */
import type { Config } from "./config.ts";
import type { Database } from "../db/client.ts";
import type { Logger } from "./log.ts";

/** The app's dependencies. Tests pass their own database, clock and logger. */
export interface AppDeps {
  config: Config;
  db: Database;
  log: Logger;
  now(): Date;
  /** For calls to outside services (Supabase Auth); tests may point it at local servers. */
  fetch: typeof fetch;
}

/** Facts about the request that audit rows and rate limits need. */
export interface RequestMeta {
  requestId?: string;
  ip?: string;
  userAgent?: string;
}
