// T-SQL runtime library for Postgres: SQL functions with SQL Server's semantics, defined as data.
export type { RuntimeFunction, Volatility } from "./types.ts";
export {
  runtimeFunctions,
  installSql,
  dbtMacros,
  resolveRuntimeFunctions,
  renderRuntimeSql,
  DEFAULT_RUNTIME_SCHEMA,
  type InstallOptions,
  type DbtMacroFile,
} from "./registry.ts";
export { tsqlLikeToPostgres, type LikeOptions, type LikeTranslation } from "./like.ts";
export { canonicalDatepart, DATEPART_SPELLINGS, DATEPARTS_BY_FUNCTION, type Datepart } from "./dateparts.ts";
export {
  runtimeDiagnosticCodes,
  runtimeFunctionDiagnostics,
  type RuntimeDiagnosticCode,
  type RuntimeDiagnosticCodeName,
} from "./diagnostics.ts";
export { formatPatternSupported, formatCultureSupported, type FormatCheck } from "./format.ts";
