// Stable diagnostic codes of the T-SQL front end (documented in docs/diagnostic-codes.md).
export const TSQL = {
  UnterminatedString: "TSQL1001",
  UnterminatedComment: "TSQL1002",
  UnexpectedCharacter: "TSQL1003",
  SqlcmdUndefinedVariable: "TSQL1101",
  SqlcmdIncludeUnavailable: "TSQL1102",
  SqlcmdIncludeFailed: "TSQL1103",
  SqlcmdDirectiveIgnored: "TSQL1104",
  SyntaxError: "TSQL2001",
  UnsupportedStatement: "TSQL2002",
  NestingTooDeep: "TSQL2003",
  UnsupportedClause: "TSQL2004",
} as const;
export type TsqlCode = (typeof TSQL)[keyof typeof TSQL];
