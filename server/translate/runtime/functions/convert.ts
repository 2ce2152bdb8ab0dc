import type { RuntimeFunction } from "../types.ts";

const FAIL = `'Conversion failed when converting date and/or time from character string.'`;

export const convert: RuntimeFunction[] = [
  {
    name: "tsql_convert_dt",
    tsql: "CONVERT(varchar, date/time value, style) and CAST(date/time AS varchar)",
    signatures: [
      "tsql_convert_dt(ts timestamp, style integer DEFAULT 0, frac integer DEFAULT 3)",
      "tsql_convert_dt(d date, style integer DEFAULT 121)",
      "tsql_convert_dt(t time, style integer DEFAULT 121, frac integer DEFAULT 7)",
    ],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_convert_dt(ts timestamp, style integer DEFAULT 0, frac integer DEFAULT 3)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  st integer := coalesce(style, 0);
  r text;
BEGIN
  IF st IN (130, 131) THEN
    RAISE EXCEPTION 'DataMigrate cannot reproduce SQL Server exactly here: CONVERT style % (Hijri calendar)', st USING ERRCODE = '0A000';
  END IF;
  IF st NOT IN (0,100,1,101,2,102,3,103,4,104,5,105,6,106,7,107,8,24,108,9,109,10,110,11,111,12,112,13,113,14,114,20,120,21,25,121,22,23,126,127) THEN
    RAISE EXCEPTION '% is not a valid style number when converting from datetime to a character string.', st USING ERRCODE = '22023';
  END IF;
  IF ts IS NULL THEN RETURN NULL; END IF;
  r := CASE st
    WHEN 0 THEN to_char(ts, 'Mon ') || lpad(to_char(ts, 'FMDD'), 2, ' ') || to_char(ts, ' YYYY ') || lpad(to_char(ts, 'FMHH12'), 2, ' ') || to_char(ts, ':MIAM')
    WHEN 100 THEN to_char(ts, 'Mon ') || lpad(to_char(ts, 'FMDD'), 2, ' ') || to_char(ts, ' YYYY ') || lpad(to_char(ts, 'FMHH12'), 2, ' ') || to_char(ts, ':MIAM')
    WHEN 1 THEN to_char(ts, 'MM/DD/YY') WHEN 101 THEN to_char(ts, 'MM/DD/YYYY')
    WHEN 2 THEN to_char(ts, 'YY.MM.DD') WHEN 102 THEN to_char(ts, 'YYYY.MM.DD')
    WHEN 3 THEN to_char(ts, 'DD/MM/YY') WHEN 103 THEN to_char(ts, 'DD/MM/YYYY')
    WHEN 4 THEN to_char(ts, 'DD.MM.YY') WHEN 104 THEN to_char(ts, 'DD.MM.YYYY')
    WHEN 5 THEN to_char(ts, 'DD-MM-YY') WHEN 105 THEN to_char(ts, 'DD-MM-YYYY')
    WHEN 6 THEN to_char(ts, 'DD Mon YY') WHEN 106 THEN to_char(ts, 'DD Mon YYYY')
    WHEN 7 THEN to_char(ts, 'Mon DD, YY') WHEN 107 THEN to_char(ts, 'Mon DD, YYYY')
    WHEN 8 THEN to_char(ts, 'HH24:MI:SS') WHEN 24 THEN to_char(ts, 'HH24:MI:SS') WHEN 108 THEN to_char(ts, 'HH24:MI:SS')
    WHEN 9 THEN to_char(ts, 'Mon ') || lpad(to_char(ts, 'FMDD'), 2, ' ') || to_char(ts, ' YYYY ') || lpad(to_char(ts, 'FMHH12'), 2, ' ') || to_char(ts, ':MI:SS:') || left(to_char(ts, 'US') || '0', frac) || to_char(ts, 'AM')
    WHEN 109 THEN to_char(ts, 'Mon ') || lpad(to_char(ts, 'FMDD'), 2, ' ') || to_char(ts, ' YYYY ') || lpad(to_char(ts, 'FMHH12'), 2, ' ') || to_char(ts, ':MI:SS:') || left(to_char(ts, 'US') || '0', frac) || to_char(ts, 'AM')
    WHEN 10 THEN to_char(ts, 'MM-DD-YY') WHEN 110 THEN to_char(ts, 'MM-DD-YYYY')
    WHEN 11 THEN to_char(ts, 'YY/MM/DD') WHEN 111 THEN to_char(ts, 'YYYY/MM/DD')
    WHEN 12 THEN to_char(ts, 'YYMMDD') WHEN 112 THEN to_char(ts, 'YYYYMMDD')
    WHEN 13 THEN to_char(ts, 'DD Mon YYYY HH24:MI:SS:') || left(to_char(ts, 'US') || '0', frac)
    WHEN 113 THEN to_char(ts, 'DD Mon YYYY HH24:MI:SS:') || left(to_char(ts, 'US') || '0', frac)
    WHEN 14 THEN to_char(ts, 'HH24:MI:SS:') || left(to_char(ts, 'US') || '0', frac)
    WHEN 114 THEN to_char(ts, 'HH24:MI:SS:') || left(to_char(ts, 'US') || '0', frac)
    WHEN 20 THEN to_char(ts, 'YYYY-MM-DD HH24:MI:SS') WHEN 120 THEN to_char(ts, 'YYYY-MM-DD HH24:MI:SS')
    WHEN 21 THEN to_char(ts, 'YYYY-MM-DD HH24:MI:SS') || CASE WHEN frac > 0 THEN '.' || left(to_char(ts, 'US') || '0', frac) ELSE '' END
    WHEN 25 THEN to_char(ts, 'YYYY-MM-DD HH24:MI:SS') || CASE WHEN frac > 0 THEN '.' || left(to_char(ts, 'US') || '0', frac) ELSE '' END
    WHEN 121 THEN to_char(ts, 'YYYY-MM-DD HH24:MI:SS') || CASE WHEN frac > 0 THEN '.' || left(to_char(ts, 'US') || '0', frac) ELSE '' END
    WHEN 22 THEN to_char(ts, 'MM/DD/YY HH12:MI:SS AM')
    WHEN 23 THEN to_char(ts, 'YYYY-MM-DD')
    WHEN 126 THEN to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN frac > 0 AND extract(microseconds FROM ts)::bigint % 1000000 <> 0 THEN '.' || left(to_char(ts, 'US') || '0', frac) ELSE '' END
    WHEN 127 THEN to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN frac > 0 AND extract(microseconds FROM ts)::bigint % 1000000 <> 0 THEN '.' || left(to_char(ts, 'US') || '0', frac) ELSE '' END
  END;
  RETURN r;
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_convert_dt(d date, style integer DEFAULT 121)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  IF coalesce(style, 121) IN (1,101,2,102,3,103,4,104,5,105,6,106,7,107,10,110,11,111,12,112,23) THEN
    RETURN @schema@.tsql_convert_dt(d::timestamp, style, 0);
  ELSIF coalesce(style, 121) IN (20, 21, 25, 120, 121, 126, 127) THEN
    RETURN to_char(d, 'YYYY-MM-DD');
  END IF;
  RAISE EXCEPTION 'DataMigrate cannot reproduce SQL Server exactly here: CONVERT of a date value with style % (includes a time)', style USING ERRCODE = '0A000';
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_convert_dt(t time, style integer DEFAULT 121, frac integer DEFAULT 7)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  IF coalesce(style, 121) IN (8, 24, 108, 14, 114) THEN
    RETURN @schema@.tsql_convert_dt(date '1900-01-01' + t, style, 3);
  ELSIF coalesce(style, 121) IN (20, 21, 25, 120, 121, 126, 127) THEN
    RETURN to_char(t, 'HH24:MI:SS') || CASE WHEN frac > 0 THEN '.' || left(to_char(t, 'US') || '0', frac) ELSE '' END;
  END IF;
  RAISE EXCEPTION 'DataMigrate cannot reproduce SQL Server exactly here: CONVERT of a time value with date style %', style USING ERRCODE = '0A000';
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §7.1",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees:
      "Every date/time → character style of §7.1 (0–14, 20–25, 100–114, 120, 121, 126, 127) with us_english month names, space-padded day and hour in 0/100/9/109, frac fractional digits for 9/13/14/21/121/126; 126 omits a zero fraction; invalid styles raise; 130/131 refused.",
    differences: [
      "datetime2(7) values print a 7th digit of 0 (Postgres keeps microseconds).",
      "CONVERT(varchar(n), …) truncation to n characters is the caller's: wrap in left(…, n) (n = 30 when no length is given).",
    ],
    uncertain: [
      "Style 22 hour padding (zero-padded here).",
      "Styles 9/109, 13/113, 14/114 for datetime2 (fractional digit count), 126/127 zero-fraction omission for datetime2, 127 for types without offset (same as 126 here).",
      "Date values with time-bearing styles 0/8/9/13/14/22/100/108/109/113/114 (refused).",
    ],
    callSite:
      "frac = 3 for datetime (after tsql_datetime rounding), n for datetime2(n) (7 by default), 0 for smalldatetime with styles 20/120 (smalldatetime shows :00 seconds in others). CAST(datetime AS varchar) = style 0; CAST(date/time/datetime2 AS varchar) = style 121.",
  },
  {
    name: "tsql_parse_datetime",
    tsql: "CONVERT(datetime/datetime2/date, string, style) parsing",
    signatures: ["tsql_parse_datetime(s text, style integer DEFAULT 0, max_frac integer DEFAULT 7)"],
    returns: "timestamp",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_parse_datetime(s text, style integer DEFAULT 0, max_frac integer DEFAULT 7)
RETURNS timestamp LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  t text := btrim(s, E' \\t\\r\\n');
  st integer := coalesce(style, 0);
  tm_re constant text := '([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})(?:[.:]([0-9]{1,9}))?)?[ ]*([AaPp][Mm])?';
  m text[];
  y integer; mo integer; d integer;
  h integer := 0; mi integer := 0; sec integer := 0; fr text := '';
  ampm text;
  tpart text;
  ord text;
  months constant text[] := ARRAY['january','february','march','april','may','june','july','august','september','october','november','december'];
BEGIN
  IF s IS NULL THEN RETURN NULL; END IF;
  IF st IN (130, 131) THEN
    RAISE EXCEPTION 'DataMigrate cannot reproduce SQL Server exactly here: CONVERT style % (Hijri calendar)', st USING ERRCODE = '0A000';
  END IF;
  IF st NOT IN (0,100,1,101,2,102,3,103,4,104,5,105,6,106,7,107,8,108,9,109,10,110,11,111,12,112,13,113,14,114,20,120,21,121,22,23,24,25,126,127) THEN
    RAISE EXCEPTION '% is not a valid style number when converting to datetime.', st USING ERRCODE = '22023';
  END IF;
  ord := CASE WHEN st IN (3,103,4,104,5,105) THEN 'dmy' WHEN st IN (2,102,11,111,20,120,21,121,23,25,126,127) THEN 'ymd' ELSE 'mdy' END;
  -- ISO 8601 with T, and the unseparated forms, are read the same way whatever the style.
  m := regexp_match(t, '^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.]([0-9]{1,9}))?)?(Z)?$');
  IF m IS NOT NULL THEN
    y := m[1]::integer; mo := m[2]::integer; d := m[3]::integer; h := m[4]::integer; mi := m[5]::integer;
    sec := coalesce(m[6], '0')::integer; fr := coalesce(m[7], '');
  ELSE
    m := regexp_match(t, '^([0-9]{8}|[0-9]{6})(?:[ ]+(.*))?$');
    IF m IS NOT NULL THEN
      IF char_length(m[1]) = 8 THEN
        y := substr(m[1], 1, 4)::integer; mo := substr(m[1], 5, 2)::integer; d := substr(m[1], 7, 2)::integer;
      ELSIF st = 12 THEN
        y := substr(m[1], 1, 2)::integer; mo := substr(m[1], 3, 2)::integer; d := substr(m[1], 5, 2)::integer;
        y := CASE WHEN y < 50 THEN 2000 + y ELSE 1900 + y END;
      ELSE
        RAISE EXCEPTION ${FAIL} USING ERRCODE = '22007';
      END IF;
      tpart := m[2];
    ELSE
      m := regexp_match(t, '^([0-9]{1,4})([/.-])([0-9]{1,2})\\2([0-9]{1,4})(?:(?:[ ]+|T)(.*))?$');
      IF m IS NOT NULL THEN
        tpart := m[5];
        IF char_length(m[1]) = 4 THEN
          y := m[1]::integer; mo := m[3]::integer; d := m[4]::integer;
        ELSIF ord = 'dmy' THEN
          d := m[1]::integer; mo := m[3]::integer; y := m[4]::integer;
          IF char_length(m[4]) <= 2 THEN y := CASE WHEN y < 50 THEN 2000 + y ELSE 1900 + y END; END IF;
        ELSIF ord = 'mdy' THEN
          mo := m[1]::integer; d := m[3]::integer; y := m[4]::integer;
          IF char_length(m[4]) <= 2 THEN y := CASE WHEN y < 50 THEN 2000 + y ELSE 1900 + y END; END IF;
        ELSE
          IF char_length(m[1]) > 2 THEN RAISE EXCEPTION ${FAIL} USING ERRCODE = '22007'; END IF;
          y := m[1]::integer; y := CASE WHEN y < 50 THEN 2000 + y ELSE 1900 + y END; mo := m[3]::integer; d := m[4]::integer;
        END IF;
      ELSE
        m := regexp_match(t, '^([A-Za-z]{3,9})[ ]+([0-9]{1,2}),?[ ]+([0-9]{2}|[0-9]{4})(?:[ ]+(.*))?$');
        IF m IS NULL THEN
          m := regexp_match(t, '^([0-9]{1,2})[ ]+([A-Za-z]{3,9}),?[ ]+([0-9]{2}|[0-9]{4})(?:[ ]+(.*))?$');
          IF m IS NOT NULL THEN m := ARRAY[m[2], m[1], m[3], m[4]]; END IF;
        END IF;
        IF m IS NOT NULL THEN
          SELECT i INTO mo FROM generate_series(1, 12) AS i
            WHERE left(months[i], char_length(m[1])) = lower(m[1]) AND (char_length(m[1]) = 3 OR months[i] = lower(m[1]));
          IF mo IS NULL THEN RAISE EXCEPTION ${FAIL} USING ERRCODE = '22007'; END IF;
          d := m[2]::integer; y := m[3]::integer;
          IF char_length(m[3]) = 2 THEN y := CASE WHEN y < 50 THEN 2000 + y ELSE 1900 + y END; END IF;
          tpart := m[4];
        ELSIF t ~ ('^' || tm_re || '$') THEN
          y := 1900; mo := 1; d := 1; tpart := t;
        ELSE
          RAISE EXCEPTION ${FAIL} USING ERRCODE = '22007';
        END IF;
      END IF;
    END IF;
    IF tpart IS NOT NULL AND tpart <> '' THEN
      m := regexp_match(tpart, '^' || tm_re || '$');
      IF m IS NULL THEN RAISE EXCEPTION ${FAIL} USING ERRCODE = '22007'; END IF;
      h := m[1]::integer; mi := m[2]::integer; sec := coalesce(m[3], '0')::integer; fr := coalesce(m[4], ''); ampm := upper(m[5]);
      IF ampm IS NOT NULL THEN
        IF h > 12 OR h = 0 THEN RAISE EXCEPTION ${FAIL} USING ERRCODE = '22007'; END IF;
        IF ampm = 'AM' AND h = 12 THEN h := 0; ELSIF ampm = 'PM' AND h < 12 THEN h := h + 12; END IF;
      END IF;
    END IF;
  END IF;
  IF char_length(fr) > max_frac OR y NOT BETWEEN 1 AND 9999 OR h > 23 OR mi > 59 OR sec > 59 THEN
    RAISE EXCEPTION ${FAIL} USING ERRCODE = '22007';
  END IF;
  BEGIN
    RETURN make_timestamp(y, mo, d, h, mi, 0) + (sec + CASE WHEN fr = '' THEN 0 ELSE ('0.' || fr)::numeric END) * interval '1 second';
  EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format OR numeric_value_out_of_range THEN
    RAISE EXCEPTION ${FAIL} USING ERRCODE = '22007';
  END;
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §6.4, §7.2",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees:
      "Reads the string with the style's day/month/year order (mdy: 0,1,9,10,22,100,101,109,110; dmy: 3,4,5,103,104,105; ymd: 2,11,20,21,23,25,102,111,120,121,126,127), accepts / . - separators, English month names (Mon dd yyyy, dd Mon yyyy), an optional time (hh:mi[:ss[.fff|:fff]][AM|PM]), the ISO 8601 T form and yyyymmdd whatever the style, time-only strings on 1900-01-01; two-digit years use the 2049 cutoff; invalid dates raise SQL Server's conversion error (SQLSTATE 22007).",
    differences: [
      "A four-digit first field is always read as year-month-day, including for datetime under dmy styles (SQL Server may read ydm).",
      "Offsets (+hh:mm) in ISO strings are refused as a conversion error; Z is accepted and ignored.",
    ],
    uncertain: ["SQL Server's tolerance of unusual separators and spacing in styled input is broader and undocumented; unusual inputs fail here."],
    callSite: "Internal; use tsql_convert_to_datetime / _datetime2 / _date (and the try_ variants).",
  },
  {
    name: "tsql_convert_to_datetime",
    tsql: "CONVERT(datetime | datetime2 | date | smalldatetime, string [, style]) and TRY_CONVERT",
    signatures: [
      "tsql_convert_to_datetime(s text, style integer DEFAULT 0)",
      "tsql_convert_to_datetime2(s text, style integer DEFAULT 0)",
      "tsql_convert_to_date(s text, style integer DEFAULT 0)",
      "tsql_convert_to_smalldatetime(s text, style integer DEFAULT 0)",
      "tsql_try_convert_datetime(s text, style integer DEFAULT 0)",
      "tsql_try_convert_datetime2(s text, style integer DEFAULT 0)",
      "tsql_try_convert_date(s text, style integer DEFAULT 0)",
      "tsql_try_convert_smalldatetime(s text, style integer DEFAULT 0)",
    ],
    returns: "timestamp / date",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_convert_to_datetime(s text, style integer DEFAULT 0)
RETURNS timestamp LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_datetime(@schema@.tsql_parse_datetime(s, style, 3))
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_convert_to_datetime2(s text, style integer DEFAULT 0)
RETURNS timestamp LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_parse_datetime(s, style, 7)
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_convert_to_date(s text, style integer DEFAULT 0)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_parse_datetime(s, style, 7)::date
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_convert_to_smalldatetime(s text, style integer DEFAULT 0)
RETURNS timestamp LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_smalldatetime(@schema@.tsql_parse_datetime(s, style, 3))
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_try_convert_datetime(s text, style integer DEFAULT 0)
RETURNS timestamp LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  RETURN @schema@.tsql_convert_to_datetime(s, style);
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
  RETURN NULL;
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_try_convert_datetime2(s text, style integer DEFAULT 0)
RETURNS timestamp LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  RETURN @schema@.tsql_convert_to_datetime2(s, style);
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
  RETURN NULL;
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_try_convert_smalldatetime(s text, style integer DEFAULT 0)
RETURNS timestamp LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  RETURN @schema@.tsql_convert_to_smalldatetime(s, style);
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
  RETURN NULL;
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_try_convert_date(s text, style integer DEFAULT 0)
RETURNS date LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  RETURN @schema@.tsql_convert_to_date(s, style);
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
  RETURN NULL;
END
$fn$;`,
    dependsOn: ["tsql_parse_datetime", "tsql_datetime", "tsql_smalldatetime"],
    semantics: "TSQL-SEMANTICS.md §6.4, §7.2, §4.4 TRY_CONVERT",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees:
      "datetime: at most 3 fractional digits, 1/300 s rounding, 1753–9999 range; datetime2: 7 digits; date drops the time; TRY_ variants return NULL where the conversion fails (bad text, out of range) while an invalid style still raises.",
    differences: ["As tsql_parse_datetime."],
    uncertain: [],
    callSite:
      "CONVERT(datetime, s) and CAST(s AS datetime) → style 0 (DATEFORMAT mdy; refuse other DATEFORMATs unless the literal is ISO); literals should be parsed at translation time instead.",
  },
  {
    name: "tsql_isdate",
    tsql: "ISDATE(expression) on a string",
    signatures: ["tsql_isdate(s text)"],
    returns: "integer",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_isdate(s text)
RETURNS integer LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  IF s IS NULL THEN RETURN 0; END IF;
  RETURN (@schema@.tsql_try_convert_datetime(s, 0) IS NOT NULL)::integer;
END
$fn$;`,
    dependsOn: ["tsql_convert_to_datetime"],
    semantics: "TSQL-SEMANTICS.md §6.1 ISDATE",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "1 when the string converts to datetime under DATEFORMAT mdy / us_english (1753–9999, at most 3 fractional digits, ISO and unseparated forms, English month names, time only), else 0; NULL → 0.",
    differences: ["Same parser as CONVERT(datetime, s) (see tsql_parse_datetime): forms SQL Server accepts beyond those (a lone year '2006', odd separators) give 0 here."],
    uncertain: ["The full set of strings SQL Server's ISDATE accepts is not documented."],
    callSite: "Only for string arguments under DATEFORMAT mdy and us_english; refuse other DATEFORMAT/LANGUAGE settings.",
  },
];
