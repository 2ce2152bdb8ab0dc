CREATE TABLE "audit_anchors" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"removed_rows" integer NOT NULL,
	"before" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "encryption_keys" (
	"fingerprint" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_logs" DROP CONSTRAINT "audit_logs_org_id_organizations_id_fk";
--> statement-breakpoint
ALTER TABLE "audit_logs" DROP CONSTRAINT "audit_logs_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "personal" jsonb;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "subject_salt" text;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "subject_hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "pseudonym" text;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "prev_hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX "audit_anchors_org_id_seq_idx" ON "audit_anchors" USING btree ("org_id","seq");--> statement-breakpoint
CREATE INDEX "audit_logs_org_id_user_id_idx" ON "audit_logs" USING btree ("org_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_logs_chain_seq_uq" ON "audit_logs" USING btree (coalesce("org_id", '00000000-0000-0000-0000-000000000000'::uuid),"seq") WHERE "audit_logs"."seq" > 0;--> statement-breakpoint
-- Hand-written below (drizzle-kit does not model triggers or functions).
-- The audit log is append-only, enforced here and not only by the application: UPDATE, DELETE and
-- TRUNCATE raise. Two narrow exceptions, each only inside one SECURITY DEFINER function below,
-- which sets a transaction-local flag for its own statement and clears it again:
--   audit_pseudonymise: blanks the personal subject of rows (chain hashes unchanged, so verify passes);
--   audit_prune:        removes the oldest prefix of a chain and records where it continues (audit_anchors).
-- On a Postgres where the application connects as a role that does not own these tables, also
-- REVOKE UPDATE, DELETE, TRUNCATE from that role (INSTALL.md, "Audit log").
CREATE OR REPLACE FUNCTION audit_logs_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND current_setting('datamigrate.audit_pseudonymise', true) = 'on'
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
  IF TG_OP = 'DELETE' AND current_setting('datamigrate.audit_retention', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'retention and erasure go through audit_prune() and audit_pseudonymise()';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
  FOR EACH ROW EXECUTE FUNCTION audit_logs_guard();
--> statement-breakpoint
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
  FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_guard();
--> statement-breakpoint
-- Anchors are written by audit_prune only and never changed.
CREATE OR REPLACE FUNCTION audit_anchors_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' AND current_setting('datamigrate.audit_retention', true) = 'on' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit anchors are written by audit_prune() only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_anchors_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_anchors
  FOR EACH ROW EXECUTE FUNCTION audit_anchors_guard();
--> statement-breakpoint
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
  FOR EACH STATEMENT EXECUTE FUNCTION audit_anchors_guard();
--> statement-breakpoint
-- Retention: removes the longest prefix of one chain whose rows are all older than p_before and
-- records an anchor (seq and hash of the last removed row) so that verification continues from it.
-- Never less than 30 days are kept, whatever the caller asks. Serialised with inserts by the
-- same advisory lock the application takes per chain (0x41554454 = 'AUDT').
CREATE OR REPLACE FUNCTION audit_prune(p_org uuid, p_before timestamptz)
RETURNS TABLE (removed integer, anchor_seq bigint, anchor_hash text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  v_first_kept bigint;
  v_cut bigint;
  v_hash text;
  v_removed integer;
BEGIN
  IF p_before > now() - interval '30 days' THEN
    RAISE EXCEPTION 'audit retention keeps at least 30 days (asked to remove rows before %)', p_before
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(1096107092, hashtext(coalesce(p_org::text, '-')));
  SELECT min(l.seq) INTO v_first_kept FROM audit_logs l
   WHERE l.org_id IS NOT DISTINCT FROM p_org AND l.seq > 0 AND l.created_at >= p_before;
  IF v_first_kept IS NULL THEN
    SELECT max(l.seq) INTO v_cut FROM audit_logs l WHERE l.org_id IS NOT DISTINCT FROM p_org AND l.seq > 0;
  ELSE
    v_cut := v_first_kept - 1;
  END IF;
  SELECT l.hash INTO v_hash FROM audit_logs l
   WHERE l.org_id IS NOT DISTINCT FROM p_org AND l.seq = v_cut AND v_cut > 0;
  IF v_hash IS NULL THEN
    RETURN QUERY SELECT 0, NULL::bigint, NULL::text;
    RETURN;
  END IF;
  PERFORM set_config('datamigrate.audit_retention', 'on', true);
  DELETE FROM audit_logs l
   WHERE l.org_id IS NOT DISTINCT FROM p_org AND l.seq <= v_cut AND (l.seq > 0 OR l.created_at < p_before);
  GET DIAGNOSTICS v_removed = ROW_COUNT;
  INSERT INTO audit_anchors (org_id, seq, hash, removed_rows, before) VALUES (p_org, v_cut, v_hash, v_removed, p_before);
  PERFORM set_config('datamigrate.audit_retention', 'off', true);
  RETURN QUERY SELECT v_removed, v_cut, v_hash;
END
$$;
--> statement-breakpoint
-- Erasure: blanks the personal subject (user id, IP, personal fields, salt) of one user's rows in
-- one organisation, or of every remaining row of the organisation when p_user is null, and stores
-- a pseudonym instead. The hashed columns are untouched, so the chain still verifies.
CREATE OR REPLACE FUNCTION audit_pseudonymise(p_org uuid, p_user uuid, p_pseudonym text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  v_n integer;
BEGIN
  IF p_pseudonym IS NULL OR p_pseudonym = '' THEN
    RAISE EXCEPTION 'a pseudonym is required' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM set_config('datamigrate.audit_pseudonymise', 'on', true);
  UPDATE audit_logs l
     SET user_id = NULL, ip = NULL, personal = NULL, subject_salt = NULL, pseudonym = p_pseudonym
   WHERE l.org_id IS NOT DISTINCT FROM p_org
     AND l.subject_salt IS NOT NULL
     AND (p_user IS NULL OR l.user_id = p_user);
  GET DIAGNOSTICS v_n = ROW_COUNT;
  PERFORM set_config('datamigrate.audit_pseudonymise', 'off', true);
  RETURN v_n;
END
$$;
