CREATE TABLE "migration_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"migration_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"stage" text NOT NULL,
	"object" text,
	"message" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "migration_files" (
	"migration_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"path" text NOT NULL,
	"content" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "migration_files_migration_id_path_pk" PRIMARY KEY("migration_id","path")
);
--> statement-breakpoint
CREATE TABLE "migration_sources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"migration_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"filename" text NOT NULL,
	"content" "bytea" NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "migrations" ALTER COLUMN "status" SET DEFAULT 'queued';--> statement-breakpoint
ALTER TABLE "migration_models" ADD COLUMN "model_path" text;--> statement-breakpoint
ALTER TABLE "migration_models" ADD COLUMN "tier" text;--> statement-breakpoint
ALTER TABLE "migration_models" ADD COLUMN "risk_factors" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "migration_models" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "migration_models" ADD COLUMN "validation" jsonb;--> statement-breakpoint
ALTER TABLE "migrations" ADD COLUMN "stages" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "migrations" ADD COLUMN "report" jsonb;--> statement-breakpoint
ALTER TABLE "migrations" ADD COLUMN "error" text;--> statement-breakpoint
ALTER TABLE "migrations" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "migrations" ADD COLUMN "finished_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "migration_events" ADD CONSTRAINT "migration_events_migration_id_migrations_id_fk" FOREIGN KEY ("migration_id") REFERENCES "public"."migrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration_events" ADD CONSTRAINT "migration_events_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration_files" ADD CONSTRAINT "migration_files_migration_id_migrations_id_fk" FOREIGN KEY ("migration_id") REFERENCES "public"."migrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration_files" ADD CONSTRAINT "migration_files_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration_sources" ADD CONSTRAINT "migration_sources_migration_id_migrations_id_fk" FOREIGN KEY ("migration_id") REFERENCES "public"."migrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration_sources" ADD CONSTRAINT "migration_sources_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "migration_events_migration_id_id_idx" ON "migration_events" USING btree ("migration_id","id");--> statement-breakpoint
CREATE INDEX "migration_sources_migration_id_idx" ON "migration_sources" USING btree ("migration_id");--> statement-breakpoint
CREATE UNIQUE INDEX "migration_models_object_uq" ON "migration_models" USING btree ("migration_id","source_schema","source_name","source_kind");--> statement-breakpoint
UPDATE "migrations" SET "status" = 'queued' WHERE "status" = 'pending';
