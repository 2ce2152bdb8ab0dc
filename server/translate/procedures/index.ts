// Procedures and triggers → classification, dbt models, selectors and lineage (issue 5).
export { classifyAll, classifyProcedure, flattenStatements, procedureFacts, type Classification, type ProcedureClass, type ProcedureFacts, type WriteFact } from "./classify.ts";
export { compileProcedures, TMP_SCHEMA, type CompileProceduresOptions, type CompileProceduresResult, type LineageStatement, type ProcedureReport } from "./compile.ts";
