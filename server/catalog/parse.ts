// The one place the catalog calls the T-SQL parser, so an API change there is absorbed here.
import type { Diagnostic } from "../diagnostics.ts";
import type { Batch } from "../tsql/ast.ts";
import { parseScript, type ParseOptions } from "../tsql/index.ts";

export interface ParseInput {
  text: string;
  file: string;
  vars?: Record<string, string>;
  /** The text starts at line lineOffset + 1 of `file` (module bodies cut out of a bigger file). */
  lineOffset?: number;
  quotedIdentifier?: boolean;
  /** Resolves SQLCMD `:r` includes. */
  readFile?: ParseOptions["readFile"];
  /** Streams batches (they are then not kept): bounded memory on huge install scripts. */
  onBatch?: (batch: Batch) => void;
}

export function parse(input: ParseInput): { batches: Batch[]; diagnostics: Diagnostic[] } {
  const opts: ParseOptions = { file: input.file };
  if (input.vars) opts.vars = input.vars;
  if (input.quotedIdentifier !== undefined) opts.quotedIdentifier = input.quotedIdentifier;
  if (input.lineOffset) opts.lineOffset = input.lineOffset;
  if (input.readFile) opts.readFile = input.readFile;
  if (input.onBatch) opts.onBatch = input.onBatch;
  return parseScript(input.text, opts);
}
