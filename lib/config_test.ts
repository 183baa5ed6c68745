import { equal, match, rejects } from "node:assert/strict";
import { databaseDriverFor, loadConfig } from "./config.ts";

Deno.test("databaseDriverFor() picks PGlite, TCP or Neon from the URL and the override", () => {
  equal(databaseDriverFor(undefined), "pglite");
  equal(databaseDriverFor("postgres://u@db.internal:5432/app"), "postgres");
  equal(databaseDriverFor("postgres://u:p@ep-cool-1234.us-east-2.aws.neon.tech/neondb"), "neon");
  equal(databaseDriverFor("postgres://u@127.0.0.1/app", "neon"), "neon");
});

Deno.test("loadConfig() generates a local APP_SECRET once, readable by its owner only", async () => {
  const dir = await Deno.makeTempDir();
  const logged: string[] = [];
  const first = await loadConfig({ DATA_DIR: dir }, (m) => logged.push(m));
  const second = await loadConfig({ DATA_DIR: dir }, (m) => logged.push(m));
  equal(first.appSecret, second.appSecret);
  equal(first.appSecret.length, 64);
  equal((await Deno.stat(`${dir}/app_secret`)).mode! & 0o777, 0o600);
  equal(logged.length, 1);
  match(logged[0], /generated one and stored it in .*app_secret \(mode 0600\)/);
  equal(first.database.driver, "pglite");
  equal(first.database.dataDir, `${dir}/pglite`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadConfig() refuses to start in production without APP_SECRET", async () => {
  await rejects(loadConfig({ DENO_DEPLOYMENT_ID: "abc" }), /Cannot start in production without APP_SECRET/);
  await rejects(loadConfig({ NODE_ENV: "production" }), /without APP_SECRET/);
  const ok = await loadConfig({ NODE_ENV: "production", APP_SECRET: "x".repeat(32), DATABASE_URL: "postgres://h/db" });
  equal(ok.production, true);
  equal(ok.database.driver, "postgres");
});

Deno.test("loadConfig() names the bad variable", async () => {
  await rejects(loadConfig({ PORT: "eighty", APP_SECRET: "x".repeat(32) }), /Cannot read the configuration: PORT:/);
  await rejects(loadConfig({ APP_SECRET: "short" }), /APP_SECRET must be at least 32 characters/);
  await rejects(loadConfig({ DATABASE_DRIVER: "neon", APP_SECRET: "x".repeat(32) }), /DATABASE_URL is not set/);
});

Deno.test("loadConfig() reads a variable set to the empty string as unset, for every variable", async () => {
  const dir = await Deno.makeTempDir();
  const blank = Object.fromEntries(
    [
      "PORT",
      "DATABASE_URL",
      "DATABASE_DRIVER",
      "APP_SECRET_PREVIOUS",
      "APP_URL",
      "OUTBOUND_ALLOW_HOSTS",
      "UPLOAD_MAX_MB",
      "OPENAI_API_KEY",
      "OPENAI_BASE_URL",
      "LLM_MODEL",
      "LLM_TIMEOUT_MS",
      "CHAT_DAILY_TOKEN_BUDGET",
      "CHAT_REQUESTS_PER_MINUTE",
      "SUPABASE_URL",
      "SUPABASE_ANON_KEY",
      "SUPABASE_JWT_SECRET",
      "LOG_LEVEL",
      "NODE_ENV",
      "DENO_DEPLOYMENT_ID",
    ].map((name) => [name, name === "LOG_LEVEL" ? "  " : ""]),
  );
  const config = await loadConfig({ ...blank, DATA_DIR: dir, APP_SECRET: "x".repeat(32) });
  const defaults = await loadConfig({ DATA_DIR: dir, APP_SECRET: "x".repeat(32) });
  equal(JSON.stringify(config), JSON.stringify(defaults));
  equal(config.llm.baseUrl, undefined);
  equal(config.production, false);
  // An empty APP_SECRET is as good as none: generated locally, refused in production.
  equal((await loadConfig({ DATA_DIR: dir, APP_SECRET: "" }, () => {})).appSecret.length, 64);
  await rejects(loadConfig({ NODE_ENV: "production", APP_SECRET: "" }), /without APP_SECRET/);
  await Deno.remove(dir, { recursive: true });
});
