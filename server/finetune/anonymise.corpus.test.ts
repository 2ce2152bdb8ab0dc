// The anonymiser over the public development corpus (skipped when DATAMIGRATE_CORPUS is unset):
// no quoted identifier or string literal of a script survives, and the anonymised script parses no
// worse than the original (the replacement keeps the T-SQL structure).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeSql, sqlFiles } from "../tsql/corpus-support.ts";
import { parseScript, tokenize, TokenType } from "../tsql/index.ts";
import { Anonymiser, isKeepWord } from "./anonymise.ts";

const corpus = process.env.DATAMIGRATE_CORPUS;
const MAX_FILES = 1500;
const MAX_BYTES = 200_000;

function files(): string[] {
  const out: string[] = [];
  for (const db of readdirSync(corpus!).sort()) {
    try {
      for (const f of sqlFiles(join(corpus!, db))) {
        out.push(f);
        if (out.length >= MAX_FILES) return out;
      }
    } catch {
      // a database folder that is not there
    }
  }
  return out;
}

const errors = (text: string) => parseScript(text, { file: "x.sql" }).diagnostics.filter((d) => d.severity === "error").length;

describe.skipIf(!corpus)("anonymisation on the development corpus", () => {
  it("no quoted name or string literal survives, and the script parses no worse", { timeout: 600_000 }, () => {
    let checked = 0;
    for (const f of files()) {
      const text = decodeSql(readFileSync(f));
      if (text.length > MAX_BYTES) continue;
      const { tokens } = tokenize(text, { file: f });
      const secrets = new Set<string>();
      for (const t of tokens) {
        const upper = t.value.toUpperCase();
        if (t.type === TokenType.QuotedId && t.value.length >= 4 && /^[A-Za-z][A-Za-z0-9_]*$/.test(t.value) && !isKeepWord(upper)) secrets.add(t.value);
        // A literal made only of SQL vocabulary ('nvarchar(max)', 'SELECT') may reappear as code: not a secret.
        const words = t.value.match(/[A-Za-z_][A-Za-z0-9_]{3,}/g) ?? [];
        if ((t.type === TokenType.String || t.type === TokenType.NString) && t.value.trim().length >= 6 && words.some((w) => !isKeepWord(w.toUpperCase()))) {
          secrets.add(t.value.trim());
        }
      }
      const out = new Anonymiser().tsql(text);
      for (const s of secrets) {
        const leaked = /^[A-Za-z0-9_]+$/.test(s) ? new RegExp(`(^|[^A-Za-z0-9_@#])${s}($|[^A-Za-z0-9_])`, "i").test(out) : out.includes(s);
        expect(leaked, `${f}: '${s}' survived`).toBe(false);
      }
      expect(errors(out), `${f}: the anonymised script has more parse errors`).toBeLessThanOrEqual(errors(text));
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });
});
