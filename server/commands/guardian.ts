// datamigrate guardian check --kind prompt|sqli|xss [--threshold t]
// JSON lines in (each with a "payload" string), JSON lines out, same order. A bad line gets an
// {"error": ...} line naming its line number (and a message on stderr) and does not stop the rest.
import { createInterface } from "node:readline";
import { z } from "zod";
import { DETECTOR_KINDS, detect, type DetectorKind } from "../guardian/detect/index.ts";
import type { Command } from "./types.ts";

const help = `Usage: datamigrate guardian check --kind prompt|sqli|xss [--threshold 0..1]

Reads JSON lines from stdin, each an object with a "payload" string, and writes one JSON line
per input line, in the same order: {"flagged": bool, "score": number, "rules": [...]}.
A line that is not such an object gets {"error": "line N: ..."} in its place (also on stderr);
the other lines are still checked. Blank lines are skipped.
  --kind        prompt (prompt injection), sqli (SQL injection), xss (cross-site scripting)
  --threshold   score at or above which an input is flagged (default 0.5)

Exit status: 0 when every line was read, 1 when some lines were bad, 2 on bad options.`;

const Line = z.object({ payload: z.string() }).passthrough();

export interface GuardianArgs {
  kind: DetectorKind;
  threshold?: number;
}

export function parseGuardianArgs(args: string[]): GuardianArgs | string {
  if (args[0] !== "check") return `expected 'check', got '${args[0] ?? ""}'`;
  let kind: string | undefined;
  let threshold: number | undefined;
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--kind" || a.startsWith("--kind=")) kind = a === "--kind" ? args[++i] : a.slice("--kind=".length);
    else if (a === "--threshold" || a.startsWith("--threshold=")) {
      const v = Number(a === "--threshold" ? args[++i] : a.slice("--threshold=".length));
      if (!Number.isFinite(v) || v < 0 || v > 1) return "--threshold expects a number between 0 and 1";
      threshold = v;
    } else return `unknown option '${a}'`;
  }
  if (!kind || !(DETECTOR_KINDS as readonly string[]).includes(kind)) return `--kind must be one of ${DETECTOR_KINDS.join(", ")}`;
  return { kind: kind as DetectorKind, ...(threshold !== undefined ? { threshold } : {}) };
}

/** Checks one input line; returns the output line (without newline). */
export function checkLine(line: string, lineNo: number, parsed: GuardianArgs): { out: string; error?: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    const error = `line ${lineNo}: not valid JSON (${e instanceof Error ? e.message : String(e)})`;
    return { out: JSON.stringify({ error }), error };
  }
  const r = Line.safeParse(value);
  if (!r.success) {
    const error = `line ${lineNo}: expected an object with a string "payload"`;
    return { out: JSON.stringify({ error }), error };
  }
  const d = detect(parsed.kind, r.data.payload, parsed.threshold !== undefined ? { threshold: parsed.threshold } : undefined);
  return { out: JSON.stringify({ flagged: d.flagged, score: d.score, rules: d.rules }) };
}

export const guardian: Command = {
  name: "guardian",
  summary: "check JSON-lines payloads for prompt injection, SQL injection or XSS",
  help,
  async run(args) {
    const parsed = parseGuardianArgs(args);
    if (typeof parsed === "string") {
      process.stderr.write(`datamigrate guardian: ${parsed}\n\n${help}\n`);
      return 2;
    }
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    let lineNo = 0;
    let bad = 0;
    let buffer: string[] = [];
    const flush = async () => {
      if (!buffer.length) return;
      const chunk = buffer.join("\n") + "\n";
      buffer = [];
      if (!process.stdout.write(chunk)) await new Promise<void>((res) => process.stdout.once("drain", () => res()));
    };
    for await (const raw of rl) {
      lineNo++;
      const line = raw.replace(/^\uFEFF/, "");
      if (!line.trim()) continue;
      const { out, error } = checkLine(line, lineNo, parsed);
      if (error) {
        bad++;
        process.stderr.write(`datamigrate guardian: ${error}\n`);
      }
      buffer.push(out);
      if (buffer.length >= 256) await flush();
    }
    await flush();
    return bad ? 1 : 0;
  },
};
