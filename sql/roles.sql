-- roles.sql - what each role may do, granted again after every migration
-- (`lrt migrate` applies the files of sql/ in name order: this one after
-- reporting.sql), so that new tables and views are covered.  The roles are
-- made by migrations/0007_reporting.sql; README "Roles" shows how a DBA
-- gives a login one of them.
--
--   lrt_reader  reads the reporting schema lrt_report, nothing else: the
--               views run with their owner's rights on the tables behind
--               them, and lrt_report's functions read no table.  And
--               lrt.schema_migrations, for `lrt migrate status`: which
--               migrations the database has had is no secret of the books.
--   lrt_writer  adds events: INSERT into lrt.submissions (product, event),
--               judged by the C validator at `lrt ingest --pending`.
--   lrt_admin   migrates and settles: it owns the schemas and what is in
--               them, whoever ran the migration.

REVOKE ALL ON SCHEMA lrt, lrt_report FROM PUBLIC;

GRANT USAGE ON SCHEMA lrt_report TO lrt_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA lrt_report TO lrt_reader;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA lrt_report TO lrt_reader;
GRANT USAGE ON SCHEMA lrt TO lrt_reader;
GRANT SELECT ON lrt.schema_migrations TO lrt_reader;

GRANT USAGE ON SCHEMA lrt TO lrt_writer;
GRANT INSERT (product, event) ON lrt.submissions TO lrt_writer;

-- Ownership passes to lrt_admin when whoever migrates may give it (a
-- superuser, or a member of lrt_admin); a member of lrt_admin then migrates
-- and settles as the owner would.
DO $$
DECLARE
    item record;
BEGIN
    IF NOT pg_has_role(current_user, 'lrt_admin', 'MEMBER')
       AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE NOTICE 'lrt: % may not give lrt_admin the schemas; ownership unchanged', current_user;
        RETURN;
    END IF;
    FOR item IN
        SELECT format('ALTER SCHEMA %I OWNER TO lrt_admin', n.nspname) AS statement
          FROM pg_namespace n
         WHERE n.nspname IN ('lrt', 'lrt_report')
           AND n.nspowner <> 'lrt_admin'::regrole
        UNION ALL
        SELECT format('ALTER %s %s OWNER TO lrt_admin',
                      CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                     WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                      c.oid::regclass)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('lrt', 'lrt_report')
           AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
           AND NOT c.relispartition
           AND c.relowner <> 'lrt_admin'::regrole
           -- a sequence owned by a column follows its table
           AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
                                                 WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
        UNION ALL
        SELECT format('ALTER %s %s OWNER TO lrt_admin',
                      CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                      p.oid::regprocedure)
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname IN ('lrt', 'lrt_report')
           AND p.proowner <> 'lrt_admin'::regrole
        UNION ALL
        SELECT format('ALTER TYPE %s OWNER TO lrt_admin', t.oid::regtype)
          FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname IN ('lrt', 'lrt_report')
           AND t.typtype IN ('d', 'e', 'c') AND t.typrelid = 0
           AND t.typowner <> 'lrt_admin'::regrole
    LOOP
        EXECUTE item.statement;
    END LOOP;
END
$$;
