import type { RuntimeFunction } from "../types.ts";

export const dates: RuntimeFunction[] = [
  {
    name: "tsql_datepart_name",
    tsql: "datepart keyword and its abbreviations",
    signatures: ["tsql_datepart_name(part text)"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_datepart_name(part text)
RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  r text := CASE lower(btrim(part))
    WHEN 'year' THEN 'year' WHEN 'yy' THEN 'year' WHEN 'yyyy' THEN 'year'
    WHEN 'quarter' THEN 'quarter' WHEN 'qq' THEN 'quarter' WHEN 'q' THEN 'quarter'
    WHEN 'month' THEN 'month' WHEN 'mm' THEN 'month' WHEN 'm' THEN 'month'
    WHEN 'dayofyear' THEN 'dayofyear' WHEN 'dy' THEN 'dayofyear' WHEN 'y' THEN 'dayofyear'
    WHEN 'day' THEN 'day' WHEN 'dd' THEN 'day' WHEN 'd' THEN 'day'
    WHEN 'week' THEN 'week' WHEN 'wk' THEN 'week' WHEN 'ww' THEN 'week'
    WHEN 'weekday' THEN 'weekday' WHEN 'dw' THEN 'weekday' WHEN 'w' THEN 'weekday'
    WHEN 'hour' THEN 'hour' WHEN 'hh' THEN 'hour'
    WHEN 'minute' THEN 'minute' WHEN 'mi' THEN 'minute' WHEN 'n' THEN 'minute'
    WHEN 'second' THEN 'second' WHEN 'ss' THEN 'second' WHEN 's' THEN 'second'
    WHEN 'millisecond' THEN 'millisecond' WHEN 'ms' THEN 'millisecond'
    WHEN 'microsecond' THEN 'microsecond' WHEN 'mcs' THEN 'microsecond'
    WHEN 'nanosecond' THEN 'nanosecond' WHEN 'ns' THEN 'nanosecond'
    WHEN 'tzoffset' THEN 'tzoffset' WHEN 'tz' THEN 'tzoffset'
    WHEN 'iso_week' THEN 'iso_week' WHEN 'isowk' THEN 'iso_week' WHEN 'isoww' THEN 'iso_week'
  END;
BEGIN
  IF r IS NULL THEN
    RAISE EXCEPTION '''%'' is not a recognized datepart option.', part USING ERRCODE = '22023';
  END IF;
  RETURN r;
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §6.2 (datepart names and abbreviations)",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "Maps every datepart name and abbreviation of DATEPART/DATEADD/DATEDIFF to its canonical name; unknown names raise.",
    differences: [],
    uncertain: ["'w' as an abbreviation of weekday is listed on the DATEADD page only."],
    callSite: "Internal; the other date functions call it. Pass the datepart as a text literal.",
  },
  {
    name: "tsql_datediff",
    tsql: "DATEDIFF(datepart, startdate, enddate) and DATEDIFF_BIG",
    signatures: [
      "tsql_datediff_big(part text, s timestamp, e timestamp)",
      "tsql_datediff(part text, s timestamp, e timestamp)",
      "tsql_datediff(part text, s timestamptz, e timestamptz)",
      "tsql_datediff(part text, s time, e time)",
      "tsql_datediff_big(part text, s timestamptz, e timestamptz)",
    ],
    returns: "integer (tsql_datediff) / bigint (tsql_datediff_big)",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_datediff_big(part text, s timestamp, e timestamp)
RETURNS bigint LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  p text := @schema@.tsql_datepart_name(part);
BEGIN
  IF s IS NULL OR e IS NULL THEN
    IF p IN ('tzoffset', 'iso_week') THEN
      RAISE EXCEPTION 'The datepart % is not supported by date function datediff.', part USING ERRCODE = '22023';
    END IF;
    RETURN NULL;
  END IF;
  CASE p
  WHEN 'year' THEN RETURN (extract(year FROM e) - extract(year FROM s))::bigint;
  WHEN 'quarter' THEN RETURN ((extract(year FROM e) * 4 + extract(quarter FROM e)) - (extract(year FROM s) * 4 + extract(quarter FROM s)))::bigint;
  WHEN 'month' THEN RETURN ((extract(year FROM e) * 12 + extract(month FROM e)) - (extract(year FROM s) * 12 + extract(month FROM s)))::bigint;
  WHEN 'dayofyear', 'day', 'weekday' THEN RETURN (e::date - s::date)::bigint;
  WHEN 'week' THEN RETURN (((e::date - extract(dow FROM e)::integer) - (s::date - extract(dow FROM s)::integer)) / 7)::bigint;
  WHEN 'hour' THEN RETURN ((extract(epoch FROM date_trunc('hour', e)) - extract(epoch FROM date_trunc('hour', s))) / 3600)::bigint;
  WHEN 'minute' THEN RETURN ((extract(epoch FROM date_trunc('minute', e)) - extract(epoch FROM date_trunc('minute', s))) / 60)::bigint;
  WHEN 'second' THEN RETURN (extract(epoch FROM date_trunc('second', e)) - extract(epoch FROM date_trunc('second', s)))::bigint;
  WHEN 'millisecond' THEN RETURN ((extract(epoch FROM date_trunc('milliseconds', e)) - extract(epoch FROM date_trunc('milliseconds', s))) * 1000)::bigint;
  WHEN 'microsecond' THEN RETURN ((extract(epoch FROM e) - extract(epoch FROM s)) * 1000000)::bigint;
  WHEN 'nanosecond' THEN RETURN ((extract(epoch FROM e) - extract(epoch FROM s)) * 1000000000)::bigint;
  ELSE RAISE EXCEPTION 'The datepart % is not supported by date function datediff.', part USING ERRCODE = '22023';
  END CASE;
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_datediff(part text, s timestamp, e timestamp)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_datediff_big(part, s, e)::integer
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_datediff_big(part text, s timestamptz, e timestamptz)
RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_datediff_big(part, s AT TIME ZONE 'UTC', e AT TIME ZONE 'UTC')
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_datediff(part text, s timestamptz, e timestamptz)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_datediff_big(part, s AT TIME ZONE 'UTC', e AT TIME ZONE 'UTC')::integer
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_datediff(part text, s time, e time)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_datediff_big(part, date '1900-01-01' + s, date '1900-01-01' + e)::integer
$fn$;`,
    dependsOn: ["tsql_datepart_name"],
    semantics: "TSQL-SEMANTICS.md §6.1 DATEDIFF, §6.3",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees:
      "Counts datepart boundaries crossed (not elapsed time) for every datepart; week boundaries are Sundays whatever DATEFIRST says; a result outside int raises (integer out of range), as SQL Server raises error 535; tsql_datediff_big returns bigint.",
    differences: [
      "nanosecond differences are multiples of 1000: Postgres timestamps hold microseconds (SQL Server datetime2 holds 100 ns).",
      "datetimeoffset inputs must be mapped to timestamptz; the difference is computed between UTC instants.",
      "The overflow error message is Postgres' 'integer out of range' rather than SQL Server's error 535 text.",
    ],
    uncertain: [
      "DATEDIFF(weekday, ...) is not listed on the DATEDIFF page; it is treated as day (observed behaviour).",
      "The DATEDIFF page's wording on datetimeoffset (UTC instants) is ambiguous.",
    ],
    callSite:
      "datepart must be the T-SQL keyword passed as a text literal ('month'). Cast both dates to the same Postgres type (timestamp for date/datetime/datetime2/smalldatetime, timestamptz for datetimeoffset, time for time); string literals are datetime2 → timestamp. Use tsql_datediff_big for DATEDIFF_BIG.",
  },
  {
    name: "tsql_dt_range",
    tsql: "date/time range checks (0001-01-01 … 9999-12-31, datetime from 1753, smalldatetime 1900 … 2079-06-06)",
    signatures: ["tsql_dt_range(ts timestamp, type_name text)"],
    returns: "timestamp",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_dt_range(ts timestamp, type_name text)
RETURNS timestamp LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  IF ts < (CASE type_name WHEN 'datetime' THEN timestamp '1753-01-01' WHEN 'smalldatetime' THEN timestamp '1900-01-01' ELSE timestamp '0001-01-01' END)
    OR ts >= (CASE type_name WHEN 'smalldatetime' THEN timestamp '2079-06-07' ELSE timestamp '10000-01-01' END) THEN
    RAISE EXCEPTION 'The conversion of a value to the % data type resulted in an out-of-range value.', type_name USING ERRCODE = '22008';
  END IF;
  RETURN ts;
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §5.1 (date, datetime, datetime2, smalldatetime ranges)",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "Returns ts unchanged when it lies in the range of the named T-SQL type ('datetime', 'smalldatetime', 'datetime2', 'date'), raises otherwise (Postgres accepts BC dates and years past 9999).",
    differences: [],
    uncertain: [],
    callSite: "Internal; also usable after arithmetic on date/time values whose T-SQL type is known.",
  },
  {
    name: "tsql_dateadd",
    tsql: "DATEADD(datepart, number, date)",
    signatures: [
      "tsql_dateadd(part text, n numeric, d timestamp)",
      "tsql_dateadd(part text, n numeric, d date)",
      "tsql_dateadd(part text, n numeric, d time)",
    ],
    returns: "same type as d",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_dateadd(part text, n numeric, d timestamp)
RETURNS timestamp LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  p text := @schema@.tsql_datepart_name(part);
  k integer;
  r timestamp;
BEGIN
  IF p IN ('tzoffset', 'iso_week') THEN
    RAISE EXCEPTION 'The datepart % is not supported by date function dateadd.', part USING ERRCODE = '22023';
  END IF;
  IF n IS NULL OR d IS NULL THEN RETURN NULL; END IF;
  k := trunc(n)::integer;
  r := CASE p
    WHEN 'year' THEN d + make_interval(years => k)
    WHEN 'quarter' THEN d + make_interval(months => k * 3)
    WHEN 'month' THEN d + make_interval(months => k)
    WHEN 'dayofyear' THEN d + make_interval(days => k)
    WHEN 'day' THEN d + make_interval(days => k)
    WHEN 'weekday' THEN d + make_interval(days => k)
    WHEN 'week' THEN d + make_interval(weeks => k)
    WHEN 'hour' THEN d + make_interval(hours => k)
    WHEN 'minute' THEN d + make_interval(mins => k)
    WHEN 'second' THEN d + k * interval '1 second'
    WHEN 'millisecond' THEN d + k * interval '1 millisecond'
    WHEN 'microsecond' THEN d + k * interval '1 microsecond'
    WHEN 'nanosecond' THEN d + round(k / 1000.0) * interval '1 microsecond'
  END;
  IF r < timestamp '0001-01-01' OR r >= timestamp '10000-01-01' THEN
    RAISE EXCEPTION 'Adding a value to a ''datetime2'' column caused an overflow.' USING ERRCODE = '22008';
  END IF;
  RETURN r;
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_dateadd(part text, n numeric, d date)
RETURNS date LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  IF @schema@.tsql_datepart_name(part) NOT IN ('year', 'quarter', 'month', 'dayofyear', 'day', 'weekday', 'week') THEN
    RAISE EXCEPTION 'The datepart % is not supported by date function dateadd for data type date.', part USING ERRCODE = '22023';
  END IF;
  RETURN @schema@.tsql_dateadd(part, n, d::timestamp)::date;
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_dateadd(part text, n numeric, d time)
RETURNS time LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  IF @schema@.tsql_datepart_name(part) NOT IN ('hour', 'minute', 'second', 'millisecond', 'microsecond', 'nanosecond') THEN
    RAISE EXCEPTION 'The datepart % is not supported by date function dateadd for data type time.', part USING ERRCODE = '22023';
  END IF;
  RETURN (@schema@.tsql_dateadd(part, n, date '1900-01-01' + d))::time;
END
$fn$;`,
    dependsOn: ["tsql_datepart_name"],
    semantics: "TSQL-SEMANTICS.md §6.1 DATEADD",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees:
      "Adds n (truncated toward zero; outside int raises) units; year/quarter/month clamp to the last day of the target month; a date stays a date and a time stays a time (wrapping at midnight); time dateparts on a date raise; a result outside 0001–9999 raises.",
    differences: [
      "nanosecond additions are rounded to whole microseconds (Postgres precision).",
      "datetime and smalldatetime results must be re-rounded by the caller (tsql_datetime / tsql_smalldatetime) and microsecond/nanosecond rejected for those types at translation time.",
    ],
    uncertain: ["Month-end clamping for year and quarter (stated on the page for month only); time wrapping at midnight."],
    callSite:
      "datepart as a text literal. Cast d to timestamp/date/time by its T-SQL type; wrap the result in tsql_datetime() when d is datetime (string literal d is datetime too) and tsql_smalldatetime() for smalldatetime; refuse microsecond/nanosecond for datetime/smalldatetime.",
  },
  {
    name: "tsql_datepart",
    tsql: "DATEPART(datepart, date) under SET DATEFIRST n",
    signatures: [
      "tsql_datepart(part text, d timestamp, datefirst integer DEFAULT 7)",
      "tsql_datepart(part text, d date, datefirst integer DEFAULT 7)",
      "tsql_datepart(part text, d time, datefirst integer DEFAULT 7)",
    ],
    returns: "integer",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_datepart(part text, d timestamp, datefirst integer DEFAULT 7)
RETURNS integer LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  p text := @schema@.tsql_datepart_name(part);
BEGIN
  IF datefirst IS NULL OR datefirst NOT BETWEEN 1 AND 7 THEN
    RAISE EXCEPTION 'DATEFIRST must be between 1 and 7 (got %).', datefirst USING ERRCODE = '22023';
  END IF;
  IF d IS NULL THEN RETURN NULL; END IF;
  CASE p
  WHEN 'year' THEN RETURN extract(year FROM d)::integer;
  WHEN 'quarter' THEN RETURN extract(quarter FROM d)::integer;
  WHEN 'month' THEN RETURN extract(month FROM d)::integer;
  WHEN 'dayofyear' THEN RETURN extract(doy FROM d)::integer;
  WHEN 'day' THEN RETURN extract(day FROM d)::integer;
  WHEN 'week' THEN RETURN (extract(doy FROM d)::integer + ((extract(dow FROM date_trunc('year', d))::integer + 7 - (datefirst % 7)) % 7 + 1) - 2) / 7 + 1;
  WHEN 'weekday' THEN RETURN (extract(dow FROM d)::integer + 7 - (datefirst % 7)) % 7 + 1;
  WHEN 'hour' THEN RETURN extract(hour FROM d)::integer;
  WHEN 'minute' THEN RETURN extract(minute FROM d)::integer;
  WHEN 'second' THEN RETURN floor(extract(second FROM d))::integer;
  WHEN 'millisecond' THEN RETURN floor(mod(extract(microseconds FROM d), 1000000) / 1000)::integer;
  WHEN 'microsecond' THEN RETURN mod(extract(microseconds FROM d), 1000000)::integer;
  WHEN 'nanosecond' THEN RETURN (mod(extract(microseconds FROM d), 1000000) * 1000)::integer;
  WHEN 'tzoffset' THEN RETURN 0;
  ELSE RETURN extract(week FROM d)::integer;
  END CASE;
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_datepart(part text, d date, datefirst integer DEFAULT 7)
RETURNS integer LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  IF @schema@.tsql_datepart_name(part) IN ('hour', 'minute', 'second', 'millisecond', 'microsecond', 'nanosecond', 'tzoffset') THEN
    RAISE EXCEPTION 'The datepart % is not supported by date function datepart for data type date.', part USING ERRCODE = '22023';
  END IF;
  RETURN @schema@.tsql_datepart(part, d::timestamp, datefirst);
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_datepart(part text, d time, datefirst integer DEFAULT 7)
RETURNS integer LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  IF @schema@.tsql_datepart_name(part) NOT IN ('hour', 'minute', 'second', 'millisecond', 'microsecond', 'nanosecond') THEN
    RAISE EXCEPTION 'The datepart % is not supported by date function datepart for data type time.', part USING ERRCODE = '22023';
  END IF;
  RETURN @schema@.tsql_datepart(part, date '1900-01-01' + d, datefirst);
END
$fn$;`,
    dependsOn: ["tsql_datepart_name"],
    semantics: "TSQL-SEMANTICS.md §6.1 DATEPART, §6.2",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees:
      "Every datepart as SQL Server computes it: weekday and week follow the DATEFIRST argument (default 7 = us_english), week 1 contains 1 January, iso_week is ISO 8601, millisecond/microsecond/nanosecond exclude whole seconds, tzoffset of a value without offset is 0; a part the type lacks raises (date: time parts; time: date parts).",
    differences: [
      "nanosecond ends in 000 (Postgres keeps microseconds; SQL Server ends in 00).",
      "datetimeoffset values: Postgres timestamptz keeps no offset, so DATEPART on them and tzoffset need the stored offset column; not handled here.",
    ],
    uncertain: [],
    callSite:
      "datepart as a text literal; pass the DATEFIRST in force as a constant (7 unless the script sets it; refuse SET DATEFIRST @var). String literal dates: cast to timestamp (datetime2); a literal 0 (int) means 1900-01-01.",
  },
  {
    name: "tsql_datename",
    tsql: "DATENAME(datepart, date)",
    signatures: [
      "tsql_datename(part text, d timestamp, datefirst integer DEFAULT 7)",
      "tsql_datename(part text, d date, datefirst integer DEFAULT 7)",
      "tsql_datename(part text, d time, datefirst integer DEFAULT 7)",
    ],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_datename(part text, d timestamp, datefirst integer DEFAULT 7)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  p text := @schema@.tsql_datepart_name(part);
BEGIN
  IF p = 'tzoffset' THEN
    RAISE EXCEPTION 'DataMigrate cannot reproduce SQL Server exactly here: DATENAME(tzoffset, ...) output form is not documented consistently' USING ERRCODE = '0A000';
  END IF;
  IF d IS NULL THEN RETURN NULL; END IF;
  IF p = 'month' THEN
    RETURN (ARRAY['January','February','March','April','May','June','July','August','September','October','November','December'])[extract(month FROM d)::integer];
  ELSIF p = 'weekday' THEN
    RETURN (ARRAY['Sunday','Monday','Tuesday','Wednesday','Thursday','Friday','Saturday'])[extract(dow FROM d)::integer + 1];
  END IF;
  RETURN @schema@.tsql_datepart(part, d, datefirst)::text;
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_datename(part text, d date, datefirst integer DEFAULT 7)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  IF @schema@.tsql_datepart_name(part) IN ('hour', 'minute', 'second', 'millisecond', 'microsecond', 'nanosecond', 'tzoffset') THEN
    RAISE EXCEPTION 'The datepart % is not supported by date function datename for data type date.', part USING ERRCODE = '22023';
  END IF;
  RETURN @schema@.tsql_datename(part, d::timestamp, datefirst);
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_datename(part text, d time, datefirst integer DEFAULT 7)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_datepart(part, d, datefirst)::text
$fn$;`,
    dependsOn: ["tsql_datepart_name", "tsql_datepart"],
    semantics: "TSQL-SEMANTICS.md §6.1 DATENAME, §6.2",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "us_english month and weekday names; every other part is DATEPART's number as text (so week follows DATEFIRST).",
    differences: ["Only us_english names (SET LANGUAGE other than us_english must be refused by the translator)."],
    uncertain: ["DATENAME(tzoffset) output form (+05:10 vs 310): refused at run time."],
    callSite: "datepart as a text literal; DATEFIRST constant as for tsql_datepart.",
  },
  {
    name: "tsql_eomonth",
    tsql: "EOMONTH(start_date [, month_to_add])",
    signatures: ["tsql_eomonth(d date, months integer DEFAULT 0)", "tsql_eomonth(d timestamp, months integer DEFAULT 0)"],
    returns: "date",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_eomonth(d date, months integer DEFAULT 0)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_dt_range(date_trunc('month', d::timestamp) + make_interval(months => months + 1) - interval '1 day', 'date')::date
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_eomonth(d timestamp, months integer DEFAULT 0)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_eomonth(d::date, months)
$fn$;`,
    dependsOn: ["tsql_dt_range"],
    semantics: "TSQL-SEMANTICS.md §6.1 EOMONTH",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "The last day of the month of d plus months, as a date; NULL in → NULL out; outside 0001–9999 raises.",
    differences: [],
    uncertain: [],
    callSite: "Cast the argument to date or timestamp by its T-SQL type.",
  },
  {
    name: "tsql_datetime_round",
    tsql: "datetime's 1/300 s precision (values rounded to .000/.003/.007)",
    signatures: ["tsql_datetime_round(ts timestamp)"],
    returns: "timestamp",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_datetime_round(ts timestamp)
RETURNS timestamp LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT date_trunc('day', ts) + round(round(extract(epoch FROM ts - date_trunc('day', ts)) * 300) / 0.3) * interval '1 millisecond'
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §5.1 datetime",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Rounds to SQL Server datetime ticks (1/300 s, half up) and shows them as SQL Server does (.000, .003, .007; .999 → next second).",
    differences: [],
    uncertain: [],
    callSite: "Wrap every datetime-typed result (assignment, CAST to datetime, DATEADD on datetime, datetime + n).",
  },
  {
    name: "tsql_datetime",
    tsql: "CAST(x AS datetime) of a date/time value",
    signatures: ["tsql_datetime(ts timestamp)"],
    returns: "timestamp",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_datetime(ts timestamp)
RETURNS timestamp LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_dt_range(@schema@.tsql_datetime_round(ts), 'datetime')
$fn$;`,
    dependsOn: ["tsql_dt_range", "tsql_datetime_round"],
    semantics: "TSQL-SEMANTICS.md §5.1 datetime",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "1/300 s rounding plus the datetime range (1753-01-01 … 9999-12-31): outside raises.",
    differences: [],
    uncertain: [],
    callSite: "Use for values converted to datetime; tsql_datetime_round when the range is already guaranteed.",
  },
  {
    name: "tsql_smalldatetime",
    tsql: "CAST(x AS smalldatetime)",
    signatures: ["tsql_smalldatetime(ts timestamp)"],
    returns: "timestamp",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_smalldatetime(ts timestamp)
RETURNS timestamp LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  r timestamp := @schema@.tsql_datetime_round(ts);
BEGIN
  RETURN @schema@.tsql_dt_range(date_trunc('minute', r) + CASE WHEN extract(second FROM r) >= 30 THEN interval '1 minute' ELSE interval '0' END, 'smalldatetime');
END
$fn$;`,
    dependsOn: ["tsql_dt_range", "tsql_datetime_round"],
    semantics: "TSQL-SEMANTICS.md §5.1 smalldatetime",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "Whole minutes: 29.998 s and below round down, 29.999 s and above round up; range 1900-01-01 … 2079-06-06 23:59.",
    differences: [],
    uncertain: [],
    callSite: "Wrap every smalldatetime-typed result.",
  },
  {
    name: "tsql_datetime_add",
    tsql: "datetime + n / datetime - n (n days, fractions allowed)",
    signatures: ["tsql_datetime_add(ts timestamp, days numeric)"],
    returns: "timestamp",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_datetime_add(ts timestamp, days numeric)
RETURNS timestamp LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_datetime(ts + days * interval '1 day')
$fn$;`,
    dependsOn: ["tsql_datetime"],
    semantics: "TSQL-SEMANTICS.md §6.1 datetime + n",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Adds n days (fractions are parts of a day) and re-rounds to datetime precision.",
    differences: [],
    uncertain: [],
    callSite: "Only for datetime/smalldatetime operands (date/datetime2 + n is a T-SQL error); pass -n for subtraction.",
  },
  {
    name: "tsql_datefromparts",
    tsql: "DATEFROMPARTS(year, month, day)",
    signatures: ["tsql_datefromparts(y integer, m integer, d integer)"],
    returns: "date",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_datefromparts(y integer, m integer, d integer)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN y NOT BETWEEN 1 AND 9999
  THEN @schema@.tsql_raise('Cannot construct data type date, some of the arguments have values which are not valid.', NULL::date, (coalesce(y::text, 'NULL') || ',' || coalesce(m::text, 'NULL') || ',' || coalesce(d::text, 'NULL')))
  ELSE make_date(y, m, d) END
$fn$;`,
    dependsOn: ["tsql_raise"],
    semantics: "TSQL-SEMANTICS.md §6.1 DATEFROMPARTS",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "NULL if any argument is NULL; an invalid combination raises (including years outside 1–9999).",
    differences: ["Error message text differs for invalid month/day (Postgres: date field value out of range)."],
    uncertain: [],
    callSite: "Arguments as integers.",
  },
  {
    name: "tsql_datetimefromparts",
    tsql: "DATETIMEFROMPARTS(y, mo, d, h, mi, s, ms)",
    signatures: ["tsql_datetimefromparts(y integer, mo integer, d integer, h integer, mi integer, s integer, ms integer)"],
    returns: "timestamp",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_datetimefromparts(y integer, mo integer, d integer, h integer, mi integer, s integer, ms integer)
RETURNS timestamp LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN y NOT BETWEEN 1753 AND 9999 OR ms NOT BETWEEN 0 AND 999 OR s NOT BETWEEN 0 AND 59 OR h NOT BETWEEN 0 AND 23 OR mi NOT BETWEEN 0 AND 59
  THEN @schema@.tsql_raise('Cannot construct data type datetime, some of the arguments have values which are not valid.', NULL::timestamp, (coalesce(y::text, 'NULL') || ',' || coalesce(mo::text, 'NULL') || ',' || coalesce(d::text, 'NULL') || ',' || coalesce(h::text, 'NULL') || ',' || coalesce(mi::text, 'NULL') || ',' || coalesce(s::text, 'NULL') || ',' || coalesce(ms::text, 'NULL')))
  ELSE @schema@.tsql_datetime(make_timestamp(y, mo, d, h, mi, 0) + (s * 1000 + ms) * interval '1 millisecond') END
$fn$;`,
    dependsOn: ["tsql_raise", "tsql_datetime"],
    semantics: "TSQL-SEMANTICS.md §6.1 DATETIMEFROMPARTS",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "datetime from parts, rounded to 1/300 s; NULL if any argument is NULL; invalid parts raise.",
    differences: [],
    uncertain: ["How ms values that are not on the 1/300 s grid are handled (here: rounded like any datetime)."],
    callSite: "All seven arguments are required in T-SQL.",
  },
  {
    name: "tsql_datetime2fromparts",
    tsql: "DATETIME2FROMPARTS(y, mo, d, h, mi, s, fractions, precision)",
    signatures: ["tsql_datetime2fromparts(y integer, mo integer, d integer, h integer, mi integer, s integer, fractions integer, prec integer)"],
    returns: "timestamp",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_datetime2fromparts(y integer, mo integer, d integer, h integer, mi integer, s integer, fractions integer, prec integer)
RETURNS timestamp LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE
  WHEN prec IS NULL OR prec NOT BETWEEN 0 AND 7 THEN @schema@.tsql_raise('Invalid precision value; precision must be between 0 and 7.', NULL::timestamp, (coalesce(y::text, 'NULL') || ',' || coalesce(mo::text, 'NULL') || ',' || coalesce(d::text, 'NULL') || ',' || coalesce(h::text, 'NULL') || ',' || coalesce(mi::text, 'NULL') || ',' || coalesce(s::text, 'NULL') || ',' || coalesce(fractions::text, 'NULL') || ',' || coalesce(prec::text, 'NULL')))
  WHEN y NOT BETWEEN 1 AND 9999 OR fractions < 0 OR fractions >= 10::numeric ^ prec OR s NOT BETWEEN 0 AND 59 OR h NOT BETWEEN 0 AND 23 OR mi NOT BETWEEN 0 AND 59
    THEN @schema@.tsql_raise('Cannot construct data type datetime2, some of the arguments have values which are not valid.', NULL::timestamp, (coalesce(y::text, 'NULL') || ',' || coalesce(mo::text, 'NULL') || ',' || coalesce(d::text, 'NULL') || ',' || coalesce(h::text, 'NULL') || ',' || coalesce(mi::text, 'NULL') || ',' || coalesce(s::text, 'NULL') || ',' || coalesce(fractions::text, 'NULL') || ',' || coalesce(prec::text, 'NULL')))
  ELSE make_timestamp(y, mo, d, h, mi, 0) + (s + fractions / 10::numeric ^ prec) * interval '1 second'
END
$fn$;`,
    dependsOn: ["tsql_raise"],
    semantics: "TSQL-SEMANTICS.md §6.1 DATETIME2FROMPARTS",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "fractions are units of 10^-precision and must be below 10^precision; NULL arguments (other than precision) give NULL; NULL or invalid precision raises.",
    differences: ["precision 7: the seventh fractional digit is rounded away (Postgres keeps microseconds)."],
    uncertain: [],
    callSite: "precision must be an integer literal in T-SQL; pass it through.",
  },
  {
    name: "tsql_smalldatetimefromparts",
    tsql: "SMALLDATETIMEFROMPARTS(y, mo, d, h, mi)",
    signatures: ["tsql_smalldatetimefromparts(y integer, mo integer, d integer, h integer, mi integer)"],
    returns: "timestamp",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_smalldatetimefromparts(y integer, mo integer, d integer, h integer, mi integer)
RETURNS timestamp LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN h NOT BETWEEN 0 AND 23 OR mi NOT BETWEEN 0 AND 59
  THEN @schema@.tsql_raise('Cannot construct data type smalldatetime, some of the arguments have values which are not valid.', NULL::timestamp, (coalesce(y::text, 'NULL') || ',' || coalesce(mo::text, 'NULL') || ',' || coalesce(d::text, 'NULL') || ',' || coalesce(h::text, 'NULL') || ',' || coalesce(mi::text, 'NULL')))
  ELSE @schema@.tsql_dt_range(make_timestamp(y, mo, d, h, mi, 0), 'smalldatetime') END
$fn$;`,
    dependsOn: ["tsql_raise", "tsql_dt_range"],
    semantics: "TSQL-SEMANTICS.md §6.1 SMALLDATETIMEFROMPARTS",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "smalldatetime from parts; NULL in → NULL; invalid or out of 1900-01-01 … 2079-06-06 raises.",
    differences: [],
    uncertain: [],
    callSite: "Arguments as integers.",
  },
  {
    name: "tsql_timefromparts",
    tsql: "TIMEFROMPARTS(h, mi, s, fractions, precision)",
    signatures: ["tsql_timefromparts(h integer, mi integer, s integer, fractions integer, prec integer)"],
    returns: "time",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_timefromparts(h integer, mi integer, s integer, fractions integer, prec integer)
RETURNS time LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE
  WHEN prec IS NULL OR prec NOT BETWEEN 0 AND 7 THEN @schema@.tsql_raise('Invalid precision value; precision must be between 0 and 7.', NULL::time, (coalesce(h::text, 'NULL') || ',' || coalesce(mi::text, 'NULL') || ',' || coalesce(s::text, 'NULL') || ',' || coalesce(fractions::text, 'NULL') || ',' || coalesce(prec::text, 'NULL')))
  WHEN h NOT BETWEEN 0 AND 23 OR mi NOT BETWEEN 0 AND 59 OR s NOT BETWEEN 0 AND 59 OR fractions < 0 OR fractions >= 10::numeric ^ prec
    THEN @schema@.tsql_raise('Cannot construct data type time, some of the arguments have values which are not valid.', NULL::time, (coalesce(h::text, 'NULL') || ',' || coalesce(mi::text, 'NULL') || ',' || coalesce(s::text, 'NULL') || ',' || coalesce(fractions::text, 'NULL') || ',' || coalesce(prec::text, 'NULL')))
  ELSE make_time(h, mi, 0) + (s + fractions / 10::numeric ^ prec) * interval '1 second'
END
$fn$;`,
    dependsOn: ["tsql_raise"],
    semantics: "TSQL-SEMANTICS.md §6.1 TIMEFROMPARTS",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Same conventions as DATETIME2FROMPARTS for a time value.",
    differences: ["precision 7: seventh digit rounded away."],
    uncertain: [],
    callSite: "precision literal passed through.",
  },
  {
    name: "tsql_datetimeoffsetfromparts",
    tsql: "DATETIMEOFFSETFROMPARTS(y, mo, d, h, mi, s, fractions, hour_offset, minute_offset, precision)",
    signatures: ["tsql_datetimeoffsetfromparts(y integer, mo integer, d integer, h integer, mi integer, s integer, fractions integer, hour_offset integer, minute_offset integer, prec integer)"],
    returns: "timestamptz",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_datetimeoffsetfromparts(y integer, mo integer, d integer, h integer, mi integer, s integer, fractions integer, hour_offset integer, minute_offset integer, prec integer)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN hour_offset NOT BETWEEN -14 AND 14 OR minute_offset NOT BETWEEN -59 AND 59 OR abs(hour_offset * 60 + minute_offset) > 840
    OR (hour_offset < 0 AND minute_offset > 0) OR (hour_offset > 0 AND minute_offset < 0)
  THEN @schema@.tsql_raise('Cannot construct data type datetimeoffset, some of the arguments have values which are not valid.', NULL::timestamptz, (coalesce(y::text, 'NULL') || ',' || coalesce(mo::text, 'NULL') || ',' || coalesce(d::text, 'NULL') || ',' || coalesce(h::text, 'NULL') || ',' || coalesce(mi::text, 'NULL') || ',' || coalesce(s::text, 'NULL') || ',' || coalesce(fractions::text, 'NULL') || ',' || coalesce(hour_offset::text, 'NULL') || ',' || coalesce(minute_offset::text, 'NULL') || ',' || coalesce(prec::text, 'NULL')))
  ELSE (@schema@.tsql_datetime2fromparts(y, mo, d, h, mi, s, fractions, prec) - make_interval(hours => hour_offset, mins => minute_offset)) AT TIME ZONE 'UTC'
END
$fn$;`,
    dependsOn: ["tsql_raise", "tsql_datetime2fromparts"],
    semantics: "TSQL-SEMANTICS.md §6.1 DATETIMEOFFSETFROMPARTS, §5.1 datetimeoffset",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "The UTC instant of the local parts at the given offset.",
    differences: ["Returns the instant only: the offset itself is not kept by timestamptz (store it in a separate column if it is observable)."],
    uncertain: [],
    callSite: "Emit a functional-difference diagnostic when the offset is observable downstream.",
  },
  {
    name: "tsql_getdate",
    tsql: "GETDATE(), CURRENT_TIMESTAMP, GETUTCDATE(), SYSDATETIME(), SYSUTCDATETIME()",
    signatures: ["tsql_getdate()", "tsql_getutcdate()", "tsql_sysdatetime()", "tsql_sysutcdatetime()"],
    returns: "timestamp",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_getdate()
RETURNS timestamp LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_datetime_round(statement_timestamp()::timestamp)
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_getutcdate()
RETURNS timestamp LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_datetime_round(statement_timestamp() AT TIME ZONE 'UTC')
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_sysdatetime()
RETURNS timestamp LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
SELECT statement_timestamp()::timestamp
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_sysutcdatetime()
RETURNS timestamp LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
SELECT statement_timestamp() AT TIME ZONE 'UTC'
$fn$;`,
    dependsOn: ["tsql_datetime_round"],
    semantics: "TSQL-SEMANTICS.md §6.1 GETDATE / SYSDATETIME / GETUTCDATE / SYSUTCDATETIME",
    volatility: "STABLE",
    language: "sql",
    guarantees: "One value per statement (statement_timestamp, not the transaction start that now() gives); GETDATE/GETUTCDATE rounded to datetime precision; local time is the session TimeZone.",
    differences: ["Local time is the Postgres session TimeZone, which must be set to the SQL Server host's zone."],
    uncertain: ["One value per statement is observed behaviour, documented only as nondeterministic."],
    callSite: "Set the session TimeZone (profile or on-run-start) to the source server's zone.",
  },
];
