import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useRuntimeDb } from "./testdb.ts";

const t = useRuntimeDb({ beforeAll, afterAll });
type Row = [string, string, string | null, string];

const D = "timestamp '2024-08-09 13:05:07.1234'";
const rows: Row[] = [
  ["FORMAT(1234567.891, 'N')", "tsql.tsql_format(1234567.891, 'N')", "1,234,567.89", "§7.3 N (default 2 decimals)"],
  ["FORMAT(1234567.891, 'N2')", "tsql.tsql_format(1234567.891, 'N2')", "1,234,567.89", "§7.3 N2 (S187)"],
  ["FORMAT(1234.5, 'N0')", "tsql.tsql_format(1234.5, 'N0')", "1,235", "§7.3 N0 (half away from zero)"],
  ["FORMAT(-1234.5678, 'N3')", "tsql.tsql_format(-1234.5678, 'N3')", "-1,234.568", "§7.3 N (negative)"],
  ["FORMAT(0.125, 'N2')", "tsql.tsql_format(0.125, 'N2')", "0.13", "§7.3 N (decimal rounds away from zero)"],
  ["FORMAT(1234.5, 'F3')", "tsql.tsql_format(1234.5, 'F3')", "1234.500", "§7.3 F"],
  ["FORMAT(1234.5, 'C')", "tsql.tsql_format(1234.5, 'C')", "$1,234.50", "§7.3 C (en-US)"],
  ["FORMAT(0.1234, 'P')", "tsql.tsql_format(0.1234, 'P')", "12.34%", "§7.3 P ⚠ no space before %"],
  ["FORMAT(42, 'D5')", "tsql.tsql_format(42, 'D5')", "00042", "§7.3 D (zero padded)"],
  ["FORMAT(-42, 'D5')", "tsql.tsql_format(-42, 'D5')", "-00042", "§7.3 D (negative)"],
  ["FORMAT(1234567.891, '#,##0.00')", "tsql.tsql_format(1234567.891, '#,##0.00')", "1,234,567.89", "§7.3 custom numeric"],
  ["FORMAT(0.5, '#,##0.00')", "tsql.tsql_format(0.5, '#,##0.00')", "0.50", "§7.3 custom numeric (0 placeholder)"],
  ["FORMAT(-0.5, '#,##0.00')", "tsql.tsql_format(-0.5, '#,##0.00')", "-0.50", "§7.3 custom numeric (negative)"],
  ["FORMAT(1234.5, '0.##')", "tsql.tsql_format(1234.5, '0.##')", "1234.5", "§7.3 custom numeric (# optional decimals)"],
  ["FORMAT(1234, '0.##')", "tsql.tsql_format(1234, '0.##')", "1234", "§7.3 custom numeric (no point when no decimals)"],
  ["FORMAT(5, '000')", "tsql.tsql_format(5, '000')", "005", "§7.3 custom numeric (zero padding)"],
  ["FORMAT(123456789, '###-##-####')", "tsql.tsql_format(123456789, '###-##-####')", "123-45-6789", "§7.3 custom numeric literals (S193)"],
  ["FORMAT(1234.5678e0, 'N2') float", "tsql.tsql_format(1234.5678::float8, 'N2')", "1,234.57", "§7.3 N (float) ⚠"],
  ["FORMAT(@d, 'yyyy-MM-dd')", `tsql.tsql_format(${D}, 'yyyy-MM-dd')`, "2024-08-09", "§7.3 yyyy-MM-dd (S190)"],
  ["FORMAT(@d, 'dd/MM/yyyy')", `tsql.tsql_format(${D}, 'dd/MM/yyyy')`, "09/08/2024", "§7.3 dd/MM/yyyy (S190)"],
  ["FORMAT(@d, 'MMM')", `tsql.tsql_format(${D}, 'MMM')`, "Aug", "§7.3 MMM"],
  ["FORMAT(@d, 'MMMM')", `tsql.tsql_format(${D}, 'MMMM')`, "August", "§7.3 MMMM"],
  ["FORMAT(@d, 'ddd')", `tsql.tsql_format(${D}, 'ddd')`, "Fri", "§7.3 ddd"],
  ["FORMAT(@d, 'dddd')", `tsql.tsql_format(${D}, 'dddd')`, "Friday", "§7.3 dddd"],
  ["FORMAT(@d, 'd')", `tsql.tsql_format(${D}, 'd')`, "8/9/2024", "§7.3 d standard (S192)"],
  ["FORMAT(@d, 'D')", `tsql.tsql_format(${D}, 'D')`, "Friday, August 9, 2024", "§7.3 D standard (S191)"],
  ["FORMAT(@d, 'yyyy MM dd HH mm ss fff')", `tsql.tsql_format(${D}, 'yyyy MM dd HH mm ss fff')`, "2024 08 09 13 05 07 123", "§7.3 custom date (S190)"],
  ["FORMAT(@d, 'M/d/yy H:m:s')", `tsql.tsql_format(${D}, 'M/d/yy H:m:s')`, "8/9/24 13:5:7", "§7.3 M d H unpadded (S192)"],
  ["FORMAT(@d, 'hh:mm tt')", `tsql.tsql_format(${D}, 'hh:mm tt')`, "01:05 PM", "§7.3 hh:mm tt (S194)"],
  ["FORMAT(@d, 'h:mm t')", `tsql.tsql_format(${D}, 'h:mm t')`, "1:05 P", "§7.3 t"],
  ["FORMAT(@d, 'yyyy''T''HH')", `tsql.tsql_format(${D}, 'yyyy''T''HH')`, "2024T13", "§7.3 quoted literal"],
  ["FORMAT(@d, 's')", `tsql.tsql_format(${D}, 's')`, "2024-08-09T13:05:07", "§7.3 s standard"],
  ["FORMAT(CAST(@d AS date), 'dd MMM yyyy')", "tsql.tsql_format(date '2024-08-09', 'dd MMM yyyy')", "09 Aug 2024", "§7.3 (date)"],
  ["FORMAT(@d, 'yyyy-MM-dd', 'en-US')", `tsql.tsql_format(${D}, 'yyyy-MM-dd', 'en-US')`, "2024-08-09", "§7.3 (explicit en-US)"],
  ["FORMAT(NULL, 'N2')", "tsql.tsql_format(NULL::numeric, 'N2')", null, "§7.3"],
];

describe("FORMAT (TSQL-SEMANTICS.md §7.3)", () => {
  it.each(rows)("%s → %s = %s (%s)", async (_tsql, pg, expected) => {
    expect(await t.value(pg)).toBe(expected);
  });
  it.each([
    ["other cultures are refused", "tsql.tsql_format(1.5, 'N2', 'de-DE')"],
    ["negative currency is refused (culture data)", "tsql.tsql_format(-1.5, 'C')"],
    ["percent-sign custom patterns are refused", "tsql.tsql_format(0.5, '0.0%')"],
    ["section separators are refused", "tsql.tsql_format(1, '0;(0)')"],
    ["scaling commas are refused", "tsql.tsql_format(1000000, '0,,')"],
    ["exponent patterns are refused", "tsql.tsql_format(1000, '0.0E+0')"],
    ["X (hex) is refused", "tsql.tsql_format(255, 'X')"],
    ["D of a non-integer is refused", "tsql.tsql_format(1.5, 'D')"],
    ["zzz (offset) is refused", `tsql.tsql_format(${D}, 'yyyy zzz')`],
    ["standard O is refused", `tsql.tsql_format(${D}, 'O')`],
  ])("%s (§7.3)", async (_name, pg) => {
    await expect(t.value(pg)).rejects.toThrow(/cannot reproduce SQL Server exactly/);
  });
});
