-- Chat, part two: who wrote each message and what it cost, answers in progress (so a reload can
-- replay and follow them), per-user daily token use, and each workspace's own model settings.

alter table chat_sessions
  -- 'auto': cut from the first question until the model names it; 'generated'; 'user': renamed.
  add column title_source text not null default 'auto' check (title_source in ('auto', 'generated', 'user'));

alter table chat_messages
  add column user_id uuid references users (id) on delete set null,
  add column status text not null default 'done' check (status in ('done', 'stopped', 'error')),
  add column error text,
  add column model text,
  add column input_tokens integer,
  add column output_tokens integer;
-- Messages are read newest first (the context window), so the index runs that way too.
drop index chat_messages_session_idx;
create index chat_messages_session_idx on chat_messages (session_id, created_at desc, id desc);
create index artifacts_artifact_idx on artifacts (artifact_id, version desc);
create index artifacts_session_idx on artifacts (session_id, created_at desc);

-- An answer being generated. Its chunks are logged as they stream, so a reloaded page (or another
-- process) can replay and follow it; the finished message then lands in chat_messages.
create table chat_streams (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  session_id uuid not null references chat_sessions (id) on delete cascade,
  message_id uuid not null,
  status text not null default 'active' check (status in ('active', 'done')),
  stop_requested boolean not null default false,
  -- Written while the answer is generated; an active stream whose heartbeat stops was cut off.
  heartbeat_at timestamptz not null default now(),
  created_at timestamptz not null default now()
);
-- One answer at a time in a session: a second question while one streams conflicts here.
create unique index chat_streams_one_active on chat_streams (session_id) where status = 'active';

create table chat_stream_chunks (
  stream_id uuid not null references chat_streams (id) on delete cascade,
  seq integer not null,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  -- UI message stream chunks as JSON, one a line, in the order they were sent.
  chunks text not null,
  primary key (stream_id, seq)
);

select app.secure_workspace_table('chat_streams');
select app.secure_workspace_table('chat_stream_chunks');

-- Tokens and requests per user and UTC day, for the daily budget. Written by the system only.
create table llm_usage_daily (
  user_id uuid not null references users (id) on delete cascade,
  day date not null,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  requests integer not null default 0,
  primary key (user_id, day)
);
alter table llm_usage_daily enable row level security;

-- A workspace's own model: overrides OPENAI_BASE_URL, LLM_MODEL and OPENAI_API_KEY where set.
create table workspace_llm_settings (
  workspace_id uuid primary key references workspaces (id) on delete cascade,
  base_url text,
  model text,
  api_key_ciphertext bytea,
  api_key_key_id text,
  updated_at timestamptz not null default now()
);
alter table workspace_llm_settings enable row level security;
create policy workspace_llm_settings_read on workspace_llm_settings for select
  using (workspace_id = any ((select app.readable_workspaces())::uuid[]));
create policy workspace_llm_settings_write on workspace_llm_settings for all
  using (workspace_id = any ((select app.owned_workspaces())::uuid[]))
  with check (workspace_id = any ((select app.owned_workspaces())::uuid[]));
grant select, insert, update, delete on workspace_llm_settings to workspace_app;
