// datamigrate eval --model NAME [--org ID] [--limit N] [--json]
import type { Command } from "./types.ts";
import { openAppDatabase, pickOrganisation } from "../finetune/cli.ts";

const help = `Usage: datamigrate eval --model NAME [--org ID] [--limit N] [--json]

Runs the organisation's eval split (training examples from migrations set aside for evaluation)
through one model via the model router, and scores every answer by execution: the migration's dbt
project with that model replaced by the answer is run by the validation runner; the answer passes
at tests_passed or better. Prints the pass rate next to the deterministic baseline (what the rules
alone achieved on the same objects) and stores the result, shown on the Models admin page.

  --model NAME   a registered model (or a default one) to evaluate
  --org ID       the organisation (needed when the database holds more than one)
  --limit N      evaluate only the first N examples
  --json         print the stored result as JSON

Model endpoints come from OLLAMA_URL / OPENAI_COMPAT_URL. Exits 0 when the evaluation ran (whatever
the score), 1 on failure (e.g. an empty eval split), 2 on bad arguments.`;

export function parseEvalArgs(args: string[]): { model: string; org?: string; limit?: number; json: boolean } | string {
  const out: { model?: string; org?: string; limit?: number; json: boolean } = { json: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? args[++i];
    if (flag === "--model") out.model = value();
    else if (flag === "--org") out.org = value();
    else if (flag === "--json") out.json = true;
    else if (flag === "--limit") {
      const v = value();
      if (!v || !/^\d+$/.test(v) || Number(v) < 1) return `--limit: expected a positive integer, got '${v ?? ""}'`;
      out.limit = Number(v);
    } else return `unknown option '${a}'`;
  }
  if (!out.model) return "--model NAME is required";
  return { ...out, model: out.model };
}

export const evalCommand: Command = {
  name: "eval",
  summary: "Score a model on the eval split by execution, against the rules alone",
  help,
  async run(args) {
    if (args.includes("-h") || args.includes("--help")) {
      process.stdout.write(help + "\n");
      return 0;
    }
    const parsed = parseEvalArgs(args);
    if (typeof parsed === "string") {
      process.stderr.write(`datamigrate eval: ${parsed}\n\n${help}\n`);
      return 2;
    }
    const opened = await openAppDatabase();
    if (typeof opened === "string") {
      process.stderr.write(`datamigrate eval: ${opened}\n`);
      return 1;
    }
    const { handle, config } = opened;
    try {
      const org = await pickOrganisation(handle.db, parsed.org);
      if ("error" in org) {
        process.stderr.write(`datamigrate eval: ${org.error}\n`);
        return parsed.org ? 1 : 2;
      }
      const { runEvaluation, evaluationJson } = await import("../finetune/registry.ts");
      const { EvalError } = await import("../finetune/eval.ts");
      try {
        const e = await runEvaluation(handle.db, config, org.orgId, parsed.model, parsed.limit ? { limit: parsed.limit } : {});
        if (parsed.json) process.stdout.write(JSON.stringify({ ...evaluationJson(e), details: e.details }, null, 2) + "\n");
        else {
          const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
          process.stdout.write(
            `${e.model}: ${e.passed}/${e.examples} pass (${pct(e.passRate)}); rules alone ${e.baselinePassed}/${e.examples} (${pct(e.baselinePassRate)})` +
              `${e.passRate > e.baselinePassRate ? " — beats the baseline" : " — does not beat the baseline"}\n`,
          );
        }
        return 0;
      } catch (err) {
        if (err instanceof EvalError) {
          process.stderr.write(`datamigrate eval: ${err.message}\n`);
          return 1;
        }
        throw err;
      }
    } finally {
      await handle.close();
    }
  },
};
