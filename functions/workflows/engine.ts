/**
 * The workflow engine: workers that claim executions from Postgres and run their steps. Several
 * processes (or Deploy isolates) share one database: a claim takes a lease that a heartbeat
 * renews, and an execution whose worker died is claimable again once its lease has run out. Each
 * step's output is checkpointed before the next step starts, so a resumed execution skips what
 * finished. Failures retry with exponential backoff and equal jitter (AWS Architecture Blog,
 * "Exponential Backoff and Jitter") up to the workflow's attempts; errors a retry cannot fix fail
 * at once. A database outage makes the worker back off and come back by itself.
 */
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../../lib/json_shape.ts";
import type { AppDeps } from "../../lib/deps.ts";
import { ApiError } from "../../lib/http/errors.ts";
import { isDatabaseUnavailable } from "../../db/client.ts";
import { postgresCode } from "../../lib/http/error_handler.ts";
import { vaultFor } from "../../lib/crypto/vault.ts";
import {
  anyExecutionDue,
  claimExecutions,
  type FinishedStep,
  finishExecution,
  finishSteps,
  renewLeases,
  retryLater,
  startStep,
  startSteps,
  type SucceededExecution,
  succeedExecutions,
} from "../../db/queries/workflow_queue.ts";
import {
  type ExecutionRow,
  type ExecutionStepRow,
  findWorkflows,
  listStepsOfExecutions,
  type WorkflowRow,
} from "../../db/queries/workflows.ts";
import { type Step, WorkflowConfig } from "./definition.ts";
import { stepType } from "./steps/registry.ts";
import { ExpressionError } from "./steps/expressions.ts";
import { type StepContext, StepFailure } from "./steps/types.ts";
import { capped, jsonSize, storable } from "./json.ts";
import { groupCommit } from "../../lib/group_commit.ts";

/** The largest output a step may produce (it is kept for later steps and for resuming). */
export const MAX_OUTPUT_CHARS = 1024 * 1024;
/** How much of a step's input is kept for display. */
const INPUT_PREVIEW_CHARS = 16 * 1024;
const RESULTS_PREVIEW_CHARS = 64 * 1024;

/** Where a workflow's sealed secret headers are bound (the vault's additional data). */
export const secretsRecord = (workflowId: string) => `workflow-secrets:${workflowId}`;

/** Engine settings; tests and the benchmark shorten them. */
export interface EngineOptions {
  /** Executions this process runs at once. */
  workers?: number;
  leaseMs?: number;
  /** How often an idle worker looks for due work. */
  pollMs?: number;
}

/** The delay before retry number `attempt` (1 = after the first failure): base·2^(n-1), capped, equal jitter. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * ceiling / 2);
}

/** Whether a retry could succeed: not for bad input, refusals, or a receiver's 4xx. */
function retryable(error: unknown): boolean {
  if (error instanceof StepFailure) return error.retryable;
  if (error instanceof ExpressionError) return false;
  if (error instanceof ApiError) return error.status >= 500 || error.status === 409 || error.status === 429;
  if (postgresCode(error) === "42501") return false;
  return true;
}

function messageOf(error: unknown): string {
  const domain = error instanceof StepFailure || error instanceof ApiError || error instanceof ExpressionError;
  // The database's own text (a failed query quotes its SQL and parameters) is for the log, not users.
  const code = domain ? undefined : postgresCode(error);
  if (code === "42501") {
    return "The workflow's owner may no longer change this workspace: an owner or editor must save the workflow again";
  }
  if (code) return `The database refused this step's work (PostgreSQL error ${code}): run it again, or edit the step`;
  if (error instanceof Error) return error.message.slice(0, 2000);
  return String(error).slice(0, 2000);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a database write, again after a connection failure (a restart, a dropped socket): a
 * step's effect has happened, so its checkpoint is worth waiting for. Gives up after ~30 s.
 */
async function persist<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || attempt >= 8) throw error;
      await sleep(Math.min(5000, 100 * 2 ** attempt));
    }
  }
}

/** What a claimed batch of executions needs before it runs, read once for the whole batch. */
interface Loaded {
  workflows: Map<string, WorkflowRow>;
  steps: Map<string, ExecutionStepRow[]>;
  /** Fresh executions whose first step was started with the batch: its attempt, or null when the lease was gone. */
  started: Map<string, number | null>;
}

/** What the first step of an execution sees: the trigger, and no step outputs yet. */
function contextOf(row: ExecutionRow): StepContext {
  const input = (row.input ?? {}) as { payload?: unknown; encoding?: "base64"; headers?: Record<string, string> };
  return {
    trigger: {
      type: row.trigger,
      payload: input.payload ?? null,
      headers: input.headers ?? {},
      ...(input.encoding ? { encoding: input.encoding } : {}),
    },
    steps: {},
  };
}

/** The steps an execution runs: its snapshot, or the workflow's for an execution made before snapshots. */
function stepsOf(row: ExecutionRow, workflow: WorkflowRow): Step[] {
  return (row.steps as Step[]).length ? row.steps as Step[] : workflow.steps as Step[];
}

/** How long a sweep with nothing to claim waits for due work held back by others' slots. */
const SWEEP_GRACE_MS = 5_000;

/** One process's workers. */
export class WorkflowEngine {
  readonly workerId = `${Deno.hostname?.() ?? "worker"}:${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
  readonly #deps: AppDeps;
  readonly #workers: number;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Executions kicked in this turn of the event loop, claimed together in one round trip. */
  readonly #kicked = new Set<string>();
  #kickTimer?: ReturnType<typeof setTimeout>;
  #kicking?: Promise<void>;
  /** More due work may be waiting: the last claim filled every free slot, or a kick found none free. */
  #backlog = false;
  #running = false;
  /** Ends the loop's current sleep; `#woken` keeps a wake that came while the loop was claiming. */
  #sleeper?: { resolve: () => void; wakeable: boolean };
  #woken = false;
  #heartbeat?: ReturnType<typeof setInterval>;
  #loopDone?: Promise<void>;
  /**
   * Checkpoints with group commit: executions that finish a step while another's checkpoint is in
   * flight share the next statement and commit (each still fenced on its own lease, and each
   * execution waits for its own before it goes on).
   */
  readonly #finishStep: (step: FinishedStep) => Promise<{ saved: boolean; attempts?: number }>;
  readonly #succeed: (execution: SucceededExecution) => Promise<boolean>;

  constructor(deps: AppDeps, options: EngineOptions = {}) {
    this.#deps = deps;
    const together = { maxItems: 64, maxInFlight: 2 };
    this.#finishStep = groupCommit((steps: FinishedStep[]) => finishSteps(deps.db.orm, steps), together);
    this.#succeed = groupCommit((done: SucceededExecution[]) => succeedExecutions(deps.db.orm, done), together);
    this.#workers = options.workers ?? deps.config.workflows.workers;
    this.#leaseMs = options.leaseMs ?? deps.config.workflows.leaseMs;
    this.#pollMs = options.pollMs ?? 1000;
  }

  /** Starts the polling loop and the heartbeat, for the life of the process. */
  start(): void {
    if (this.#running || this.#workers === 0) return;
    this.#running = true;
    this.#startHeartbeat();
    this.#loopDone = this.#loop();
  }

  /** Stops looking for work, waits (up to `graceMs`) for running executions, and releases the rest. */
  async stop(graceMs = 5000): Promise<void> {
    this.#running = false;
    this.#sleeper?.resolve();
    await this.#loopDone;
    const settled = Promise.allSettled([...this.#active.values()].map((a) => a.done));
    const timer = setTimeout(() => {
      for (const a of this.#active.values()) a.controller.abort();
    }, graceMs);
    await settled;
    clearTimeout(timer);
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  /**
   * Runs `executionId` now if a worker is free (an accepted delivery starts in the request's
   * isolate). Kicks within one turn of the event loop are claimed together: under a burst of
   * deliveries, one claim (and one turn of its advisory lock) serves many.
   */
  kick(executionId: string): void {
    if (this.#workers === 0 || this.#active.has(executionId)) return;
    this.#kicked.add(executionId);
    this.#kickTimer ??= setTimeout(() => this.#claimKicked(), 0);
  }

  #claimKicked(): void {
    this.#kickTimer = undefined;
    if (this.#kicking) return; // it claims what came meanwhile when it is done
    const ids = [...this.#kicked].filter((id) => !this.#active.has(id));
    this.#kicked.clear();
    const free = this.#workers - this.#active.size;
    if (ids.length > free) this.#noteBacklog();
    const claim = ids.slice(0, Math.max(0, free));
    if (!claim.length) return;
    this.#kicking = claimExecutions(this.#deps.db.orm, {
      owner: this.workerId,
      leaseMs: this.#leaseMs,
      limit: claim.length,
      ids: claim,
    })
      .then((rows) => this.#launchAll(rows))
      .catch((error) => this.#deps.log.warn("workflow kick failed", { error: messageOf(error) }))
      .finally(() => {
        this.#kicking = undefined;
        if (this.#kicked.size) this.#claimKicked();
      });
  }

  /** Due work is waiting that this process had no slot for: the loop claims it as slots free up. */
  #noteBacklog(): void {
    this.#backlog = true;
    this.#wakeLoop();
  }

  /**
   * Claims and runs due executions until none is left or `budgetMs` has passed, then waits for
   * them: the sweep that `Deno.cron` runs on Deploy, and what tests call to drain the queue.
   */
  async sweep(budgetMs = 50_000): Promise<number> {
    const until = Date.now() + budgetMs;
    let ran = 0;
    let idleSince = Date.now();
    this.#startHeartbeat();
    while (Date.now() < until) {
      const free = Math.max(1, this.#workers) - this.#active.size;
      const rows = free > 0
        ? await claimExecutions(this.#deps.db.orm, { owner: this.workerId, leaseMs: this.#leaseMs, limit: free })
        : [];
      this.#launchAll(rows);
      ran += rows.length;
      if (rows.length || this.#active.size) idleSince = Date.now();
      // Done when idle, unless work is due that another engine's executions (a kick's, another
      // process's) keep from being claimed by holding the workflow's concurrency slots: then wait
      // a little for those slots, not the whole budget.
      else if (!this.#kicking && this.#kickTimer === undefined) {
        if (Date.now() - idleSince > SWEEP_GRACE_MS || !await anyExecutionDue(this.#deps.db.orm)) break;
      }
      await Promise.race([...this.#active.values()].map((a) => a.done).concat(sleep(50)));
    }
    await this.idle();
    if (!this.#running && this.#heartbeat !== undefined) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
    return ran;
  }

  /** Resolves when nothing runs in this process. */
  async idle(): Promise<void> {
    while (this.#active.size) await Promise.allSettled([...this.#active.values()].map((a) => a.done));
  }

  #startHeartbeat() {
    if (this.#heartbeat !== undefined) return;
    const timer = setInterval(() => this.#beat(), Math.max(100, Math.floor(this.#leaseMs / 3)));
    Deno.unrefTimer(timer);
    this.#heartbeat = timer;
  }

  async #beat() {
    const ids = [...this.#active.keys()];
    if (!ids.length) return;
    try {
      const held = new Set(await renewLeases(this.#deps.db.orm, this.workerId, ids, this.#leaseMs));
      // Cancelled, or taken over after we stalled: stop working on it.
      for (const id of ids) if (!held.has(id)) this.#active.get(id)?.controller.abort();
    } catch (error) {
      this.#deps.log.warn("workflow heartbeat failed", { error: messageOf(error) });
    }
  }

  async #loop() {
    let backoff = 0;
    while (this.#running) {
      const free = this.#workers - this.#active.size;
      if (free > 0) {
        try {
          const rows = await claimExecutions(this.#deps.db.orm, {
            owner: this.workerId,
            leaseMs: this.#leaseMs,
            limit: free,
          });
          this.#launchAll(rows);
          if (backoff) this.#deps.log.info("workflow worker reconnected", { worker: this.workerId });
          backoff = 0;
          // A full claim means more may be queued: claim again as soon as enough slots free up
          // (#launch wakes the loop), not at the next poll.
          this.#backlog = rows.length === free;
        } catch (error) {
          backoff = Math.min(10_000, Math.max(250, backoff * 2));
          this.#deps.log.warn("workflow worker cannot claim; backing off", {
            error: messageOf(error),
            retry_in_ms: backoff,
          });
          await this.#sleep(backoff, false);
          continue;
        }
      }
      await this.#sleep(this.#pollMs);
    }
  }

  /**
   * Slots that free up are claimed for in batches of about a quarter of the workers: a claim per
   * finished execution cost a transaction and a turn of the claim lock each (four round trips),
   * as much as the execution's own writes.
   */
  get #batch(): number {
    return Math.max(1, Math.ceil(this.#workers / 4));
  }

  #wakeLoop(): void {
    if (this.#sleeper?.wakeable) this.#sleeper.resolve();
    else this.#woken = true;
  }

  /** Waits `ms`, or until woken (new work, free slots) when `wakeable`. */
  #sleep(ms: number, wakeable = true): Promise<void> {
    if (wakeable && this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#sleeper = undefined;
        this.#woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      Deno.unrefTimer(timer);
      this.#sleeper = { resolve: done, wakeable };
    });
  }

  /** Starts a claimed batch, reading what its executions need in one round trip each for the batch. */
  #launchAll(rows: ExecutionRow[]): void {
    if (!rows.length) return;
    const db = this.#deps.db.orm;
    const loaded: Promise<Loaded> = Promise.all([
      findWorkflows(db, [...new Set(rows.map((r) => r.workflowId))]),
      listStepsOfExecutions(db, rows.map((r) => r.id)),
    ]).then(async ([found, steps]) => {
      const workflows = new Map(found.map((w) => [w.id, w]));
      const byExecution = new Map<string, ExecutionStepRow[]>();
      for (const step of steps) {
        const list = byExecution.get(step.executionId) ?? [];
        list.push(step);
        byExecution.set(step.executionId, list);
      }
      // Executions that never ran a step start their first one together: one statement for the
      // batch instead of one each. The rest (resumed, re-run, ownerless) start as before.
      const first = rows.flatMap((row) => {
        const workflow = workflows.get(row.workflowId);
        const step = workflow?.createdBy && !byExecution.has(row.id) ? stepsOf(row, workflow)[0] : undefined;
        if (!step) return [];
        return [{
          executionId: row.id,
          workspaceId: row.workspaceId,
          stepId: step.id,
          seq: 1,
          input: capped(contextOf(row), INPUT_PREVIEW_CHARS), // read back from jsonb: storable already
        }];
      });
      const attempts = await persist(() => startSteps(db, this.workerId, first));
      const started = new Map(first.map((f) => [f.executionId, attempts.get(f.executionId) ?? null]));
      return { workflows, steps: byExecution, started };
    });
    loaded.catch(() => {}); // each execution reports it
    for (const row of rows) this.#launch(row, loaded);
  }

  #launch(row: ExecutionRow, loaded: Promise<Loaded>) {
    const controller = new AbortController();
    const done = this.#execute(row, loaded, controller.signal)
      .catch((error) => {
        // The lease runs out and another worker (or this one) resumes it from its checkpoints.
        this.#deps.log.error("workflow execution interrupted", { execution_id: row.id, error: messageOf(error) });
      })
      .finally(() => {
        this.#active.delete(row.id);
        const free = this.#workers - this.#active.size;
        if (this.#backlog && (free >= this.#batch || this.#active.size === 0)) this.#wakeLoop();
      });
    this.#active.set(row.id, { controller, done });
  }

  async #execute(row: ExecutionRow, loaded: Promise<Loaded>, signal: AbortSignal): Promise<void> {
    const db = this.#deps.db.orm;
    const owner = this.workerId;
    const batch = await loaded;
    const workflow = batch.workflows.get(row.workflowId);
    if (!workflow) return;
    const parsed = WorkflowConfig.safeParse(workflow.config);
    const config = parsed.success ? parsed.data : WorkflowConfig.parse({});
    const steps = stepsOf(row, workflow);
    // A finished step's output waits here until the next write, which carries it: the next step's
    // start, or the execution's end. Either way it is stored before anything else happens.
    let pending: { stepId: string; output: unknown } | undefined;
    /** Writes a pending checkpoint on its own; false when the lease is gone. */
    const flush = async () => {
      const step = pending;
      pending = undefined;
      if (!step) return true;
      return (await persist(() => this.#finishStep({ executionId: row.id, owner, ...step }))).saved;
    };
    const fail = async (error: string, failedStep?: string) => {
      if (!await flush()) return;
      const { followUp } = await persist(() =>
        finishExecution(db, {
          executionId: row.id,
          owner,
          status: "failed",
          error,
          failedStep,
          onFailure: config.on_failure
            ? { workflowId: config.on_failure, input: { workflow_id: row.workflowId, execution_id: row.id, error } }
            : undefined,
        })
      );
      if (followUp) this.kick(followUp);
    };
    const userId = workflow.createdBy;
    if (!userId) return void await fail("The workflow's owner no longer exists: save the workflow again to own it");

    const done = new Map((batch.steps.get(row.id) ?? []).map((s) => [s.stepId, s]));
    const context = contextOf(row);
    let seq = Math.max(0, ...[...done.values()].map((s) => s.seq)) + 1;
    let secrets: Record<string, Record<string, string>> | undefined;
    let last: unknown = null;
    for (let i = 0; i < steps.length;) {
      // Stopping (or cancelled): what finished is kept, if the lease still allows it.
      if (signal.aborted) return void await flush();
      const step = steps[i];
      const prior = done.get(step.id);
      let output: unknown;
      if (prior?.status === "succeeded") {
        output = prior.output;
      } else {
        if (prior && prior.attempts >= config.retries.attempts) {
          const reason = prior.error ?? "its worker stopped in the middle of it";
          return void await fail(`Step "${step.id}" failed after ${prior.attempts} attempts: ${reason}`, step.id);
        }
        const started = {
          stepId: step.id,
          workspaceId: row.workspaceId,
          seq: seq++,
          input: capped(context, INPUT_PREVIEW_CHARS), // its input and outputs were made storable when stored
        };
        const previous = pending;
        pending = undefined;
        const preStarted = batch.started.get(row.id);
        batch.started.delete(row.id); // only the first step was started with the batch
        const attempt = preStarted !== undefined
          ? preStarted ?? undefined
          : previous
          ? (await persist(() => this.#finishStep({ executionId: row.id, owner, ...previous, next: started }))).attempts
          : await persist(() => startStep(db, { executionId: row.id, owner, ...started }));
        if (attempt === undefined) return;
        try {
          if (step.type === "http" && secrets === undefined) secrets = await this.#secrets(workflow);
          const result = await this.#runStep(step, {
            workflow,
            row,
            userId,
            context,
            secrets: secrets?.[step.id] ?? {},
            signal,
            timeoutMs: config.timeout_ms,
          });
          // A receiver's answer or a transform can nest without limit; what stores, shows and passes
          // outputs on recurses, so a value past any real one's depth stops here (lib/json_shape.ts).
          if (nestsDeeperThan(result, MAX_JSON_DEPTH)) {
            throw new StepFailure(`The output nests more than ${MAX_JSON_DEPTH} levels deep: make it flatter`, false);
          }
          output = storable(result);
          if (jsonSize(output) > MAX_OUTPUT_CHARS) {
            throw new StepFailure(`The output is over ${MAX_OUTPUT_CHARS / 1024} KiB: make it smaller`, false);
          }
        } catch (error) {
          if (signal.aborted) return;
          const message = messageOf(error);
          if (postgresCode(error)) {
            this.#deps.log.warn("workflow step refused by the database", {
              execution_id: row.id,
              step: step.id,
              error: String(error),
            });
          }
          if (retryable(error) && attempt < config.retries.attempts) {
            const delay = backoffDelay(attempt, config.retries.backoff_ms, config.retries.max_backoff_ms);
            const queued = await persist(() =>
              retryLater(db, { executionId: row.id, owner, stepId: step.id, error: message, delayMs: delay })
            );
            if (queued) {
              const timer = setTimeout(() => this.kick(row.id), delay + 5);
              Deno.unrefTimer(timer);
            }
            return;
          }
          const tries = attempt > 1 ? ` after ${attempt} attempts` : "";
          return void await fail(`Step "${step.id}" failed${tries}: ${message}`, step.id);
        }
        pending = { stepId: step.id, output };
      }
      context.steps[step.id] = { output };
      last = output;
      if (step.type === "condition") {
        const next = (output as { next?: string | null })?.next;
        if (next === "end") break;
        if (next) {
          const at = steps.findIndex((s) => s.id === next);
          i = at > i ? at : i + 1;
          continue;
        }
      }
      i++;
    }
    const results = capped(last, RESULTS_PREVIEW_CHARS);
    const step = pending;
    await persist(() => this.#succeed({ executionId: row.id, owner, results, step }));
  }

  async #runStep(
    step: Step,
    run: {
      workflow: WorkflowRow;
      row: ExecutionRow;
      userId: string;
      context: StepContext;
      secrets: Record<string, string>;
      signal: AbortSignal;
      timeoutMs: number;
    },
  ): Promise<unknown> {
    const module = stepType(step.type);
    const timeout = AbortSignal.timeout(run.timeoutMs);
    const signal = AbortSignal.any([run.signal, timeout]);
    const work = module.run({
      deps: this.#deps,
      config: step.config,
      context: run.context,
      workspaceId: run.row.workspaceId,
      workflowId: run.workflow.id,
      executionId: run.row.id,
      stepId: step.id,
      userId: run.userId,
      secrets: run.secrets,
      signal,
    });
    // A step that does not watch its signal still ends at the timeout.
    const timedOut = new Promise<never>((_, reject) => {
      signal.addEventListener("abort", () => {
        reject(
          timeout.aborted
            ? new StepFailure(`The step did not finish within ${run.timeoutMs / 1000} s`, true)
            : new StepFailure("Cancelled", false),
        );
      }, { once: true });
    });
    timedOut.catch(() => {});
    return await Promise.race([work, timedOut]);
  }

  async #secrets(workflow: WorkflowRow): Promise<Record<string, Record<string, string>>> {
    if (!workflow.secretsCiphertext || !workflow.secretsKeyId) return {};
    return await vaultFor(this.#deps.config).open(workflow.workspaceId, secretsRecord(workflow.id), {
      ciphertext: workflow.secretsCiphertext as Uint8Array<ArrayBuffer>,
      keyId: workflow.secretsKeyId,
    });
  }
}

const engines = new WeakMap<AppDeps, WorkflowEngine>();

/** The engine of an app (one per process, made on first use). */
export function engineFor(deps: AppDeps, options?: EngineOptions): WorkflowEngine {
  let engine = engines.get(deps);
  if (!engine) engines.set(deps, engine = new WorkflowEngine(deps, options));
  return engine;
}
