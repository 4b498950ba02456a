-- FerretDB 1.x on PostgreSQL pushes an equality filter down as `_jsonb->'field' @> value`, but
-- creates its indexes as btrees on `(_jsonb->'field')`, which `@>` cannot use: every look-up,
-- even by _id, is a table scan (80 ms at 100,000 documents). This event trigger gives each
-- such index a GIN (jsonb_path_ops) twin that `@>` can use (1-3 ms). Pushdown passes the field
-- name as a parameter, so the server plans every statement with its values
-- (plan_cache_mode = force_custom_plan, set by scripts/postgres.sh) to match the expression.
-- fastupdate is off: a pending list would be scanned on every look-up.
CREATE OR REPLACE FUNCTION berichtenbox_gin_twin() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  created record;
  expressions text;
BEGIN
  FOR created IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' LOOP
    SELECT string_agg(format('(%s) jsonb_path_ops', pg_get_indexdef(i.indexrelid, k, true)), ', ' ORDER BY k)
      INTO expressions
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam,
           generate_series(1, i.indnatts) AS k
     WHERE i.indexrelid = created.objid AND am.amname = 'btree' AND i.indexprs IS NOT NULL;
    IF expressions IS NOT NULL THEN
      EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin (%s) WITH (fastupdate = off)',
        left((SELECT relname FROM pg_class WHERE oid = created.objid), 59) || '_gin',
        (SELECT indrelid::regclass FROM pg_index WHERE indexrelid = created.objid), expressions);
    END IF;
  END LOOP;
END $$;
DROP EVENT TRIGGER IF EXISTS berichtenbox_gin_twin;
CREATE EVENT TRIGGER berichtenbox_gin_twin ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION berichtenbox_gin_twin();
