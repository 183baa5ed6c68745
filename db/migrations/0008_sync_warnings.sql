-- What a sync coerced, skipped or stopped early on, so that nothing changes silently: a list of
-- {code, message, count?, lines?, dataset?} (connectors/warnings.ts), shown beside the sync.
alter table connector_syncs add column warnings jsonb not null default '[]'::jsonb;
