/** `deno task start` as a user runs it: embedded PGlite in DATA_DIR, data kept across restarts. */
import { equal, match } from "node:assert/strict";
import { spawnServer } from "./support/spawn.ts";
import { readMigrations } from "../db/migrate.ts";

Deno.test({
  name: "the workspace starts on embedded PGlite, generates its secret, and keeps data across a restart",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "workspace-start-" });
    try {
      const first = await spawnServer({ DATA_DIR: dataDir });
      match(first.output(), /generated one and stored it in .*app_secret \(mode 0600\)/);
      // Every migration file, in order, applied on the new data folder.
      const versions = (await readMigrations()).map((m) => m.version);
      equal(versions[0], "0001_init");
      match(
        first.output(),
        new RegExp(`"msg":"migrations applied","versions":${RegExp.escape(JSON.stringify(versions))}`),
      );
      const signup = await fetch(`${first.url}/api/auth/signup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "keep@example.com", password: "persist-me-please" }),
      });
      equal(signup.status, 201);
      await signup.body?.cancel();
      await first.stop();
      equal((await Deno.stat(`${dataDir}/app_secret`)).mode! & 0o777, 0o600);

      const second = await spawnServer({ DATA_DIR: dataDir });
      try {
        const login = await fetch(`${second.url}/api/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: "keep@example.com", password: "persist-me-please" }),
        });
        equal(login.status, 200);
        await login.body?.cancel();
        equal(second.output().includes("migrations applied"), false, "nothing to migrate the second time");
        equal(second.output().includes("generated one"), false, "the secret is reused");
      } finally {
        await second.stop();
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the workspace starts with every setting present but empty, as .env files leave them",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "workspace-start-" });
    const empty = Object.fromEntries(
      ["OPENAI_BASE_URL", "OPENAI_API_KEY", "APP_URL", "SUPABASE_URL", "DATABASE_URL", "LOG_LEVEL", "APP_SECRET"]
        .map((name) => [name, ""]),
    );
    const server = await spawnServer({ ...empty, DATA_DIR: dataDir }, 180_000);
    try {
      const health = await fetch(`${server.url}/health`);
      equal(health.status, 200);
      await health.body?.cancel();
    } finally {
      await server.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the workspace refuses to start in production without APP_SECRET",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "workspace-start-" });
    try {
      const error = await spawnServer({ DATA_DIR: dataDir, NODE_ENV: "production" }, 20_000).catch((e) => e);
      match(String(error), /Cannot start in production without APP_SECRET/);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "in production the islands come from the bundle `deno task build` wrote",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const build = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", "--allow-env", "--allow-run", "--allow-net", "build.ts"],
      cwd: new URL("../", import.meta.url).pathname,
      env: { NO_COLOR: "1" },
    }).output();
    equal(build.code, 0, new TextDecoder().decode(build.stderr));
    const manifest = JSON.parse(await Deno.readTextFile(new URL("../_fresh/manifest.json", import.meta.url)));
    const dataDir = await Deno.makeTempDir({ prefix: "workspace-start-" });
    const server = await spawnServer({ DATA_DIR: dataDir, NODE_ENV: "production", APP_SECRET: "p".repeat(40) });
    try {
      const html = await (await fetch(`${server.url}/login`)).text();
      match(html, new RegExp(`/_fresh/js/${manifest.islands.ThemeToggle}`));
      const bundle = await fetch(`${server.url}/_fresh/js/${manifest.boot}`);
      equal(bundle.status, 200);
      equal(bundle.headers.get("cache-control"), "public, max-age=31536000, immutable");
      await bundle.body?.cancel();
      match(server.output(), /"level":"info","msg":"listening"/);
    } finally {
      await server.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
