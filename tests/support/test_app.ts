/**
 * The real app on a test database, driven in-process with `app.request` (no sockets), plus the
 * few steps every test repeats: sign up, call the API with a cookie or a token.
 */
import { createApp } from "../../lib/app.ts";
import { loadConfig } from "../../lib/config.ts";
import type { AppDeps } from "../../lib/deps.ts";
import { createLogger } from "../../lib/log.ts";
import type { DatabaseDriver } from "../../lib/config.ts";
import { openTestDatabase, testBackends, type TestDatabase } from "./databases.ts";

/** A running app and what tests need to reach into. */
export interface TestApp {
  driver: DatabaseDriver;
  deps: AppDeps;
  database: TestDatabase;
  /** Every log line the app wrote, for tests that check what was (not) logged. */
  logs: string[];
  fetch: (req: Request, env?: unknown) => Response | Promise<Response>;
  call(path: string, options?: CallOptions): Promise<ApiResult>;
  signUp(input?: { email?: string; password?: string; name?: string }): Promise<SignedUp>;
  close(): Promise<void>;
}

/** A request as tests write them. */
export interface CallOptions {
  method?: string;
  /** JSON-encoded unless it is a string already. */
  body?: unknown;
  cookie?: string;
  token?: string;
  headers?: Record<string, string>;
  /** The client address the server sees. */
  ip?: string;
}

/** A response with its body read. */
export interface ApiResult {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** A signed-up user and their session cookie (`session=…`). */
export interface SignedUp {
  user: { id: string; email: string; name: string };
  workspace: { id: string; name: string };
  cookie: string;
  email: string;
  password: string;
}

export const TEST_SECRET = "test-secret-that-is-long-enough-0123456789";
export const ORIGIN = "http://localhost";

/** Starts the app on a fresh database of `driver`. */
export async function startTestApp(
  driver: DatabaseDriver,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const database = await openTestDatabase(driver);
  const logs: string[] = [];
  const config = await loadConfig({ APP_SECRET: TEST_SECRET, DATA_DIR: "/nonexistent", ...env });
  const deps: AppDeps = {
    config,
    db: database.db,
    log: createLogger("debug", (line) => logs.push(line)),
    now: () => new Date(),
    fetch: globalThis.fetch,
  };
  const { app, ready } = await createApp(deps);
  await ready;

  async function call(path: string, options: CallOptions = {}): Promise<ApiResult> {
    const headers = new Headers(options.headers);
    let body: BodyInit | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    if (options.cookie) headers.set("cookie", options.cookie);
    if (options.token) headers.set("authorization", `Bearer ${options.token}`);
    const method = options.method ?? (body === undefined ? "GET" : "POST");
    if (!["GET", "HEAD"].includes(method) && !headers.has("origin")) headers.set("origin", ORIGIN);
    const res = await app.fetch(
      new Request(ORIGIN + path, { method, headers, body }),
      { remoteAddr: { transport: "tcp", hostname: options.ip ?? "127.0.0.1", port: 50000 } },
    );
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: tests read .text
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  async function signUp(input: { email?: string; password?: string; name?: string } = {}): Promise<SignedUp> {
    const email = input.email ?? `user-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const password = input.password ?? "correct horse battery";
    const res = await call("/api/auth/signup", { body: { email, password, name: input.name ?? "Test User" } });
    if (res.status !== 201) throw new Error(`Cannot sign up: ${res.status} ${res.text}`);
    const body = res.body as { user: SignedUp["user"]; workspace: SignedUp["workspace"] };
    return { ...body, cookie: cookieFrom(res.headers), email, password };
  }

  return {
    driver,
    deps,
    database,
    logs,
    fetch: (req, env) => app.fetch(req, env),
    call,
    signUp,
    close: () => database.close(),
  };
}

/** The `name=value` pair of a response's session cookie. */
export function cookieFrom(headers: Headers): string {
  const setCookie = headers.getSetCookie().find((c) => /^(__Host-)?session=/.test(c));
  if (!setCookie) throw new Error("No session cookie was set");
  return setCookie.split(";")[0];
}

/**
 * Registers `fn` as one test per backend, each sharing one app per file and backend. Database
 * pools outlive single tests, so the resource sanitizers are off for these.
 */
export function testEachBackend(
  name: string,
  fn: (t: TestApp) => Promise<void>,
  env: Record<string, string> = {},
) {
  for (const driver of testBackends()) {
    Deno.test({
      name: `${name} [${driver}]`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => fn(await sharedApp(driver, env)),
    });
  }
}

const apps = new Map<string, Promise<TestApp>>();

function sharedApp(driver: DatabaseDriver, env: Record<string, string>): Promise<TestApp> {
  const key = `${driver}:${JSON.stringify(env)}`;
  let app = apps.get(key);
  if (!app) apps.set(key, app = startTestApp(driver, env));
  return app;
}

/** Closes this file's shared apps; register it after the file's last test. */
export function closeSharedAppsAfterAll() {
  Deno.test({
    name: "(close test databases)",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      for (const app of apps.values()) await (await app).close();
      apps.clear();
    },
  });
}
