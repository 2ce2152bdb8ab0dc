// A runtime function is data: the SQL that creates it on Postgres plus what the translator needs to
// know to call it honestly (what it guarantees, where it differs from SQL Server).

export type Volatility = "IMMUTABLE" | "STABLE" | "VOLATILE";

export interface RuntimeFunction {
  /** Name of the Postgres function(s) created, e.g. `tsql_datediff` (overloads share the name). */
  name: string;
  /** The T-SQL construct it stands for, e.g. `DATEDIFF(datepart, startdate, enddate)`. */
  tsql: string;
  /** Every overload, as `name(arg type, ...)`, in Postgres notation. */
  signatures: string[];
  /** Postgres return type (of the main overload). */
  returns: string;
  /**
   * The statements that create the function(s), idempotent (CREATE OR REPLACE). Every reference to
   * the runtime schema is written `@schema@` and replaced by installSql/dbtMacros.
   */
  sql: string;
  /** Other runtime functions referenced in `sql`. */
  dependsOn: string[];
  /** Reference section/row, e.g. "TSQL-SEMANTICS.md §6.3". */
  semantics: string;
  volatility: Volatility;
  language: "sql" | "plpgsql";
  /** What it guarantees (one sentence). */
  guarantees: string;
  /** Known functional differences from SQL Server (each becomes a translator diagnostic). */
  differences: string[];
  /** Points where the reference marks ⚠ (SQL Server documentation silent or inconsistent). */
  uncertain: string[];
  /** What the translator must do at each call site. */
  callSite: string;
  /** false: only installed when asked for by name (e.g. the ICU collation, which needs working ICU). */
  installByDefault?: boolean;
}
