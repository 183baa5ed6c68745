-- Keyset pages (?cursor=) carry a row's created_at (updated_at for chat sessions) as a JavaScript
-- Date, which holds milliseconds; PostgreSQL stored microseconds. Rows whose times differ below a
-- millisecond, and rows written in one transaction (a group of webhook deliveries shares now()),
-- were skipped at a page boundary. Stored at millisecond precision, the cursor is exact.
do $$
declare c record;
begin
  for c in
    select table_name, column_name from information_schema.columns
    where table_schema = 'public' and column_name in ('created_at', 'updated_at')
      and data_type = 'timestamp with time zone' and coalesce(datetime_precision, 6) > 3
  loop
    execute format('alter table %I alter column %I type timestamptz(3)', c.table_name, c.column_name);
  end loop;
end $$;
