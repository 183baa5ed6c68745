/** `deno task start` as a user runs it: embedded PGlite in DATA_DIR, data kept across restarts. */
import { equal, match } from "node:assert/strict";
import { spawnServer } from "./support/spawn.ts";

Deno.test({
  name: "the workspace starts on embedded PGlite, generates its secret, and keeps data across a restart",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "workspace-start-" });
    try {
      const first = await spawnServer({ DATA_DIR: dataDir });
      match(first.output(), /generated one and stored it in .*app_secret \(mode 0600\)/);
      match(first.output(), /"msg":"migrations applied","versions":\["0001_init"\]/);
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
