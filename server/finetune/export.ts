// Export (issue 10): JSONL in the chat format of the design document, one example per line:
//   {"messages": [{"role": "system", ...}, {"role": "user", ...}, {"role": "assistant", ...}]}
// The train and eval splits are separate files; the split was chosen per migration at collection.
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { getFineTuningSettings, listExamplesForExport } from "../db/queries/finetune.ts";
import type { FineTuningExample, FineTuningSplit } from "../db/schema/finetune.ts";
import { collectFineTuningExamples } from "./collect.ts";

export const SYSTEM_PROMPT =
  "You convert Microsoft SQL Server T-SQL objects into dbt models. Answer with the model's SQL only: " +
  "dbt Jinja for references ({{ ref() }}, {{ source() }}), the target's SQL dialect, no explanations.";

export const ChatMessage = z.strictObject({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string().min(1),
});

/** One JSONL line of an export. */
export const TrainingLine = z.strictObject({
  messages: z
    .tuple([
      ChatMessage.extend({ role: z.literal("system") }),
      ChatMessage.extend({ role: z.literal("user") }),
      ChatMessage.extend({ role: z.literal("assistant") }),
    ]),
});
export type TrainingLine = z.infer<typeof TrainingLine>;

export function trainingLine(e: Pick<FineTuningExample, "input" | "output">): TrainingLine {
  return {
    messages: [
      { role: "system", content: SYSTEM_PROMPT },
      { role: "user", content: e.input },
      { role: "assistant", content: e.output },
    ],
  };
}

export interface ExportOptions {
  /** Default: the organisation's threshold. */
  minScore?: number;
  split?: FineTuningSplit;
  /** Collect new examples first (default true). */
  collect?: boolean;
}

export interface ExportResult {
  jsonl: string;
  count: number;
  minScore: number;
}

/** The organisation's examples as JSONL text (each line checked against TrainingLine). */
export async function exportTrainingJsonl(db: Db, orgId: string, opts: ExportOptions = {}): Promise<ExportResult> {
  const minScore = opts.minScore ?? (await getFineTuningSettings(db, orgId)).minScore;
  if (opts.collect !== false) await collectFineTuningExamples(db, orgId, { minScore });
  const rows = await listExamplesForExport(db, orgId, { minScore, ...(opts.split ? { split: opts.split } : {}) });
  const lines = rows.map((r) => JSON.stringify(TrainingLine.parse(trainingLine(r))));
  return { jsonl: lines.length ? lines.join("\n") + "\n" : "", count: lines.length, minScore };
}

/** `train.jsonl` → `train.eval.jsonl`. */
export function evalPathFor(file: string): string {
  const ext = path.extname(file);
  return ext ? `${file.slice(0, -ext.length)}.eval${ext}` : `${file}.eval.jsonl`;
}

export interface ExportFilesResult {
  train: { path: string; count: number };
  eval: { path: string; count: number };
  minScore: number;
}

/** Writes the train split to `file` and the eval split beside it; atomically (temp file + rename). */
export async function exportTrainingFiles(db: Db, orgId: string, file: string, opts: Omit<ExportOptions, "split"> = {}): Promise<ExportFilesResult> {
  const minScore = opts.minScore ?? (await getFineTuningSettings(db, orgId)).minScore;
  if (opts.collect !== false) await collectFineTuningExamples(db, orgId, { minScore });
  const train = await exportTrainingJsonl(db, orgId, { minScore, split: "train", collect: false });
  const evalSet = await exportTrainingJsonl(db, orgId, { minScore, split: "eval", collect: false });
  const evalFile = evalPathFor(file);
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  for (const [p, text] of [
    [file, train.jsonl],
    [evalFile, evalSet.jsonl],
  ] as const) {
    const tmp = `${p}.tmp-${process.pid}`;
    await writeFile(tmp, text);
    await rename(tmp, p);
  }
  return { train: { path: file, count: train.count }, eval: { path: evalFile, count: evalSet.count }, minScore };
}
