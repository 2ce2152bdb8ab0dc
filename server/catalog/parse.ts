// The one place the catalog calls the T-SQL parser, so an API change there is absorbed here.
import type { Diagnostic } from "../diagnostics.ts";
import type { Batch } from "../tsql/ast.ts";
import { parseScript } from "../tsql/index.ts";

export interface ParseInput {
  text: string;
  file: string;
  vars?: Record<string, string>;
  /** Added to every line (text that starts at line lineOffset + 1 of `file`). */
  lineOffset?: number;
  quotedIdentifier?: boolean;
}

export function parse(input: ParseInput): { batches: Batch[]; diagnostics: Diagnostic[] } {
  const opts: Parameters<typeof parseScript>[1] = { file: input.file };
  if (input.vars) opts.vars = input.vars;
  if (input.quotedIdentifier !== undefined) opts.quotedIdentifier = input.quotedIdentifier;
  const r = parseScript(input.text, opts);
  const offset = input.lineOffset ?? 0;
  if (offset === 0) return r;
  // Shift only what we report; AST locations stay relative to the module text, which is what the
  // module's own text (Module.text) is indexed by.
  return { batches: r.batches, diagnostics: r.diagnostics.map((d) => ({ ...d, line: d.line + offset })) };
}
