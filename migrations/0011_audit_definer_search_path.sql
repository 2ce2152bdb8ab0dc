-- Hand-written (drizzle-kit does not model functions).
-- The SECURITY DEFINER functions of 0003 and 0008 kept the search_path of the migration
-- ("$user", public), and in any search_path that does not name pg_temp, the session's temporary
-- schema is searched FIRST for tables. A role that may create temporary tables (the application's
-- role, by default) could therefore shadow audit_chain_heads with a temporary table of its own,
-- holding a head of its choosing, and audit_chain_advance (running as the owner) would accept an
-- append that does not continue the real head. Pin their search_path to pg_catalog, the schema they
-- live in, and pg_temp last, as the Postgres documentation advises for SECURITY DEFINER functions.
DO $$
DECLARE
  f regprocedure;
  v_schema name;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'audit_chain_advance()'::regprocedure,
    'audit_prune(uuid, timestamptz)'::regprocedure,
    'audit_pseudonymise(uuid, uuid, text)'::regprocedure
  ] LOOP
    SELECT n.nspname INTO v_schema FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = f;
    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp', f, v_schema);
  END LOOP;
END
$$;
