CREATE TABLE "guardian_policies" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"prompt_injection_threshold" double precision NOT NULL,
	"prompt_injection_action" text NOT NULL,
	"sqli_action" text NOT NULL,
	"xss_action" text NOT NULL,
	"rate_limit_per_user" integer NOT NULL,
	"rate_limit_per_api_key" integer NOT NULL,
	"rate_limit_per_org" integer NOT NULL,
	"allowed_model_providers" jsonb,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "guardian_policies_pi_action_check" CHECK ("guardian_policies"."prompt_injection_action" in ('neutralise', 'block')),
	CONSTRAINT "guardian_policies_sqli_action_check" CHECK ("guardian_policies"."sqli_action" in ('block', 'log')),
	CONSTRAINT "guardian_policies_xss_action_check" CHECK ("guardian_policies"."xss_action" in ('block', 'log')),
	CONSTRAINT "guardian_policies_threshold_check" CHECK ("guardian_policies"."prompt_injection_threshold" >= 0 and "guardian_policies"."prompt_injection_threshold" <= 1),
	CONSTRAINT "guardian_policies_rate_limits_check" CHECK ("guardian_policies"."rate_limit_per_user" >= 1 and "guardian_policies"."rate_limit_per_api_key" >= 1 and "guardian_policies"."rate_limit_per_org" >= 1)
);
--> statement-breakpoint
CREATE TABLE "login_throttles" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"last_failure_at" timestamp with time zone NOT NULL,
	"locked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "rate_limit_counters" (
	"key" text PRIMARY KEY NOT NULL,
	"window_ms" integer NOT NULL,
	"window_start" bigint NOT NULL,
	"count" integer NOT NULL,
	"prev_count" integer NOT NULL,
	"max_hits" integer NOT NULL,
	"allowed" boolean NOT NULL,
	"last_hit_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "guardian_policies" ADD CONSTRAINT "guardian_policies_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guardian_policies" ADD CONSTRAINT "guardian_policies_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "login_throttles_last_failure_at_idx" ON "login_throttles" USING btree ("last_failure_at");--> statement-breakpoint
CREATE INDEX "rate_limit_counters_expires_at_idx" ON "rate_limit_counters" USING btree ("expires_at");