-- Widget charts as drawn (SVG), by widget version, data version, filters and size: a restarted
-- server (or another Deno Deploy isolate) shows a dashboard without drawing its charts again.
create table chart_drawings (
  -- SHA-256 (hex) of what the drawing depends on (functions/dashboards/render.ts).
  key text primary key,
  widget_id uuid not null references widgets (id) on delete cascade,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  -- The widget's updated_at and its dataset's synced_at, in ms: older drawings are dropped.
  widget_version bigint not null,
  data_version bigint not null,
  svg text not null,
  created_at timestamptz(3) not null default now()
);
create index chart_drawings_widget_idx on chart_drawings (widget_id);
select app.secure_workspace_table('chart_drawings');
