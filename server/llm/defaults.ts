// The default routes: ollama-models/defaults.json names one local model per tier. The chain for a
// tier is that model followed by the other default models, so that a machine that has imported only
// one of them still gets an answer (validation decides whether it is kept).
import { readFileSync } from "node:fs";
import { z } from "zod";
import { COMPLEXITY_TIERS, type ComplexityTier } from "./types.ts";

const tierEntry = z.object({ provider: z.literal("ollama"), model: z.string().min(1) });

export const defaultsFileSchema = z.object({
  tiers: z.object({ SIMPLE: tierEntry, MEDIUM: tierEntry, COMPLEX: tierEntry, CRITICAL: tierEntry }),
  models: z.record(z.string(), z.unknown()).optional(),
});

export interface DefaultRoutes {
  /** Model names served by the configured Ollama endpoint, per tier, primary first. */
  tiers: Record<ComplexityTier, string[]>;
  /** Every default model name (all on Ollama). */
  models: string[];
}

export const DEFAULTS_FILE = new URL("../../ollama-models/defaults.json", import.meta.url);

export function parseDefaults(json: unknown): DefaultRoutes {
  const parsed = defaultsFileSchema.parse(json);
  const primaries = COMPLEXITY_TIERS.map((t) => parsed.tiers[t].model);
  const models = [...new Set([...primaries, ...Object.keys(parsed.models ?? {})])];
  const tiers = Object.fromEntries(
    COMPLEXITY_TIERS.map((t) => {
      const primary = parsed.tiers[t].model;
      return [t, [primary, ...models.filter((m) => m !== primary)]];
    }),
  ) as Record<ComplexityTier, string[]>;
  return { tiers, models };
}

let cached: DefaultRoutes | undefined;

/** Reads and validates ollama-models/defaults.json once; a broken file is a start-up error, not a silent default. */
export function loadDefaultRoutes(file: URL | string = DEFAULTS_FILE): DefaultRoutes {
  if (file === DEFAULTS_FILE && cached) return cached;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`cannot read the default model routes ${String(file)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const routes = parseDefaults(json);
  if (file === DEFAULTS_FILE) cached = routes;
  return routes;
}
