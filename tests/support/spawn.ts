/**
 * Runs the workspace as users do: `main.ts` in its own Deno process, on a free port, until
 * stopped. Used by the start-up test and the benchmarks.
 */

/** A running workspace process. */
export interface SpawnedServer {
  url: string;
  /** The server's process id (for /proc/<pid>/status). */
  pid: number;
  /** Milliseconds from spawn to the first 200 on /health. */
  readyMs: number;
  output(): string;
  stop(): Promise<void>;
  /** Ends the process at once (SIGKILL): no shutdown code runs, as in a crash. */
  kill(): Promise<void>;
}

const ROOT = new URL("../../", import.meta.url).pathname;
const PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
  "--allow-run",
  "--allow-ffi",
];

/** A port nothing listens on right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts `main.ts` with `env` on a free port and waits for /health to answer 200. */
export async function spawnServer(env: Record<string, string>, timeoutMs = 60_000): Promise<SpawnedServer> {
  const url = `http://127.0.0.1:${freePort()}`;
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, ...(Deno.env.get("SPAWN_DENO_FLAGS")?.split(" ").filter(Boolean) ?? []), "main.ts"],
    cwd: ROOT,
    env: { PORT: new URL(url).port, NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk);
  };
  const collecting = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const status = child.status;
  let exited = false;
  status.then(() => (exited = true));

  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await status;
    await collecting;
  };
  while (true) {
    if (exited) throw new Error(`The server exited before it was ready:\n${text}`);
    if (performance.now() - started > timeoutMs) {
      await stop();
      throw new Error(`The server was not ready within ${timeoutMs} ms:\n${text}`);
    }
    const ok = await fetch(`${url}/health`).then(async (r) => (await r.body?.cancel(), r.ok)).catch(() => false);
    if (ok) {
      const kill = async () => {
        if (!exited) child.kill("SIGKILL");
        await status;
        await collecting;
      };
      return { url, pid: child.pid, readyMs: performance.now() - started, output: () => text, stop, kill };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
