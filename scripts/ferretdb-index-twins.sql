-- FerretDB 1.x on PostgreSQL pushes an equality filter down as `_jsonb->'field' @> value`, but
-- creates its indexes as btrees on `(_jsonb->'field')`, which `@>` cannot use: every look-up,
-- even by _id, is a table scan (80 ms at 100,000 documents). This event trigger gives each
-- single-field index a GIN (jsonb_path_ops) twin that `@>` can use (1-3 ms). Compound indexes
-- get none: their leading fields here are few-valued (status, agency), where a GIN index costs
-- every insert and spares no scan. Pushdown passes the field name as a parameter, so the
-- server plans each statement with its values (plan_cache_mode = force_custom_plan, set by
-- scripts/postgres.sh) to match the index expression. fastupdate is off: a pending list would
-- be scanned on every look-up.
CREATE OR REPLACE FUNCTION berichtenbox_gin_twin() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  created record;
BEGIN
  FOR created IN
    SELECT c.relname AS index_name, i.indrelid::regclass AS table_name, pg_get_indexdef(i.indexrelid, 1, true) AS field
      FROM pg_event_trigger_ddl_commands() d
      JOIN pg_index i ON i.indexrelid = d.objid
      JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_am am ON am.oid = c.relam
     WHERE d.command_tag = 'CREATE INDEX' AND am.amname = 'btree' AND i.indnatts = 1 AND i.indexprs IS NOT NULL
  LOOP
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((%s) jsonb_path_ops) WITH (fastupdate = off)',
      left(created.index_name, 59) || '_gin', created.table_name, created.field);
  END LOOP;
END $$;
DROP EVENT TRIGGER IF EXISTS berichtenbox_gin_twin;
CREATE EVENT TRIGGER berichtenbox_gin_twin ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION berichtenbox_gin_twin();
