// datamigrate export-training --out FILE [--min-score 0.8] [--org ID] [--schedule]
import type { Command } from "./types.ts";
import { openAppDatabase, pickOrganisation } from "../finetune/cli.ts";

const help = `Usage: datamigrate export-training --out FILE [--min-score 0.8] [--org ID]
       datamigrate export-training --schedule

Collects training examples from the organisation's completed migrations (objects graded
tests_passed or better, above the quality threshold), anonymised (names, literals and personal
data replaced; comments removed), and writes them as JSONL chat examples:
{"messages": [{"role": "system", ...}, {"role": "user", ...}, {"role": "assistant", ...}]}.
The train split goes to FILE, the eval split beside it (train.jsonl → train.eval.jsonl).

  --out FILE        where to write the train split
  --min-score N     quality threshold 0..1 (default: the organisation's setting, 0.8 unless changed)
  --org ID          the organisation (needed when the database holds more than one)
  --schedule        keep running and export every organisation on FINETUNE_EXPORT_CRON
                    (default "0 2 * * *") into FINETUNE_EXPORT_DIR/<org id>/

Uses the server's database (DATABASE_URL, or the embedded one in DATA_DIR, which must not be in use
by a running server: use the scheduled export inside the server, or the API, then).
Exits 0 on success, 1 on failure, 2 on bad arguments.`;

interface Args {
  out?: string;
  minScore?: number;
  org?: string;
  schedule: boolean;
}

export function parseExportArgs(args: string[]): Args | string {
  const out: Args = { schedule: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? args[++i];
    if (flag === "--out") out.out = value();
    else if (flag === "--min-score") {
      const v = value();
      if (v === undefined || !/^(0(\.\d+)?|1(\.0+)?)$/.test(v)) return `--min-score: expected a number between 0 and 1, got '${v ?? ""}'`;
      out.minScore = Number(v);
    } else if (flag === "--org") out.org = value();
    else if (flag === "--schedule") out.schedule = true;
    else return `unknown option '${a}'`;
  }
  if (!out.schedule && !out.out) return "--out FILE is required";
  return out;
}

export const exportTraining: Command = {
  name: "export-training",
  summary: "Export anonymised training data (JSONL) from completed migrations",
  help,
  async run(args) {
    if (args.includes("-h") || args.includes("--help")) {
      process.stdout.write(help + "\n");
      return 0;
    }
    const parsed = parseExportArgs(args);
    if (typeof parsed === "string") {
      process.stderr.write(`datamigrate export-training: ${parsed}\n\n${help}\n`);
      return 2;
    }
    const opened = await openAppDatabase();
    if (typeof opened === "string") {
      process.stderr.write(`datamigrate export-training: ${opened}\n`);
      return 1;
    }
    const { handle, config } = opened;
    try {
      if (parsed.schedule) {
        const { finetuneScheduleFromEnv, startScheduledExports } = await import("../finetune/schedule.ts");
        const { createLogger } = await import("../log.ts");
        const schedule = finetuneScheduleFromEnv();
        if (!schedule.dir) {
          process.stderr.write("datamigrate export-training: --schedule needs FINETUNE_EXPORT_DIR\n");
          return 2;
        }
        const task = startScheduledExports(handle.db, config.dataDir, createLogger(config.logLevel), schedule);
        process.stdout.write(`exporting into ${schedule.dir} on '${schedule.cron}'; Ctrl-C to stop\n`);
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        task.stop();
        return 0;
      }
      const org = await pickOrganisation(handle.db, parsed.org);
      if ("error" in org) {
        process.stderr.write(`datamigrate export-training: ${org.error}\n`);
        return parsed.org ? 1 : 2;
      }
      const { exportTrainingFiles } = await import("../finetune/export.ts");
      const r = await exportTrainingFiles(handle.db, org.orgId, parsed.out!, parsed.minScore !== undefined ? { minScore: parsed.minScore } : {});
      process.stdout.write(`${r.train.count} training examples → ${r.train.path}\n${r.eval.count} evaluation examples → ${r.eval.path}\n(min score ${r.minScore})\n`);
      return 0;
    } finally {
      await handle.close();
    }
  },
};
