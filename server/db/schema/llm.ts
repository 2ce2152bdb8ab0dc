// The model router's state per organisation: registered models, tier routes, the outbound
// allowance for cloud providers, and a row for every model call.
import { sql } from "drizzle-orm";
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { migrations } from "./migrations.ts";
import { organizations } from "./organizations.ts";

/** ollama and openai_compat are local (the appliance's default); anthropic and openai reach the internet. */
export const LLM_PROVIDERS = ["ollama", "openai_compat", "anthropic", "openai"] as const;
export type LlmProvider = (typeof LLM_PROVIDERS)[number];
export const CLOUD_PROVIDERS = ["anthropic", "openai"] as const satisfies readonly LlmProvider[];
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

/** base: a model as served; fine_tuned: weights trained on the organisation's examples; lora: an adapter on a base. */
export const MODEL_KINDS = ["base", "fine_tuned", "lora"] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export const LLM_CALL_OUTCOMES = ["ok", "error", "invalid_output", "timeout", "circuit_open", "refused"] as const;
export type LlmCallOutcome = (typeof LLM_CALL_OUTCOMES)[number];

export const registeredModels = pgTable(
  "registered_models",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** The name the provider serves it under (Ollama model tag, vLLM model or LoRA adapter name). */
    name: text().notNull(),
    provider: text().$type<LlmProvider>().notNull(),
    /** One of the configured endpoints (the router never calls anything else). */
    endpointUrl: text().notNull(),
    kind: text().$type<ModelKind>().notNull().default("base"),
    /** For fine_tuned and lora: what it was trained from (informational). */
    baseModel: text(),
    description: text(),
    enabled: boolean().notNull().default(true),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("registered_models_org_name_idx").on(t.orgId, t.name)],
);
export type RegisteredModel = typeof registeredModels.$inferSelect;

/** An organisation's chain of model names for one complexity tier: first = primary, rest = fallbacks. */
export const llmTierRoutes = pgTable(
  "llm_tier_routes",
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    tier: text().notNull(),
    models: text().array().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.tier] })],
);
export type LlmTierRoute = typeof llmTierRoutes.$inferSelect;

/** Off unless an admin says otherwise: the appliance's default is no internet. */
export const llmOrgSettings = pgTable("llm_org_settings", {
  orgId: uuid()
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  allowOutbound: boolean().notNull().default(false),
  /** Which cloud providers outbound access covers (both conditions are needed). */
  allowedProviders: text().array().$type<CloudProvider[]>().notNull().default(sql`'{}'::text[]`),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
export type LlmOrgSettings = typeof llmOrgSettings.$inferSelect;

/** One row per model tried for a request (retries inside one model count as one call). */
export const llmCalls = pgTable(
  "llm_calls",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    migrationId: uuid().references(() => migrations.id, { onDelete: "set null" }),
    agent: text().notNull(),
    tier: text(),
    model: text().notNull(),
    provider: text().$type<LlmProvider>().notNull(),
    endpoint: text().notNull(),
    tokensIn: integer().notNull().default(0),
    tokensOut: integer().notNull().default(0),
    latencyMs: integer().notNull().default(0),
    outcome: text().$type<LlmCallOutcome>().notNull(),
    error: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("llm_calls_org_created_idx").on(t.orgId, t.createdAt), index("llm_calls_migration_idx").on(t.migrationId)],
);
export type LlmCall = typeof llmCalls.$inferSelect;
