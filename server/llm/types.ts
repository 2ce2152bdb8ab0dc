// The contract between the agents (server/agents) and the model router (server/llm).
// Agents never talk to a provider directly: they ask the router for a structured answer for a tier,
// and the router picks the model, applies timeouts / retries / circuit breakers / fallbacks, records
// the call, and validates the output against the zod schema before returning it.
import type { z } from "zod";

export const COMPLEXITY_TIERS = ["SIMPLE", "MEDIUM", "COMPLEX", "CRITICAL"] as const;
export type ComplexityTier = (typeof COMPLEXITY_TIERS)[number];

export type AgentName = "assess" | "plan" | "execute" | "test" | "rebuild" | "optimize" | "eval";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface StructuredRequest<T> {
  orgId: string;
  migrationId?: string;
  agent: AgentName;
  tier: ComplexityTier;
  messages: ChatMessage[];
  /** Sent to the model as the JSON schema of the answer, and used to validate what comes back. */
  schema: z.ZodType<T>;
  /** A name for the schema, sent where the provider wants one (OpenAI json_schema.name). */
  schemaName: string;
  /** Force one registered model (evaluation); otherwise the tier's route and fallbacks are used. */
  model?: string;
  signal?: AbortSignal;
}

export type StructuredResult<T> =
  | { ok: true; value: T; model: string; endpoint: string; tokensIn: number; tokensOut: number; latencyMs: number }
  | {
      ok: false;
      /** unavailable: no model configured or reachable (the caller keeps the deterministic result). */
      reason: "unavailable" | "invalid_output" | "refused_by_policy" | "cancelled";
      message: string;
      /** Every model tried, in order, with why it failed. */
      attempts: { model: string; endpoint: string; error: string }[];
    };

export interface ModelRouter {
  structured<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>>;
}
