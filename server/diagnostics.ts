// One shape for every problem DataMigrate reports, from the lexer to the validator.
// Codes are stable and documented in docs/diagnostic-codes.md (one table, one section per prefix).

/**
 * error: not read / not converted. functional_difference: converted, may behave differently (the
 * message says how). warning: read or converted, but something the user should look at. note: for
 * information only (for example a table hint that was dropped).
 */
export type Severity = "error" | "functional_difference" | "warning" | "note";

export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column?: number;
}

export interface Diagnostic extends SourceLocation {
  /** Stable code, e.g. TSQL1001. Prefixes: TSQL (lexer/parser), SRC (readers), CAT (catalog), TR (translator), DBT, VAL, PROC, AGT, GRD. */
  code: string;
  severity: Severity;
  message: string;
}

export function diagnostic(
  code: string,
  severity: Severity,
  message: string,
  at: SourceLocation,
): Diagnostic {
  return { code, severity, message, file: at.file, line: at.line, ...(at.column !== undefined ? { column: at.column } : {}) };
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.column !== undefined ? `${d.file}:${d.line}:${d.column}` : `${d.file}:${d.line}`;
  return `${where}: ${d.severity} ${d.code}: ${d.message}`;
}
