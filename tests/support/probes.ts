/**
 * What the resilience tests watch on a spawned server while it works: its resident memory, read
 * from /proc, and how long `GET /health` takes, sampled on a fixed period.
 */
import type { SpawnedServer } from "./spawn.ts";

/** The process's resident set size in MiB (VmRSS of /proc/<pid>/status), or NaN once it is gone. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : NaN;
}

/** A sampler running until `stop()`, which returns what it saw. */
export interface Probe {
  stop(): Promise<{ peakRssMiB: number; healthMs: number[]; failures: number }>;
}

/**
 * Samples the server's RSS every 20 ms and times `GET /health` every `periodMs` (one request at
 * a time; a request still open when the next is due delays it, so a stall shows as one long
 * sample rather than many). A failed or non-200 health check counts in `failures`.
 */
export function probe(server: SpawnedServer, periodMs = 100): Probe {
  let running = true;
  let peakRssMiB = 0;
  const healthMs: number[] = [];
  let failures = 0;
  const memory = (async () => {
    while (running) {
      const rss = await rssMiB(server.pid);
      if (rss > peakRssMiB) peakRssMiB = rss;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const health = (async () => {
    while (running) {
      const started = performance.now();
      const ok = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(30_000) })
        .then(async (r) => (await r.body?.cancel(), r.ok)).catch(() => false);
      const took = performance.now() - started;
      healthMs.push(took);
      if (!ok) failures++;
      await new Promise((r) => setTimeout(r, Math.max(0, periodMs - took)));
    }
  })();
  return {
    async stop() {
      running = false;
      await Promise.all([memory, health]);
      return { peakRssMiB, healthMs, failures };
    },
  };
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Signs up on a spawned server; the session cookie and workspace id. */
export async function signUpOn(server: SpawnedServer): Promise<{ cookie: string; workspaceId: string }> {
  const res = await fetch(`${server.url}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify({
      email: `u-${crypto.randomUUID().slice(0, 8)}@example.com`,
      password: "correct horse battery",
      name: "Probe",
    }),
  });
  if (res.status !== 201) throw new Error(`Cannot sign up: ${res.status} ${await res.text()}`);
  const body = await res.json() as { workspace: { id: string } };
  return { cookie: res.headers.getSetCookie()[0].split(";")[0], workspaceId: body.workspace.id };
}

/** A JSON API call on a spawned server as the user behind `cookie`. */
export async function callOn(
  server: SpawnedServer,
  cookie: string,
  path: string,
  body?: unknown,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown; text: string }> {
  const res = await fetch(`${server.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", origin: server.url, cookie },
    body: body === undefined ? undefined : JSON.stringify(body),
    ...init,
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}
