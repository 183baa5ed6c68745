-- Dashboards, part two: dashboard filters and layout settings, widget titles and where a widget
-- was pinned from, and share links as full resources (label, locked filters, switches, counters,
-- and the token sealed so its owner can copy the URL again; lookups go by the SHA-256 hash only).

alter table dashboards
  -- [{id, label, column, type: select|date_range|number_range, default?}]
  add column filters jsonb not null default '[]',
  add column config jsonb not null default '{}';

alter table widgets
  add column title text,
  -- The chat artifact a widget was pinned from (its query is copied: the widget stays live).
  add column artifact_id uuid,
  add constraint widgets_type_check
    check (type in ('line', 'bar', 'area', 'pie', 'scatter', 'table', 'metric', 'text')),
  add constraint widgets_grid_check
    check (position_x >= 0 and position_x < 12 and position_y >= 0 and width between 1 and 12
      and height between 1 and 24 and position_x + width <= 12);

alter table share_links
  add column label text not null default '',
  -- The token under lib/crypto/vault.ts (AES-GCM bound to the link's id), for "copy again".
  add column token_ciphertext bytea,
  add column token_key_id text,
  add column locked_filters jsonb not null default '{}',
  add column allow_downloads boolean not null default false,
  add column allow_embed boolean not null default false,
  add column view_count bigint not null default 0,
  add column last_viewed_at timestamptz,
  add column updated_at timestamptz not null default now();
create index share_links_dashboard_idx on share_links (dashboard_id, created_at desc);
