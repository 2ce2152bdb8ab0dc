CREATE TABLE "fine_tuning_mappings" (
	"org_id" uuid NOT NULL,
	"migration_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"original" text NOT NULL,
	"replacement" text NOT NULL,
	CONSTRAINT "fine_tuning_mappings_migration_id_kind_original_pk" PRIMARY KEY("migration_id","kind","original")
);
--> statement-breakpoint
CREATE TABLE "fine_tuning_settings" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"min_score" double precision DEFAULT 0.8 NOT NULL,
	"eval_percent" integer DEFAULT 10 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "model_evaluations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"model" text NOT NULL,
	"examples" integer NOT NULL,
	"passed" integer NOT NULL,
	"pass_rate" double precision NOT NULL,
	"baseline_passed" integer NOT NULL,
	"baseline_pass_rate" double precision NOT NULL,
	"details" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "model_uploads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid,
	"kind" text NOT NULL,
	"filename" text NOT NULL,
	"size" bigint NOT NULL,
	"received" bigint DEFAULT 0 NOT NULL,
	"digest" text,
	"status" text DEFAULT 'uploading' NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "fine_tuning_data" ADD COLUMN "migration_id" uuid;--> statement-breakpoint
ALTER TABLE "fine_tuning_data" ADD COLUMN "migration_model_id" uuid;--> statement-breakpoint
ALTER TABLE "fine_tuning_data" ADD COLUMN "content_hash" text;--> statement-breakpoint
ALTER TABLE "fine_tuning_data" ADD COLUMN "split" text;--> statement-breakpoint
ALTER TABLE "fine_tuning_mappings" ADD CONSTRAINT "fine_tuning_mappings_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fine_tuning_mappings" ADD CONSTRAINT "fine_tuning_mappings_migration_id_migrations_id_fk" FOREIGN KEY ("migration_id") REFERENCES "public"."migrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fine_tuning_settings" ADD CONSTRAINT "fine_tuning_settings_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_evaluations" ADD CONSTRAINT "model_evaluations_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_uploads" ADD CONSTRAINT "model_uploads_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_uploads" ADD CONSTRAINT "model_uploads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "fine_tuning_mappings_org_id_idx" ON "fine_tuning_mappings" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "model_evaluations_org_model_idx" ON "model_evaluations" USING btree ("org_id","model","created_at");--> statement-breakpoint
CREATE INDEX "model_uploads_org_id_idx" ON "model_uploads" USING btree ("org_id");--> statement-breakpoint
ALTER TABLE "fine_tuning_data" ADD CONSTRAINT "fine_tuning_data_migration_id_migrations_id_fk" FOREIGN KEY ("migration_id") REFERENCES "public"."migrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fine_tuning_data" ADD CONSTRAINT "fine_tuning_data_migration_model_id_migration_models_id_fk" FOREIGN KEY ("migration_model_id") REFERENCES "public"."migration_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "fine_tuning_data_org_hash_uq" ON "fine_tuning_data" USING btree ("org_id","content_hash");