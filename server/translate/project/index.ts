// Public API of the convert pipeline (catalog → dbt project + report). See README in docs/ and the
// decisions at the top of convert.ts.
export { convertCatalog, type ConvertOptions, type ConvertResult, type ObjectOutcome } from "./convert.ts";
export { sourceDdl, defaultExpression, type SourceDdl, type SourceDdlOptions } from "./ddl.ts";
export { convertPaths, writeConversion, prepareOutDir, diagnosticCounts, ConvertError, type ConvertPathsOptions, type PathsConversion, type WrittenConversion } from "./write.ts";
export { fallbackTranslator, rewriteRelations, jinjaLiteral, type ProjectTranslator, type ModuleTranslation, type ModuleTranslationInput, type ConvertTarget } from "./translator.ts";
export { mapSqlServerType, resolveAliasType } from "./types-map.ts";
export { parseCheckInList } from "./tests.ts";
export { assignNames, type ProjectNames, type TableNames } from "./naming.ts";
export { loadDbtProjectDir, type LoadedProject } from "./load.ts";
