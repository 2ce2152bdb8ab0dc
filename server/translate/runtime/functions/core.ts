import type { RuntimeFunction } from "../types.ts";

// Errors raised by the runtime use SQLSTATE 22023 (invalid_parameter_value) for the errors SQL Server
// raises too, and 0A000 (feature_not_supported) for the inputs DataMigrate refuses to guess at.
export const core: RuntimeFunction[] = [
  {
    name: "tsql_raise",
    tsql: "(run-time error raised where SQL Server raises one)",
    signatures: ["tsql_raise(message text, result_type anyelement, context text DEFAULT NULL, errcode text DEFAULT '22023')"],
    returns: "anyelement",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_raise(message text, result_type anyelement, context text DEFAULT NULL, errcode text DEFAULT '22023')
RETURNS anyelement LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  RAISE EXCEPTION '%', message USING ERRCODE = errcode, DETAIL = coalesce('value: ' || context, '');
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §1 (errors SQL Server raises must stay errors)",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "Raises an error with the given message; typed so it can sit in any CASE branch.",
    differences: [
      "Inside a SQL-language function every call must pass a non-constant argument (the context, usually a parameter): a SQL function called with constant arguments is executed at plan time, and its body is planned with a call whose arguments are all constants would be folded, raising even when its CASE branch is not taken. registry.test.ts checks this.",
      "Declared IMMUTABLE so the SQL functions that call it stay inlinable; a call whose arguments are all constants is raised when the statement is planned, even if no row reaches it (SQL Server also rejects constant invalid arguments at compile time in most such cases).",
    ],
    uncertain: [],
    callSite: "Pass a typed NULL as the second argument and an input value as the third: tsql_raise('msg', NULL::integer, x::text).",
  },
  {
    name: "tsql_unsupported",
    tsql: "(refusal at run time)",
    signatures: ["tsql_unsupported(what text, result_type anyelement, context text DEFAULT NULL)"],
    returns: "anyelement",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_unsupported(what text, result_type anyelement, context text DEFAULT NULL)
RETURNS anyelement LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  RAISE EXCEPTION 'DataMigrate cannot reproduce SQL Server exactly here: %', what USING ERRCODE = '0A000', DETAIL = coalesce('value: ' || context, '');
END
$fn$;`,
    dependsOn: [],
    semantics: "ARCHITECTURE.md (a refusal with a precise reason rather than a wrong answer)",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "Raises SQLSTATE 0A000 naming the input that cannot be reproduced exactly (for example a FORMAT pattern outside the supported set).",
    differences: [],
    uncertain: [],
    callSite: "Not called by the translator directly; the runtime functions use it for inputs they refuse.",
  },
];
