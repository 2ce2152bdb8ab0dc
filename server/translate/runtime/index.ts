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
