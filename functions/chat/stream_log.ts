/**
 * The log of an answer in progress. Chunks are written to Postgres in small batches as they stream
 * (off the path to the client), so a reloaded page, a dropped connection or another process can
 * replay the answer from its start and follow it live. A heartbeat shows the writer is alive and
 * carries stop requests from other processes; when it stops, what the log holds is kept as the answer.
 */
import { and, eq, sql } from "drizzle-orm";
import { readUIMessageStream, type UIMessage, type UIMessageChunk } from "ai";
import type { AppDeps } from "../../lib/deps.ts";
import type { Db } from "../../db/client.ts";
import { asUser } from "../../db/rls.ts";
import { chatStreamChunks, chatStreams } from "../../db/schema.ts";
import { type ChatStreamRow, chunksAfter, findStream, insertMessage } from "../../db/queries/chat.ts";

/**
 * How long chunks wait to be written together: a follower is at most this far behind, and each
 * write is one statement, so fewer writes leave the database free for the next question.
 */
const FLUSH_MS = 250;
const HEARTBEAT_MS = 5_000;
/** An active stream whose heartbeat is older than this was cut off (a crash, an evicted isolate). */
export const STALE_STREAM_MS = 30_000;
const FOLLOW_POLL_MS = 100;
const FOLLOW_MAX_MS = 15 * 60_000;

/** Writes one stream's chunks. Internal bookkeeping of the server, so it runs as the system role. */
export class StreamLog {
  #pending: string[] = [];
  #seq = 0;
  #timer?: ReturnType<typeof setTimeout>;
  #writing: Promise<void> = Promise.resolve();
  readonly #heartbeat: ReturnType<typeof setInterval>;

  constructor(
    private readonly deps: AppDeps,
    private readonly stream: { id: string; workspaceId: string },
    onStopRequested: () => void,
  ) {
    this.#heartbeat = setInterval(() => {
      // Single statements run as the system role without a transaction: this is server bookkeeping.
      deps.db.orm.update(chatStreams).set({ heartbeatAt: sql`now()` }).where(eq(chatStreams.id, stream.id))
        .returning({ stop: chatStreams.stopRequested })
        .then(([row]) => row?.stop && onStopRequested())
        .catch((error) => deps.log.warn("chat heartbeat failed", { stream: stream.id, error: String(error) }));
    }, HEARTBEAT_MS);
  }

  append(chunk: UIMessageChunk): void {
    this.#pending.push(JSON.stringify(chunk));
    this.#timer ??= setTimeout(() => this.#flush(), FLUSH_MS);
  }

  /** Writes what is left and stops the heartbeat. */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#flush();
    await this.#writing;
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#pending.length) return;
    const chunks = this.#pending.join("\n");
    const seq = ++this.#seq;
    this.#pending = [];
    // One write at a time, in order: a follower must never see seq 3 before seq 2.
    this.#writing = this.#writing.then(async () => {
      await this.deps.db.orm.insert(chatStreamChunks).values({
        streamId: this.stream.id,
        seq,
        workspaceId: this.stream.workspaceId,
        chunks,
      });
    }).catch((error) =>
      this.deps.log.error("chat stream log write failed", { stream: this.stream.id, error: String(error) })
    );
  }
}

/** Parses the chunk lines of logged batches. */
function parseBatches(batches: { chunks: string }[]): UIMessageChunk[] {
  return batches.flatMap((b) => b.chunks.split("\n").map((line) => JSON.parse(line) as UIMessageChunk));
}

/**
 * Replays a stream's chunks from its start and follows it until it is done, as the UI message
 * stream protocol's SSE. Each poll reads the status before the chunks, so once it reads "done"
 * every chunk is already there.
 */
export function followStream(deps: AppDeps, userId: string, streamId: string): ReadableStream<string> {
  let lastSeq = 0;
  let cancelled = false;
  const started = Date.now();
  return new ReadableStream<string>({
    cancel() {
      cancelled = true;
    },
    async pull(controller) {
      while (!cancelled) {
        const { stream, batches } = await asUser(deps.db, userId, async (tx) => ({
          stream: await findStream(tx, streamId),
          batches: await chunksAfter(tx, streamId, lastSeq),
        }));
        if (batches.length) {
          lastSeq = batches.at(-1)!.seq;
          for (const chunk of parseBatches(batches)) controller.enqueue(`data: ${JSON.stringify(chunk)}\n\n`);
        }
        const ended = !stream || stream.status === "done" ||
          Date.now() - stream.heartbeatAt.getTime() > STALE_STREAM_MS || Date.now() - started > FOLLOW_MAX_MS;
        if (ended && !batches.length) {
          controller.enqueue("data: [DONE]\n\n");
          controller.close();
          return;
        }
        if (batches.length) return;
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
      }
    },
  });
}

/** The message a logged stream had built so far, as the client would have seen it. */
export async function messageFromLog(tx: Db, stream: ChatStreamRow): Promise<UIMessage | undefined> {
  const chunks = parseBatches(await chunksAfter(tx, stream.id, 0))
    .filter((c) => c.type !== "error" && c.type !== "abort");
  let last: UIMessage | undefined;
  const source = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  for await (const message of readUIMessageStream({ stream: source })) last = message;
  return last;
}

/**
 * Stores the answer of a stream whose process died mid-answer (its heartbeat stopped): what the log
 * holds, marked as an error the user can retry. False when the stream is alive. Runs in the
 * caller's transaction.
 */
export async function endStaleStream(deps: AppDeps, tx: Db, stream: ChatStreamRow): Promise<boolean> {
  if (stream.heartbeatAt.getTime() > deps.now().getTime() - STALE_STREAM_MS) return false;
  // Claimed first, so two readers finding the same dead stream store its answer once.
  const [claimed] = await tx.update(chatStreams).set({ status: "done" })
    .where(and(eq(chatStreams.id, stream.id), eq(chatStreams.status, "active"))).returning({ id: chatStreams.id });
  if (!claimed) return true;
  const partial = await messageFromLog(tx, stream);
  await insertMessage(tx, {
    id: stream.messageId,
    workspaceId: stream.workspaceId,
    sessionId: stream.sessionId,
    role: "assistant",
    parts: partial?.parts ?? [],
    status: "error",
    error: "The answer was cut off when the server stopped: retry to ask again",
  });
  return true;
}
