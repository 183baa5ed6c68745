/**
 * Chat latency: the time our server adds before the first token, and whether a long session costs
 * more than a new one. The workspace runs in its own process (main.ts on PGlite, or
 * BENCH_DATABASE_URL); the model is the tests' OpenAI wire server in this process, answering after
 * a fixed first-token delay. For every turn:
 *
 *   added = (request sent → first text-delta read by the client) − (model request arrived → its first token)
 *
 * so it holds admission, storing the question, loading the context, the hop to the model and the
 * relay back, and nothing of the model's own time.
 *
 *   deno run -A bench/chat.ts [turnsPerChat=6]
 */
import { type SpawnedServer, spawnServer } from "../tests/support/spawn.ts";
import { startFakeOpenAI } from "../tests/support/fake_openai.ts";
import { type Database, openDatabase } from "../db/client.ts";
import { sql } from "drizzle-orm";
import { asSystem } from "../db/rls.ts";
import { chatMessages } from "../db/schema.ts";
import { fixed, median, percentile } from "./_stats.ts";

// A model that answers in 150 ms and then streams ~50 tokens a second for about two seconds, as
// hosted models do: so 50 concurrent chats are 50 answers streaming at once.
const UPSTREAM_FIRST_TOKEN_MS = 150;
const ANSWER = "Rain fell on 641 of 1,461 days; sun on 640. ".repeat(9);
const LONG_SESSION_MESSAGES = 5_000;
/** The messages of history a turn sends the model (functions/chat/turn.ts). */
const CONTEXT_SIZE = 40;

const fake = startFakeOpenAI(() => ({
  text: ANSWER,
  pieceSize: 4,
  firstTokenDelayMs: UPSTREAM_FIRST_TOKEN_MS,
  chunkDelayMs: 20,
}));

interface Client {
  url: string;
  cookie: string;
}

async function signUp(server: SpawnedServer, email: string): Promise<Client & { workspaceId: string }> {
  const res = await fetch(`${server.url}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "benchmark-password" }),
  });
  const body = await res.json() as { workspace: { id: string } };
  return { url: server.url, cookie: res.headers.getSetCookie()[0].split(";")[0], workspaceId: body.workspace.id };
}

async function newChat(client: Client, title: string): Promise<string> {
  const res = await fetch(`${client.url}/api/chat/sessions`, {
    method: "POST",
    headers: { cookie: client.cookie, "content-type": "application/json", origin: client.url },
    body: JSON.stringify({ title }),
  });
  return (await res.json() as { id: string }).id;
}

/** One turn: the server-added milliseconds before the first token, and the whole turn's. */
async function turn(client: Client, sessionId: string): Promise<{ added: number; total: number }> {
  const question = `q-${crypto.randomUUID()}`;
  const sent = performance.now();
  const res = await fetch(`${client.url}/api/chat/sessions/${sessionId}/messages`, {
    method: "POST",
    headers: { cookie: client.cookie, "content-type": "application/json", origin: client.url },
    body: JSON.stringify({ content: question }),
  });
  if (res.status !== 200) throw new Error(`Turn refused: ${res.status} ${await res.text()}`);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let firstToken: number | undefined;
  for (let buffered = "";;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    if (firstToken === undefined && buffered.includes('"type":"text-delta"')) firstToken = performance.now();
  }
  // The stream ends once the answer is stored, so the next question can follow at once.
  const total = performance.now() - sent;
  const upstream = fake.firstTokenMs.get(question);
  if (firstToken === undefined || upstream === undefined) throw new Error("No token arrived");
  return { added: firstToken - sent - upstream, total };
}

/** Up to a second of reading before the next question: people do not ask in lockstep. */
const THINK_MS = 1000;

/** `chats` chats at once, each asking `turns` questions in a row. */
async function concurrentChats(client: Client, chats: number, turns: number) {
  const sessions = await Promise.all(Array.from({ length: chats }, (_, i) => newChat(client, `bench ${i}`)));
  await turn(client, sessions[0]); // warm-up: first model connection, first JIT
  const added: number[] = [];
  await Promise.all(sessions.map(async (id) => {
    for (let i = 0; i < turns; i++) {
      await new Promise((r) => setTimeout(r, Math.random() * THINK_MS));
      added.push((await turn(client, id)).added);
    }
  }));
  return added;
}

/** Seeds chats with messages straight into the database (PGlite: while the server is stopped). */
async function seedSessions(
  db: Database,
  workspaceId: string,
  sessions: { id: string; count: number }[],
): Promise<void> {
  for (const { id: sessionId, count } of sessions) {
    const start = Date.now() - count * 1000;
    for (let i = 0; i < count; i += 500) {
      await asSystem(
        db,
        (tx) =>
          tx.insert(chatMessages).values(Array.from({ length: Math.min(500, count - i) }, (_, j) => {
            const n = i + j;
            return {
              workspaceId,
              sessionId,
              role: n % 2 ? "assistant" as const : "user" as const,
              parts: [{ type: "text", text: n % 2 ? ANSWER : `Question ${n} about the weather?` }],
              createdAt: new Date(start + n * 1000),
            };
          })),
      );
    }
  }
  // Fresh statistics, as Postgres's autovacuum (or, for PGlite, the server's start) would give.
  await db.orm.execute(sql`analyze chat_messages`);
}

type Samples = { added: number[]; total: number[] };

export async function benchChat(turns = 6) {
  const dataDir = await Deno.makeTempDir({ prefix: "workspace-chat-bench-" });
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    OPENAI_BASE_URL: fake.url,
    LLM_MODEL: "bench-model",
    CHAT_REQUESTS_PER_MINUTE: "100000",
    CHAT_DAILY_TOKEN_BUDGET: "0",
  };
  const dbUrl = Deno.env.get("BENCH_DATABASE_URL");
  if (dbUrl) env.DATABASE_URL = dbUrl;
  let server = await spawnServer(env);
  try {
    const email = `bench-${crypto.randomUUID()}@example.com`;
    const client = await signUp(server, email);
    const rows: string[] = [];
    for (const chats of [1, 50]) {
      const added = await concurrentChats(client, chats, chats === 1 ? turns * 5 : turns);
      rows.push(
        `| ${chats} | ${added.length} | ${fixed(median(added), 1)} | ${fixed(percentile(added, 99), 1)} |`,
      );
    }

    // A 5,000-message chat against a new one and a 40-message one (the most the model is sent),
    // turn by turn in rotation so that all three see the same conditions.
    const sizes = [
      { name: "new chat", count: 0 },
      { name: "40-message chat", count: CONTEXT_SIZE },
      { name: `${LONG_SESSION_MESSAGES.toLocaleString("en-US")}-message chat`, count: LONG_SESSION_MESSAGES },
    ];
    const seeded = await Promise.all(
      sizes.slice(1).map(async (size) => ({ ...size, id: await newChat(client, size.name) })),
    );
    if (!dbUrl) await server.stop();
    const db = await openDatabase(
      dbUrl ? { driver: "postgres", url: dbUrl } : { driver: "pglite", dataDir: `${dataDir}/pglite` },
    );
    try {
      await seedSessions(db, client.workspaceId, seeded);
    } finally {
      await db.close();
    }
    if (!dbUrl) server = await spawnServer(env);
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "benchmark-password" }),
    });
    const again = { url: server.url, cookie: login.headers.getSetCookie()[0].split(";")[0] };
    await login.body?.cancel();
    const samples = new Map<string, Samples>(sizes.map((size) => [size.name, { added: [], total: [] }]));
    await turn(again, await newChat(again, "warm-up"));
    for (let i = 0; i < turns * 5; i++) {
      for (const size of sizes) {
        const id = seeded.find((s) => s.name === size.name)?.id ?? await newChat(again, `new ${i}`);
        const t = await turn(again, id);
        samples.get(size.name)!.added.push(t.added);
        samples.get(size.name)!.total.push(t.total);
      }
    }
    return { rows, samples };
  } finally {
    await server.stop();
    await fake.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const turns = Number(Deno.args[0] ?? 6);
  const { rows, samples } = await benchChat(turns);
  const database = Deno.env.get("BENCH_DATABASE_URL") ? "PostgreSQL" : "PGlite";
  console.log(`| ${database}: concurrent chats | turns | server-added time to first token p50 ms | p99 ms |`);
  console.log("| ---: | ---: | ---: | ---: |");
  for (const row of rows) console.log(row);
  console.log();
  const [fresh, forty, long] = [...samples.values()];
  console.log(`| ${database}: one turn, medians of ${fresh.added.length} | added ms | whole turn ms |`);
  console.log("| --- | ---: | ---: |");
  for (const [name, s] of samples) {
    console.log(`| ${name} | ${fixed(median(s.added), 1)} | ${fixed(median(s.total), 0)} |`);
  }
  const ratio = (a: Samples, b: Samples) =>
    `${fixed(median(a.added) / median(b.added), 2)} | ${fixed(median(a.total) / median(b.total), 2)}`;
  console.log(`| ratio 5,000 / new | ${ratio(long, fresh)} |`);
  console.log(`| ratio 5,000 / 40 | ${ratio(long, forty)} |`);
}
