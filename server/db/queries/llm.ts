// Model router state: registered models, tier routes, the outbound allowance and the call log.
// Every function is scoped by organisation id.
import { and, asc, count, desc, eq, gte, sql, sum } from "drizzle-orm";
import { queryRows, type Db } from "../client.ts";
import {
  llmCalls,
  llmOrgSettings,
  llmTierRoutes,
  registeredModels,
  type CloudProvider,
  type LlmCall,
  type LlmCallOutcome,
  type LlmProvider,
  type ModelKind,
  type RegisteredModel,
} from "../schema/llm.ts";
import type { ComplexityTier } from "../../llm/types.ts";

export class ModelNameTakenError extends Error {
  constructor(readonly modelName: string) {
    super(`a model named '${modelName}' is already registered`);
    this.name = "ModelNameTakenError";
  }
}

function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === "23505") return true;
  }
  return false;
}

export interface RegisterModelInput {
  name: string;
  provider: LlmProvider;
  endpointUrl: string;
  kind?: ModelKind;
  baseModel?: string | null;
  description?: string | null;
  enabled?: boolean;
}

/** Registers a model by the name its endpoint serves it under. Throws ModelNameTakenError on a duplicate name. */
export async function registerModel(db: Db, orgId: string, input: RegisterModelInput): Promise<RegisteredModel> {
  try {
    const [row] = await db
      .insert(registeredModels)
      .values({
        orgId,
        name: input.name,
        provider: input.provider,
        endpointUrl: input.endpointUrl,
        kind: input.kind ?? "base",
        baseModel: input.baseModel ?? null,
        description: input.description ?? null,
        enabled: input.enabled ?? true,
      })
      .returning();
    return row!;
  } catch (err) {
    if (isUniqueViolation(err)) throw new ModelNameTakenError(input.name);
    throw err;
  }
}

/** Removes a model and takes it out of every tier route of the organisation. Returns the removed row. */
export async function removeModel(db: Db, orgId: string, name: string): Promise<RegisteredModel | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(registeredModels)
      .where(and(eq(registeredModels.orgId, orgId), eq(registeredModels.name, name)))
      .returning();
    if (!row) return undefined;
    await tx
      .update(llmTierRoutes)
      .set({ models: sql`array_remove(${llmTierRoutes.models}, ${name})`, updatedAt: new Date() })
      .where(and(eq(llmTierRoutes.orgId, orgId), sql`${name} = any(${llmTierRoutes.models})`));
    return row;
  });
}

export async function setModelEnabled(db: Db, orgId: string, name: string, enabled: boolean): Promise<RegisteredModel | undefined> {
  const [row] = await db
    .update(registeredModels)
    .set({ enabled })
    .where(and(eq(registeredModels.orgId, orgId), eq(registeredModels.name, name)))
    .returning();
  return row;
}

export async function listRegisteredModels(db: Db, orgId: string): Promise<RegisteredModel[]> {
  return db.select().from(registeredModels).where(eq(registeredModels.orgId, orgId)).orderBy(asc(registeredModels.name));
}

export async function getRegisteredModel(db: Db, orgId: string, name: string): Promise<RegisteredModel | undefined> {
  const [row] = await db
    .select()
    .from(registeredModels)
    .where(and(eq(registeredModels.orgId, orgId), eq(registeredModels.name, name)));
  return row;
}

/** Sets one tier's chain (first = primary). An empty list removes the override (back to the defaults). */
export async function setTierRoute(db: Db, orgId: string, tier: ComplexityTier, models: string[]): Promise<void> {
  if (models.length === 0) {
    await db.delete(llmTierRoutes).where(and(eq(llmTierRoutes.orgId, orgId), eq(llmTierRoutes.tier, tier)));
    return;
  }
  const now = new Date();
  await db
    .insert(llmTierRoutes)
    .values({ orgId, tier, models, updatedAt: now })
    .onConflictDoUpdate({ target: [llmTierRoutes.orgId, llmTierRoutes.tier], set: { models, updatedAt: now } });
}

/** The organisation's overrides only (tiers without one use the defaults). */
export async function getTierRoutes(db: Db, orgId: string): Promise<Partial<Record<ComplexityTier, string[]>>> {
  const rows = await db.select().from(llmTierRoutes).where(eq(llmTierRoutes.orgId, orgId));
  const out: Partial<Record<ComplexityTier, string[]>> = {};
  for (const r of rows) out[r.tier as ComplexityTier] = r.models;
  return out;
}

export interface LlmSettings {
  allowOutbound: boolean;
  allowedProviders: CloudProvider[];
}

export async function getLlmSettings(db: Db, orgId: string): Promise<LlmSettings> {
  const [row] = await db.select().from(llmOrgSettings).where(eq(llmOrgSettings.orgId, orgId));
  return { allowOutbound: row?.allowOutbound ?? false, allowedProviders: row?.allowedProviders ?? [] };
}

export async function setLlmSettings(db: Db, orgId: string, settings: LlmSettings): Promise<void> {
  const now = new Date();
  const values = { allowOutbound: settings.allowOutbound, allowedProviders: settings.allowedProviders, updatedAt: now };
  await db
    .insert(llmOrgSettings)
    .values({ orgId, ...values })
    .onConflictDoUpdate({ target: llmOrgSettings.orgId, set: values });
}

/**
 * Everything the router needs for one request in ONE statement: it runs on every model call, and on
 * PGlite three separate selects cost several times one (measured in bench/llm-router.ts).
 */
export async function loadRoutingState(
  db: Db,
  orgId: string,
): Promise<{ models: RegisteredModel[]; routes: Partial<Record<ComplexityTier, string[]>>; settings: LlmSettings }> {
  const [row] = await queryRows<{ models: unknown; routes: unknown; settings: unknown }>(
    db,
    sql`select
      (select coalesce(json_agg(json_build_object(
          'id', m.id, 'name', m.name, 'provider', m.provider, 'endpointUrl', m.endpoint_url, 'kind', m.kind,
          'baseModel', m.base_model, 'description', m.description, 'enabled', m.enabled, 'createdAt', m.created_at)), '[]'::json)
        from ${registeredModels} m where m.org_id = ${orgId}) as models,
      (select coalesce(json_object_agg(r.tier, r.models), '{}'::json) from ${llmTierRoutes} r where r.org_id = ${orgId}) as routes,
      (select json_build_object('allowOutbound', s.allow_outbound, 'allowedProviders', s.allowed_providers)
        from ${llmOrgSettings} s where s.org_id = ${orgId}) as settings`,
  );
  // postgres.js parses json columns; PGlite too, but accept text to be driver-proof.
  const parse = <T>(v: unknown, fallback: T): T => (v == null ? fallback : typeof v === "string" ? (JSON.parse(v) as T) : (v as T));
  const models = parse<(Omit<RegisteredModel, "createdAt" | "orgId"> & { createdAt: string })[]>(row?.models, []).map((m) => ({
    ...m,
    orgId,
    createdAt: new Date(m.createdAt),
  }));
  const routes = parse<Partial<Record<ComplexityTier, string[]>>>(row?.routes, {});
  const settings = parse<LlmSettings>(row?.settings, { allowOutbound: false, allowedProviders: [] });
  return { models, routes, settings };
}

export interface LlmCallInput {
  orgId: string;
  migrationId?: string | null;
  agent: string;
  tier?: string | null;
  model: string;
  provider: LlmProvider;
  endpoint: string;
  tokensIn?: number;
  tokensOut?: number;
  latencyMs: number;
  outcome: LlmCallOutcome;
  error?: string | null;
}

export async function recordLlmCalls(db: Db, calls: LlmCallInput[]): Promise<void> {
  if (calls.length === 0) return;
  await db.insert(llmCalls).values(
    calls.map((c) => ({
      orgId: c.orgId,
      migrationId: c.migrationId ?? null,
      agent: c.agent,
      tier: c.tier ?? null,
      model: c.model,
      provider: c.provider,
      endpoint: c.endpoint,
      tokensIn: Math.max(0, Math.round(c.tokensIn ?? 0)),
      tokensOut: Math.max(0, Math.round(c.tokensOut ?? 0)),
      latencyMs: Math.max(0, Math.round(c.latencyMs)),
      outcome: c.outcome,
      // Error texts come from remote servers: bounded so that a huge error page cannot bloat the table.
      error: c.error ? c.error.slice(0, 2000) : null,
    })),
  );
}

export interface LlmCallFilter {
  migrationId?: string;
  since?: Date;
  limit?: number;
  offset?: number;
}

function callConditions(orgId: string, f: LlmCallFilter) {
  return and(
    eq(llmCalls.orgId, orgId),
    f.migrationId ? eq(llmCalls.migrationId, f.migrationId) : undefined,
    f.since ? gte(llmCalls.createdAt, f.since) : undefined,
  );
}

/** Newest first. */
export async function listLlmCalls(db: Db, orgId: string, filter: LlmCallFilter = {}): Promise<LlmCall[]> {
  return db
    .select()
    .from(llmCalls)
    .where(callConditions(orgId, filter))
    .orderBy(desc(llmCalls.createdAt), desc(llmCalls.id))
    .limit(filter.limit ?? 100)
    .offset(filter.offset ?? 0);
}

export interface LlmCallSummary {
  model: string;
  provider: LlmProvider;
  outcome: LlmCallOutcome;
  calls: number;
  tokensIn: number;
  tokensOut: number;
  avgLatencyMs: number;
}

/** Per model and outcome: how many calls, tokens and mean latency. */
export async function summarizeLlmCalls(db: Db, orgId: string, filter: Omit<LlmCallFilter, "limit" | "offset"> = {}): Promise<LlmCallSummary[]> {
  const rows = await db
    .select({
      model: llmCalls.model,
      provider: llmCalls.provider,
      outcome: llmCalls.outcome,
      calls: count(),
      tokensIn: sum(llmCalls.tokensIn),
      tokensOut: sum(llmCalls.tokensOut),
      avgLatencyMs: sql<string>`avg(${llmCalls.latencyMs})`,
    })
    .from(llmCalls)
    .where(callConditions(orgId, filter))
    .groupBy(llmCalls.model, llmCalls.provider, llmCalls.outcome)
    .orderBy(asc(llmCalls.model), asc(llmCalls.outcome));
  return rows.map((r) => ({
    model: r.model,
    provider: r.provider,
    outcome: r.outcome,
    calls: Number(r.calls),
    tokensIn: Number(r.tokensIn ?? 0),
    tokensOut: Number(r.tokensOut ?? 0),
    avgLatencyMs: Math.round(Number(r.avgLatencyMs ?? 0)),
  }));
}
