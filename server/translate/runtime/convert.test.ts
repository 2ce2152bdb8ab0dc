import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useRuntimeDb } from "./testdb.ts";

const t = useRuntimeDb({ beforeAll, afterAll });
type Row = [string, string, string | null, string];

// The reference value of §7.1: 2006-04-08 21:05:04.570 (datetime).
const V = "timestamp '2006-04-08 21:05:04.570'";
const styles: [number, string][] = [
  [0, "Apr  8 2006  9:05PM"], [100, "Apr  8 2006  9:05PM"],
  [1, "04/08/06"], [101, "04/08/2006"],
  [2, "06.04.08"], [102, "2006.04.08"],
  [3, "08/04/06"], [103, "08/04/2006"],
  [4, "08.04.06"], [104, "08.04.2006"],
  [5, "08-04-06"], [105, "08-04-2006"],
  [6, "08 Apr 06"], [106, "08 Apr 2006"],
  [7, "Apr 08, 06"], [107, "Apr 08, 2006"],
  [8, "21:05:04"], [24, "21:05:04"], [108, "21:05:04"],
  [9, "Apr  8 2006  9:05:04:570PM"], [109, "Apr  8 2006  9:05:04:570PM"],
  [10, "04-08-06"], [110, "04-08-2006"],
  [11, "06/04/08"], [111, "2006/04/08"],
  [12, "060408"], [112, "20060408"],
  [13, "08 Apr 2006 21:05:04:570"], [113, "08 Apr 2006 21:05:04:570"],
  [14, "21:05:04:570"], [114, "21:05:04:570"],
  [20, "2006-04-08 21:05:04"], [120, "2006-04-08 21:05:04"],
  [21, "2006-04-08 21:05:04.570"], [25, "2006-04-08 21:05:04.570"], [121, "2006-04-08 21:05:04.570"],
  [22, "04/08/06 09:05:04 PM"],
  [23, "2006-04-08"],
  [126, "2006-04-08T21:05:04.570"],
  [127, "2006-04-08T21:05:04.570"],
];

const toString: Row[] = [
  ...styles.map(([s, out]): Row => [`CONVERT(varchar, @d, ${s})`, `tsql.tsql_convert_dt(${V}, ${s})`, out, `§7.1 style ${s}${s === 22 || s === 127 ? " ⚠" : ""}`]),
  ["CONVERT(varchar, '2006-04-18 09:58', 0) (page example)", "tsql.tsql_convert_dt(timestamp '2006-04-18 09:58', 0)", "Apr 18 2006  9:58AM", "§7.1 style 0 (S106)"],
  ["CONVERT(varchar, '2012-11-07 18:26:20', 126) zero fraction omitted", "tsql.tsql_convert_dt(timestamp '2012-11-07 18:26:20', 126)", "2012-11-07T18:26:20", "§7.1 style 126"],
  ["CONVERT(varchar, midnight, 0)", "tsql.tsql_convert_dt(timestamp '2006-04-08 00:00', 0)", "Apr  8 2006 12:00AM", "§7.1 style 0 (12 AM)"],
  ["CAST(datetime2(7) AS varchar) = style 121, 7 digits", "tsql.tsql_convert_dt(timestamp '2006-04-08 21:05:04.123456', 121, 7)", "2006-04-08 21:05:04.1234560", "§7.1 style 121 (datetime2)"],
  ["CONVERT(varchar, CAST(d AS date), 103)", "tsql.tsql_convert_dt(date '2006-04-08', 103)", "08/04/2006", "§7.1 (date)"],
  ["CAST(date AS varchar) = 121", "tsql.tsql_convert_dt(date '2006-04-08')", "2006-04-08", "§7.1 (CAST of date uses 121)"],
  ["CAST(time(7) AS varchar)", "tsql.tsql_convert_dt(time '21:05:04.5')", "21:05:04.5000000", "§7.1 (CAST of time uses 121)"],
  ["CONVERT(varchar, time, 108)", "tsql.tsql_convert_dt(time '21:05:04.5', 108)", "21:05:04", "§7.1 style 108 (time)"],
  ["CONVERT(varchar, NULL, 120)", "tsql.tsql_convert_dt(NULL::timestamp, 120)", null, "§7.1"],
  ["CONVERT(varchar(10), @d, 120)", "left(tsql.tsql_convert_dt(" + V + ", 120), 10)", "2006-04-08", "§7.1 (target length truncates)"],
];

const fromString: Row[] = [
  ["CONVERT(datetime, '04/08/2006', 101)", "tsql.tsql_convert_to_datetime('04/08/2006', 101)", "2006-04-08 00:00:00", "§7.2 style 101 (mdy)"],
  ["CONVERT(datetime, '08/04/2006', 103)", "tsql.tsql_convert_to_datetime('08/04/2006', 103)", "2006-04-08 00:00:00", "§7.2 style 103 (dmy)"],
  ["CONVERT(datetime, '08.04.2006', 104)", "tsql.tsql_convert_to_datetime('08.04.2006', 104)", "2006-04-08 00:00:00", "§7.2 style 104"],
  ["CONVERT(datetime, '04-08-2006', 110)", "tsql.tsql_convert_to_datetime('04-08-2006', 110)", "2006-04-08 00:00:00", "§7.2 style 110"],
  ["CONVERT(datetime, '20060408', 112)", "tsql.tsql_convert_to_datetime('20060408', 112)", "2006-04-08 00:00:00", "§7.2 style 112"],
  ["CONVERT(datetime, '060408', 12)", "tsql.tsql_convert_to_datetime('060408', 12)", "2006-04-08 00:00:00", "§7.2 style 12"],
  ["CONVERT(datetime, '04/08/06', 1) two-digit year", "tsql.tsql_convert_to_datetime('04/08/06', 1)", "2006-04-08 00:00:00", "§7.2 style 1"],
  ["CONVERT(datetime, '04/08/50', 1) cutoff", "tsql.tsql_convert_to_datetime('04/08/50', 1)", "1950-04-08 00:00:00", "§1 two-digit-year cutoff 2049"],
  ["CONVERT(datetime, '04/08/49', 1) cutoff", "tsql.tsql_convert_to_datetime('04/08/49', 1)", "2049-04-08 00:00:00", "§1 two-digit-year cutoff 2049"],
  ["CONVERT(datetime, '08/04/06', 3)", "tsql.tsql_convert_to_datetime('08/04/06', 3)", "2006-04-08 00:00:00", "§7.2 style 3"],
  ["CONVERT(datetime, '2006-04-08', 23)", "tsql.tsql_convert_to_datetime('2006-04-08', 23)", "2006-04-08 00:00:00", "§7.2 style 23"],
  ["CONVERT(datetime, '2006-04-08 21:05:04', 120)", "tsql.tsql_convert_to_datetime('2006-04-08 21:05:04', 120)", "2006-04-08 21:05:04", "§7.2 style 120"],
  ["CONVERT(datetime, '2006-04-08 21:05:04.570', 121)", "tsql.tsql_convert_to_datetime('2006-04-08 21:05:04.570', 121)", "2006-04-08 21:05:04.57", "§7.2 style 121"],
  ["CONVERT(datetime, '2006-04-08 21:05:04.999', 121) rounds", "tsql.tsql_convert_to_datetime('2006-04-08 23:59:59.999', 121)", "2006-04-09 00:00:00", "§5.1 datetime rounding"],
  ["CONVERT(datetime, '2006-04-08T21:05:04.570', 126)", "tsql.tsql_convert_to_datetime('2006-04-08T21:05:04.570', 126)", "2006-04-08 21:05:04.57", "§7.2 style 126"],
  ["CONVERT(datetime, '2006-04-08T21:05:04Z', 127)", "tsql.tsql_convert_to_datetime('2006-04-08T21:05:04Z', 127)", "2006-04-08 21:05:04", "§7.2 style 127 (Z)"],
  ["CONVERT(datetime, '2006-04-08T21:05:04', 103) ISO whatever the style", "tsql.tsql_convert_to_datetime('2006-04-08T21:05:04', 103)", "2006-04-08 21:05:04", "§6.4 ISO 8601 with T"],
  ["CONVERT(datetime, '20060408 21:05', 103) unseparated whatever the style", "tsql.tsql_convert_to_datetime('20060408 21:05', 103)", "2006-04-08 21:05:00", "§6.4 unseparated"],
  ["CONVERT(datetime, 'Apr  8 2006  9:05PM', 100)", "tsql.tsql_convert_to_datetime('Apr  8 2006  9:05PM', 100)", "2006-04-08 21:05:00", "§7.2 style 100"],
  ["CONVERT(datetime, 'Apr 18 2006 12:01AM', 0)", "tsql.tsql_convert_to_datetime('Apr 18 2006 12:01AM', 0)", "2006-04-18 00:01:00", "§7.2 style 0 (12 AM)"],
  ["CONVERT(datetime, '08 Apr 2006', 106)", "tsql.tsql_convert_to_datetime('08 Apr 2006', 106)", "2006-04-08 00:00:00", "§7.2 style 106"],
  ["CONVERT(datetime, 'Apr 08, 2006', 107)", "tsql.tsql_convert_to_datetime('Apr 08, 2006', 107)", "2006-04-08 00:00:00", "§7.2 style 107"],
  ["CONVERT(datetime, '18 April 2006', 113)", "tsql.tsql_convert_to_datetime('18 April 2006', 113)", "2006-04-18 00:00:00", "§6.4 alphabetic"],
  ["CONVERT(datetime, '08 Apr 2006 21:05:04:570', 113)", "tsql.tsql_convert_to_datetime('08 Apr 2006 21:05:04:570', 113)", "2006-04-08 21:05:04.57", "§7.2 style 113"],
  ["CONVERT(datetime, '21:05:04', 108) time only", "tsql.tsql_convert_to_datetime('21:05:04', 108)", "1900-01-01 21:05:04", "§6.4 time only (1900-01-01)"],
  ["CONVERT(datetime, '21:05:04:570', 114)", "tsql.tsql_convert_to_datetime('21:05:04:570', 114)", "1900-01-01 21:05:04.57", "§7.2 style 114"],
  ["CONVERT(datetime2, '2006-04-08 21:05:04.1234567', 121)", "tsql.tsql_convert_to_datetime2('2006-04-08 21:05:04.1234567', 121)", "2006-04-08 21:05:04.123457", "§7.2 (datetime2, 7th digit rounded)"],
  ["CONVERT(date, '08/04/2006 10:00', 103)", "tsql.tsql_convert_to_date('08/04/2006 10:00', 103)", "2006-04-08", "§7.2 (date drops time)"],
  ["CONVERT(smalldatetime, '2006-04-08 21:05:31', 120)", "tsql.tsql_convert_to_smalldatetime('2006-04-08 21:05:31', 120)", "2006-04-08 21:06:00", "§5.1 smalldatetime"],
  ["TRY_CONVERT(datetime, '31/02/2006', 103)", "tsql.tsql_try_convert_datetime('31/02/2006', 103)", null, "§4.4 TRY_CONVERT (invalid date)"],
  ["TRY_CONVERT(datetime, '2006-04-08 21:05:04.1234', 121)", "tsql.tsql_try_convert_datetime('2006-04-08 21:05:04.1234', 121)", null, "§6.1 (datetime: > 3 fractional digits fail)"],
  ["TRY_CONVERT(datetime, '1752-12-31', 23)", "tsql.tsql_try_convert_datetime('1752-12-31', 23)", null, "§5.1 datetime range"],
  ["TRY_CONVERT(datetime2, '1752-12-31', 23)", "tsql.tsql_try_convert_datetime2('1752-12-31', 23)", "1752-12-31 00:00:00", "§5.1 datetime2 range"],
  ["TRY_CONVERT(date, 'not a date')", "tsql.tsql_try_convert_date('not a date')", null, "§4.4 TRY_CONVERT"],
  ["TRY_CONVERT(datetime, '13/01/2006', 101)", "tsql.tsql_try_convert_datetime('13/01/2006', 101)", null, "§7.2 (month 13 under mdy)"],
  ["TRY_CONVERT(smalldatetime, '2079-06-07', 23)", "tsql.tsql_try_convert_smalldatetime('2079-06-07', 23)", null, "§5.1 smalldatetime range"],
  ["TRY_CONVERT(smalldatetime, '2006-04-08 21:05:29.999', 121)", "tsql.tsql_try_convert_smalldatetime('2006-04-08 21:05:29.999', 121)", "2006-04-08 21:06:00", "§5.1 smalldatetime rounding"],
  ["ISDATE('2006-04-08')", "tsql.tsql_isdate('2006-04-08')", "1", "§6.1 ISDATE"],
  ["ISDATE('04/31/2006')", "tsql.tsql_isdate('04/31/2006')", "0", "§6.1 ISDATE (invalid day)"],
  ["ISDATE('13/01/2006') under mdy", "tsql.tsql_isdate('13/01/2006')", "0", "§6.1 ISDATE (DATEFORMAT mdy)"],
  ["ISDATE('1752-12-31')", "tsql.tsql_isdate('1752-12-31')", "0", "§6.1 ISDATE (datetime range)"],
  ["ISDATE('2006-04-08 10:00:00.1234')", "tsql.tsql_isdate('2006-04-08 10:00:00.1234')", "0", "§6.1 ISDATE (> 3 fractional digits)"],
  ["ISDATE('Apr 8 2006 9:05PM')", "tsql.tsql_isdate('Apr 8 2006 9:05PM')", "1", "§6.1 ISDATE (us_english month names)"],
  ["ISDATE('12:10:30')", "tsql.tsql_isdate('12:10:30')", "1", "§6.4 (time only)"],
  ["ISDATE('abc')", "tsql.tsql_isdate('abc')", "0", "§6.1 ISDATE"],
  ["ISDATE(NULL)", "tsql.tsql_isdate(NULL)", "0", "§6.1 ISDATE (NULL → 0)"],
  ["CONVERT(datetime, NULL, 103)", "tsql.tsql_convert_to_datetime(NULL, 103)", null, "§7.2"],
];

describe("CONVERT date/time → string (TSQL-SEMANTICS.md §7.1)", () => {
  it.each(toString)("%s → %s = %s (%s)", async (_tsql, pg, expected) => {
    expect(await t.value(pg)).toBe(expected);
  });
  it("invalid and Hijri styles raise (§7.1)", async () => {
    await expect(t.value(`tsql.tsql_convert_dt(${V}, 99)`)).rejects.toThrow(/not a valid style/);
    await expect(t.value(`tsql.tsql_convert_dt(${V}, 130)`)).rejects.toThrow(/Hijri/);
    await expect(t.value(`tsql.tsql_convert_dt(date '2006-04-08', 108)`)).rejects.toThrow(/cannot reproduce/);
  });
});

describe("CONVERT string → date/time and TRY_CONVERT (TSQL-SEMANTICS.md §6.4, §7.2)", () => {
  it.each(fromString)("%s → %s = %s (%s)", async (_tsql, pg, expected) => {
    expect(await t.value(pg)).toBe(expected);
  });
  it("conversion failures raise SQL Server's message; TRY_ with an invalid style still raises (§4.4)", async () => {
    await expect(t.value("tsql.tsql_convert_to_datetime('31/02/2006', 103)")).rejects.toThrow(/Conversion failed when converting date and\/or time/);
    await expect(t.value("tsql.tsql_convert_to_datetime('1752-12-31', 23)")).rejects.toThrow(/out-of-range/);
    await expect(t.value("tsql.tsql_try_convert_datetime('2006-04-08', 99)")).rejects.toThrow(/not a valid style/);
  });
});
