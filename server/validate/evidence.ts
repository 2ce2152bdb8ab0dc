// Evidence grades: how much a converted object was proven. Ordered from strongest to weakest:
//   verified_equal  parity with the source passed (same rows as SQL Server on the same data)
//   tests_passed    ran, and every data test on it passed (at least one test)
//   ran             created on Postgres from the validation data
//   compiled        rendered to SQL, but not run (a model it depends on failed, or no run yet)
//   failed          did not compile or failed on Postgres
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { migrationModels } from "../db/schema/migrations.ts";

export const EVIDENCE_GRADES = ["verified_equal", "tests_passed", "ran", "compiled", "failed"] as const;
export type EvidenceGrade = (typeof EVIDENCE_GRADES)[number];

/** Higher is stronger. */
export const gradeRank = (g: EvidenceGrade): number => EVIDENCE_GRADES.length - 1 - EVIDENCE_GRADES.indexOf(g);

/** The weaker of two grades (an object made of several models is as proven as its weakest). */
export function weakest(a: EvidenceGrade, b: EvidenceGrade): EvidenceGrade {
  return gradeRank(a) <= gradeRank(b) ? a : b;
}

export interface GradeInput {
  compiled: boolean;
  ran: boolean;
  status: string;
  tests: ReadonlyArray<{ status: string }>;
  incremental?: { ran: boolean };
  /** True when a parity comparison with the source found the same rows. */
  parity?: { equal: boolean };
}

export function gradeModel(m: GradeInput): EvidenceGrade {
  if (!m.compiled || m.status === "failed" || m.status === "not_compiled") return "failed";
  if (!m.ran) return "compiled";
  if (m.incremental && !m.incremental.ran) return "failed";
  if (m.parity) return m.parity.equal ? "verified_equal" : "failed";
  // A warn-severity test that found rows does not fail dbt build; it does not prove anything either.
  const tests = m.tests.filter((t) => t.status !== "skipped");
  return tests.length && tests.every((t) => t.status === "pass") ? "tests_passed" : "ran";
}

/** Stores the grade of one object of a migration (scoped to the organisation); returns rows updated. */
export async function storeEvidenceGrade(db: Db, orgId: string, migrationId: string, object: { schema: string; name: string }, grade: EvidenceGrade): Promise<number> {
  const rows = await db
    .update(migrationModels)
    .set({ evidenceGrade: grade, updatedAt: new Date() })
    .where(and(eq(migrationModels.orgId, orgId), eq(migrationModels.migrationId, migrationId), eq(migrationModels.sourceSchema, object.schema), eq(migrationModels.sourceName, object.name)))
    .returning({ id: migrationModels.id });
  return rows.length;
}

/** Stores every grade of a validation ("schema.name" → grade, as validateProject returns it); returns rows updated. */
export async function storeEvidenceGrades(db: Db, orgId: string, migrationId: string, evidence: Record<string, EvidenceGrade>): Promise<number> {
  let n = 0;
  for (const [id, grade] of Object.entries(evidence)) {
    const dot = id.indexOf(".");
    if (dot < 0) continue;
    n += await storeEvidenceGrade(db, orgId, migrationId, { schema: id.slice(0, dot), name: id.slice(dot + 1) }, grade);
  }
  return n;
}
