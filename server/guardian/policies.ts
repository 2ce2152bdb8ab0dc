// Per-organisation Guardian policy: detection thresholds and actions, rate limits, allowed
// model providers. An organisation without a stored row runs on DEFAULT_POLICY; the first edit
// stores a full row. Only the organisation's admins may read or change it (server/web/api/policies.ts);
// every change is audited with the fields that changed.
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { recordAudit } from "../db/queries/audit.ts";
import { findPolicyRow, upsertPolicyRow } from "../db/queries/guardian.ts";
import { INPUT_ATTACK_ACTIONS, PROMPT_INJECTION_ACTIONS, type GuardianPolicyRow } from "../db/schema/guardian.ts";
import { LLM_PROVIDERS } from "../db/schema/llm.ts";
import { DEFAULT_PARANOIA_LEVEL, MAX_PARANOIA_LEVEL, MIN_PARANOIA_LEVEL } from "./detect/crs/levels.ts";

export interface GuardianPolicy {
  /** Prompt-injection score (0..1) at or above which an input counts as an injection. */
  promptInjectionThreshold: number;
  /** neutralise: strip comments and quote the text as data; block: refuse the request or step. */
  promptInjectionAction: (typeof PROMPT_INJECTION_ACTIONS)[number];
  /** On SQL injection in a non-SQL input: block (400) or log only. Detections are audited either way. */
  sqliAction: (typeof INPUT_ATTACK_ACTIONS)[number];
  xssAction: (typeof INPUT_ATTACK_ACTIONS)[number];
  /**
   * OWASP CRS paranoia level (1..4) of the input guard: the CRS 941/942 rules of this level and
   * below run on every scanned input, besides Guardian's own detectors. Higher levels catch more
   * and flag more ordinary text (bench/RESULTS.md, "Guardian detectors").
   */
  paranoiaLevel: number;
  /** Requests per minute per user (login session), per API key, and for the whole organisation. */
  rateLimitPerUser: number;
  rateLimitPerApiKey: number;
  rateLimitPerOrg: number;
  /** Provider kinds prompts may be sent to; null: every configured provider (the router's own allowance still applies). */
  allowedModelProviders: string[] | null;
  /** False while the organisation runs on the defaults. */
  stored: boolean;
  updatedAt: Date | null;
  updatedBy: string | null;
}

export const DEFAULT_POLICY: GuardianPolicy = {
  promptInjectionThreshold: 0.5,
  promptInjectionAction: "neutralise",
  sqliAction: "block",
  xssAction: "block",
  // CRS's default, 1: why not 2, see DEFAULT_PARANOIA_LEVEL (server/guardian/detect/crs/levels.ts).
  paranoiaLevel: DEFAULT_PARANOIA_LEVEL,
  rateLimitPerUser: 100,
  rateLimitPerApiKey: 100,
  // The organisation's total: ten busy users at the per-user default.
  rateLimitPerOrg: 1000,
  allowedModelProviders: null,
  stored: false,
  updatedAt: null,
  updatedBy: null,
};

/** The most a policy may allow per minute: beyond this a "limit" protects nothing. */
export const MAX_RATE_LIMIT_PER_MINUTE = 100_000;

const rateField = z.coerce
  .number({ message: "expected a number of requests per minute" })
  .int({ message: "expected a whole number" })
  .min(1, { message: "at least 1 request per minute" })
  .max(MAX_RATE_LIMIT_PER_MINUTE, { message: `at most ${MAX_RATE_LIMIT_PER_MINUTE} requests per minute` });

/** A change to the policy: any subset of the fields; the rest keep their value. */
export const policyUpdateSchema = z.strictObject({
  promptInjectionThreshold: z.coerce
    .number({ message: "expected a number between 0 and 1" })
    .min(0, { message: "at least 0" })
    .max(1, { message: "at most 1" })
    .optional(),
  promptInjectionAction: z.enum(PROMPT_INJECTION_ACTIONS, { message: "expected neutralise or block" }).optional(),
  sqliAction: z.enum(INPUT_ATTACK_ACTIONS, { message: "expected block or log" }).optional(),
  xssAction: z.enum(INPUT_ATTACK_ACTIONS, { message: "expected block or log" }).optional(),
  paranoiaLevel: z.coerce
    .number({ message: `expected a paranoia level from ${MIN_PARANOIA_LEVEL} to ${MAX_PARANOIA_LEVEL}` })
    .int({ message: `expected a whole number from ${MIN_PARANOIA_LEVEL} to ${MAX_PARANOIA_LEVEL}` })
    .min(MIN_PARANOIA_LEVEL, { message: `at least ${MIN_PARANOIA_LEVEL}` })
    .max(MAX_PARANOIA_LEVEL, { message: `at most ${MAX_PARANOIA_LEVEL}` })
    .optional(),
  rateLimitPerUser: rateField.optional(),
  rateLimitPerApiKey: rateField.optional(),
  rateLimitPerOrg: rateField.optional(),
  allowedModelProviders: z
    .array(z.enum(LLM_PROVIDERS, { message: `expected one of ${LLM_PROVIDERS.join(", ")}` }))
    .max(LLM_PROVIDERS.length)
    .nullable()
    .optional(),
});
export type PolicyUpdate = z.infer<typeof policyUpdateSchema>;

function fromRow(row: GuardianPolicyRow): GuardianPolicy {
  return {
    promptInjectionThreshold: row.promptInjectionThreshold,
    promptInjectionAction: row.promptInjectionAction,
    sqliAction: row.sqliAction,
    xssAction: row.xssAction,
    paranoiaLevel: row.paranoiaLevel,
    rateLimitPerUser: row.rateLimitPerUser,
    rateLimitPerApiKey: row.rateLimitPerApiKey,
    rateLimitPerOrg: row.rateLimitPerOrg,
    allowedModelProviders: row.allowedModelProviders ?? null,
    stored: true,
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
  };
}

/** The organisation's policy (its stored row, else the defaults). Callers must have checked that the caller may see it. */
export async function getPolicy(db: Db, orgId: string): Promise<GuardianPolicy> {
  const row = await findPolicyRow(db, orgId);
  return row ? fromRow(row) : { ...DEFAULT_POLICY };
}

/** What the input guard (server/guardian/middleware.ts) needs of the policy. */
export type InputGuardPolicy = Pick<GuardianPolicy, "paranoiaLevel" | "sqliAction" | "xssAction">;

/**
 * The input guard's policy from the columns read with the credential (server/db/queries/credentials.ts,
 * left join: null when the organisation has no stored row and runs on the defaults).
 */
export function inputGuardPolicyOf(row: InputGuardPolicy | null | undefined): InputGuardPolicy {
  const r = row ?? DEFAULT_POLICY;
  return { paranoiaLevel: r.paranoiaLevel, sqliAction: r.sqliAction, xssAction: r.xssAction };
}

const EDITABLE_FIELDS = [
  "promptInjectionThreshold",
  "promptInjectionAction",
  "sqliAction",
  "xssAction",
  "paranoiaLevel",
  "rateLimitPerUser",
  "rateLimitPerApiKey",
  "rateLimitPerOrg",
  "allowedModelProviders",
] as const satisfies ReadonlyArray<keyof PolicyUpdate & keyof GuardianPolicy>;

export interface PolicyChangeContext {
  orgId: string;
  userId: string;
  ip: string | null;
  at: Date;
}

/**
 * Applies a change (already validated with policyUpdateSchema) for the organisation in the
 * context, and audits it as policy.updated with each changed field's old and new value. The
 * caller is responsible for the admin check; the organisation comes from the caller's principal,
 * never from the request.
 */
export async function updatePolicy(db: Db, ctx: PolicyChangeContext, update: PolicyUpdate): Promise<GuardianPolicy> {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const current = await getPolicy(t, ctx.orgId);
    const next = { ...current };
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of EDITABLE_FIELDS) {
      const value = update[field];
      if (value === undefined) continue;
      const normalised =
        field === "allowedModelProviders" && Array.isArray(value) ? [...new Set(value as string[])].sort() : value;
      if (JSON.stringify(normalised) !== JSON.stringify(current[field])) {
        changes[field] = { from: current[field], to: normalised };
        (next as Record<string, unknown>)[field] = normalised;
      }
    }
    if (Object.keys(changes).length === 0 && current.stored) return current;
    const row = await upsertPolicyRow(
      t,
      ctx.orgId,
      {
        promptInjectionThreshold: next.promptInjectionThreshold,
        promptInjectionAction: next.promptInjectionAction,
        sqliAction: next.sqliAction,
        xssAction: next.xssAction,
        paranoiaLevel: next.paranoiaLevel,
        rateLimitPerUser: next.rateLimitPerUser,
        rateLimitPerApiKey: next.rateLimitPerApiKey,
        rateLimitPerOrg: next.rateLimitPerOrg,
        allowedModelProviders: next.allowedModelProviders,
      },
      { userId: ctx.userId, at: ctx.at },
    );
    await recordAudit(t, {
      orgId: ctx.orgId,
      userId: ctx.userId,
      eventType: "policy.updated",
      details: { changes, fields: Object.keys(changes) },
      ip: ctx.ip,
      at: ctx.at,
    });
    return fromRow(row);
  });
}

/** Whether the organisation's policy lets prompts go to this provider kind. */
export function providerAllowed(policy: GuardianPolicy, provider: string): boolean {
  return policy.allowedModelProviders === null || policy.allowedModelProviders.includes(provider);
}
