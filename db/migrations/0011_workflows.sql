-- Workflows, part two: signed webhooks with rotation, durable executions leased by workers, and
-- each step's checkpoint in its own row. The execution row is the job: workers claim it with
-- FOR UPDATE SKIP LOCKED, so a delivery costs one execution row and one delivery row, no more.

alter table workflows
  add column enabled boolean not null default true,
  -- After a rotation the previous secret still verifies until this time (Standard Webhooks).
  add column webhook_previous_ciphertext bytea,
  add column webhook_previous_key_id text,
  add column webhook_previous_expires_at timestamptz,
  -- Secret header values of http steps, sealed as one JSON object {step id: {header: value}}.
  add column secrets_ciphertext bytea,
  add column secrets_key_id text,
  -- When the cron schedule (config.schedule) fires next; claimed with a conditional update.
  add column next_run_at timestamptz;
create index workflows_due_idx on workflows (next_run_at) where next_run_at is not null;

alter table workflow_executions drop constraint workflow_executions_status_check;
alter table workflow_executions
  add constraint workflow_executions_status_check
    check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  add constraint workflow_executions_trigger_check
    check (trigger in ('webhook', 'manual', 'schedule', 'chat', 'rerun', 'replay', 'failure')),
  -- Not before this time (a retry's backoff); the sweep claims queued rows whose time has come.
  add column run_at timestamptz not null default now(),
  -- The worker holding it and until when; a worker that stops beating loses it at lease_expires_at.
  add column lease_owner text,
  add column lease_expires_at timestamptz,
  add column heartbeat_at timestamptz,
  -- A re-run or replay: the execution it came from, and the step it started at.
  add column rerun_of uuid references workflow_executions (id) on delete set null,
  add column from_step text,
  -- Who started it (manual, chat), for audit and for steps that act as a user.
  add column created_by uuid references users (id) on delete set null,
  -- Retention removed its input, results and steps; the row stays as a summary.
  add column pruned_at timestamptz;
create index workflow_executions_claim_idx on workflow_executions (run_at) where status = 'queued';
create index workflow_executions_lease_idx on workflow_executions (lease_expires_at) where status = 'running';
create index workflow_executions_status_idx on workflow_executions (workflow_id, status, created_at desc);
create index workflow_executions_rerun_idx on workflow_executions (rerun_of) where rerun_of is not null;

alter table webhook_deliveries
  -- Later deliveries with the same webhook-id: suppressed, counted, shown in history.
  add column duplicates integer not null default 0,
  add column last_duplicate_at timestamptz;
create index webhook_deliveries_received_idx on webhook_deliveries (received_at);
create index webhook_deliveries_execution_idx on webhook_deliveries (execution_id);

-- One row per step an execution ran (or reused from the run it re-runs): the checkpoint.
create table execution_steps (
  execution_id uuid not null references workflow_executions (id) on delete cascade,
  step_id text not null,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  -- Order in which the steps ran (conditions may skip some).
  seq integer not null,
  status text not null check (status in ('running', 'succeeded', 'failed', 'retrying', 'cancelled')),
  attempts integer not null default 0,
  reused boolean not null default false,
  input jsonb,
  output jsonb,
  error text,
  started_at timestamptz,
  finished_at timestamptz,
  primary key (execution_id, step_id)
);

select app.secure_workspace_table('execution_steps');
