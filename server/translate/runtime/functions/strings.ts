import type { RuntimeFunction } from "../types.ts";

// Postgres counts code points; SQL Server (without an _SC collation) counts UTF-16 code units, so a
// character above U+FFFF counts twice. The ASCII test keeps the common case cheap.
const UTF16_UNITS = (x: string) =>
  `(CASE WHEN octet_length(${x}) = char_length(${x}) THEN char_length(${x}) ELSE char_length(${x}) + regexp_count(${x}, '[\\U00010000-\\U0010FFFF]') END)`;

const REGEX_META = `'([.^$*+?()\\[\\]{}|\\\\-])'`;

export const strings: RuntimeFunction[] = [
  {
    name: "tsql_len",
    tsql: "LEN(string_expression)",
    signatures: ["tsql_len(s text)"],
    returns: "integer",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_len(s text)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT ${UTF16_UNITS("rtrim(s, ' ')")}
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §3 LEN",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Characters excluding trailing spaces (U+0020 only; leading spaces count); a character above U+FFFF counts 2 as under non-_SC collations; NULL → NULL.",
    differences: ["Under an _SC (supplementary character) collation SQL Server counts such characters once; use char_length(rtrim(s,' ')) there."],
    uncertain: [],
    callSite: "Cast to bigint when the argument is varchar(max)/nvarchar(max) (LEN returns bigint then). For char(n) columns mapped to bpchar, pass the text value.",
  },
  {
    name: "tsql_datalength",
    tsql: "DATALENGTH(expression)",
    signatures: ["tsql_datalength(s text, nvarchar boolean DEFAULT false)", "tsql_datalength(b bytea)"],
    returns: "integer",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_datalength(s text, nvarchar boolean DEFAULT false)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN nvarchar THEN 2 * ${UTF16_UNITS("s")} ELSE char_length(s) END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_datalength(b bytea)
RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT octet_length(b)
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §3 DATALENGTH",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Bytes including trailing spaces: varchar in a single-byte code page (CP1252) = 1 per character, nvarchar = 2 per UTF-16 code unit (4 for a character above U+FFFF), varbinary = bytes; NULL → NULL.",
    differences: ["varchar under a 2019+ _UTF8 collation counts UTF-8 bytes: use octet_length(s) there.", "Other types (int = 4, datetime = 8, …) are constants the translator emits itself."],
    uncertain: [],
    callSite: "Pass nvarchar => true when the T-SQL type of the argument is nchar/nvarchar/ntext; non-string arguments: emit the type's fixed size.",
  },
  {
    name: "tsql_utf16le",
    tsql: "nvarchar storage bytes (UTF-16LE)",
    signatures: ["tsql_utf16le(s text)"],
    returns: "bytea",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_utf16le(s text)
RETURNS bytea LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  r bytea;
BEGIN
  IF octet_length(s) = char_length(s) THEN
    -- ASCII: each byte followed by 00
    RETURN decode(regexp_replace(encode(convert_to(s, 'UTF8'), 'hex'), '(..)', '\\100', 'g'), 'hex');
  END IF;
  SELECT decode(string_agg(
    CASE WHEN cp < 65536 THEN lpad(to_hex(cp & 255), 2, '0') || lpad(to_hex(cp >> 8), 2, '0')
    ELSE lpad(to_hex((55296 + ((cp - 65536) >> 10)) & 255), 2, '0') || lpad(to_hex((55296 + ((cp - 65536) >> 10)) >> 8), 2, '0')
      || lpad(to_hex((56320 + ((cp - 65536) & 1023)) & 255), 2, '0') || lpad(to_hex((56320 + ((cp - 65536) & 1023)) >> 8), 2, '0')
    END, '' ORDER BY i), 'hex')
  INTO r
  FROM (SELECT i, ascii(substr(s, i, 1)) AS cp FROM generate_series(1, char_length(s)) AS i) c;
  RETURN r;
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §10 HASHBYTES (nvarchar → UTF-16LE)",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "The bytes SQL Server stores for an nvarchar value (UTF-16 little-endian, surrogate pairs above U+FFFF).",
    differences: [],
    uncertain: [],
    callSite: "Used by tsql_hashbytes; also for CONVERT(varbinary, nvarchar_value).",
  },
  {
    name: "tsql_cp1252",
    tsql: "varchar storage bytes under a Latin1 (code page 1252) collation",
    signatures: ["tsql_cp1252(s text)"],
    returns: "bytea",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_cp1252(s text)
RETURNS bytea LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  win constant integer[] := ARRAY[8364,-1,8218,402,8222,8230,8224,8225,710,8240,352,8249,338,-1,381,-1,-1,8216,8217,8220,8221,8226,8211,8212,732,8482,353,8250,339,-1,382,376];
  hex text := '';
  cp integer;
  b integer;
BEGIN
  IF octet_length(s) = char_length(s) THEN
    RETURN convert_to(s, 'UTF8');  -- ASCII bytes are the same in UTF-8 and CP1252
  END IF;
  FOR i IN 1 .. char_length(s) LOOP
    cp := ascii(substr(s, i, 1));
    IF cp < 128 OR cp BETWEEN 160 AND 255 THEN
      b := cp;
    ELSE
      b := 127 + array_position(win, cp);
      IF b IS NULL THEN
        RAISE EXCEPTION 'DataMigrate cannot reproduce SQL Server exactly here: character U+% outside code page 1252 in varchar data (SQL Server would store a best-fit character or ?)', upper(lpad(to_hex(cp), 4, '0')) USING ERRCODE = '0A000';
      END IF;
    END IF;
    hex := hex || lpad(to_hex(b), 2, '0');
  END LOOP;
  RETURN decode(hex, 'hex');
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §10 HASHBYTES (varchar → code-page bytes), §3 varchar vs nvarchar",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "The CP1252 bytes of a varchar value (0x80–0x9F mapped as Windows-1252: € → 0x80 …); a character outside CP1252 raises.",
    differences: [
      "Characters outside CP1252 raise instead of being replaced by SQL Server's best-fit character or '?'.",
      "Implemented by hand: convert_to(s, 'WIN1252') never returns on PGlite 0.5.16 (it hangs), so it is not used.",
    ],
    uncertain: ["Exact best-fit mapping of characters outside the code page."],
    callSite: "Used by tsql_hashbytes for varchar arguments; also for CONVERT(varbinary, varchar_value).",
  },
  {
    name: "tsql_left",
    tsql: "LEFT(s, n)",
    signatures: ["tsql_left(s text, n bigint)"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_left(s text, n bigint)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN n < 0 THEN @schema@.tsql_raise('Invalid length parameter passed to the left function.', NULL::text, (coalesce(s::text, 'NULL') || ',' || coalesce(n::text, 'NULL')))
  ELSE left(s, least(n, 2147483647)::integer) END
$fn$;`,
    dependsOn: ["tsql_raise"],
    semantics: "TSQL-SEMANTICS.md §3 LEFT/RIGHT",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "n < 0 raises (Postgres left(s,-1) silently drops the last character); n beyond the length returns s; NULL → NULL.",
    differences: ["Counts code points: a character above U+FFFF is one character here, two UTF-16 units in SQL Server."],
    uncertain: [],
    callSite: "char(n) inputs must keep their padding (rpad to n) before the call.",
  },
  {
    name: "tsql_right",
    tsql: "RIGHT(s, n)",
    signatures: ["tsql_right(s text, n bigint)"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_right(s text, n bigint)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN n < 0 THEN @schema@.tsql_raise('Invalid length parameter passed to the right function.', NULL::text, (coalesce(s::text, 'NULL') || ',' || coalesce(n::text, 'NULL')))
  ELSE right(s, least(n, 2147483647)::integer) END
$fn$;`,
    dependsOn: ["tsql_raise"],
    semantics: "TSQL-SEMANTICS.md §3 LEFT/RIGHT",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "n < 0 raises (Postgres right(s,-1) drops the first character); NULL → NULL.",
    differences: ["Code points, not UTF-16 units (see tsql_left)."],
    uncertain: [],
    callSite: "As tsql_left.",
  },
  {
    name: "tsql_substring",
    tsql: "SUBSTRING(expression, start, length)",
    signatures: ["tsql_substring(s text, start bigint, len bigint)", "tsql_substring(b bytea, start bigint, len bigint)"],
    returns: "text / bytea",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_substring(s text, start bigint, len bigint)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN len < 0 THEN @schema@.tsql_raise('Invalid length parameter passed to the substring function.', NULL::text, (coalesce(s::text, 'NULL') || ',' || coalesce(start::text, 'NULL') || ',' || coalesce(len::text, 'NULL')))
  WHEN start < 1 THEN substr(s, 1, greatest(least(start + len - 1, 2147483647), 0)::integer)
  ELSE substr(s, least(start, 2147483647)::integer, least(len, 2147483647)::integer) END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_substring(b bytea, start bigint, len bigint)
RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN len < 0 THEN @schema@.tsql_raise('Invalid length parameter passed to the substring function.', NULL::bytea, (coalesce(b::text, 'NULL') || ',' || coalesce(start::text, 'NULL') || ',' || coalesce(len::text, 'NULL')))
  WHEN start < 1 THEN substr(b, 1, greatest(least(start + len - 1, 2147483647), 0)::integer)
  ELSE substr(b, least(start, 2147483647)::integer, least(len, 2147483647)::integer) END
$fn$;`,
    dependsOn: ["tsql_raise"],
    semantics: "TSQL-SEMANTICS.md §3 SUBSTRING",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "1-based; start < 1 keeps max(start + len − 1, 0) characters from the first; start past the end → ''; len < 0 raises; works on varbinary; NULL → NULL.",
    differences: ["Code points, not UTF-16 units (see tsql_left). Postgres substr has the same rules for in-range bigint values; this wrapper only adds bigint arguments and SQL Server's message."],
    uncertain: [],
    callSite: "SUBSTRING(s, start) (2022, no length) → substr(s, start) directly.",
  },
  {
    name: "tsql_charindex",
    tsql: "CHARINDEX(expressionToFind, expressionToSearch [, start_location])",
    signatures: ["tsql_charindex(find text, s text, start bigint DEFAULT 1, ci boolean DEFAULT true)"],
    returns: "integer",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_charindex(find text, s text, start bigint DEFAULT 1, ci boolean DEFAULT true)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN find IS NULL OR s IS NULL OR start IS NULL THEN NULL
  WHEN find = '' THEN 0
  ELSE coalesce(nullif(
    CASE WHEN ci THEN strpos(lower(substr(s, greatest(least(start, 2147483647), 1)::integer)), lower(find))
      ELSE strpos(substr(s, greatest(least(start, 2147483647), 1)::integer), find) END, 0)
    + greatest(least(start, 2147483647), 1)::integer - 1, 0)
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §3 CHARINDEX, §2.3",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "1-based position or 0; start omitted, 0 or negative searches from 1; case-insensitive unless ci => false (case-sensitive collation); NULL find or s → NULL.",
    differences: [
      "Case-insensitivity uses lower(): characters whose lower-case form has another length (U+0130) shift positions; width/kana-insensitivity of SQL Server collations is not reproduced.",
      "Accent-insensitive (_AI) collations are not supported (accents always matter).",
    ],
    uncertain: ["Empty find returns 0 (commonly reported, undocumented).", "NULL start returns NULL (undocumented)."],
    callSite: "ci => false only for _CS or _BIN collations. Apply to `x COLLATE \"default\"` when x has a nondeterministic collation. Cast to bigint for max-type s.",
  },
  {
    name: "tsql_replace_ci",
    tsql: "REPLACE(s, pattern, replacement) under a case-insensitive collation",
    signatures: ["tsql_replace_ci(s text, find text, repl text)"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_replace_ci(s text, find text, repl text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN find = '' THEN s
  ELSE regexp_replace(s, regexp_replace(find, ${REGEX_META}, '\\\\\\1', 'g'), replace(repl, '\\', '\\\\'), 'gi') END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §3 REPLACE, §2.3",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Replaces every case-insensitive occurrence of find (taken literally, not as a pattern); any NULL → NULL.",
    differences: ["Result not truncated at 8000 bytes (SQL Server truncates non-max results).", "Case folding per Postgres regex (see tsql_charindex)."],
    uncertain: ["Empty find returns s."],
    callSite: "Use plain replace() when the collation is case-sensitive. Apply to `x COLLATE \"default\"` for nondeterministic collations.",
  },
  {
    name: "tsql_stuff",
    tsql: "STUFF(s, start, length, replaceWith)",
    signatures: ["tsql_stuff(s text, start bigint, len bigint, repl text)"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_stuff(s text, start bigint, len bigint, repl text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN s IS NULL OR start IS NULL OR len IS NULL THEN NULL
  WHEN start <= 0 OR start > char_length(s) OR len < 0 THEN NULL
  ELSE overlay(s PLACING coalesce(repl, '') FROM start::integer FOR least(len, char_length(s))::integer) END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §3 STUFF",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "start ≤ 0, start beyond the length or len < 0 → NULL; len past the end deletes to the end; len 0 inserts; NULL replacement only deletes.",
    differences: ["No error when the result exceeds the type's maximum length."],
    uncertain: ["Whether the length test counts trailing spaces (here: it does, full character length)."],
    callSite: "The FOR XML PATH idiom STUFF((SELECT ',' + x ... FOR XML PATH('')), 1, 1, '') is better rendered with string_agg (§8).",
  },
  {
    name: "tsql_replicate",
    tsql: "REPLICATE(s, n)",
    signatures: ["tsql_replicate(s text, n bigint, max_len integer DEFAULT NULL)"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_replicate(s text, n bigint, max_len integer DEFAULT NULL)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN n < 0 THEN NULL
  WHEN max_len IS NULL THEN repeat(s, n::integer)
  ELSE left(repeat(s, least(n, max_len)::integer), max_len) END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §3 REPLICATE",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "n < 0 → NULL (Postgres repeat gives ''); NULL → NULL; with max_len the result is cut like SQL Server's 8000-byte cap.",
    differences: ["For nvarchar the cap counts characters; a character above U+FFFF uses two of SQL Server's 4000 units."],
    uncertain: [],
    callSite: "max_len => 8000 for varchar, 4000 for nvarchar, omitted for (max) arguments.",
  },
  {
    name: "tsql_space",
    tsql: "SPACE(n)",
    signatures: ["tsql_space(n bigint)"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_space(n bigint)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN n < 0 THEN NULL ELSE repeat(' ', least(n, 8000)::integer) END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §3 SPACE",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "n spaces; n < 0 → NULL; NULL → NULL.",
    differences: [],
    uncertain: ["The 8000 cap is inferred from the docs' pointer to REPLICATE for longer results."],
    callSite: "Direct.",
  },
  {
    name: "tsql_quotename",
    tsql: "QUOTENAME(s [, quote_character])",
    signatures: ["tsql_quotename(s text, q text DEFAULT '[')"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_quotename(s text, q text DEFAULT '[')
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN char_length(s) > 128 THEN NULL
  ELSE CASE q
    WHEN '[' THEN '[' || replace(s, ']', ']]') || ']'
    WHEN ']' THEN '[' || replace(s, ']', ']]') || ']'
    WHEN '"' THEN '"' || replace(s, '"', '""') || '"'
    WHEN '''' THEN '''' || replace(s, '''', '''''') || ''''
    WHEN '(' THEN '(' || replace(s, ')', '))') || ')'
    WHEN ')' THEN '(' || replace(s, ')', '))') || ')'
    WHEN '<' THEN '<' || replace(s, '>', '>>') || '>'
    WHEN '>' THEN '<' || replace(s, '>', '>>') || '>'
    WHEN '{' THEN '{' || replace(s, '}', '}}') || '}'
    WHEN '}' THEN '{' || replace(s, '}', '}}') || '}'
    WHEN '\`' THEN '\`' || replace(s, '\`', '\`\`') || '\`'
    ELSE NULL END
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §3 QUOTENAME",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Delimits with the requested pair, doubling the closing delimiter; more than 128 characters or an unsupported quote character → NULL.",
    differences: [],
    uncertain: [],
    callSite: "Direct. (Postgres quote_ident is not a substitute.)",
  },
  {
    name: "tsql_like_regex",
    tsql: "LIKE pattern → regular expression ([a-c], [^a], %, _, ESCAPE)",
    signatures: ["tsql_like_regex(pattern text, escape_char text DEFAULT NULL)"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_like_regex(pattern text, escape_char text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  re text := '';
  n integer := char_length(pattern);
  i integer := 1;
  j integer;
  c text;
  body text;
  cls text;
  k integer;
  ch text;
BEGIN
  IF pattern IS NULL THEN RETURN NULL; END IF;
  IF escape_char IS NOT NULL AND char_length(escape_char) <> 1 THEN
    RAISE EXCEPTION 'The invalid escape character "%" was specified in a LIKE predicate.', escape_char USING ERRCODE = '22025';
  END IF;
  WHILE i <= n LOOP
    c := substr(pattern, i, 1);
    IF escape_char IS NOT NULL AND c = escape_char THEN
      IF i = n THEN
        RAISE EXCEPTION 'DataMigrate cannot reproduce SQL Server exactly here: LIKE pattern ending in its escape character' USING ERRCODE = '0A000';
      END IF;
      re := re || regexp_replace(substr(pattern, i + 1, 1), ${REGEX_META}, '\\\\\\1');
      i := i + 2;
      CONTINUE;
    ELSIF c = '%' THEN
      re := re || '.*';
    ELSIF c = '_' THEN
      re := re || '.';
    ELSIF c = '[' THEN
      j := strpos(substr(pattern, i + 1), ']');
      IF j = 0 THEN
        RAISE EXCEPTION 'DataMigrate cannot reproduce SQL Server exactly here: LIKE pattern with an unclosed [' USING ERRCODE = '0A000';
      END IF;
      body := substr(pattern, i + 1, j - 1);
      IF body = '' OR body = '^' THEN
        RAISE EXCEPTION 'DataMigrate cannot reproduce SQL Server exactly here: LIKE pattern with an empty [] class' USING ERRCODE = '0A000';
      END IF;
      cls := '[';
      k := 1;
      IF left(body, 1) = '^' AND char_length(body) > 1 THEN cls := '[^'; k := 2; END IF;
      WHILE k <= char_length(body) LOOP
        ch := substr(body, k, 1);
        IF ch = '-' AND k > 1 AND k < char_length(body) AND NOT (k = 2 AND cls = '[^') THEN
          cls := cls || '-';
        ELSE
          cls := cls || regexp_replace(ch, ${REGEX_META}, '\\\\\\1');
        END IF;
        k := k + 1;
      END LOOP;
      re := re || cls || ']';
      i := i + j + 1;
      CONTINUE;
    ELSE
      re := re || regexp_replace(c, ${REGEX_META}, '\\\\\\1');
    END IF;
    i := i + 1;
  END LOOP;
  RETURN re;
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §3 LIKE, §2.1 LIKE and trailing spaces",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "An unanchored Postgres ARE equivalent to the T-SQL pattern: % → .*, _ → ., [abc]/[a-c]/[^a] classes, [%] [_] [[] literals, ESCAPE character; every other character literal.",
    differences: ["Ranges are code-point ranges: [a-c] does not include accented letters that a Windows collation sorts inside the range."],
    uncertain: ["Patterns with an unclosed [, an empty [] or a trailing escape character are refused (SQL Server's handling is undocumented)."],
    callSite: "Internal (tsql_like, tsql_patindex). For literal patterns the translator uses the TypeScript tsqlLikeToPostgres instead.",
  },
  {
    name: "tsql_like",
    tsql: "match_expression [NOT] LIKE pattern [ESCAPE escape_character]",
    signatures: ["tsql_like(s text, pattern text, escape_char text DEFAULT NULL, ci boolean DEFAULT true, unicode boolean DEFAULT false)"],
    returns: "boolean",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_like(s text, pattern text, escape_char text DEFAULT NULL, ci boolean DEFAULT true, unicode boolean DEFAULT false)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN ci THEN s ~* ('^(?:' || @schema@.tsql_like_regex(pattern, escape_char) || ')' || CASE WHEN unicode THEN '' ELSE ' *' END || '$')
  ELSE s ~ ('^(?:' || @schema@.tsql_like_regex(pattern, escape_char) || ')' || CASE WHEN unicode THEN '' ELSE ' *' END || '$') END
$fn$;`,
    dependsOn: ["tsql_like_regex"],
    semantics: "TSQL-SEMANTICS.md §3 LIKE, §2.1 LIKE and trailing spaces, §2.3",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "T-SQL LIKE for a pattern known only at run time: classes, ESCAPE, case-insensitive by default; for non-Unicode operands trailing blanks of the match expression are ignored, for Unicode (unicode => true) they count; pattern blanks always count; NULL → NULL.",
    differences: ["As tsql_like_regex (code-point ranges); case folding per Postgres regex (no width/kana insensitivity)."],
    uncertain: [],
    callSite: "Only for non-literal patterns (literal ones: tsqlLikeToPostgres in TypeScript). unicode => true when any of the operands is nchar/nvarchar; ci => false for _CS/_BIN collations. Apply to `x COLLATE \"default\"` for nondeterministic collations.",
  },
  {
    name: "tsql_patindex",
    tsql: "PATINDEX('%pattern%', expression)",
    signatures: ["tsql_patindex(pattern text, s text, ci boolean DEFAULT true, unicode boolean DEFAULT false)"],
    returns: "integer",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_patindex(pattern text, s text, ci boolean DEFAULT true, unicode boolean DEFAULT false)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN pattern IS NULL OR s IS NULL THEN NULL
  ELSE coalesce(char_length((regexp_match(s,
    '^' || CASE WHEN left(pattern, 1) = '%' THEN '(.*?)(?:' || @schema@.tsql_like_regex(substr(pattern, 2)) ELSE '()(?:' || @schema@.tsql_like_regex(pattern) END
      || ')' || CASE WHEN unicode THEN '' ELSE ' *' END || '$',
    CASE WHEN ci THEN 'i' ELSE '' END))[1]) + 1, 0)
END
$fn$;`,
    dependsOn: ["tsql_like_regex"],
    semantics: "TSQL-SEMANTICS.md §3 PATINDEX",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Position of the first match of the LIKE pattern (a pattern without leading % must match from position 1), 0 if none, NULL if either is NULL; case-insensitive by default.",
    differences: ["As tsql_like_regex (code-point ranges)."],
    uncertain: ["Trailing blanks of a varchar expression are ignored as in LIKE (not stated on the PATINDEX page)."],
    callSite: "unicode => true when an operand is nvarchar; ci => false for _CS/_BIN collations.",
  },
  {
    name: "tsql_string_split",
    tsql: "STRING_SPLIT(string, separator [, enable_ordinal])",
    signatures: ["tsql_string_split(s text, sep text) RETURNS TABLE(value text, ordinal bigint)"],
    returns: "TABLE(value text, ordinal bigint)",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_string_split(s text, sep text)
RETURNS TABLE(value text, ordinal bigint) LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 10 AS $fn$
SELECT t.value, t.ordinal
FROM (SELECT CASE WHEN sep IS NULL OR char_length(sep) <> 1
  THEN @schema@.tsql_raise('Procedure expects parameter ''separator'' of type ''nchar(1)/nvarchar(1)''.', NULL::text[], (coalesce(s::text, 'NULL') || ',' || coalesce(sep::text, 'NULL')))
  WHEN s = '' THEN ARRAY['']
  ELSE string_to_array(s, sep) END AS parts) p
CROSS JOIN LATERAL unnest(p.parts) WITH ORDINALITY AS t(value, ordinal)
$fn$;`,
    dependsOn: ["tsql_raise"],
    semantics: "TSQL-SEMANTICS.md §3 STRING_SPLIT",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "One row per piece with its 1-based ordinal; consecutive separators give empty strings; '' gives one empty row; NULL string gives no rows; a separator that is not one character raises.",
    differences: [],
    uncertain: ["Whether separator matching follows the collation (case-insensitive letters as separators): here it is exact."],
    callSite: "FROM tsql.tsql_string_split(s, sep) AS x(value, ordinal); without enable_ordinal select only value (order is undefined in SQL Server unless ORDER BY ordinal).",
  },
  {
    name: "tsql_xml_escape",
    tsql: "FOR XML PATH('') text escaping (string aggregation idiom)",
    signatures: ["tsql_xml_escape(s text)"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_xml_escape(s text)
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT replace(replace(replace(replace(s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), E'\\r', '&#x0D;')
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §8 FOR XML PATH('')",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Escapes &, <, > and CR as FOR XML PATH('') does for text nodes.",
    differences: [],
    uncertain: ["The full escaping set (control characters) is not documented; CR → &#x0D; is observed behaviour."],
    callSite: "substr(string_agg(tsql_xml_escape(',' || x), '' ORDER BY ...), 2) for the non-TYPE form; omit for , TYPE).value('.', ...).",
  },
];
