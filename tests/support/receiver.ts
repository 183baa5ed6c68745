/**
 * A local HTTP receiver for http steps: it records every request (time, Idempotency-Key, body),
 * answers as the test's script says, and applies an "effect" once per idempotency key, as a
 * receiver that honours the header would. Can also run as its own process (for crash tests):
 * `deno run -A tests/support/receiver.ts` prints its URL and serves until killed.
 */

export interface Received {
  at: number;
  key: string | null;
  method: string;
  body: string;
}

export type Answer = { status: number; body?: unknown; delayMs?: number; hang?: boolean };

export interface Receiver {
  url: string;
  requests: Received[];
  /** Effects applied: one per distinct idempotency key that got a 2xx. */
  effects: Map<string, number>;
  /** Requests being handled right now, and the most there were at once. */
  inFlight(): number;
  maxInFlight(): number;
  script(fn: (request: Received, index: number) => Answer): void;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 at a free port. */
export function startReceiver(
  initial: (request: Received, index: number) => Answer = () => ({ status: 200 }),
): Receiver {
  let script = initial;
  const requests: Received[] = [];
  const effects = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  const hanging = new Set<() => void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const received: Received = {
      at: performance.now(),
      key: request.headers.get("idempotency-key"),
      method: request.method,
      body: await request.text(),
    };
    const index = requests.push(received) - 1;
    const answer = script(received, index);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (answer.hang) await new Promise<void>((resolve) => hanging.add(resolve));
      if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      if (answer.status < 300) {
        const key = received.key ?? `none-${index}`;
        if (!effects.has(key)) effects.set(key, effects.size + 1);
        return Response.json({ effect: effects.get(key), ...(answer.body as object ?? {}) }, { status: answer.status });
      }
      return Response.json(answer.body ?? { error: "scripted failure" }, { status: answer.status });
    } finally {
      inFlight--;
    }
  });
  const { port } = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    effects,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    script(fn) {
      script = fn;
    },
    async close() {
      for (const release of hanging) release();
      await server.shutdown();
    },
  };
}

if (import.meta.main) {
  // As a process: the first request to each key hangs for HANG_MS (time to kill a worker mid-step).
  const hangMs = Number(Deno.env.get("HANG_MS") ?? "0");
  const seen = new Set<string>();
  const receiver = startReceiver((request) => {
    const first = request.key !== null && !seen.has(request.key);
    if (request.key) seen.add(request.key);
    return first && hangMs ? { status: 200, delayMs: hangMs } : { status: 200 };
  });
  console.log(receiver.url);
  Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(`stats http://127.0.0.1:${port}`) },
    () =>
      Response.json({
        requests: receiver.requests.length,
        effects: [...receiver.effects.keys()],
        keys: receiver.requests.map((r) => r.key),
      }),
  );
}
