-- Connectors, part two: sync runs, uploaded files, schedules, and the schema synced rows live in.

alter table connectors
  add column last_error text,
  -- When the scheduler should sync next; null when the connector has no schedule.
  add column next_sync_at timestamptz;
create index connectors_due_idx on connectors (next_sync_at) where next_sync_at is not null;

-- The highest cursor value seen, for incremental (append-only) syncs.
alter table datasets add column cursor_value text;

create table connector_syncs (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  connector_id uuid not null references connectors (id) on delete cascade,
  trigger text not null default 'manual' check (trigger in ('manual', 'schedule')),
  status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
  rows bigint not null default 0,
  error text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  -- Written with each batch; a running sync whose heartbeat stops was cut off (a crash, an eviction).
  heartbeat_at timestamptz
);
create index connector_syncs_connector_idx on connector_syncs (connector_id, created_at desc);
-- One sync of a connector at a time: a second one conflicts here rather than running twice.
create unique index connector_syncs_one_active on connector_syncs (connector_id)
  where status in ('queued', 'running');

-- An uploaded CSV, kept in 1 MiB pieces so it can be streamed in and re-synced later.
create table connector_files (
  connector_id uuid not null references connectors (id) on delete cascade,
  upload_id uuid not null,
  seq integer not null,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  bytes bytea not null,
  primary key (connector_id, upload_id, seq)
);

-- The policy pair every workspace table gets (0001 wrote it inline): members read, owners and
-- editors write. Later migrations call this for their tables.
create function app.secure_workspace_table(t text) returns void
language plpgsql as $$
begin
  execute format('alter table %I enable row level security', t);
  execute format(
    'create policy %I on %I for select using (workspace_id = any ((select app.readable_workspaces())::uuid[]))',
    t || '_read', t);
  execute format(
    'create policy %I on %I for all using (workspace_id = any ((select app.writable_workspaces())::uuid[])) '
    'with check (workspace_id = any ((select app.writable_workspaces())::uuid[]))',
    t || '_write', t);
  execute format('grant select, insert, update, delete on %I to workspace_app', t);
end
$$;
revoke execute on function app.secure_workspace_table(text) from public, workspace_app;

select app.secure_workspace_table('connector_syncs');
select app.secure_workspace_table('connector_files');

-- Synced rows: one table per dataset, written by syncs (as the owner) and read by the app role
-- through a policy that names the dataset's workspace (see connectors/dataset_store.ts).
create schema if not exists dataset_rows;
grant usage on schema dataset_rows to workspace_app;
