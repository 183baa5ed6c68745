-- Query results kept in the database, by dataset version: a widget's query runs once per sync,
-- however many processes (or Deno Deploy isolates) serve its dashboard, and a restarted server
-- reads its first page's results instead of running every query again.
create table query_results (
  dataset_id uuid not null references datasets (id) on delete cascade,
  -- SHA-256 (hex) of the structured query's JSON.
  query_key text not null,
  -- The dataset's synced_at in milliseconds since 1970: a new sync is a new version.
  version bigint not null,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  -- {columns, rows} as JSON text: exactly what JSON.stringify wrote (jsonb would refuse \u0000).
  result text not null,
  created_at timestamptz(3) not null default now(),
  primary key (dataset_id, query_key)
);
select app.secure_workspace_table('query_results');
