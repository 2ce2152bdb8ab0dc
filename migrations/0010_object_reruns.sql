CREATE TABLE "migration_object_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"migration_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"model_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"requested_by" uuid,
	"before" jsonb,
	"after" jsonb,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "migration_models" ADD COLUMN "source_file" text;--> statement-breakpoint
ALTER TABLE "migration_models" ADD COLUMN "source_line" integer;--> statement-breakpoint
ALTER TABLE "migration_object_runs" ADD CONSTRAINT "migration_object_runs_migration_id_migrations_id_fk" FOREIGN KEY ("migration_id") REFERENCES "public"."migrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration_object_runs" ADD CONSTRAINT "migration_object_runs_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration_object_runs" ADD CONSTRAINT "migration_object_runs_model_id_migration_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."migration_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration_object_runs" ADD CONSTRAINT "migration_object_runs_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "migration_object_runs_model_id_idx" ON "migration_object_runs" USING btree ("model_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "migration_object_runs_active_uq" ON "migration_object_runs" USING btree ("migration_id") WHERE "migration_object_runs"."status" in ('queued', 'running');