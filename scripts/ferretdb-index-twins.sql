-- FerretDB 1.x on PostgreSQL pushes an equality filter down as `_jsonb->'field' @> value`, but
-- creates its indexes as btrees on `(_jsonb->'field')`, which `@>` cannot use: every look-up,
-- even by _id, is a table scan (80 ms at 100,000 documents). This event trigger gives each
-- single-field index a GIN (jsonb_path_ops) twin that `@>` can use (1-3 ms). Compound indexes
-- get none: their leading fields here are few-valued (status, agency), where a GIN index costs
-- every insert and spares no scan. Pushdown passes the field name as a parameter, so the
-- server plans each statement with its values (plan_cache_mode = force_custom_plan, set by
-- scripts/postgres.sh) to match the index expression. fastupdate is off: a pending list would
-- be scanned on every look-up.
--
-- A compound index whose last key is descending (a newest-first page, such as the box's
-- folder_newest on account_id, folder, delivered_at) also gets a partial GIN twin of its first
-- field holding only the rows the sort pushdown must not trust (scripts/ferretdb-sort-pushdown.patch,
-- fieldSortSafe): the last field not a date, or another field not a string. Its predicate is
-- the check's own condition, so PostgreSQL answers the check from this index, which normally
-- holds nothing, instead of reading the type of every row of the folder. The check's SQL is
-- the same with or without it; only where PostgreSQL looks changes.
--
-- A twin goes with its index: dropIndexes drops the btree, and the second trigger drops its
-- twins (a dropped collection takes them with its table).
-- A twin's name: its index's, cut to fit PostgreSQL's 63-byte names with the suffix.
CREATE OR REPLACE FUNCTION berichtenbox_twin_name(index_name text, suffix text) RETURNS text
  IMMUTABLE LANGUAGE sql AS $$ SELECT left(index_name, 62 - length(suffix)) || '_' || suffix $$;

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
      berichtenbox_twin_name(created.index_name, 'gin'), created.table_name, created.field);
  END LOOP;
  FOR created IN
    SELECT c.relname AS index_name, i.indrelid::regclass AS table_name, i.indnatts AS columns,
           array_agg(substring(pg_get_indexdef(i.indexrelid, k, true) FROM '^\(_jsonb -> ''([^'']+)''::text\)$') ORDER BY k) AS fields
      FROM pg_event_trigger_ddl_commands() d
      JOIN pg_index i ON i.indexrelid = d.objid
      JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_am am ON am.oid = c.relam
      CROSS JOIN generate_series(1, i.indnatts) k
     WHERE d.command_tag = 'CREATE INDEX' AND am.amname = 'btree' AND i.indnatts > 1 AND i.indpred IS NULL
       AND i.indoption[i.indnatts - 1] & 1 = 1
     GROUP BY c.relname, i.indrelid, i.indnatts
  LOOP
    CONTINUE WHEN array_position(created.fields, NULL) IS NOT NULL;  -- a key that is not a top-level field
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L) jsonb_path_ops) WITH (fastupdate = off) WHERE NOT (%s)',
      berichtenbox_twin_name(created.index_name, 'unsafe'), created.table_name, created.fields[1],
      concat_ws(' AND ',
        format('COALESCE(_jsonb -> ''$s'' -> ''p'' -> %L -> ''t'' = ''"date"'', false)', created.fields[created.columns]),
        (SELECT string_agg(format('COALESCE(_jsonb -> ''$s'' -> ''p'' -> %L -> ''t'' = ''"string"'', false)', f), ' AND ')
           FROM unnest(created.fields[1:created.columns - 1]) f)));
  END LOOP;
END $$;
DROP EVENT TRIGGER IF EXISTS berichtenbox_gin_twin;
CREATE EVENT TRIGGER berichtenbox_gin_twin ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION berichtenbox_gin_twin();

CREATE OR REPLACE FUNCTION berichtenbox_drop_twins() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  dropped record;
BEGIN
  FOR dropped IN
    SELECT schema_name, object_name FROM pg_event_trigger_dropped_objects() WHERE object_type = 'index' AND original
  LOOP
    EXECUTE format('DROP INDEX IF EXISTS %I.%I', dropped.schema_name, berichtenbox_twin_name(dropped.object_name, 'gin'));
    EXECUTE format('DROP INDEX IF EXISTS %I.%I', dropped.schema_name, berichtenbox_twin_name(dropped.object_name, 'unsafe'));
  END LOOP;
END $$;
DROP EVENT TRIGGER IF EXISTS berichtenbox_drop_twins;
CREATE EVENT TRIGGER berichtenbox_drop_twins ON sql_drop WHEN TAG IN ('DROP INDEX')
  EXECUTE FUNCTION berichtenbox_drop_twins();
