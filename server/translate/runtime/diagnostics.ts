// Diagnostic codes the translator emits when it calls a runtime function whose behaviour is not
// exactly SQL Server's (documented in docs/diagnostic-codes.md, TR9xxx block, and README.md here).
import type { Severity } from "../../diagnostics.ts";

export interface RuntimeDiagnosticCode {
  code: string;
  severity: Severity;
  /** Message for the data engineer; the translator may append the construct and the function. */
  message: string;
}

export const runtimeDiagnosticCodes = {
  TR9001: { code: "TR9001", severity: "functional_difference", message: "ISNUMERIC is emulated by a pattern: SQL Server's accepted grammar is undocumented, so unusual strings may give a different 0/1; prefer TRY_CAST(x AS <type>) IS NOT NULL" },
  TR9002: { code: "TR9002", severity: "functional_difference", message: "CHECKSUM is replaced by a different hash with the same equality behaviour; its values differ from SQL Server's and must not be compared with them" },
  TR9003: { code: "TR9003", severity: "functional_difference", message: "Postgres keeps microseconds: nanosecond dateparts, datetime2(7) and time(7) lose the seventh fractional digit" },
  TR9004: { code: "TR9004", severity: "functional_difference", message: "the CI_AS collation is emulated (case folding with lower(), trailing spaces trimmed): width/kana-insensitivity, Windows equivalences such as ß = ss and the ordering of punctuation are not reproduced" },
  TR9005: { code: "TR9005", severity: "functional_difference", message: "datetimeoffset: the value is kept as a UTC instant (timestamptz); its original offset is not kept" },
  TR9006: { code: "TR9006", severity: "functional_difference", message: "varchar bytes are computed in code page 1252; a character outside it raises an error where SQL Server stores a best-fit character or '?'" },
  TR9007: { code: "TR9007", severity: "functional_difference", message: "FORMAT supports en-US and a fixed set of .NET patterns; other patterns raise an error where SQL Server would format them (or return NULL for invalid ones)" },
  TR9008: { code: "TR9008", severity: "functional_difference", message: "LIKE/PATINDEX character ranges such as [a-c] compare code points, not the collation's sort order (accented letters are outside ASCII ranges)" },
  TR9009: { code: "TR9009", severity: "functional_difference", message: "characters above U+FFFF count as one character in LEFT/RIGHT/SUBSTRING/CHARINDEX/STUFF/REPLICATE (SQL Server without an _SC collation counts two)" },
  TR9010: { code: "TR9010", severity: "note", message: "the current date/time is read in the Postgres session TimeZone; set it to the SQL Server host's zone" },
  TR9011: { code: "TR9011", severity: "functional_difference", message: "float values are rounded/formatted through their 15-significant-digit decimal form; results on values that are not exactly representable may differ in the last digit" },
  TR9012: { code: "TR9012", severity: "functional_difference", message: "string to date/time conversion follows the style's field order strictly; unusual separators, a four-digit first field under a dmy style, or offsets may be read differently or rejected" },
  TR9013: { code: "TR9013", severity: "error", message: "not converted: the arguments (known at translation time) are ones the runtime refuses because SQL Server's result cannot be reproduced exactly" },
  TR9014: { code: "TR9014", severity: "warning", message: "the runtime function refuses some inputs at run time (SQLSTATE 0A000) instead of guessing; check the data passes" },
  TR9015: { code: "TR9015", severity: "note", message: "the emulated behaviour is observed, not documented, SQL Server behaviour (marked uncertain in the reference)" },
  TR9016: { code: "TR9016", severity: "note", message: "run-time errors keep SQL Server's meaning but not its error numbers; code that branches on ERROR_NUMBER() will see Postgres SQLSTATEs" },
} as const satisfies Record<string, RuntimeDiagnosticCode>;

export type RuntimeDiagnosticCodeName = keyof typeof runtimeDiagnosticCodes;

/** Codes that apply whenever the translator emits a call to the named runtime function. */
export const runtimeFunctionDiagnostics: Readonly<Record<string, readonly RuntimeDiagnosticCodeName[]>> = {
  tsql_isnumeric: ["TR9001", "TR9015"],
  tsql_checksum_substitute: ["TR9002"],
  tsql_datediff: ["TR9003", "TR9016"],
  tsql_dateadd: ["TR9003", "TR9016"],
  tsql_datepart: ["TR9003", "TR9016"],
  tsql_datename: ["TR9014"],
  tsql_datetime2fromparts: ["TR9003", "TR9016"],
  tsql_timefromparts: ["TR9003", "TR9016"],
  tsql_datetimeoffsetfromparts: ["TR9005"],
  tsql_ci_key: ["TR9004"],
  tsql_ci_sort_key: ["TR9004"],
  tsql_ci_as_collation: ["TR9004"],
  tsql_charindex: ["TR9004", "TR9009"],
  tsql_replace_ci: ["TR9004"],
  tsql_like: ["TR9004", "TR9008", "TR9014"],
  tsql_patindex: ["TR9004", "TR9008", "TR9014"],
  tsql_left: ["TR9009", "TR9016"],
  tsql_right: ["TR9009", "TR9016"],
  tsql_substring: ["TR9009", "TR9016"],
  tsql_stuff: ["TR9009"],
  tsql_replicate: ["TR9009"],
  tsql_cp1252: ["TR9006", "TR9014"],
  tsql_hashbytes: ["TR9006", "TR9014"],
  tsql_format: ["TR9007", "TR9011", "TR9014"],
  tsql_round: ["TR9011"],
  tsql_float_to_varchar: ["TR9015"],
  tsql_convert_dt: ["TR9003", "TR9014"],
  tsql_convert_to_datetime: ["TR9012", "TR9016"],
  tsql_getdate: ["TR9010"],
  tsql_isdate: ["TR9012", "TR9015"],
  tsql_cast_int: ["TR9015", "TR9016"],
  tsql_try_cast_int: ["TR9015"],
  tsql_try_cast_numeric: ["TR9015", "TR9016"],
  tsql_to_bit: ["TR9015", "TR9016"],
  tsql_json_value: ["TR9016"],
  tsql_json_query: ["TR9016"],
  tsql_openjson: ["TR9014"],
  tsql_space: ["TR9015"],
  tsql_xml_escape: ["TR9015"],
};
