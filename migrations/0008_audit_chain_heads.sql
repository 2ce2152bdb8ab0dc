CREATE TABLE "audit_chain_heads" (
	"chain" uuid PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Hand-written below (drizzle-kit does not model triggers or functions).
--
-- 1. Head anchors. A hash chain shows an edited or a removed row by the break it leaves in the
--    links after it, but rows cut from its END leave no link behind. audit_chain_heads remembers,
--    per chain, the seq and hash of the newest row; `audit verify` reports a chain that stops
--    before it (AUD1008). The head is moved by the database, not by the application: an AFTER
--    INSERT trigger on audit_logs (SECURITY DEFINER, so it works for an application role that has
--    no privileges on audit_chain_heads at all) advances it in the transaction of the append, and
--    refuses an append that does not continue the chain (seq = head + 1, prev_hash = head hash,
--    the rows of one statement linked to each other). A guard trigger on audit_chain_heads lets a
--    head move only forward, only onto an existing row of its chain, and only from inside that
--    trigger (or by the tables' owner); DELETE and TRUNCATE raise.
--
-- What this cannot stop: a database superuser (or the tables' owner) can disable triggers and
-- rewrite rows and heads together, consistently. Against them the defence is a head kept outside
-- the database: `audit verify` prints each chain's head; `audit verify --heads FILE` checks a saved
-- `--json` report (INSTALL.md, "Audit log").
--
-- Existing chains: the head is the newest chained row, else the newest retention anchor.
INSERT INTO audit_chain_heads (chain, seq, hash)
SELECT DISTINCT ON (chain) chain, seq, hash FROM (
  SELECT coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid) AS chain, seq, hash FROM audit_logs WHERE seq > 0
  UNION ALL
  SELECT coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid), seq, hash FROM audit_anchors
) h
ORDER BY chain, seq DESC;
--> statement-breakpoint
-- One check and one head move per INSERT statement and chain (a statement-level trigger over the
-- inserted rows), so that multi-row appends (group commit, batches) stay cheap: the statement's
-- rows of a chain must continue its head and each other without a gap.
CREATE OR REPLACE FUNCTION audit_chain_advance() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  r record;
  v_seq bigint;
  v_hash text;
  v_found boolean;
BEGIN
  IF EXISTS (SELECT 1 FROM audit_new_rows n WHERE n.seq IS NULL OR n.seq <= 0) THEN
    RAISE EXCEPTION 'audit rows are chained: seq must be 1 or more'
      USING ERRCODE = 'check_violation';
  END IF;
  PERFORM set_config('datamigrate.audit_head', 'on', true);
  FOR r IN
    SELECT x.chain, count(*) AS n, min(x.seq) AS first_seq, max(x.seq) AS last_seq,
           (array_agg(x.prev_hash ORDER BY x.seq))[1] AS first_prev,
           (array_agg(x.hash ORDER BY x.seq DESC))[1] AS last_hash,
           bool_and(x.linked) AS linked
      FROM (
        SELECT coalesce(n.org_id, '00000000-0000-0000-0000-000000000000'::uuid) AS chain, n.seq, n.prev_hash, n.hash,
               (lag(n.seq) OVER w IS NULL OR (n.seq = lag(n.seq) OVER w + 1 AND n.prev_hash = lag(n.hash) OVER w)) AS linked
          FROM audit_new_rows n
        WINDOW w AS (PARTITION BY coalesce(n.org_id, '00000000-0000-0000-0000-000000000000'::uuid) ORDER BY n.seq)
      ) x
     GROUP BY x.chain
  LOOP
    SELECT h.seq, h.hash INTO v_seq, v_hash FROM audit_chain_heads h WHERE h.chain = r.chain FOR UPDATE;
    v_found := FOUND;
    IF NOT v_found THEN
      v_seq := 0;
      v_hash := repeat('0', 64);
    END IF;
    IF r.first_seq <> v_seq + 1 OR r.first_prev <> v_hash OR NOT r.linked OR r.last_seq <> r.first_seq + r.n - 1 THEN
      RAISE EXCEPTION 'audit chain %: an append must continue the head at seq % (got seq % with another prev_hash, or rows that do not link up)', r.chain, v_seq, r.first_seq
        USING ERRCODE = 'check_violation';
    END IF;
    IF v_found THEN
      UPDATE audit_chain_heads SET seq = r.last_seq, hash = r.last_hash, updated_at = now() WHERE chain = r.chain;
    ELSE
      INSERT INTO audit_chain_heads (chain, seq, hash, updated_at) VALUES (r.chain, r.last_seq, r.last_hash, now());
    END IF;
  END LOOP;
  PERFORM set_config('datamigrate.audit_head', 'off', true);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_logs_advance_head AFTER INSERT ON audit_logs
  REFERENCING NEW TABLE AS audit_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_advance();
--> statement-breakpoint
-- The heads' own guard. Whoever writes (the trigger above, or anyone with privileges on the table),
-- a head only moves forward onto a row of its chain: rewinding it to hide a cut tail raises.
-- Writes outside the trigger above are refused unless made by the tables' owner (who could drop the
-- trigger anyway); an application role that does not own the tables cannot write heads at all.
CREATE OR REPLACE FUNCTION audit_chain_heads_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_owner name;
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
    RAISE EXCEPTION 'audit chain heads only move forward: % on % refused', TG_OP, TG_TABLE_NAME
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT pg_get_userbyid(c.relowner) INTO v_owner FROM pg_class c WHERE c.oid = TG_RELID;
  IF coalesce(current_setting('datamigrate.audit_head', true), '') <> 'on' OR NOT pg_has_role(current_user, v_owner, 'MEMBER') THEN
    RAISE EXCEPTION 'audit chain heads are moved by appends to audit_logs only: % on % refused', TG_OP, TG_TABLE_NAME
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.chain <> OLD.chain OR NEW.seq <= OLD.seq) THEN
    RAISE EXCEPTION 'audit chain head % may only move forward (from seq % to %)', OLD.chain, OLD.seq, NEW.seq
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM audit_logs l
     WHERE coalesce(l.org_id, '00000000-0000-0000-0000-000000000000'::uuid) = NEW.chain
       AND l.seq = NEW.seq AND l.hash = NEW.hash
  ) THEN
    RAISE EXCEPTION 'audit chain head % must point at a row of its chain (seq %)', NEW.chain, NEW.seq
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_chain_heads_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_chain_heads
  FOR EACH ROW EXECUTE FUNCTION audit_chain_heads_guard();
--> statement-breakpoint
CREATE TRIGGER audit_chain_heads_no_truncate BEFORE TRUNCATE ON audit_chain_heads
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_heads_guard();
--> statement-breakpoint
-- 2. The exceptions of 0003's guards (erasure, retention) were opened by a transaction-local setting
--    that any role can set with set_config(). They now also require the tables' owner, which is who
--    runs inside audit_prune() and audit_pseudonymise() (SECURITY DEFINER): an application role that
--    does not own the tables can no longer UPDATE or DELETE audit rows by setting the flag itself.
CREATE OR REPLACE FUNCTION audit_logs_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_owner name;
BEGIN
  SELECT pg_get_userbyid(c.relowner) INTO v_owner FROM pg_class c WHERE c.oid = TG_RELID;
  IF TG_OP = 'UPDATE'
     AND current_setting('datamigrate.audit_pseudonymise', true) = 'on'
     AND pg_has_role(current_user, v_owner, 'MEMBER')
     AND NEW.id = OLD.id
     AND NEW.org_id IS NOT DISTINCT FROM OLD.org_id
     AND NEW.seq = OLD.seq
     AND NEW.event_type = OLD.event_type
     AND NEW.details = OLD.details
     AND NEW.subject_hash = OLD.subject_hash
     AND NEW.prev_hash = OLD.prev_hash
     AND NEW.hash = OLD.hash
     AND NEW.created_at = OLD.created_at
     AND NEW.user_id IS NULL AND NEW.ip IS NULL AND NEW.personal IS NULL AND NEW.subject_salt IS NULL
     AND NEW.pseudonym IS NOT NULL THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' AND current_setting('datamigrate.audit_retention', true) = 'on' AND pg_has_role(current_user, v_owner, 'MEMBER') THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'retention and erasure go through audit_prune() and audit_pseudonymise()';
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_anchors_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_owner name;
BEGIN
  SELECT pg_get_userbyid(c.relowner) INTO v_owner FROM pg_class c WHERE c.oid = TG_RELID;
  IF TG_OP = 'INSERT' AND current_setting('datamigrate.audit_retention', true) = 'on' AND pg_has_role(current_user, v_owner, 'MEMBER') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit anchors are written by audit_prune() only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;
