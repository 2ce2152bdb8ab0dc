import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useRuntimeDb } from "./testdb.ts";

const t = useRuntimeDb({ beforeAll, afterAll });

// [T-SQL expression, Postgres call, value SQL Server documents (as text), TSQL-SEMANTICS.md reference]
type Row = [string, string, string | null, string];

const rows: Row[] = [
  ["ROUND(2.5, 0)", "tsql.tsql_round(2.5, 0)", "3.0", "§4.1 ROUND (half away from zero)"],
  ["ROUND(-2.5, 0)", "tsql.tsql_round(-2.5, 0)", "-3.0", "§4.1 ROUND"],
  ["ROUND(123.4545, 2)", "tsql.tsql_round(123.4545, 2)", "123.4500", "§4.1 ROUND (MS example, scale kept)"],
  ["ROUND(123.45, -2)", "tsql.tsql_round(123.45, -2)", "100.00", "§4.1 ROUND (negative length)"],
  ["ROUND(150.75, 0, 1)", "tsql.tsql_round(150.75, 0, 1)", "150.00", "§4.1 ROUND (truncate form)"],
  ["ROUND(-150.75, 0, 1)", "tsql.tsql_round(-150.75, 0, 1)", "-150.00", "§4.1 ROUND (truncate toward zero)"],
  ["ROUND(748.58, -4)", "tsql.tsql_round(748.58, -4)::numeric(5,2)", "0.00", "§4.1 ROUND (MS example)"],
  ["ROUND(2.5e0, 0) float", "tsql.tsql_round(2.5::float8, 0)", "3", "§4.1 ROUND (float half away from zero; PG round(float8) gives 2)"],
  ["ROUND(-0.5e0, 0) float", "tsql.tsql_round(-0.5::float8, 0)", "-1", "§4.1 ROUND (float)"],
  ["ROUND(1.2345e0, 3) float", "tsql.tsql_round(1.2345::float8, 3)", "1.235", "§4.1 ROUND (float) ⚠ binary values"],
  ["ROUND(1.5e0, 0, 1) float truncate", "tsql.tsql_round(1.5::float8, 0, 1)", "1", "§4.1 ROUND (float truncate)"],
  ["CAST(1.23456 AS money)", "tsql.tsql_money(1.23456)", "1.2346", "§4.4 money (4 decimals)"],
  ["CAST(-1.23455 AS money)", "tsql.tsql_money(-1.23455)", "-1.2346", "§4.4 money (half away from zero)"],
  ["CAST(214748.3647 AS smallmoney)", "tsql.tsql_smallmoney(214748.3647)", "214748.3647", "§4.4 smallmoney range"],
  ["CONVERT(varchar, $4235.9819)", "tsql.tsql_money_to_varchar(4235.9819)", "4235.98", "§4.4 money style 0"],
  ["CONVERT(varchar, $3510.9219, 1)", "tsql.tsql_money_to_varchar(3510.9219, 1)", "3,510.92", "§4.4 money style 1"],
  ["CONVERT(varchar, $4235.9819, 2)", "tsql.tsql_money_to_varchar(4235.9819, 2)", "4235.9819", "§4.4 money style 2"],
  ["CONVERT(varchar, $4235.9819, 126)", "tsql.tsql_money_to_varchar(4235.9819, 126)", "4235.9819", "§7.1 money 126 = 2"],
  ["CONVERT(varchar, $-0.005)", "tsql.tsql_money_to_varchar(-0.005)", "-0.01", "§4.4 money style 0 rounds"],
  ["CAST(1234567e0 AS varchar)", "tsql.tsql_float_to_varchar(1234567)", "1.23457e+006", "§4.4 float style 0 ⚠"],
  ["CAST(123456e0 AS varchar)", "tsql.tsql_float_to_varchar(123456)", "123456", "§4.4 float style 0"],
  ["CAST(0.1e0 AS varchar)", "tsql.tsql_float_to_varchar(0.1)", "0.1", "§4.4 float style 0"],
  ["CAST(1.0e0/3 AS varchar)", "tsql.tsql_float_to_varchar(1.0::float8/3)", "0.333333", "§4.4 float style 0 (6 digits)"],
  ["CAST(0.00001e0 AS varchar)", "tsql.tsql_float_to_varchar(0.00001)", "1e-005", "§4.4 float style 0 ⚠"],
  ["CAST(-2.5e0 AS varchar)", "tsql.tsql_float_to_varchar(-2.5)", "-2.5", "§4.4 float style 0"],
  ["CAST(999999.7e0 AS varchar)", "tsql.tsql_float_to_varchar(999999.7)", "1e+006", "§4.4 float style 0 ⚠ rounding carries"],
  ["ISNUMERIC('123')", "tsql.tsql_isnumeric('123')", "1", "§4.4 ISNUMERIC"],
  ["ISNUMERIC(' -12.5 ')", "tsql.tsql_isnumeric(' -12.5 ')", "1", "§4.4 ISNUMERIC"],
  ["ISNUMERIC('$')", "tsql.tsql_isnumeric('$')", "1", "§4.4 ISNUMERIC (currency symbol, documented quirk)"],
  ["ISNUMERIC('+')", "tsql.tsql_isnumeric('+')", "1", "§4.4 ISNUMERIC (documented quirk)"],
  ["ISNUMERIC('-')", "tsql.tsql_isnumeric('-')", "1", "§4.4 ISNUMERIC (documented quirk)"],
  ["ISNUMERIC('.')", "tsql.tsql_isnumeric('.')", "1", "§4.4 ISNUMERIC ⚠ lone ."],
  ["ISNUMERIC('1,000')", "tsql.tsql_isnumeric('1,000')", "1", "§4.4 ISNUMERIC ⚠ commas"],
  ["ISNUMERIC('1e5')", "tsql.tsql_isnumeric('1e5')", "1", "§4.4 ISNUMERIC ⚠ e exponent"],
  ["ISNUMERIC('1d5')", "tsql.tsql_isnumeric('1d5')", "1", "§4.4 ISNUMERIC ⚠ d exponent"],
  ["ISNUMERIC('$1.5')", "tsql.tsql_isnumeric('$1.5')", "1", "§4.4 ISNUMERIC (money literal)"],
  ["ISNUMERIC('abc')", "tsql.tsql_isnumeric('abc')", "0", "§4.4 ISNUMERIC"],
  ["ISNUMERIC('')", "tsql.tsql_isnumeric('')", "0", "§4.4 ISNUMERIC"],
  ["ISNUMERIC('1.2.3')", "tsql.tsql_isnumeric('1.2.3')", "0", "§4.4 ISNUMERIC"],
  ["ISNUMERIC('e5')", "tsql.tsql_isnumeric('e5')", "0", "§4.4 ISNUMERIC ⚠"],
  ["ISNUMERIC(NULL)", "tsql.tsql_isnumeric(NULL)", "0", "§4.4 ISNUMERIC (NULL → 0)"],
  ["CAST(' 12 ' AS int)", "tsql.tsql_cast_int(' 12 ')", "12", "§4.1 string → number (blanks allowed)"],
  ["CAST('' AS int)", "tsql.tsql_cast_int('')", "0", "§4.1 string → number ⚠ '' → 0"],
  ["CAST('+7' AS smallint)", "tsql.tsql_cast_smallint('+7')", "7", "§4.1 string → number"],
  ["CAST('255' AS tinyint)", "tsql.tsql_cast_tinyint('255')", "255", "§5.1 tinyint"],
  ["CAST('9223372036854775807' AS bigint)", "tsql.tsql_cast_bigint('9223372036854775807')", "9223372036854775807", "§4.1"],
  ["TRY_CAST('12.0' AS int)", "tsql.tsql_try_cast_int('12.0')", null, "§4.4 TRY_CAST ('12.0' → int fails)"],
  ["TRY_CAST('0x1F' AS int)", "tsql.tsql_try_cast_int('0x1F')", null, "§4.1 (PG 16+ would accept)"],
  ["TRY_CAST('1_000' AS int)", "tsql.tsql_try_cast_int('1_000')", null, "§4.1 (PG 16+ would accept)"],
  ["TRY_CAST('2147483648' AS int)", "tsql.tsql_try_cast_int('2147483648')", null, "§4.4 TRY_CAST (overflow → NULL)"],
  ["TRY_CAST('-5' AS tinyint)", "tsql.tsql_try_cast_tinyint('-5')", null, "§5.1 tinyint range"],
  ["TRY_CAST('42' AS int)", "tsql.tsql_try_cast_int(' 42')", "42", "§4.4 TRY_CAST"],
  ["TRY_CAST('12.345' AS decimal(5,2))", "tsql.tsql_try_cast_numeric('12.345', 5, 2)", "12.35", "§4.1 decimal rounding"],
  ["TRY_CAST('1234.5' AS decimal(5,2))", "tsql.tsql_try_cast_numeric('1234.5', 5, 2)", null, "§4.4 TRY_CAST (precision overflow)"],
  ["TRY_CAST('' AS decimal(5,2))", "tsql.tsql_try_cast_numeric('', 5, 2)", null, "§4.1 ('' → decimal fails, documented)"],
  ["TRY_CAST('1e3' AS decimal(10,2))", "tsql.tsql_try_cast_numeric('1e3', 10, 2)", null, "§4.1 (exponent not decimal)"],
  ["CAST('-10.6496' AS decimal(18,0))", "tsql.tsql_cast_numeric('-10.6496', 18, 0)", "-11", "§4.1 (round half away, MS example)"],
  ["TRY_CAST('1e3' AS float)", "tsql.tsql_try_cast_float('1e3')", "1000", "§4.4 float"],
  ["TRY_CAST('NaN' AS float)", "tsql.tsql_try_cast_float('NaN')", null, "§4.1 (no NaN in SQL Server)"],
  ["TRY_CAST('Infinity' AS float)", "tsql.tsql_try_cast_float('Infinity')", null, "§4.1 (no Infinity in SQL Server)"],
  ["TRY_CAST('1e400' AS float)", "tsql.tsql_try_cast_float('1e400')", null, "§4.4 TRY_CAST (overflow)"],
  ["CAST(' ' AS float)", "tsql.tsql_cast_float(' ')", "0", "§4.1 ⚠ blank → 0"],
  ["CAST(2 AS bit)", "tsql.tsql_to_bit(2)", "true", "§4.4 bit (non-zero → 1)"],
  ["CAST(0.0 AS bit)", "tsql.tsql_to_bit(0.0)", "false", "§4.4 bit"],
  ["CAST('TRUE' AS bit)", "tsql.tsql_to_bit('TRUE')", "true", "§4.4 bit (string TRUE)"],
  ["CAST('false' AS bit)", "tsql.tsql_to_bit('false')", "false", "§4.4 bit ⚠ case-insensitive"],
  ["CAST('0' AS bit)", "tsql.tsql_to_bit('0')", "false", "§4.4 bit (numeric string)"],
  ["TRY_CAST('yes' AS bit)", "tsql.tsql_try_to_bit('yes')", null, "§4.4 bit (TRY_CAST: NULL instead of error)"],
  ["TRY_CAST('True' AS bit)", "tsql.tsql_try_to_bit('True')", "true", "§4.4 bit"],
  ["TRY_CAST('0.0' AS bit)", "tsql.tsql_try_to_bit('0.0')", "false", "§4.4 bit"],
  ["CAST('5' AS bit)", "tsql.tsql_to_bit('5')", "true", "§4.4 bit (numeric string by value)"],
];

describe("numbers and conversions (TSQL-SEMANTICS.md §4)", () => {
  it.each(rows)("%s → %s = %s (%s)", async (_tsql, pg, expected) => {
    expect(await t.value(pg)).toBe(expected);
  });
  it.each([
    ["CAST('12.0' AS int) raises", "tsql.tsql_cast_int('12.0')", /Conversion failed.*12\.0.*int/],
    ["CAST('abc' AS int) raises", "tsql.tsql_cast_int('abc')", /Conversion failed/],
    ["CAST('256' AS tinyint) raises", "tsql.tsql_cast_tinyint('256')", /Conversion failed|tinyint/],
    ["CAST('abc' AS decimal(5,2)) raises", "tsql.tsql_cast_numeric('abc', 5, 2)", /Error converting data type varchar to numeric/],
    ["CAST('x' AS float) raises", "tsql.tsql_cast_float('x')", /varchar to float/],
    ["CAST('yes' AS bit) raises (PG ::boolean would accept)", "tsql.tsql_to_bit('yes')", /to data type bit/],
    ["CAST(922337203685477.5808 AS money) raises", "tsql.tsql_money(922337203685477.5808)", /overflow.*money/],
    ["CAST(214748.3648 AS smallmoney) raises", "tsql.tsql_smallmoney(214748.3648)", /smallmoney/],
    ["ROUND(748.58, -3) on decimal(5,2) overflows", "tsql.tsql_round(748.58, -3)::numeric(5,2)", /overflow/],
  ])("%s (§4)", async (_name, pg, message) => {
    await expect(t.value(pg)).rejects.toThrow(message);
  });
});
