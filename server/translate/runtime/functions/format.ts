import type { RuntimeFunction } from "../types.ts";

const REFUSE = (what: string, ctx: string) =>
  `RAISE EXCEPTION 'DataMigrate cannot reproduce SQL Server exactly here: FORMAT %', ${what} USING ERRCODE = '0A000', DETAIL = 'value: ' || coalesce(${ctx}, 'NULL');`;

export const format: RuntimeFunction[] = [
  {
    name: "tsql_format",
    tsql: "FORMAT(value, format [, culture]) for numbers and dates (en-US)",
    signatures: [
      "tsql_format(x numeric, fmt text, culture text DEFAULT 'en-US')",
      "tsql_format(x double precision, fmt text, culture text DEFAULT 'en-US')",
      "tsql_format(ts timestamp, fmt text, culture text DEFAULT 'en-US')",
      "tsql_format(d date, fmt text, culture text DEFAULT 'en-US')",
    ],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_format(x numeric, fmt text, culture text DEFAULT 'en-US')
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  m text[];
  kind text;
  n integer;
  r numeric;
  ip text; fp text;
  intpat text; fracpat text;
  nfrac integer; nzero integer;
  digits text; fdig text;
  outi text := ''; outf text := '';
  i integer; c text; grouping boolean;
  first0 integer;
  placeholders integer;
BEGIN
  IF x IS NULL OR fmt IS NULL THEN RETURN NULL; END IF;
  IF culture IS NOT NULL AND lower(culture) NOT IN ('en-us') THEN
    ${REFUSE("'culture ' || culture", "culture")}
  END IF;
  m := regexp_match(fmt, '^([NnCcPpDdFf])([0-9]{1,2})?$');
  IF m IS NOT NULL THEN
    kind := upper(m[1]);
    n := coalesce(m[2]::integer, CASE WHEN kind = 'D' THEN 0 ELSE 2 END);
    IF kind = 'D' THEN
      IF x <> trunc(x) THEN ${REFUSE("'D format of a non-integer value'", "x::text")} END IF;
      RETURN CASE WHEN x < 0 THEN '-' ELSE '' END || lpad(abs(x)::numeric(1000,0)::text, n, '0');
    END IF;
    IF kind IN ('C', 'P') AND x < 0 THEN
      ${REFUSE("'negative currency/percent pattern (culture data dependent)'", "x::text")}
    END IF;
    r := round(CASE WHEN kind = 'P' THEN x * 100 ELSE x END, n);
    IF kind = 'F' THEN
      RETURN to_char(r, 'FM' || repeat('9', 40) || '0' || CASE WHEN n > 0 THEN '.' || repeat('0', n) ELSE '' END);
    END IF;
    RETURN CASE WHEN kind = 'C' THEN '$' ELSE '' END
      || to_char(r, 'FM' || repeat('999,', 13) || '990' || CASE WHEN n > 0 THEN '.' || repeat('0', n) ELSE '' END)
      || CASE WHEN kind = 'P' THEN '%' ELSE '' END;
  END IF;
  -- Custom numeric format: digit placeholders 0 and #, one decimal point, group separators between
  -- integral placeholders, other characters literal. Anything with richer meaning is refused.
  IF fmt ~ '[%‰;\\\\''"]' OR fmt ~ '[Ee][-+]?0' OR fmt !~ '[0#]' OR fmt ~ '[.].*[.]' THEN
    ${REFUSE("'pattern ' || fmt", "fmt")}
  END IF;
  intpat := split_part(fmt, '.', 1);
  fracpat := CASE WHEN strpos(fmt, '.') > 0 THEN substr(fmt, strpos(fmt, '.') + 1) ELSE '' END;
  IF intpat ~ ',[^0#]*$' THEN
    ${REFUSE("'scaling comma in ' || fmt", "fmt")}
  END IF;
  grouping := intpat ~ '[0#],+[0#]';
  IF grouping AND substring(intpat FROM '[0#].*[0#]') ~ '[^0#,]' THEN
    ${REFUSE("'group separators with literals between digits in ' || fmt", "fmt")}
  END IF;
  nfrac := char_length(fracpat) - char_length(regexp_replace(fracpat, '[0#]', '', 'g'));
  r := round(abs(x), nfrac);
  ip := trunc(r)::text;
  fp := CASE WHEN nfrac > 0 THEN split_part(r::text, '.', 2) ELSE '' END;
  IF ip = '0' THEN ip := ''; END IF;
  -- fraction: keep digits up to the last '0' placeholder, trim trailing zeros beyond it
  nzero := coalesce(length(substring(fracpat FROM '^(.*0)')) - char_length(regexp_replace(substring(fracpat FROM '^(.*0)'), '[0#]', '', 'g')), 0);
  fdig := rtrim(fp, '0');
  IF char_length(fdig) < nzero THEN fdig := rpad(fdig, nzero, '0'); END IF;
  IF grouping THEN
    first0 := strpos(regexp_replace(intpat, '[^0#]', '', 'g'), '0');
    nzero := CASE WHEN first0 = 0 THEN 0 ELSE char_length(regexp_replace(intpat, '[^0#]', '', 'g')) - first0 + 1 END;
    digits := lpad(ip, greatest(nzero, char_length(ip)), '0');
    digits := regexp_replace(digits, '([0-9])(?=([0-9]{3})+$)', '\\1,', 'g');
    outi := substring(intpat FROM '^([^0#,]*)') || digits || substring(intpat FROM '([^0#,]*)$');
  ELSE
    placeholders := char_length(regexp_replace(intpat, '[^0#]', '', 'g'));
    digits := ip;
    i := char_length(intpat);
    WHILE i >= 1 LOOP
      c := substr(intpat, i, 1);
      IF c IN ('0', '#') THEN
        placeholders := placeholders - 1;
        IF placeholders = 0 THEN
          outi := CASE WHEN digits = '' AND c = '0' THEN '0' ELSE digits END || outi;
          digits := '';
        ELSIF digits <> '' THEN
          outi := right(digits, 1) || outi;
          digits := left(digits, -1);
        ELSIF c = '0' THEN
          outi := '0' || outi;
        END IF;
      ELSE
        outi := c || outi;
      END IF;
      i := i - 1;
    END LOOP;
  END IF;
  IF fracpat <> '' THEN
    i := 1; n := 1;
    WHILE i <= char_length(fracpat) LOOP
      c := substr(fracpat, i, 1);
      IF c IN ('0', '#') THEN
        IF n <= char_length(fdig) THEN outf := outf || substr(fdig, n, 1); END IF;
        n := n + 1;
      ELSE
        outf := outf || c;
      END IF;
      i := i + 1;
    END LOOP;
  END IF;
  RETURN CASE WHEN x < 0 AND (ip || fdig) ~ '[1-9]' THEN '-' ELSE '' END
    || outi || CASE WHEN fdig <> '' THEN '.' || outf ELSE outf END;
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_format(x double precision, fmt text, culture text DEFAULT 'en-US')
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_format(x::numeric, fmt, culture)
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_format(ts timestamp, fmt text, culture text DEFAULT 'en-US')
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  f text := fmt;
  out text := '';
  i integer := 1;
  c text;
  k integer;
  q integer;
BEGIN
  IF ts IS NULL OR fmt IS NULL THEN RETURN NULL; END IF;
  IF culture IS NOT NULL AND lower(culture) NOT IN ('en-us') THEN
    ${REFUSE("'culture ' || culture", "culture")}
  END IF;
  -- Single-character strings are .NET standard formats (en-US patterns).
  IF char_length(f) = 1 THEN
    f := CASE f
      WHEN 'd' THEN 'M/d/yyyy' WHEN 'D' THEN 'dddd, MMMM d, yyyy'
      WHEN 't' THEN 'h:mm tt' WHEN 'T' THEN 'h:mm:ss tt'
      WHEN 'f' THEN 'dddd, MMMM d, yyyy h:mm tt' WHEN 'F' THEN 'dddd, MMMM d, yyyy h:mm:ss tt'
      WHEN 'g' THEN 'M/d/yyyy h:mm tt' WHEN 'G' THEN 'M/d/yyyy h:mm:ss tt'
      WHEN 'M' THEN 'MMMM d' WHEN 'm' THEN 'MMMM d' WHEN 'Y' THEN 'MMMM yyyy' WHEN 'y' THEN 'MMMM yyyy'
      WHEN 's' THEN 'yyyy''-''MM''-''dd''T''HH'':''mm'':''ss'
      ELSE NULL END;
    IF f IS NULL THEN ${REFUSE("'standard date format ' || fmt", "fmt")} END IF;
  ELSIF left(f, 1) = '%' AND char_length(f) = 2 THEN
    f := substr(f, 2);
  END IF;
  WHILE i <= char_length(f) LOOP
    c := substr(f, i, 1);
    k := 1;
    WHILE i + k <= char_length(f) AND substr(f, i + k, 1) = c LOOP k := k + 1; END LOOP;
    IF c = 'y' THEN
      out := out || CASE WHEN k = 1 THEN (extract(year FROM ts)::integer % 100)::text WHEN k = 2 THEN to_char(ts, 'YY')
        ELSE lpad(extract(year FROM ts)::integer::text, k, '0') END;
    ELSIF c = 'M' THEN
      out := out || CASE WHEN k = 1 THEN to_char(ts, 'FMMM') WHEN k = 2 THEN to_char(ts, 'MM') WHEN k = 3 THEN to_char(ts, 'Mon') ELSE to_char(ts, 'FMMonth') END;
    ELSIF c = 'd' THEN
      out := out || CASE WHEN k = 1 THEN to_char(ts, 'FMDD') WHEN k = 2 THEN to_char(ts, 'DD') WHEN k = 3 THEN to_char(ts, 'Dy') ELSE to_char(ts, 'FMDay') END;
    ELSIF c = 'H' THEN
      IF k > 2 THEN ${REFUSE("'pattern ' || fmt", "fmt")} END IF;
      out := out || CASE WHEN k = 1 THEN to_char(ts, 'FMHH24') ELSE to_char(ts, 'HH24') END;
    ELSIF c = 'h' THEN
      IF k > 2 THEN ${REFUSE("'pattern ' || fmt", "fmt")} END IF;
      out := out || CASE WHEN k = 1 THEN to_char(ts, 'FMHH12') ELSE to_char(ts, 'HH12') END;
    ELSIF c = 'm' THEN
      IF k > 2 THEN ${REFUSE("'pattern ' || fmt", "fmt")} END IF;
      out := out || CASE WHEN k = 1 THEN to_char(ts, 'FMMI') ELSE to_char(ts, 'MI') END;
    ELSIF c = 's' THEN
      IF k > 2 THEN ${REFUSE("'pattern ' || fmt", "fmt")} END IF;
      out := out || CASE WHEN k = 1 THEN to_char(ts, 'FMSS') ELSE to_char(ts, 'SS') END;
    ELSIF c = 'f' THEN
      IF k > 7 THEN ${REFUSE("'pattern ' || fmt", "fmt")} END IF;
      out := out || left(to_char(ts, 'US') || '0', k);
    ELSIF c = 't' THEN
      IF k > 2 THEN ${REFUSE("'pattern ' || fmt", "fmt")} END IF;
      out := out || left(to_char(ts, 'AM'), k);
    ELSIF c IN ('z', 'K', 'g', 'F') THEN
      ${REFUSE("'pattern ' || fmt || ' (offset, era or F fraction)'", "fmt")}
    ELSIF c IN ('''', '"') THEN
      q := strpos(substr(f, i + 1), c);
      IF q = 0 THEN ${REFUSE("'unterminated quote in ' || fmt", "fmt")} END IF;
      out := out || substr(f, i + 1, q - 1);
      k := q + 1;
    ELSIF c = '\\' THEN
      out := out || substr(f, i + 1, 1);
      k := 2;
    ELSIF c = '%' THEN
      k := 1;
    ELSE
      out := out || repeat(c, k);
    END IF;
    i := i + k;
  END LOOP;
  RETURN out;
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_format(d date, fmt text, culture text DEFAULT 'en-US')
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_format(d::timestamp, fmt, culture)
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §7.3",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees:
      "en-US only. Numbers: N/Nn, F/Fn, D/Dn (integers), C/Cn and P/Pn for non-negative values, custom patterns of 0 # , . and literals (e.g. #,##0.00, 000-00-0000), rounding half away from zero. Dates: the standard formats d D t T f F g G M Y s, custom yyyy yy y MMMM MMM MM M dddd ddd dd d HH H hh h mm m ss s f…fffffff tt t, quoted literals and \\ escapes. Everything else raises (SQLSTATE 0A000) rather than guess.",
    differences: [
      "SQL Server returns NULL for an invalid format string; here unsupported or invalid patterns raise.",
      "float values are formatted through their 15-significant-digit decimal form (.NET rounds doubles the same way before formatting, but its shortest round-trip rules may differ).",
      "time values (.NET TimeSpan formatting) are not supported: refuse at translation time.",
    ],
    uncertain: [
      "P: en-US percent pattern with no space before % (depends on the Windows culture data).",
      "A negative value that rounds to zero prints without a minus sign.",
    ],
    callSite: "culture literal passed through (NULL/omitted = the session language's culture, en-US for us_english). Cast date/datetime/datetime2/smalldatetime to timestamp or date; decimal/int/money to numeric; float/real to double precision.",
  },
];
