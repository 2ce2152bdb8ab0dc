// Evaluation (issue 10): the eval split goes through one model via the router (agent "eval", the
// model forced) and every answer is scored by execution: the migration's stored dbt project with
// that one model replaced is run by the validation runner, and the answer passes when the model
// reaches tests_passed or better. The baseline is what the deterministic translator achieved on
// the same objects: an object that needed no model repair (attempts = 0) passed on the rules alone.
// Evaluation runs on the server, on the original (not anonymised) objects: the model is local and
// execution needs the real schema.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { listEvalObjects, recordEvaluation } from "../db/queries/finetune.ts";
import type { ModelEvaluation } from "../db/schema/finetune.ts";
import { migrationFiles, migrations, type MigrationModel } from "../db/schema/migrations.ts";
import type { ModelRouter } from "../llm/types.ts";
import { COMPLEXITY_TIERS, type ComplexityTier } from "../llm/types.ts";
import { exampleInput, taskTypeOf } from "./collect.ts";
import { SYSTEM_PROMPT } from "./export.ts";

export class EvalError extends Error {
  constructor(
    readonly code: "FT4001",
    message: string,
  ) {
    super(`${message} (${code})`);
    this.name = "EvalError";
  }
}

export const EvalAnswer = z.strictObject({ sql: z.string().min(1).describe("the dbt model SQL") });

export interface AnswerCheck {
  passed: boolean;
  error?: string;
}

/** Decides whether `sql`, as the model of `object`, passes validation. */
export type AnswerValidator = (object: MigrationModel, sql: string) => Promise<AnswerCheck>;

export interface EvalOptions {
  model: string;
  router: ModelRouter;
  /** Default: the migration's stored dbt project run by the validation runner. */
  validate?: AnswerValidator;
  limit?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function evaluateModel(db: Db, orgId: string, opts: EvalOptions): Promise<ModelEvaluation> {
  let items = await listEvalObjects(db, orgId);
  if (opts.limit) items = items.slice(0, opts.limit);
  if (items.length === 0) {
    throw new EvalError("FT4001", "the eval split is empty: collect examples from completed migrations first (export-training), or raise the eval percentage");
  }
  const own = opts.validate ? undefined : projectValidator(db, orgId);
  const validate = opts.validate ?? own!;
  try {
    return await evaluateItems(db, orgId, opts, items, validate);
  } finally {
    await own?.close();
  }
}

async function evaluateItems(
  db: Db,
  orgId: string,
  opts: EvalOptions,
  items: Awaited<ReturnType<typeof listEvalObjects>>,
  validate: AnswerValidator,
): Promise<ModelEvaluation> {
  const details: Record<string, unknown>[] = [];
  let passed = 0;
  let baselinePassed = 0;
  let done = 0;
  for (const { example, object } of items) {
    const target = await migrationTarget(db, orgId, object.migrationId);
    const task = taskTypeOf(object);
    const tier: ComplexityTier = COMPLEXITY_TIERS.includes(object.tier as ComplexityTier) ? (object.tier as ComplexityTier) : "MEDIUM";
    const answer = await opts.router.structured({
      orgId,
      migrationId: object.migrationId,
      agent: "eval",
      tier,
      model: opts.model,
      schema: EvalAnswer,
      schemaName: "dbt_model",
      messages: [
        { role: "system", content: SYSTEM_PROMPT + ' Reply as JSON: {"sql": "<the model SQL>"}.' },
        {
          role: "user",
          content: exampleInput(task, { kind: object.sourceKind, target, tier: object.tier, tsql: object.sourceSql ?? "", diagnosticCodes: [] }),
        },
      ],
    });
    const baseline = object.attempts === 0;
    if (baseline) baselinePassed++;
    let check: AnswerCheck;
    if (!answer.ok) check = { passed: false, error: `${answer.reason}: ${answer.message}` };
    else {
      try {
        check = await validate(object, answer.value.sql);
      } catch (err) {
        check = { passed: false, error: err instanceof Error ? err.message : String(err) };
      }
    }
    if (check.passed) passed++;
    details.push({
      example: example.id,
      object: `${object.sourceSchema}.${object.sourceName}`,
      task,
      passed: check.passed,
      baselinePassed: baseline,
      ...(check.error ? { error: check.error.slice(0, 500) } : {}),
    });
    opts.onProgress?.(++done, items.length);
  }
  const n = items.length;
  return recordEvaluation(db, orgId, {
    model: opts.model,
    examples: n,
    passed,
    passRate: passed / n,
    baselinePassed,
    baselinePassRate: baselinePassed / n,
    details,
  });
}

async function migrationTarget(db: Db, orgId: string, migrationId: string): Promise<string> {
  const [m] = await db
    .select({ config: migrations.config })
    .from(migrations)
    .where(and(eq(migrations.orgId, orgId), eq(migrations.id, migrationId)));
  return m?.config.target ?? "postgres";
}

/**
 * The default validator: writes the migration's stored dbt project to a temporary folder with the
 * object's model replaced by the answer, and runs the validation runner on it (PGlite in memory
 * unless databaseUrl is given).
 */
export function projectValidator(db: Db, orgId: string, opts: { databaseUrl?: string } = {}): AnswerValidator & { close(): Promise<void> } {
  // One validation database for the whole evaluation: every run uses its own scratch schemas, and
  // starting an embedded Postgres per answer would dominate the time.
  let connection: Promise<import("../validate/connection.ts").Connection> | undefined;
  const validator = async (object: MigrationModel, sql: string): Promise<AnswerCheck> => {
    if (!object.modelPath) return { passed: false, error: "the object has no model path in its dbt project" };
    const files = await db
      .select({ path: migrationFiles.path, content: migrationFiles.content })
      .from(migrationFiles)
      .where(and(eq(migrationFiles.orgId, orgId), eq(migrationFiles.migrationId, object.migrationId)));
    if (files.length === 0) return { passed: false, error: "the migration has no stored dbt project" };
    const dir = await mkdtemp(path.join(os.tmpdir(), "dm-eval-"));
    try {
      for (const f of files) {
        // Stored paths are relative to the project root; anything else is not written.
        if (f.path.includes("..") || path.isAbsolute(f.path)) continue;
        const abs = path.join(dir, f.path);
        await mkdir(path.dirname(abs), { recursive: true });
        await writeFile(abs, f.path === object.modelPath ? sql : f.content);
      }
      const { readDbtProject } = await import("../dbt/reader.ts");
      const { runValidation } = await import("../validate/run.ts");
      const read = await readDbtProject(dir);
      if (!read.project) return { passed: false, error: "the stored dbt project cannot be read" };
      connection ??= import("../validate/connection.ts").then((c) => c.openConnection(opts.databaseUrl, { statementTimeoutMs: 30_000 }));
      const run = await runValidation(read.project, { connection: await connection });
      const m = run.models.find((x) => x.path === object.modelPath);
      if (!m) return { passed: false, error: "the model is not in the validated project" };
      const ok = m.evidence === "tests_passed" || m.evidence === "verified_equal";
      return ok ? { passed: true } : { passed: false, error: m.error?.message ?? `evidence ${m.evidence}` };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  return Object.assign(validator, {
    async close() {
      if (connection) await (await connection).close();
      connection = undefined;
    },
  });
}
