import type { RuntimeFunction } from "../types.ts";

// T-SQL integer strings: optional blanks and sign, decimal digits only (PG 16+ would also accept
// 0x1F, 0o17, 0b101 and 1_000, which SQL Server rejects).
const INT_TEXT = `'^[ \\t\\n\\r]*[-+]?[0-9]+[ \\t\\n\\r]*$'`;
const BLANK_TEXT = `'^[ \\t\\n\\r]*$'`;
const DEC_TEXT = `'^[ \\t\\n\\r]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)[ \\t\\n\\r]*$'`;
const FLOAT_TEXT = `'^[ \\t\\n\\r]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?[ \\t\\n\\r]*$'`;

function intCast(name: string, pgType: string, lo: string, hi: string, tsqlType: string): string {
  return `CREATE OR REPLACE FUNCTION @schema@.${name}(s text)
RETURNS ${pgType} LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE
  WHEN s IS NULL THEN NULL
  WHEN s ~ ${BLANK_TEXT} THEN 0::${pgType}
  WHEN s ~ ${INT_TEXT} AND btrim(s, E' \\t\\n\\r')::numeric BETWEEN ${lo} AND ${hi} THEN btrim(s, E' \\t\\n\\r')::numeric::${pgType}
  ELSE @schema@.tsql_raise(('Conversion failed when converting the varchar value ''' || coalesce(s::text, 'NULL') || ''' to data type ${tsqlType}.'), NULL::${pgType}, s)
END
$fn$;`;
}

function tryIntCast(name: string, pgType: string, lo: string, hi: string): string {
  return `CREATE OR REPLACE FUNCTION @schema@.${name}(s text)
RETURNS ${pgType} LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE
  WHEN s IS NULL THEN NULL
  WHEN s ~ ${BLANK_TEXT} THEN 0::${pgType}
  WHEN s ~ ${INT_TEXT} AND btrim(s, E' \\t\\n\\r')::numeric BETWEEN ${lo} AND ${hi} THEN btrim(s, E' \\t\\n\\r')::numeric::${pgType}
END
$fn$;`;
}

export const numbers: RuntimeFunction[] = [
  {
    name: "tsql_round",
    tsql: "ROUND(numeric_expression, length [, function])",
    signatures: ["tsql_round(x numeric, len integer, fn integer DEFAULT 0)", "tsql_round(x double precision, len integer, fn integer DEFAULT 0)"],
    returns: "numeric / double precision",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_round(x numeric, len integer, fn integer DEFAULT 0)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT round(CASE WHEN coalesce(fn, 0) <> 0 THEN trunc(x, len) ELSE round(x, len) END, scale(x))
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_round(x double precision, len integer, fn integer DEFAULT 0)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN coalesce(fn, 0) <> 0 THEN trunc(x::numeric, len) ELSE round(x::numeric, len) END::double precision
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §4.1 ROUND",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "The input's scale is kept (ROUND(123.4545, 2) = 123.4500). Half away from zero (also for float, where Postgres round(float8) rounds half to even); negative length rounds left of the point; a non-zero third argument truncates.",
    differences: ["float values are rounded through their 15-significant-digit decimal form."],
    uncertain: ["SQL Server's rounding of binary float values that are not exactly representable (e.g. 2.675e0)."],
    callSite:
      "Cast the result back to the input's mapped type: numeric(p,s) for decimal(p,s) (reproduces SQL Server's overflow for ROUND(748.58,-3)), integer/bigint for int types, numeric(19,4) for money.",
  },
  {
    name: "tsql_money",
    tsql: "money / smallmoney values and arithmetic results",
    signatures: ["tsql_money(x numeric)", "tsql_smallmoney(x numeric)"],
    returns: "numeric(19,4) / numeric(10,4)",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_money(x numeric)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN x IS NULL THEN NULL WHEN round(x, 4) BETWEEN -922337203685477.5808 AND 922337203685477.5807 THEN round(x, 4)::numeric(19,4)
  ELSE @schema@.tsql_raise('Arithmetic overflow error converting expression to data type money.', NULL::numeric, x::text) END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_smallmoney(x numeric)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN x IS NULL THEN NULL WHEN round(x, 4) BETWEEN -214748.3648 AND 214748.3647 THEN round(x, 4)::numeric(10,4)
  ELSE @schema@.tsql_raise('Arithmetic overflow error converting expression to data type smallmoney.', NULL::numeric, x::text) END
$fn$;`,
    dependsOn: ["tsql_raise"],
    semantics: "TSQL-SEMANTICS.md §4.4 money",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Rounds to 4 decimals (half away from zero) and raises outside the money/smallmoney range.",
    differences: [],
    uncertain: ["Intermediate precision of money × money and money / money (rounded to 4 places after each operation here)."],
    callSite: "Wrap every money-typed result: conversions to money and each money*money, money/money operation.",
  },
  {
    name: "tsql_money_to_varchar",
    tsql: "CONVERT(varchar, money_value [, style])",
    signatures: ["tsql_money_to_varchar(x numeric, style integer DEFAULT 0)"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_money_to_varchar(x numeric, style integer DEFAULT 0)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE
  WHEN x IS NULL THEN NULL
  WHEN style = 1 THEN to_char(round(x, 2), 'FM999,999,999,999,990.00')
  WHEN style IN (2, 126) THEN to_char(round(x, 4), 'FM999999999999990.0000')
  ELSE to_char(round(x, 2), 'FM999999999999990.00')
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §4.4 money, §7.1 other families",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Style 0 (default): no separators, 2 decimals rounded; 1: thousands separators; 2 and 126: 4 decimals; other styles behave as 0.",
    differences: [],
    uncertain: [],
    callSite: "CAST(money AS varchar) and CONCAT arguments of type money use style 0.",
  },
  {
    name: "tsql_float_to_varchar",
    tsql: "CAST(float AS varchar) / CONVERT(varchar, float, 0)",
    signatures: ["tsql_float_to_varchar(x double precision)"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_float_to_varchar(x double precision)
RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  r numeric;
  e integer;
BEGIN
  IF x = 0 THEN RETURN '0'; END IF;
  r := round(x::numeric, 5 - floor(log(abs(x::numeric)))::integer);
  e := floor(log(abs(r)))::integer;
  IF e < -4 OR e >= 6 THEN
    RETURN rtrim(rtrim(to_char(r / 10::numeric ^ e, 'FM0.00000'), '0'), '.') || 'e' || CASE WHEN e < 0 THEN '-' ELSE '+' END || lpad(abs(e)::text, 3, '0');
  END IF;
  RETURN rtrim(rtrim(to_char(r, 'FM99999990.' || repeat('0', greatest(5 - e, 0))), '0'), '.');
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §4.4 float(n)/real, §7.1 float style 0",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "At most 6 significant digits; scientific notation (3-digit exponent) below 1e-4 and from 1e6, as %g.",
    differences: [],
    uncertain: ["Switch points and exponent width are observed behaviour, not documented."],
    callSite: "CAST(float/real AS (n)varchar), CONCAT arguments of type float, CONVERT(varchar, float) without style or style 0.",
  },
  {
    name: "tsql_isnumeric",
    tsql: "ISNUMERIC(expression) on a string",
    signatures: ["tsql_isnumeric(s text)"],
    returns: "integer",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_isnumeric(s text)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN s IS NULL THEN 0
  WHEN s ~ '^[ \\t\\n\\r]*[-+]?[ ]*[$£¥€¢]?[ ]*[-+]?([0-9,]*[.]?[0-9]*)([dDeE][-+]?[0-9]+)?[ \\t\\n\\r]*$'
    AND s ~ '[0-9$£¥€¢.,+-]'
    AND NOT (s ~ '[dDeE]' AND s !~ '[0-9][.]?[0-9]*[dDeE]')
  THEN 1 ELSE 0 END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §4.4 ISNUMERIC",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees:
      "1 for strings SQL Server documents or is commonly reported to accept (digits with optional sign, decimal point, thousands commas, currency symbol, d/e exponent; the lone symbols '+', '-', '$', '.', ','), 0 otherwise and for NULL.",
    differences: ["An approximation of an undocumented grammar: the translator must report a functional difference at every call, and prefer TRY_CAST(x AS target) IS NOT NULL when the intent is clear."],
    uncertain: ["The whole accepted grammar (commas, d/e exponents, lone symbols, tabs) is undocumented."],
    callSite: "Only for string arguments; a numeric-typed argument is 1 when not NULL (emit the constant/CASE).",
  },
  {
    name: "tsql_cast_int",
    tsql: "CAST(varchar AS int/bigint/smallint/tinyint) and implicit varchar → int conversions",
    signatures: ["tsql_cast_int(s text)", "tsql_cast_bigint(s text)", "tsql_cast_smallint(s text)", "tsql_cast_tinyint(s text)"],
    returns: "integer / bigint / smallint / smallint",
    sql: [
      intCast("tsql_cast_int", "integer", "-2147483648", "2147483647", "int"),
      intCast("tsql_cast_bigint", "bigint", "-9223372036854775808", "9223372036854775807", "bigint"),
      intCast("tsql_cast_smallint", "smallint", "-32768", "32767", "smallint"),
      intCast("tsql_cast_tinyint", "smallint", "0", "255", "tinyint"),
    ].join("\n"),
    dependsOn: ["tsql_raise"],
    semantics: "TSQL-SEMANTICS.md §4.1 string → number, §5.2 varchar_col = 5",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Blanks around the number allowed, '' or blanks → 0, '12.0' and hexadecimal/underscore forms raise (as SQL Server; Postgres 16+ would accept 0x1F and 1_000), out-of-range raises; NULL → NULL.",
    differences: ["The error for out-of-range values is a conversion error rather than SQL Server's arithmetic overflow text."],
    uncertain: ["'' → 0 is undocumented (widely observed)."],
    callSite: "Use for every string → integer conversion (explicit CAST/CONVERT and the implicit conversion in varchar_col = int comparisons). tinyint maps to smallint.",
  },
  {
    name: "tsql_try_cast_int",
    tsql: "TRY_CAST / TRY_CONVERT of a string to int, bigint, smallint, tinyint",
    signatures: ["tsql_try_cast_int(s text)", "tsql_try_cast_bigint(s text)", "tsql_try_cast_smallint(s text)", "tsql_try_cast_tinyint(s text)"],
    returns: "integer / bigint / smallint / smallint",
    sql: [
      tryIntCast("tsql_try_cast_int", "integer", "-2147483648", "2147483647"),
      tryIntCast("tsql_try_cast_bigint", "bigint", "-9223372036854775808", "9223372036854775807"),
      tryIntCast("tsql_try_cast_smallint", "smallint", "-32768", "32767"),
      tryIntCast("tsql_try_cast_tinyint", "smallint", "0", "255"),
    ].join("\n"),
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §4.4 TRY_CAST/TRY_CONVERT",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "NULL instead of an error for strings CAST would reject (same grammar as tsql_cast_int).",
    differences: [],
    uncertain: ["'' → 0 as in CAST."],
    callSite: "TRY_CAST(x AS int) with x a string. Conversions that SQL Server never permits (int → xml) must stay translation errors.",
  },
  {
    name: "tsql_try_cast_numeric",
    tsql: "TRY_CAST / TRY_CONVERT / CAST of a string to decimal(p,s), float, money",
    signatures: ["tsql_try_cast_numeric(s text, p integer, sc integer)", "tsql_cast_numeric(s text, p integer, sc integer)", "tsql_try_cast_float(s text)", "tsql_cast_float(s text)"],
    returns: "numeric / double precision",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_try_cast_numeric(s text, p integer, sc integer)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN s ~ ${DEC_TEXT} AND abs(round(btrim(s, E' \\t\\n\\r')::numeric, sc)) < 10::numeric ^ (p - sc)
  THEN round(btrim(s, E' \\t\\n\\r')::numeric, sc) END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_cast_numeric(s text, p integer, sc integer)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN s IS NULL THEN NULL
  ELSE coalesce(@schema@.tsql_try_cast_numeric(s, p, sc),
    @schema@.tsql_raise('Error converting data type varchar to numeric.', NULL::numeric, (coalesce(s::text, 'NULL') || ',' || coalesce(p::text, 'NULL') || ',' || coalesce(sc::text, 'NULL')))) END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_try_cast_float(s text)
RETURNS double precision LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
BEGIN
  IF s ~ ${BLANK_TEXT} THEN RETURN 0; END IF;
  IF s !~ ${FLOAT_TEXT} THEN RETURN NULL; END IF;
  RETURN btrim(s, E' \\t\\n\\r')::double precision;
EXCEPTION WHEN numeric_value_out_of_range OR invalid_text_representation THEN
  RETURN NULL;
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_cast_float(s text)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN s IS NULL THEN NULL
  ELSE coalesce(@schema@.tsql_try_cast_float(s),
    @schema@.tsql_raise('Error converting data type varchar to float.', NULL::double precision, s)) END
$fn$;`,
    dependsOn: ["tsql_raise"],
    semantics: "TSQL-SEMANTICS.md §4.1 string → number, §4.4 TRY_CAST",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees:
      "decimal: digits with an optional point, rounded to the scale, NULL/raise when the precision overflows or the text is not a decimal ('' and exponent forms fail, as documented); float: exponent forms accepted, blanks → 0, NaN/Infinity rejected.",
    differences: [],
    uncertain: ["'' → 0 for float is undocumented (widely observed)."],
    callSite: "Pass the target precision and scale (decimal without them is (18,0)); money → tsql_money(tsql_cast_numeric(s, 19, 4)).",
  },
  {
    name: "tsql_to_bit",
    tsql: "CAST(x AS bit) and TRY_CAST(string AS bit)",
    signatures: ["tsql_to_bit(x numeric)", "tsql_to_bit(s text)", "tsql_try_to_bit(s text)"],
    returns: "boolean",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_to_bit(x numeric)
RETURNS boolean LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT x <> 0
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_to_bit(s text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE
  WHEN s IS NULL THEN NULL
  WHEN upper(btrim(s)) = 'TRUE' THEN true
  WHEN upper(btrim(s)) = 'FALSE' THEN false
  WHEN s ~ ${DEC_TEXT} THEN btrim(s, E' \\t\\n\\r')::numeric <> 0
  ELSE @schema@.tsql_raise(('Conversion failed when converting the varchar value ''' || coalesce(s::text, 'NULL') || ''' to data type bit.'), NULL::boolean, s)
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_try_to_bit(s text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE
  WHEN upper(btrim(s)) = 'TRUE' THEN true
  WHEN upper(btrim(s)) = 'FALSE' THEN false
  WHEN s ~ ${DEC_TEXT} THEN btrim(s, E' \\t\\n\\r')::numeric <> 0
END
$fn$;`,
    dependsOn: ["tsql_raise"],
    semantics: "TSQL-SEMANTICS.md §4.4 bit",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Any non-zero number → true; 'TRUE'/'FALSE' (any case) → true/false; numeric strings by value; other strings raise (Postgres ::boolean would accept yes/on/t).",
    differences: [],
    uncertain: ["Case-insensitivity of 'TRUE'/'FALSE' is observed, not documented.", "Decimal strings such as '1.5' are converted by value here; whether SQL Server accepts non-integer strings for bit is not documented."],
    callSite: "bit → string is CASE WHEN b THEN '1' ELSE '0' END (no function needed).",
  },
];
