// Collection (issue 10): every converted object that reached evidence grade tests_passed or better
// becomes an anonymised training example, scored for quality, kept above the organisation's
// threshold, de-duplicated by a hash of its normalised content, and assigned to the train or eval
// split by its migration (never both sides for one migration).
import { createHash } from "node:crypto";
import type { Db } from "../db/client.ts";
import {
  getFineTuningSettings,
  insertExamples,
  listGradedObjects,
  listMigrationObjectNames,
  loadMapping,
  saveMapping,
  type NewExample,
} from "../db/queries/finetune.ts";
import type { FineTuningSplit, FineTuningTask } from "../db/schema/finetune.ts";
import type { MigrationModel } from "../db/schema/migrations.ts";
import { Anonymiser } from "./anonymise.ts";

const GRADE_BASE: Record<string, number> = { verified_equal: 1, tests_passed: 0.9 };

interface DiagnosticLike {
  code?: unknown;
  severity?: unknown;
}

function diagnosticsOf(m: Pick<MigrationModel, "diagnostics">): DiagnosticLike[] {
  return Array.isArray(m.diagnostics) ? (m.diagnostics.filter((d) => d && typeof d === "object") as DiagnosticLike[]) : [];
}

/**
 * Quality from 0 to 1: the evidence grade sets the ceiling (verified_equal 1.0, tests_passed 0.9);
 * each warning or functional difference costs 0.03 (at most 0.15), each error 0.1 (at most 0.3),
 * each rebuild attempt beyond the first 0.05 (at most 0.2): a conversion that needed many tries or
 * still carries warnings teaches less reliably.
 */
export function qualityScore(m: Pick<MigrationModel, "evidenceGrade" | "diagnostics" | "attempts">): number {
  const base = GRADE_BASE[m.evidenceGrade ?? ""] ?? 0;
  if (base === 0) return 0;
  const ds = diagnosticsOf(m);
  const warnings = ds.filter((d) => d.severity === "warning" || d.severity === "functional_difference").length;
  const errors = ds.filter((d) => d.severity === "error").length;
  const penalty = Math.min(0.15, 0.03 * warnings) + Math.min(0.3, 0.1 * errors) + Math.min(0.2, 0.05 * Math.max(0, m.attempts - 1));
  return Math.max(0, Math.min(1, Math.round((base - penalty) * 1000) / 1000));
}

export function taskTypeOf(m: Pick<MigrationModel, "sourceKind" | "attempts">): FineTuningTask {
  if (m.attempts > 0) return "repair_failed_model";
  const kind = m.sourceKind.toLowerCase();
  if (kind.includes("view")) return "view_translation";
  if (kind.includes("proc")) return "procedure_to_models";
  if (kind.includes("function")) return "function_translation";
  return "object_translation";
}

/** Train or eval for a whole migration, from a hash of its id (stable across runs). */
export function splitOf(migrationId: string, evalPercent: number): FineTuningSplit {
  const h = createHash("sha256").update(migrationId).digest();
  return h.readUInt32BE(0) % 100 < evalPercent ? "eval" : "train";
}

/** Case, whitespace and blank lines do not make two examples different. */
export function contentHash(taskType: string, input: string, output: string): string {
  const norm = (s: string) => s.replace(/\s+/g, " ").trim().toLowerCase();
  return createHash("sha256").update(`${taskType}\u0000${norm(input)}\u0000${norm(output)}`).digest("hex");
}

/** The user message of an example: the anonymised T-SQL and its context. */
export function exampleInput(
  task: FineTuningTask,
  o: { kind: string; target: string; tier: string | null; tsql: string; diagnosticCodes: string[] },
): string {
  const lines = [
    `Task: ${task.replace(/_/g, " ")}`,
    `Object kind: ${o.kind}`,
    `Target: ${o.target}`,
  ];
  if (o.tier) lines.push(`Complexity: ${o.tier}`);
  // Codes only: diagnostic messages quote names and values, which would undo the anonymisation.
  if (o.diagnosticCodes.length) lines.push(`Diagnostics: ${o.diagnosticCodes.join(", ")}`);
  lines.push("", "T-SQL:", "```sql", o.tsql.trimEnd(), "```");
  return lines.join("\n");
}

export interface CollectResult {
  considered: number;
  belowThreshold: number;
  duplicates: number;
  added: number;
  minScore: number;
}

export interface CollectOptions {
  migrationId?: string;
  /** Overrides the organisation's threshold. */
  minScore?: number;
}

/** Collects the organisation's examples (idempotent: running it twice adds nothing the second time). */
export async function collectFineTuningExamples(db: Db, orgId: string, opts: CollectOptions = {}): Promise<CollectResult> {
  const settings = await getFineTuningSettings(db, orgId);
  const minScore = opts.minScore ?? settings.minScore;
  const objects = await listGradedObjects(db, orgId, opts.migrationId ? { migrationId: opts.migrationId } : {});
  const byMigration = new Map<string, typeof objects>();
  for (const o of objects) {
    const list = byMigration.get(o.migrationId) ?? [];
    list.push(o);
    byMigration.set(o.migrationId, list);
  }
  const result: CollectResult = { considered: objects.length, belowThreshold: 0, duplicates: 0, added: 0, minScore };
  for (const [migrationId, list] of byMigration) {
    const anonymiser = new Anonymiser(await loadMapping(db, orgId, migrationId));
    anonymiser.addKnownNames(await listMigrationObjectNames(db, orgId, migrationId));
    const split = splitOf(migrationId, settings.evalPercent);
    const examples: NewExample[] = [];
    const seen = new Set<string>();
    for (const o of list) {
      const score = qualityScore(o);
      if (score < minScore) {
        result.belowThreshold++;
        continue;
      }
      const ex = buildExample(anonymiser, o, score, split);
      if (seen.has(ex.contentHash)) {
        result.duplicates++;
        continue;
      }
      seen.add(ex.contentHash);
      examples.push(ex);
    }
    // The mapping is stored before the examples: an example must never exist without the mapping
    // that keeps later examples of the same migration consistent with it.
    await saveMapping(db, orgId, migrationId, anonymiser.newEntries());
    const added = await insertExamples(db, orgId, examples);
    result.added += added;
    result.duplicates += examples.length - added;
  }
  return result;
}

export function buildExample(anonymiser: Anonymiser, o: MigrationModel & { target: string }, score: number, split: FineTuningSplit): NewExample {
  const task = taskTypeOf(o);
  const codes = [...new Set(diagnosticsOf(o).map((d) => (typeof d.code === "string" ? d.code : "")).filter(Boolean))].sort();
  const input = exampleInput(task, {
    kind: o.sourceKind,
    target: o.target,
    tier: o.tier,
    tsql: anonymiser.tsql(o.sourceSql ?? ""),
    diagnosticCodes: task === "repair_failed_model" ? codes : [],
  });
  const output = anonymiser.postgres(o.generatedSql ?? "");
  return {
    taskType: task,
    input,
    output,
    score,
    migrationId: o.migrationId,
    migrationModelId: o.id,
    contentHash: contentHash(task, input, output),
    split,
  };
}
