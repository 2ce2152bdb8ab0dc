import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inSchema, openRuntimeDb, type RuntimeDb } from "./testdb.ts";

let db: RuntimeDb;
beforeAll(async () => {
  db = await openRuntimeDb();
});
afterAll(async () => {
  await db?.close();
});

const ts = (s: string) => `timestamp '${s}'`;
const d = (s: string) => `date '${s}'`;

// [T-SQL, Postgres call, value SQL Server documents, reference]
type Row = [string, string, string | null, string];
const check = async (pg: string, expected: string | null) => {
  expect(await db.text(inSchema(pg, db.schema))).toBe(expected);
};
const fails = async (pg: string, message: RegExp) => {
  await expect(db.text(inSchema(pg, db.schema))).rejects.toThrow(message);
};

const datediff: Row[] = [
  ...["year", "quarter", "month", "dayofyear", "day", "week", "hour", "minute", "second", "millisecond"].map(
    (p): Row => [
      `DATEDIFF(${p}, '2005-12-31 23:59:59.9999999', '2006-01-01 00:00:00.0000000')`,
      `tsql.tsql_datediff('${p}', ${ts("2005-12-31 23:59:59.999999")}, ${ts("2006-01-01 00:00:00")})`,
      "1",
      "§6.3 (MS example: every part crosses one boundary)",
    ],
  ),
  ["DATEDIFF(microsecond, '2005-12-31 23:59:59.999999', '2006-01-01')", `tsql.tsql_datediff('mcs', ${ts("2005-12-31 23:59:59.999999")}, ${ts("2006-01-01")})`, "1", "§6.3"],
  ["DATEDIFF(nanosecond, ...) one microsecond apart", `tsql.tsql_datediff('ns', ${ts("2005-12-31 23:59:59.999999")}, ${ts("2006-01-01")})`, "1000", "§6.3 nanosecond (µs × 1000)"],
  ["DATEDIFF(year, '2024-12-31', '2025-01-01')", `tsql.tsql_datediff('yy', ${ts("2024-12-31")}, ${ts("2025-01-01")})`, "1", "§6.1 DATEDIFF (S92)"],
  ["DATEDIFF(year, '2024-01-01', '2024-12-31')", `tsql.tsql_datediff('year', ${ts("2024-01-01")}, ${ts("2024-12-31")})`, "0", "§6.3 year"],
  ["DATEDIFF(month, '2024-01-31', '2024-02-01')", `tsql.tsql_datediff('month', ${ts("2024-01-31")}, ${ts("2024-02-01")})`, "1", "§6.3 month"],
  ["DATEDIFF(month, '2024-03-31', '2024-01-01') negative", `tsql.tsql_datediff('mm', ${ts("2024-03-31")}, ${ts("2024-01-01")})`, "-2", "§6.3 month (signed)"],
  ["DATEDIFF(quarter, '2024-03-31', '2024-04-01')", `tsql.tsql_datediff('qq', ${ts("2024-03-31")}, ${ts("2024-04-01")})`, "1", "§6.3 quarter"],
  ["DATEDIFF(quarter, '2023-11-15', '2024-02-15')", `tsql.tsql_datediff('q', ${ts("2023-11-15")}, ${ts("2024-02-15")})`, "1", "§6.3 quarter"],
  ["DATEDIFF(day, '2024-01-01 23:59', '2024-01-02 00:01')", `tsql.tsql_datediff('dd', ${ts("2024-01-01 23:59")}, ${ts("2024-01-02 00:01")})`, "1", "§6.3 day (midnights)"],
  ["DATEDIFF(dayofyear, '2024-01-01', '2025-01-01')", `tsql.tsql_datediff('dy', ${ts("2024-01-01")}, ${ts("2025-01-01")})`, "366", "§6.3 dayofyear"],
  ["DATEDIFF(week, Sat 2024-01-06, Sun 2024-01-07)", `tsql.tsql_datediff('wk', ${ts("2024-01-06")}, ${ts("2024-01-07")})`, "1", "§6.3 week (Sunday boundary)"],
  ["DATEDIFF(week, Sun 2024-01-07, Sat 2024-01-13)", `tsql.tsql_datediff('week', ${ts("2024-01-07")}, ${ts("2024-01-13")})`, "0", "§6.3 week"],
  ["DATEDIFF(week, Mon 2024-01-01, Mon 2024-01-15)", `tsql.tsql_datediff('ww', ${ts("2024-01-01")}, ${ts("2024-01-15")})`, "2", "§6.3 week"],
  ["DATEDIFF(week, Sun, earlier Sat) negative", `tsql.tsql_datediff('week', ${ts("2024-01-07")}, ${ts("2024-01-06")})`, "-1", "§6.3 week"],
  ["DATEDIFF(hour, '10:59', '11:00')", `tsql.tsql_datediff('hh', ${ts("2024-01-01 10:59:59")}, ${ts("2024-01-01 11:00:00")})`, "1", "§6.3 hour"],
  ["DATEDIFF(hour, '10:00', '10:59')", `tsql.tsql_datediff('hour', ${ts("2024-01-01 10:00")}, ${ts("2024-01-01 10:59:59")})`, "0", "§6.3 hour"],
  ["DATEDIFF(minute, '10:00:59', '10:01:00')", `tsql.tsql_datediff('mi', ${ts("2024-01-01 10:00:59")}, ${ts("2024-01-01 10:01:00")})`, "1", "§6.3 minute"],
  ["DATEDIFF(second, '.999', next second)", `tsql.tsql_datediff('ss', ${ts("2024-01-01 10:00:00.999")}, ${ts("2024-01-01 10:00:01.000")})`, "1", "§6.3 second"],
  ["DATEDIFF(millisecond, '.0009', '.0011')", `tsql.tsql_datediff('ms', ${ts("2024-01-01 10:00:00.0009")}, ${ts("2024-01-01 10:00:00.0011")})`, "1", "§6.3 millisecond"],
  ["DATEDIFF(day, date, date) before 1970", `tsql.tsql_datediff('day', ${ts("1900-01-01")}, ${ts("1900-03-01")})`, "59", "§6.3 day"],
  ["DATEDIFF(hour, time, time): time parts on time", `tsql.tsql_datediff('hour', time '08:30', time '10:00')`, "2", "§6.1 DATEDIFF"],
  ["DATEDIFF(day, time, time): date part on times = 0", `tsql.tsql_datediff('day', time '08:30', time '10:00')`, "0", "§6.1 DATEDIFF (both time-only)"],
  ["DATEDIFF(hour) on datetimeoffset uses UTC instants", `tsql.tsql_datediff('hour', timestamptz '2024-01-01 10:00+02', timestamptz '2024-01-01 10:00+00')`, "2", "§6.1 DATEDIFF (offsets) ⚠"],
  ["DATEDIFF_BIG(millisecond, 0001-01-01, 9999-12-31)", `tsql.tsql_datediff_big('millisecond', ${ts("0001-01-01")}, ${ts("9999-12-31")})`, "315537811200000", "§6.3 overflow (_big)"],
  ["DATEDIFF(second) over 68+ years fits", `tsql.tsql_datediff('second', ${ts("1950-01-01")}, ${ts("2018-01-01")})`, "2145916800", "§6.3 overflow"],
];

describe("DATEDIFF counts boundaries (TSQL-SEMANTICS.md §6.1, §6.3)", () => {
  it.each(datediff)("%s → %s = %s (%s)", async (_t, pg, expected) => check(pg, expected));
  it("DATEDIFF(millisecond) beyond int raises (§6.3 overflow: ~24 days 20:31:23.647)", async () => {
    await check(`tsql.tsql_datediff('ms', ${ts("2024-01-01")}, ${ts("2024-01-25 20:31:23.647")})`, "2147483647");
    await fails(`tsql.tsql_datediff('ms', ${ts("2024-01-01")}, ${ts("2024-01-25 20:31:23.648")})`, /out of range/);
  });
  it("unknown datepart raises (§6.2)", async () => {
    await fails(`tsql.tsql_datediff('fortnight', ${ts("2024-01-01")}, ${ts("2024-01-02")})`, /not a recognized datepart/);
    await fails(`tsql.tsql_datediff('tzoffset', ${ts("2024-01-01")}, ${ts("2024-01-02")})`, /not supported/);
  });
});

const dateadd: Row[] = [
  ["DATEADD(month, 1, '20060831')", `tsql.tsql_dateadd('month', 1, ${ts("2006-08-31")})`, "2006-09-30 00:00:00", "§6.1 DATEADD (month-end clamp, MS example)"],
  ["DATEADD(month, 1, date '2024-01-31')", `tsql.tsql_dateadd('mm', 1, ${d("2024-01-31")})`, "2024-02-29", "§6.1 DATEADD (date stays date)"],
  ["DATEADD(year, 1, date '2024-02-29')", `tsql.tsql_dateadd('yy', 1, ${d("2024-02-29")})`, "2025-02-28", "§6.1 DATEADD ⚠ year clamp"],
  ["DATEADD(quarter, 1, '2024-11-30')", `tsql.tsql_dateadd('quarter', 1, ${d("2024-11-30")})`, "2025-02-28", "§6.1 DATEADD ⚠ quarter clamp"],
  ["DATEADD(day, 1.9, d) truncates n", `tsql.tsql_dateadd('day', 1.9, ${d("2024-01-01")})`, "2024-01-02", "§6.1 DATEADD (fraction truncated)"],
  ["DATEADD(day, -1.9, d) truncates toward zero", `tsql.tsql_dateadd('day', -1.9, ${d("2024-01-03")})`, "2024-01-02", "§6.1 DATEADD"],
  ["DATEADD(week, 2, d)", `tsql.tsql_dateadd('wk', 2, ${d("2024-01-01")})`, "2024-01-15", "§6.1 DATEADD (week = 7 days)"],
  ["DATEADD(weekday, 1, d)", `tsql.tsql_dateadd('dw', 1, ${d("2024-01-06")})`, "2024-01-07", "§6.1 DATEADD (weekday adds days)"],
  ["DATEADD(dayofyear, 1, d)", `tsql.tsql_dateadd('dy', 1, ${d("2024-12-31")})`, "2025-01-01", "§6.1 DATEADD (dayofyear adds days)"],
  ["DATEADD(hour, 25, datetime2)", `tsql.tsql_dateadd('hh', 25, ${ts("2024-01-01 00:30")})`, "2024-01-02 01:30:00", "§6.1 DATEADD"],
  ["DATEADD(minute, -90, datetime2)", `tsql.tsql_dateadd('mi', -90, ${ts("2024-01-01 00:30")})`, "2023-12-31 23:00:00", "§6.1 DATEADD"],
  ["DATEADD(second, 3600, datetime2)", `tsql.tsql_dateadd('s', 3600, ${ts("2024-01-01")})`, "2024-01-01 01:00:00", "§6.1 DATEADD"],
  ["DATEADD(millisecond, 1500, datetime2)", `tsql.tsql_dateadd('ms', 1500, ${ts("2024-01-01")})`, "2024-01-01 00:00:01.5", "§6.1 DATEADD"],
  ["DATEADD(microsecond, 7, datetime2)", `tsql.tsql_dateadd('mcs', 7, ${ts("2024-01-01")})`, "2024-01-01 00:00:00.000007", "§6.1 DATEADD"],
  ["DATEADD(day, 365, datetime '2000-01-01 01:01:01.111')", `tsql.tsql_datetime(tsql.tsql_dateadd('day', 365, ${ts("2000-01-01 01:01:01.111")}))`, "2000-12-31 01:01:01.11", "§6.1 DATEADD (datetime re-rounded: .110, MS example)"],
  ["DATEADD(hour, 3, time '23:00') wraps", `tsql.tsql_dateadd('hour', 3, time '23:00')`, "02:00:00", "§6.1 DATEADD time ⚠ wrap"],
];

describe("DATEADD (TSQL-SEMANTICS.md §6.1)", () => {
  it.each(dateadd)("%s → %s = %s (%s)", async (_t, pg, expected) => check(pg, expected));
  it("time datepart on date raises; date datepart on time raises (§6.1)", async () => {
    await fails(`tsql.tsql_dateadd('hour', 1, ${d("2024-01-01")})`, /not supported by date function dateadd for data type date/);
    await fails(`tsql.tsql_dateadd('day', 1, time '10:00')`, /for data type time/);
  });
  it("n outside int raises; result beyond 9999 raises (§6.1 error 8115 / 517)", async () => {
    await fails(`tsql.tsql_dateadd('day', 3000000000, ${ts("2024-01-01")})`, /out of range/);
    await fails(`tsql.tsql_dateadd('year', 1, ${ts("9999-06-01")})`, /overflow/);
    await fails(`tsql.tsql_dateadd('day', -1, ${d("0001-01-01")})`, /overflow/);
  });
  it("NULL number or date → NULL", async () => {
    await check(`tsql.tsql_dateadd('day', NULL, ${d("2024-01-01")})`, null);
    await check(`tsql.tsql_dateadd('day', 1, NULL::date)`, null);
  });
});

const ref = ts("2007-10-30 12:15:32.1234567");
const datepart: Row[] = [
  ["DATEPART(year, ref)", `tsql.tsql_datepart('year', ${ref})`, "2007", "§6.2 year"],
  ["DATEPART(yyyy, ref)", `tsql.tsql_datepart('yyyy', ${ref})`, "2007", "§6.2 year"],
  ["DATEPART(quarter, ref)", `tsql.tsql_datepart('qq', ${ref})`, "4", "§6.2 quarter"],
  ["DATEPART(month, ref)", `tsql.tsql_datepart('m', ${ref})`, "10", "§6.2 month"],
  ["DATEPART(dayofyear, ref)", `tsql.tsql_datepart('dy', ${ref})`, "303", "§6.2 dayofyear"],
  ["DATEPART(day, ref)", `tsql.tsql_datepart('dd', ${ref})`, "30", "§6.2 day"],
  ["DATEPART(week, ref)", `tsql.tsql_datepart('wk', ${ref})`, "44", "§6.2 week"],
  ["DATEPART(weekday, ref) Tuesday DATEFIRST 7", `tsql.tsql_datepart('dw', ${ref})`, "3", "§6.2 weekday"],
  ["DATEPART(hour, ref)", `tsql.tsql_datepart('hh', ${ref})`, "12", "§6.2 hour"],
  ["DATEPART(minute, ref)", `tsql.tsql_datepart('n', ${ref})`, "15", "§6.2 minute"],
  ["DATEPART(second, ref)", `tsql.tsql_datepart('ss', ${ref})`, "32", "§6.2 second"],
  ["DATEPART(millisecond, ref)", `tsql.tsql_datepart('ms', ${ref})`, "123", "§6.2 millisecond"],
  ["DATEPART(microsecond, ref)", `tsql.tsql_datepart('mcs', ${ref})`, "123457", "§6.2 microsecond (7th digit rounded by PG: SQL Server 123456)"],
  ["DATEPART(nanosecond, ref)", `tsql.tsql_datepart('ns', ${ts("2007-10-30 12:15:32.123456")})`, "123456000", "§6.2 nanosecond (µs × 1000)"],
  ["DATEPART(tzoffset, datetime2)", `tsql.tsql_datepart('tz', ${ref})`, "0", "§6.2 tzoffset (datetime2 → 0)"],
  ["DATEPART(iso_week, ref)", `tsql.tsql_datepart('isowk', ${ref})`, "44", "§6.2 iso_week"],
  ["DATEPART(iso_week, 2021-01-03) belongs to 2020 week 53", `tsql.tsql_datepart('iso_week', ${d("2021-01-03")})`, "53", "§6.2 iso_week"],
  ["DATEPART(week, 2007-04-21) DATEFIRST 7", `tsql.tsql_datepart('week', ${d("2007-04-21")}, 7)`, "16", "§6.2 week (MS example)"],
  ["DATEPART(week, 2007-04-21) DATEFIRST 1", `tsql.tsql_datepart('week', ${d("2007-04-21")}, 1)`, "16", "§6.2 week (MS example)"],
  ["DATEPART(week, 2007-04-21) DATEFIRST 3", `tsql.tsql_datepart('week', ${d("2007-04-21")}, 3)`, "17", "§6.2 week (MS example: 2–6 → 17)"],
  ["DATEPART(week, Jan 1)", `tsql.tsql_datepart('week', ${d("2022-01-01")})`, "1", "§6.2 week (week 1 contains Jan 1)"],
  ["DATEPART(week, Sun 2022-01-02) DATEFIRST 7", `tsql.tsql_datepart('week', ${d("2022-01-02")})`, "2", "§6.2 week"],
  ["DATEPART(weekday, Sunday) DATEFIRST 7", `tsql.tsql_datepart('weekday', ${d("2024-01-07")}, 7)`, "1", "§6.2 weekday"],
  ["DATEPART(weekday, Sunday) DATEFIRST 1", `tsql.tsql_datepart('weekday', ${d("2024-01-07")}, 1)`, "7", "§6.2 weekday"],
  ["DATEPART(weekday, Monday) DATEFIRST 1", `tsql.tsql_datepart('weekday', ${d("2024-01-08")}, 1)`, "1", "§6.2 weekday"],
  ["DATEPART(weekday, Saturday) DATEFIRST 7", `tsql.tsql_datepart('weekday', ${d("2024-01-13")})`, "7", "§6.2 weekday"],
  ["DATEPART(year, 0) = 1900", `tsql.tsql_datepart('year', ${ts("1900-01-01")})`, "1900", "§6.1 DATEPART (int 0 = 1900-01-01)"],
  ["DATEPART(hour, time)", `tsql.tsql_datepart('hour', time '21:05:04')`, "21", "§6.1 DATEPART"],
];

describe("DATEPART (TSQL-SEMANTICS.md §6.2)", () => {
  it.each(datepart)("%s → %s = %s (%s)", async (_t, pg, expected) => check(pg, expected));
  it("parts the type lacks raise (§6.1 DATEPART error 9810)", async () => {
    await fails(`tsql.tsql_datepart('hour', ${d("2024-01-01")})`, /not supported by date function datepart for data type date/);
    await fails(`tsql.tsql_datepart('year', time '10:00')`, /for data type time/);
    await fails(`tsql.tsql_datepart('weekday', ${d("2024-01-01")}, 8)`, /DATEFIRST/);
  });
});

const datename: Row[] = [
  ["DATENAME(month, ref)", `tsql.tsql_datename('month', ${ref})`, "October", "§6.1 DATENAME, §6.2 month"],
  ["DATENAME(weekday, ref)", `tsql.tsql_datename('dw', ${ref})`, "Tuesday", "§6.2 weekday"],
  ["DATENAME(year, ref)", `tsql.tsql_datename('yy', ${ref})`, "2007", "§6.1 DATENAME (number as text)"],
  ["DATENAME(week, 2007-04-21) DATEFIRST 3", `tsql.tsql_datename('week', ${d("2007-04-21")}, 3)`, "17", "§6.1 DATENAME (week follows DATEFIRST)"],
  ["DATENAME(month, date)", `tsql.tsql_datename('mm', ${d("2024-09-01")})`, "September", "§6.2 month"],
  ["DATENAME(minute, time)", `tsql.tsql_datename('mi', time '10:07')`, "7", "§6.1 DATENAME"],
];

describe("DATENAME (TSQL-SEMANTICS.md §6.1, §6.2)", () => {
  it.each(datename)("%s → %s = %s (%s)", async (_t, pg, expected) => check(pg, expected));
  it("DATENAME(tzoffset) is refused (⚠ §6.1)", async () => {
    await fails(`tsql.tsql_datename('tzoffset', ${ref})`, /cannot reproduce/);
  });
});

const misc: Row[] = [
  ["EOMONTH('2024-02-10')", `tsql.tsql_eomonth(${d("2024-02-10")})`, "2024-02-29", "§6.1 EOMONTH"],
  ["EOMONTH('2024-01-31', 1)", `tsql.tsql_eomonth(${d("2024-01-31")}, 1)`, "2024-02-29", "§6.1 EOMONTH (month offset)"],
  ["EOMONTH('2024-03-15', -1)", `tsql.tsql_eomonth(${d("2024-03-15")}, -1)`, "2024-02-29", "§6.1 EOMONTH"],
  ["EOMONTH(datetime)", `tsql.tsql_eomonth(${ts("2023-12-05 10:00")}, 2)`, "2024-02-29", "§6.1 EOMONTH (returns date)"],
  ["EOMONTH(NULL)", `tsql.tsql_eomonth(NULL::date)`, null, "§6.1 EOMONTH"],
  ["DATEFROMPARTS(2024, 2, 29)", `tsql.tsql_datefromparts(2024, 2, 29)`, "2024-02-29", "§6.1 DATEFROMPARTS"],
  ["DATEFROMPARTS(NULL, 2, 29)", `tsql.tsql_datefromparts(NULL, 2, 29)`, null, "§6.1 DATEFROMPARTS (NULL → NULL)"],
  ["DATETIMEFROMPARTS(2010,12,31,23,59,59,0)", `tsql.tsql_datetimefromparts(2010, 12, 31, 23, 59, 59, 0)`, "2010-12-31 23:59:59", "§6.1 DATETIMEFROMPARTS"],
  ["DATETIMEFROMPARTS(..., 998) rounds to .997", `tsql.tsql_datetimefromparts(2010, 12, 31, 23, 59, 59, 998)`, "2010-12-31 23:59:59.997", "§6.1 DATETIMEFROMPARTS ⚠ off-grid ms"],
  ["DATETIME2FROMPARTS(2011,8,15,14,23,44,5,1)", `tsql.tsql_datetime2fromparts(2011, 8, 15, 14, 23, 44, 5, 1)`, "2011-08-15 14:23:44.5", "§6.1 DATETIME2FROMPARTS (MS example)"],
  ["DATETIME2FROMPARTS(...,50,2)", `tsql.tsql_datetime2fromparts(2011, 8, 15, 14, 23, 44, 50, 2)`, "2011-08-15 14:23:44.5", "§6.1 DATETIME2FROMPARTS"],
  ["DATETIME2FROMPARTS(...,500,3)", `tsql.tsql_datetime2fromparts(2011, 8, 15, 14, 23, 44, 500, 3)`, "2011-08-15 14:23:44.5", "§6.1 DATETIME2FROMPARTS"],
  ["DATETIME2FROMPARTS(NULL fractions)", `tsql.tsql_datetime2fromparts(2011, 8, 15, 14, 23, 44, NULL, 3)`, null, "§6.1 DATETIME2FROMPARTS"],
  ["SMALLDATETIMEFROMPARTS(2010,12,31,23,59)", `tsql.tsql_smalldatetimefromparts(2010, 12, 31, 23, 59)`, "2010-12-31 23:59:00", "§6.1 SMALLDATETIMEFROMPARTS"],
  ["TIMEFROMPARTS(23,59,59,5,1)", `tsql.tsql_timefromparts(23, 59, 59, 5, 1)`, "23:59:59.5", "§6.1 TIMEFROMPARTS"],
  ["DATETIMEOFFSETFROMPARTS(2011,8,15,14,30,0,5,12,30,1)", `tsql.tsql_datetimeoffsetfromparts(2011, 8, 15, 14, 30, 0, 5, 12, 30, 1) AT TIME ZONE 'UTC'`, "2011-08-15 02:00:00.5", "§6.1 DATETIMEOFFSETFROMPARTS (instant)"],
  ["datetime '23:59:59.999' rounds to next day", `tsql.tsql_datetime_round(${ts("1998-01-01 23:59:59.999")})`, "1998-01-02 00:00:00", "§5.1 datetime (MS rounding table)"],
  ["datetime .995 → .997", `tsql.tsql_datetime_round(${ts("1998-01-01 23:59:59.995")})`, "1998-01-01 23:59:59.997", "§5.1 datetime"],
  ["datetime .994 → .993", `tsql.tsql_datetime_round(${ts("1998-01-01 23:59:59.994")})`, "1998-01-01 23:59:59.993", "§5.1 datetime"],
  ["datetime .991 → .990", `tsql.tsql_datetime_round(${ts("1998-01-01 23:59:59.991")})`, "1998-01-01 23:59:59.99", "§5.1 datetime"],
  ["datetime .002 → .003", `tsql.tsql_datetime_round(${ts("2000-01-01 00:00:00.002")})`, "2000-01-01 00:00:00.003", "§5.1 datetime"],
  ["datetime .001 → .000", `tsql.tsql_datetime_round(${ts("2000-01-01 00:00:00.001")})`, "2000-01-01 00:00:00", "§5.1 datetime"],
  ["datetime .005 → .007", `tsql.tsql_datetime_round(${ts("2000-01-01 00:00:00.005")})`, "2000-01-01 00:00:00.007", "§5.1 datetime"],
  ["smalldatetime 29.998 s rounds down", `tsql.tsql_smalldatetime(${ts("2000-05-08 12:35:29.998")})`, "2000-05-08 12:35:00", "§5.1 smalldatetime"],
  ["smalldatetime 29.999 s rounds up", `tsql.tsql_smalldatetime(${ts("2000-05-08 12:35:29.999")})`, "2000-05-08 12:36:00", "§5.1 smalldatetime"],
  ["datetime2 '9999-12-31 23:59:59.999999' is in range", `tsql.tsql_dt_range(${ts("9999-12-31 23:59:59.999999")}, 'datetime2')`, "9999-12-31 23:59:59.999999", "§5.1 datetime2 range"],
  ["date '0001-01-01' is in range", `tsql.tsql_dt_range(${ts("0001-01-01")}, 'date')`, "0001-01-01 00:00:00", "§5.1 date range"],
  ["smalldatetime '2079-06-06 23:59' is in range", `tsql.tsql_dt_range(${ts("2079-06-06 23:59")}, 'smalldatetime')`, "2079-06-06 23:59:00", "§5.1 smalldatetime range"],
  ["datetime + 0.5", `tsql.tsql_datetime_add(${ts("2024-01-01")}, 0.5)`, "2024-01-01 12:00:00", "§6.1 datetime + n"],
  ["datetime + 1", `tsql.tsql_datetime_add(${ts("2024-01-31 10:00")}, 1)`, "2024-02-01 10:00:00", "§6.1 datetime + n"],
];

describe("EOMONTH, *FROMPARTS, datetime/smalldatetime precision (TSQL-SEMANTICS.md §5.1, §6.1)", () => {
  it.each(misc)("%s → %s = %s (%s)", async (_t, pg, expected) => check(pg, expected));
  it("invalid parts raise (§6.1)", async () => {
    await fails(`tsql.tsql_datefromparts(2023, 2, 29)`, /out of range|not valid/);
    await fails(`tsql.tsql_datefromparts(10000, 1, 1)`, /not valid/);
    await fails(`tsql.tsql_datetimefromparts(1752, 1, 1, 0, 0, 0, 0)`, /not valid/);
    await fails(`tsql.tsql_datetime2fromparts(2011, 8, 15, 14, 23, 44, 50, 1)`, /not valid/);
    await fails(`tsql.tsql_datetime2fromparts(2011, 8, 15, 14, 23, 44, 5, NULL)`, /precision/);
    await fails(`tsql.tsql_smalldatetimefromparts(2079, 6, 7, 0, 0)`, /out-of-range/);
    await fails(`tsql.tsql_datetime(${ts("1752-12-31")})`, /out-of-range/);
    await fails(`tsql.tsql_dt_range(${ts("1899-12-31 23:59")}, 'smalldatetime')`, /smalldatetime data type resulted in an out-of-range/);
    await fails(`tsql.tsql_dt_range(timestamp '10000-01-01', 'datetime2')`, /out-of-range/);
    await fails(`tsql.tsql_timefromparts(24, 0, 0, 0, 0)`, /Cannot construct data type time/);
    await fails(`tsql.tsql_timefromparts(10, 0, 0, 0, 8)`, /precision/);
    await fails(`tsql.tsql_datetimeoffsetfromparts(2011, 8, 15, 14, 30, 0, 0, 15, 0, 0)`, /datetimeoffset/);
  });
  it("GETDATE is one value per statement at datetime precision (§6.1)", async () => {
    const r = await db.rows(inSchema(`SELECT count(DISTINCT tsql.tsql_getdate())::int AS n, bool_and(tsql.tsql_getdate() = tsql.tsql_datetime_round(tsql.tsql_getdate())) AS rounded FROM generate_series(1, 1000)`, db.schema));
    expect(r[0]).toEqual({ n: 1, rounded: true });
    expect(await db.text(inSchema(`abs(extract(epoch FROM tsql.tsql_sysutcdatetime() - (now() AT TIME ZONE 'UTC'))) < 60`, db.schema))).toBe("true");
  });
});
