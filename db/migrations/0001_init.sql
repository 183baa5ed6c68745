-- The workspace's first schema: accounts, tenancy, the seed resources, and Row Level Security.
-- Every tenant row carries workspace_id; the app queries as role workspace_app, which owns
-- nothing and is not a superuser, so the policies below always apply to it.

do $$
begin
  create role workspace_app nologin noinherit;
exception when duplicate_object or unique_violation then
  null; -- roles are cluster-wide: another database (or a concurrent migration) made it first
end
$$;
-- The connecting role must be allowed to SET ROLE; a superuser already is.
do $$
begin
  execute format('grant workspace_app to %I', current_user);
exception when others then
  null;
end
$$;

create schema if not exists app;
grant usage on schema app to workspace_app;
grant usage on schema public to workspace_app;

-- The user a request runs as, set per transaction by the server (set_config(..., true)).
create function app.current_user_id() returns uuid
language sql stable as $$
  select nullif(current_setting('app.user_id', true), '')::uuid
$$;

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  name text not null default '',
  password_hash text,
  external_id text unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

create table user_profiles (
  user_id uuid primary key references users (id) on delete cascade,
  display_name text,
  avatar_url text,
  preferences jsonb not null default '{}',
  updated_at timestamptz not null default now()
);

create table workspaces (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  personal boolean not null default false,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table memberships (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role text not null check (role in ('owner', 'editor', 'viewer')),
  created_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
create index memberships_user_idx on memberships (user_id);

-- Security definer: policies on memberships would otherwise recurse into themselves.
create function app.readable_workspaces() returns uuid[]
language sql stable security definer set search_path = public, pg_temp as $$
  select coalesce(array_agg(workspace_id), '{}') from memberships where user_id = app.current_user_id()
$$;
create function app.writable_workspaces() returns uuid[]
language sql stable security definer set search_path = public, pg_temp as $$
  select coalesce(array_agg(workspace_id), '{}') from memberships
  where user_id = app.current_user_id() and role in ('owner', 'editor')
$$;
create function app.owned_workspaces() returns uuid[]
language sql stable security definer set search_path = public, pg_temp as $$
  select coalesce(array_agg(workspace_id), '{}') from memberships
  where user_id = app.current_user_id() and role = 'owner'
$$;
grant execute on all functions in schema app to workspace_app;

create table sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  last_seen_at timestamptz not null default now(),
  revoked_at timestamptz,
  user_agent text,
  ip text
);
create index sessions_user_idx on sessions (user_id);

create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  name text not null,
  token_hash text not null unique,
  prefix text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_tokens_user_idx on api_tokens (user_id);

create table audit_logs (
  id bigint generated always as identity primary key,
  workspace_id uuid references workspaces (id) on delete set null,
  user_id uuid references users (id) on delete set null,
  action text not null,
  target_type text,
  target_id text,
  details jsonb not null default '{}',
  request_id text,
  ip text,
  created_at timestamptz not null default now()
);
create index audit_logs_workspace_idx on audit_logs (workspace_id, created_at desc);
create function app.audit_logs_append_only() returns trigger
language plpgsql as $$
begin
  raise exception 'audit_logs is append-only';
end
$$;
create trigger audit_logs_append_only before update or delete on audit_logs
  for each row execute function app.audit_logs_append_only();

-- Sliding-window rate limits shared by every process (login failures and the like).
create table rate_limit_events (
  bucket text not null,
  at timestamptz not null default clock_timestamp()
);
create index rate_limit_events_bucket_idx on rate_limit_events (bucket, at);

create table connectors (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  name text not null,
  type text not null,
  config jsonb not null default '{}',
  credentials_ciphertext bytea,
  credentials_key_id text,
  status text not null default 'idle',
  last_sync timestamptz,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index connectors_workspace_idx on connectors (workspace_id, created_at desc);

create table datasets (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  connector_id uuid not null references connectors (id) on delete cascade,
  name text not null,
  columns jsonb not null default '[]',
  row_count bigint not null default 0,
  storage_table text,
  synced_at timestamptz,
  unique (connector_id, name)
);

create table dashboards (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  name text not null,
  description text,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index dashboards_workspace_idx on dashboards (workspace_id, created_at desc);

create table widgets (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  dashboard_id uuid not null references dashboards (id) on delete cascade,
  type text not null,
  connector_id uuid references connectors (id) on delete set null,
  dataset text,
  data_query jsonb,
  config jsonb not null default '{}',
  position_x integer not null default 0,
  position_y integer not null default 0,
  width integer not null default 4,
  height integer not null default 3,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index widgets_dashboard_idx on widgets (dashboard_id);

create table share_links (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  dashboard_id uuid not null references dashboards (id) on delete cascade,
  token_hash text not null unique,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz
);

create table workflows (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  name text not null,
  description text,
  steps jsonb not null default '[]',
  config jsonb not null default '{}',
  webhook_secret_ciphertext bytea,
  webhook_secret_key_id text,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table workflow_executions (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  workflow_id uuid not null references workflows (id) on delete cascade,
  status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
  trigger text not null default 'manual',
  input jsonb,
  steps jsonb not null default '[]',
  results jsonb,
  error text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz
);
create index workflow_executions_workflow_idx on workflow_executions (workflow_id, created_at desc);

create table webhook_deliveries (
  workflow_id uuid not null references workflows (id) on delete cascade,
  webhook_id text not null,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  execution_id uuid not null references workflow_executions (id) on delete cascade,
  received_at timestamptz not null default now(),
  primary key (workflow_id, webhook_id)
);

create table jobs (
  id bigint generated always as identity primary key,
  workspace_id uuid references workspaces (id) on delete cascade,
  queue text not null,
  payload jsonb not null default '{}',
  status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
  attempts integer not null default 0,
  run_at timestamptz not null default now(),
  locked_at timestamptz,
  locked_by text,
  last_error text,
  created_at timestamptz not null default now()
);
create index jobs_ready_idx on jobs (queue, run_at) where status = 'queued';

create table chat_sessions (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  user_id uuid references users (id) on delete set null,
  title text not null default 'New chat',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index chat_sessions_workspace_idx on chat_sessions (workspace_id, updated_at desc);

create table chat_messages (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  session_id uuid not null references chat_sessions (id) on delete cascade,
  role text not null check (role in ('system', 'user', 'assistant')),
  parts jsonb not null default '[]',
  created_at timestamptz not null default clock_timestamp()
);
create index chat_messages_session_idx on chat_messages (session_id, created_at);

create table artifacts (
  id uuid primary key default gen_random_uuid(),
  artifact_id uuid not null,
  version integer not null default 1,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  session_id uuid references chat_sessions (id) on delete set null,
  type text not null,
  name text not null,
  data jsonb not null,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (artifact_id, version)
);

-- Row Level Security. Tables hold RLS even for rows the app only touches as the system
-- (owner) role, so that the app role sees nothing there by default.
alter table users enable row level security;
alter table user_profiles enable row level security;
alter table workspaces enable row level security;
alter table memberships enable row level security;
alter table sessions enable row level security;
alter table api_tokens enable row level security;
alter table audit_logs enable row level security;
alter table rate_limit_events enable row level security;

-- A user sees themself and the people they share a workspace with; changes only themself.
create policy users_read on users for select using (
  id = app.current_user_id()
  or id in (select user_id from memberships where workspace_id = any ((select app.readable_workspaces())::uuid[]))
);
create policy users_update on users for update using (id = app.current_user_id());
create policy profiles_own on user_profiles for all using (user_id = app.current_user_id())
  with check (user_id = app.current_user_id());

create policy workspaces_read on workspaces for select using (id = any ((select app.readable_workspaces())::uuid[]));
create policy workspaces_update on workspaces for update using (id = any ((select app.owned_workspaces())::uuid[]));
create policy workspaces_delete on workspaces for delete using (id = any ((select app.owned_workspaces())::uuid[]));

create policy memberships_read on memberships for select using (workspace_id = any ((select app.readable_workspaces())::uuid[]));
create policy memberships_manage on memberships for all using (workspace_id = any ((select app.owned_workspaces())::uuid[]))
  with check (workspace_id = any ((select app.owned_workspaces())::uuid[]));

create policy sessions_own on sessions for all using (user_id = app.current_user_id())
  with check (user_id = app.current_user_id());
create policy api_tokens_own on api_tokens for all using (user_id = app.current_user_id())
  with check (user_id = app.current_user_id());

create policy audit_read on audit_logs for select using (
  workspace_id = any ((select app.readable_workspaces())::uuid[]) or user_id = app.current_user_id()
);
create policy audit_insert on audit_logs for insert with check (
  user_id = app.current_user_id()
  and (workspace_id is null or workspace_id = any ((select app.readable_workspaces())::uuid[]))
);

-- Every table with a workspace_id: members read, owners and editors write.
do $$
declare
  t text;
begin
  foreach t in array array[
    'connectors', 'datasets', 'dashboards', 'widgets', 'share_links', 'workflows',
    'workflow_executions', 'webhook_deliveries', 'jobs', 'chat_sessions', 'chat_messages', 'artifacts'
  ] loop
    execute format('alter table %I enable row level security', t);
    execute format(
      'create policy %I on %I for select using (workspace_id = any ((select app.readable_workspaces())::uuid[]))',
      t || '_read', t);
    execute format(
      'create policy %I on %I for all using (workspace_id = any ((select app.writable_workspaces())::uuid[])) '
      'with check (workspace_id = any ((select app.writable_workspaces())::uuid[]))',
      t || '_write', t);
  end loop;
end
$$;

grant select, insert, update, delete on all tables in schema public to workspace_app;
revoke update, delete on audit_logs from workspace_app;
revoke all on rate_limit_events from workspace_app;
revoke all on schema_migrations from workspace_app;
