/**
 * The durable queue under workflows, on `FOR UPDATE SKIP LOCKED`: the execution row is the job.
 * Workers claim rows with a lease (`lease_owner`, `lease_expires_at`) that their heartbeat renews;
 * a row whose lease has run out is claimable again, so a crashed worker's execution resumes.
 * Every checkpoint is fenced on the lease: a worker that lost its execution (cancelled, or taken
 * over after a stall) cannot write over its new owner. All of this runs as the owning role.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { rows } from "../rows.ts";
import { encodeHex } from "../../lib/encoding.ts";
import { executionSteps, webhookDeliveries, workflowExecutions, workflows } from "../schema.ts";
import type { ExecutionTrigger } from "../schema.ts";
import type { ExecutionRow } from "./workflows.ts";

/** Serializes claims, so two workers cannot both take a workflow's last free slot. */
const CLAIM_LOCK = 0x77666c6f; // "wflo"

/** What a new execution starts with. */
export interface NewExecution {
  workflowId: string;
  workspaceId: string;
  trigger: ExecutionTrigger;
  input: unknown;
  createdBy?: string | null;
  rerunOf?: string | null;
  fromStep?: string | null;
}

/** Queues an execution; its steps are a snapshot of the workflow's definition now. */
export async function enqueueExecution(db: Db, input: NewExecution): Promise<string> {
  const [row] = await db.insert(workflowExecutions).values({
    workflowId: input.workflowId,
    workspaceId: input.workspaceId,
    trigger: input.trigger,
    input: input.input,
    createdBy: input.createdBy ?? null,
    rerunOf: input.rerunOf ?? null,
    fromStep: input.fromStep ?? null,
    steps: sql`(select steps from workflows where id = ${input.workflowId}::uuid)`,
  }).returning({ id: workflowExecutions.id });
  return row.id;
}

/** A verified delivery to record: what `acceptDeliveries` takes. */
export interface VerifiedDelivery {
  workflowId: string;
  webhookId: string;
  payload: unknown;
  /** The stored secret that verified it: the write is fenced on it. */
  secretCiphertext: Uint8Array;
  now: Date;
}

/** A recorded delivery's execution: new, or the first one when the webhook id was seen before. */
export interface AcceptedDelivery {
  executionId: string;
  duplicate: boolean;
}

/**
 * Records verified deliveries and queues their executions in one statement (so in one
 * transaction): for each delivery, either both rows exist or neither. A delivery whose webhook id
 * was seen before (also earlier in the same call) queues nothing and comes back as "duplicate":
 * the caller counts it with `countDuplicate`, outside the statement, so that a failure there never
 * makes a group commit write the group again.
 *
 * Each delivery is fenced on what its caller verified against, so a verifier that read the
 * workflow earlier (a cached copy) cannot accept what the database would refuse now: it is written
 * only while the workflow exists, is enabled, and `secretCiphertext` is still its current secret
 * or its previous one inside the window (compared with `now`). Undefined in that place otherwise.
 * Results are in the order of `inputs`.
 */
export async function acceptDeliveries(
  db: Db,
  inputs: VerifiedDelivery[],
): Promise<(AcceptedDelivery | "duplicate" | undefined)[]> {
  const batch = inputs.map((input, n) => ({
    n,
    workflow_id: input.workflowId,
    webhook_id: input.webhookId,
    execution_id: crypto.randomUUID(),
    payload: input.payload,
    secret: encodeHex(input.secretCiphertext),
    now: input.now.toISOString(),
  }));
  const found = await rows<{ n: number; valid: boolean; execution_id: string | null }>(
    db,
    sql`with input as (
        select * from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as i(n int, workflow_id uuid,
          webhook_id text, execution_id uuid, payload jsonb, secret text, now timestamptz)
      ), w as (
        select i.n, i.workflow_id, i.webhook_id, i.execution_id, i.payload, wf.workspace_id, wf.steps
        from input i join workflows wf on wf.id = i.workflow_id and wf.enabled and (
          wf.webhook_secret_ciphertext = decode(i.secret, 'hex') or (
            wf.webhook_previous_ciphertext = decode(i.secret, 'hex') and wf.webhook_previous_expires_at > i.now))
      ), delivery as (
        insert into webhook_deliveries (workflow_id, webhook_id, workspace_id, execution_id)
        select workflow_id, webhook_id, workspace_id, execution_id from w order by n
        on conflict (workflow_id, webhook_id) do nothing
        returning execution_id
      ), execution as (
        insert into workflow_executions (id, workspace_id, workflow_id, trigger, input, steps)
        select w.execution_id, w.workspace_id, w.workflow_id, 'webhook', w.payload, w.steps
        from w join delivery d on d.execution_id = w.execution_id
        returning id
      )
      select i.n, w.n is not null as valid, d.execution_id::text as execution_id
      from input i left join w on w.n = i.n left join delivery d on d.execution_id = i.execution_id`,
  );
  const byN = new Map(found.map((r) => [Number(r.n), r]));
  return inputs.map((_, n) => {
    const result = byN.get(n);
    if (!result?.valid) return undefined;
    return result.execution_id ? { executionId: result.execution_id, duplicate: false } : "duplicate";
  });
}

/**
 * Counts a repeated delivery on its first one and returns the first delivery's execution id;
 * undefined when the first was pruned meanwhile (over 7 days old: record it as new after all).
 */
export async function countDuplicate(db: Db, input: { workflowId: string; webhookId: string }) {
  const [first] = await db.update(webhookDeliveries)
    .set({ duplicates: sql`${webhookDeliveries.duplicates} + 1`, lastDuplicateAt: sql`now()` })
    .where(and(eq(webhookDeliveries.workflowId, input.workflowId), eq(webhookDeliveries.webhookId, input.webhookId)))
    .returning({ executionId: webhookDeliveries.executionId });
  return first?.executionId;
}

/**
 * Claims up to `limit` executions that are due (queued and past `run_at`, or running with an
 * expired lease), within each workflow's `config.concurrency`, for `owner` until `leaseMs` from
 * now. With `ids`, only those executions.
 */
export async function claimExecutions(
  db: Db,
  options: { owner: string; leaseMs: number; limit: number; ids?: string[] },
): Promise<ExecutionRow[]> {
  const only = options.ids ? sql`and e.id = any(${`{${options.ids.join(",")}}`}::uuid[])` : sql``;
  // The queued and the expired are read apart, each in the order of its partial index, so a claim
  // reads about `limit` rows however long the backlog (one OR over both read and sorted all of it).
  const scan = options.limit * 4;
  return await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CLAIM_LOCK})`);
    return await tx.update(workflowExecutions).set({
      status: "running",
      leaseOwner: options.owner,
      leaseExpiresAt: sql`now() + ${options.leaseMs} * interval '1 millisecond'`,
      heartbeatAt: sql`now()`,
      startedAt: sql`coalesce(${workflowExecutions.startedAt}, now())`,
    }).where(sql`${workflowExecutions.id} in (
      with queued as (
        select e.id, e.workflow_id, e.run_at from workflow_executions e
        where e.status = 'queued' and e.run_at <= now() ${only}
        order by e.run_at
        limit ${scan}
        for update skip locked
      ), expired as (
        select e.id, e.workflow_id, e.run_at from workflow_executions e
        where e.status = 'running' and e.lease_expires_at < now() ${only}
        order by e.lease_expires_at
        limit ${scan}
        for update skip locked
      ), due as (
        select * from queued union all select * from expired
      ), ranked as (
        select d.id, d.run_at,
          row_number() over (partition by d.workflow_id order by d.run_at) as n,
          coalesce((w.config ->> 'concurrency')::int, 10) - (
            select count(*) from workflow_executions r
            where r.workflow_id = d.workflow_id and r.status = 'running' and r.lease_expires_at >= now()
          ) as free
        from due d join workflows w on w.id = d.workflow_id
      )
      select id from ranked where n <= free order by run_at limit ${options.limit}
    )`).returning();
  });
}

/** Renews the leases `owner` holds on `ids`; returns the ids it still holds (the rest were cancelled or lost). */
export async function renewLeases(db: Db, owner: string, ids: string[], leaseMs: number): Promise<string[]> {
  if (!ids.length) return [];
  const held = await db.update(workflowExecutions).set({
    leaseExpiresAt: sql`now() + ${leaseMs} * interval '1 millisecond'`,
    heartbeatAt: sql`now()`,
  }).where(and(
    inArray(workflowExecutions.id, ids),
    eq(workflowExecutions.leaseOwner, owner),
    eq(workflowExecutions.status, "running"),
  )).returning({ id: workflowExecutions.id });
  return held.map((r) => r.id);
}

/** Our lease still holds: the fence every checkpoint writes under. */
const holds = (executionId: string, owner: string) =>
  sql`exists (select 1 from workflow_executions where id = ${executionId}::uuid and lease_owner = ${owner}
    and status = 'running')`;

/**
 * `startStep` for several executions in one statement (a claimed batch's first steps): each
 * execution's attempt number, for those whose lease `owner` still holds.
 */
export async function startSteps(
  db: Db,
  owner: string,
  items: { executionId: string; workspaceId: string; stepId: string; seq: number; input: unknown }[],
): Promise<Map<string, number>> {
  if (!items.length) return new Map();
  const values = sql.join(
    items.map((i) =>
      sql`(${i.executionId}::uuid, ${i.stepId}::text, ${i.workspaceId}::uuid, ${i.seq}::int, ${
        JSON.stringify(i.input)
      }::jsonb)`
    ),
    sql`, `,
  );
  const started = await rows<{ execution_id: string; attempts: number }>(
    db,
    sql`insert into execution_steps (execution_id, step_id, workspace_id, seq, status, attempts, input, started_at)
      select v.execution_id, v.step_id, v.workspace_id, v.seq, 'running', 1, v.input, now()
      from (values ${values}) as v (execution_id, step_id, workspace_id, seq, input)
      where exists (select 1 from workflow_executions e where e.id = v.execution_id and e.lease_owner = ${owner}
        and e.status = 'running')
      on conflict (execution_id, step_id) do update
        set status = 'running', attempts = execution_steps.attempts + 1, seq = excluded.seq, input = excluded.input,
          started_at = now(), finished_at = null, error = null
      returning execution_id::text, attempts`,
  );
  return new Map(started.map((r) => [r.execution_id, Number(r.attempts)]));
}

/**
 * Marks a step as started (a new attempt) and returns its attempt number, or undefined when the
 * lease is gone. The attempt is counted before the work, so a crash mid-step still counts it.
 */
export async function startStep(
  db: Db,
  input: { executionId: string; workspaceId: string; owner: string; stepId: string; seq: number; input: unknown },
): Promise<number | undefined> {
  const [row] = await rows<{ attempts: number }>(
    db,
    sql`insert into execution_steps (execution_id, step_id, workspace_id, seq, status, attempts, input, started_at)
      select ${input.executionId}::uuid, ${input.stepId}, ${input.workspaceId}::uuid, ${input.seq}, 'running', 1,
        ${JSON.stringify(input.input)}::jsonb, now()
      where ${holds(input.executionId, input.owner)}
      on conflict (execution_id, step_id) do update
        set status = 'running', attempts = execution_steps.attempts + 1, seq = excluded.seq, input = excluded.input,
          started_at = now(), finished_at = null, error = null
      returning attempts`,
  );
  return row ? Number(row.attempts) : undefined;
}

/** A finished step to checkpoint: what `finishSteps` takes. */
export interface FinishedStep {
  executionId: string;
  owner: string;
  stepId: string;
  output: unknown;
  /** The next step, marked as started in the same statement. */
  next?: { stepId: string; workspaceId: string; seq: number; input: unknown };
}

/**
 * Checkpoints finished steps' outputs, each fenced on its lease: `saved` is false where the lease
 * is gone (nothing written for that one). With `next`, the next step is marked as started in the
 * same statement (one round trip and one commit instead of two): `attempts` is its attempt number,
 * as `startStep` gives it. Several executions' checkpoints share the statement (the engine's group
 * commit). Results are in the order of `inputs`.
 */
export async function finishSteps(
  db: Db,
  inputs: FinishedStep[],
): Promise<{ saved: boolean; attempts?: number }[]> {
  // JSON values travel as their text, so `null` stays a JSON null and an absent output stays SQL null.
  const batch = inputs.map((input, n) => ({
    n,
    execution_id: input.executionId,
    owner: input.owner,
    step_id: input.stepId,
    output: JSON.stringify(input.output),
    next_step_id: input.next?.stepId,
    next_workspace_id: input.next?.workspaceId,
    next_seq: input.next?.seq,
    next_input: input.next ? JSON.stringify(input.next.input) : undefined,
  }));
  const found = await rows<{ n: number; saved: boolean; attempts: number | null }>(
    db,
    sql`with input as (
        select * from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as i(n int, execution_id uuid, owner text,
          step_id text, output text, next_step_id text, next_workspace_id uuid, next_seq int, next_input text)
      ), held as (
        select i.* from input i join workflow_executions e
          on e.id = i.execution_id and e.lease_owner = i.owner and e.status = 'running'
      ), done as (
        update execution_steps s set status = 'succeeded', output = h.output::jsonb, finished_at = now()
        from held h where s.execution_id = h.execution_id and s.step_id = h.step_id
        returning s.execution_id
      ), started as (
        insert into execution_steps (execution_id, step_id, workspace_id, seq, status, attempts, input, started_at)
        select h.execution_id, h.next_step_id, h.next_workspace_id, h.next_seq, 'running', 1, h.next_input::jsonb, now()
        from held h where h.next_step_id is not null and h.execution_id in (select execution_id from done)
        on conflict (execution_id, step_id) do update
          set status = 'running', attempts = execution_steps.attempts + 1, seq = excluded.seq, input = excluded.input,
            started_at = now(), finished_at = null, error = null
        returning execution_id, attempts
      )
      select i.n, exists (select 1 from done d where d.execution_id = i.execution_id) as saved,
        (select s.attempts from started s where s.execution_id = i.execution_id) as attempts
      from input i`,
  );
  const byN = new Map(found.map((r) => [Number(r.n), r]));
  return inputs.map((_, n) => {
    const row = byN.get(n);
    if (!row?.saved) return { saved: false };
    return { saved: true, attempts: row.attempts === null ? undefined : Number(row.attempts) };
  });
}

/** An execution that succeeded: what `succeedExecutions` takes. */
export interface SucceededExecution {
  executionId: string;
  owner: string;
  results: unknown;
  /** Its last step's output, checkpointed in the same statement. */
  step?: { stepId: string; output: unknown };
}

/**
 * Ends executions as succeeded with their `results`, checkpointing each one's last step output in
 * the same statement, each fenced on its lease: false where the lease was gone (nothing written for
 * that one). Results are in the order of `inputs`.
 */
export async function succeedExecutions(db: Db, inputs: SucceededExecution[]): Promise<boolean[]> {
  const batch = inputs.map((input, n) => ({
    n,
    execution_id: input.executionId,
    owner: input.owner,
    results: JSON.stringify(input.results),
    step_id: input.step?.stepId,
    output: input.step ? JSON.stringify(input.step.output) : undefined,
  }));
  const found = await rows<{ n: number; held: boolean }>(
    db,
    sql`with input as (
        select * from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as i(n int, execution_id uuid, owner text,
          results text, step_id text, output text)
      ), ended as (
        update workflow_executions e set status = 'succeeded', results = i.results::jsonb, error = null,
          completed_at = now(), lease_owner = null, lease_expires_at = null
        from input i where e.id = i.execution_id and e.lease_owner = i.owner and e.status = 'running'
        returning e.id
      ), done as (
        update execution_steps s set status = 'succeeded', output = i.output::jsonb, finished_at = now()
        from input i where i.step_id is not null and s.execution_id = i.execution_id and s.step_id = i.step_id
          and i.execution_id in (select id from ended)
      )
      select i.n, exists (select 1 from ended where id = i.execution_id) as held from input i`,
  );
  const held = new Set(found.filter((r) => r.held).map((r) => Number(r.n)));
  return inputs.map((_, n) => held.has(n));
}

/** Records a failed attempt and puts the execution back in the queue until `delayMs` from now. */
export async function retryLater(
  db: Db,
  input: { executionId: string; owner: string; stepId: string; error: string; delayMs: number },
): Promise<boolean> {
  return await db.transaction(async (tx) => {
    const [held] = await tx.update(workflowExecutions).set({
      status: "queued",
      runAt: sql`now() + ${input.delayMs} * interval '1 millisecond'`,
      leaseOwner: null,
      leaseExpiresAt: null,
    }).where(and(
      eq(workflowExecutions.id, input.executionId),
      eq(workflowExecutions.leaseOwner, input.owner),
      eq(workflowExecutions.status, "running"),
    )).returning({ id: workflowExecutions.id });
    if (!held) return false;
    await tx.update(executionSteps).set({ status: "retrying", error: input.error, finishedAt: sql`now()` })
      .where(and(eq(executionSteps.executionId, input.executionId), eq(executionSteps.stepId, input.stepId)));
    return true;
  });
}

/**
 * Ends an execution: succeeded with its results, or failed with its error (and the failing step's
 * row marked). `held` is false when the lease was gone. On failure, the workflow's `on_failure`
 * workflow (if any, in the same workspace) is queued in the same transaction: `followUp`.
 */
export async function finishExecution(
  db: Db,
  input: {
    executionId: string;
    owner: string;
    status: "succeeded" | "failed";
    results?: unknown;
    error?: string;
    failedStep?: string;
    onFailure?: { workflowId: string; input: unknown };
  },
): Promise<{ held: boolean; followUp?: string }> {
  return await db.transaction(async (tx) => {
    const [held] = await tx.update(workflowExecutions).set({
      status: input.status,
      results: input.results === undefined ? null : sql`${JSON.stringify(input.results)}::jsonb`,
      error: input.error ?? null,
      completedAt: sql`now()`,
      leaseOwner: null,
      leaseExpiresAt: null,
    }).where(and(
      eq(workflowExecutions.id, input.executionId),
      eq(workflowExecutions.leaseOwner, input.owner),
      eq(workflowExecutions.status, "running"),
    )).returning({ workspaceId: workflowExecutions.workspaceId });
    if (!held) return { held: false };
    if (input.failedStep) {
      await tx.update(executionSteps).set({ status: "failed", error: input.error ?? null, finishedAt: sql`now()` })
        .where(and(eq(executionSteps.executionId, input.executionId), eq(executionSteps.stepId, input.failedStep)));
    }
    if (input.onFailure) {
      const [target] = await tx.select({ id: workflows.id }).from(workflows).where(and(
        eq(workflows.id, input.onFailure.workflowId),
        eq(workflows.workspaceId, held.workspaceId),
        eq(workflows.enabled, true),
      ));
      if (target) {
        const followUp = await enqueueExecution(tx, {
          workflowId: target.id,
          workspaceId: held.workspaceId,
          trigger: "failure",
          input: { payload: input.onFailure.input, headers: {} },
        });
        return { held: true, followUp };
      }
    }
    return { held: true };
  });
}

/** Whether any execution is due (queued and past `run_at`), whoever may claim it. */
export async function anyExecutionDue(db: Db): Promise<boolean> {
  const [row] = await rows<{ due: boolean }>(
    db,
    sql`select exists (select 1 from workflow_executions where status = 'queued' and run_at <= now()) as due`,
  );
  return row?.due === true;
}
