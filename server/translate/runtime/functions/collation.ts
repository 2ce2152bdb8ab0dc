import type { RuntimeFunction } from "../types.ts";

// Accent folding for the primary level of the sort key: Latin-1 and CP1252 letters. Expansions
// (æ → ae, œ → oe, ß → ss, þ → th) are done with replace() before translate().
const ACCENTED = "àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżžð";
const FOLDED = "aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnoooooooooorrrsssstttuuuuuuuuuuwyyyzzzd";

export const collation: RuntimeFunction[] = [
  {
    name: "tsql_ci_key",
    tsql: "= <> IN GROUP BY DISTINCT UNION joins under SQL_Latin1_General_CP1_CI_AS (equality)",
    signatures: ["tsql_ci_key(s text)"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_ci_key(s text)
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT lower(rtrim(s, ' '))
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §2.1 CI_AS, trailing spaces; §2.2 option 1; §2.3",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Two strings are equal under CI_AS (case-insensitive, accent-sensitive, trailing spaces ignored) exactly when their keys are equal, for Latin text; works on every Postgres and PGlite (no ICU needed); indexable (CREATE INDEX ON t (tsql.tsql_ci_key(col))).",
    differences: [
      "Width- and kana-insensitivity and Windows linguistic equivalences (ß = ss?, ligatures) are not reproduced.",
      "lower() needs a UTF-8 ctype (not C) for non-ASCII letters; both the Postgres 15 server here (C.UTF-8) and PGlite qualify.",
    ],
    uncertain: ["Windows-collation equivalences (ß/ss, ligatures)."],
    callSite: "a = b → tsql_ci_key(a) = tsql_ci_key(b); GROUP BY/DISTINCT on tsql_ci_key(x) and output min(x) (spelling is arbitrary in SQL Server too); x IN ('a','b') → tsql_ci_key(x) IN (tsql_ci_key('a'), …) with literals folded at translation time.",
  },
  {
    name: "tsql_ci_sort_key",
    tsql: "ORDER BY / < > / MIN MAX / STRING_AGG WITHIN GROUP under SQL_Latin1_General_CP1_CI_AS",
    signatures: ["tsql_ci_sort_key(s text)"],
    returns: "bytea",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_ci_sort_key(s text)
RETURNS bytea LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  k text := lower(rtrim(s, ' '));
BEGIN
  RETURN convert_to(translate(replace(replace(replace(replace(k, 'æ', 'ae'), 'œ', 'oe'), 'ß', 'ss'), 'þ', 'th'), '${ACCENTED}', '${FOLDED}'), 'UTF8')
    || '\\x00'::bytea || convert_to(k, 'UTF8');
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §2.1 Ordering; §2.3 ORDER BY, MIN/MAX, STRING_AGG",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees:
      "A binary key (independent of the database collation) that orders case-insensitively with accents as a secondary difference (e < é < f), trailing spaces ignored, and is equal exactly when tsql_ci_key is equal; collation-equal values tie as in SQL Server.",
    differences: [
      "Non-letters sort by code point: punctuation and symbols are not ordered as SQL Server's SQL_ (varchar) or Windows (nvarchar) sort orders do.",
      "Letters outside Latin-1/Latin Extended-A sort by code point after their base-letter peers.",
    ],
    uncertain: ["Exact ordering of punctuation/symbols under SQL_Latin1_General_CP1_CI_AS (varchar vs nvarchar)."],
    callSite: "ORDER BY tsql_ci_sort_key(x) NULLS FIRST (ASC) / DESC NULLS LAST; a < b → tsql_ci_sort_key(a) < tsql_ci_sort_key(b); MIN(x) → (array_agg(x ORDER BY tsql_ci_sort_key(x)))[1] or an ordered LIMIT 1; string_agg(x, sep ORDER BY tsql_ci_sort_key(x) NULLS FIRST).",
  },
  {
    name: "tsql_ci_as_collation",
    tsql: "SQL_Latin1_General_CP1_CI_AS as a Postgres nondeterministic ICU collation (optional)",
    signatures: ["COLLATION ci_as (provider icu, locale und-u-ks-level2, deterministic false)"],
    returns: "collation",
    sql: `DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace WHERE n.nspname = '@schema@' AND c.collname = 'ci_as') THEN
    CREATE COLLATION @schema@.ci_as (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
  END IF;
  IF NOT ('abc' = 'ABC' COLLATE @schema@.ci_as) OR ('a' = 'á' COLLATE @schema@.ci_as) THEN
    RAISE EXCEPTION 'ICU collation @schema@.ci_as is not case-insensitive here (ICU absent or stubbed, as in PGlite): use tsql_ci_key / tsql_ci_sort_key instead' USING ERRCODE = '0A000';
  END IF;
END
$do$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §2.2 option 3",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "Creates the collation and verifies that it is really case-insensitive and accent-sensitive; raises otherwise (PGlite accepts CREATE COLLATION but compares bytewise).",
    differences: [
      "Trailing spaces still count: combine with rtrim(x, ' ').",
      "Postgres 15–17 reject LIKE, ILIKE, regex, strpos and replace on nondeterministic collations: apply the tsql_* functions to x COLLATE \"default\".",
      "ICU root order differs from SQL Server's for punctuation; ICU upgrades can change order (reindex).",
    ],
    uncertain: ["'ß' = 'ss' is false at ICU level 2; Windows collations may equate them."],
    installByDefault: false,
    callSite: "Not installed by default (installSql(['tsql_ci_as_collation']) explicitly): only for targets known to have working ICU; the portable default is tsql_ci_key/tsql_ci_sort_key.",
  },
  {
    name: "tsql_newid",
    tsql: "NEWID(), uniqueidentifier text form and sort order",
    signatures: ["tsql_newid()", "tsql_uuid_to_varchar(u uuid)", "tsql_uuid_sort_key(u uuid)"],
    returns: "uuid / text / bytea",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_newid()
RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $fn$
SELECT gen_random_uuid()
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_uuid_to_varchar(u uuid)
RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT upper(u::text)
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_uuid_sort_key(u uuid)
RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT substr(b, 11, 6) || substr(b, 9, 2) || substr(b, 8, 1) || substr(b, 7, 1) || substr(b, 6, 1) || substr(b, 5, 1)
  || substr(b, 4, 1) || substr(b, 3, 1) || substr(b, 2, 1) || substr(b, 1, 1)
FROM (SELECT uuid_send(u) AS b) x
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §10 NEWID, §5.1 uniqueidentifier",
    volatility: "VOLATILE",
    language: "sql",
    guarantees: "A new random version-4 uuid per call/row; the upper-case text form; a sort key ordering uuids as SQL Server orders uniqueidentifier (bytes 10–15, 8–9, then the first three groups from their last byte: .NET SqlGuid order on the little-endian storage).",
    differences: [],
    uncertain: [],
    callSite: "ORDER BY NEWID() → ORDER BY random(); ORDER BY/MIN/MAX/< on uniqueidentifier → tsql_uuid_sort_key(u); CAST(u AS varchar) → tsql_uuid_to_varchar(u).",
  },
  {
    name: "tsql_cast_uuid",
    tsql: "CAST/CONVERT/TRY_CAST of a string to uniqueidentifier",
    signatures: ["tsql_cast_uuid(s text)", "tsql_try_cast_uuid(s text)"],
    returns: "uuid",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_try_cast_uuid(s text)
RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT (regexp_match(s, '^[{]?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})'))[1]::uuid
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_cast_uuid(s text)
RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN s IS NULL THEN NULL
  ELSE coalesce(@schema@.tsql_try_cast_uuid(s),
    @schema@.tsql_raise('Conversion failed when converting from a character string to uniqueidentifier.', NULL::uuid, s)) END
$fn$;`,
    dependsOn: ["tsql_raise"],
    semantics: "TSQL-SEMANTICS.md §5.1 uniqueidentifier, §5.2 uniqueidentifier = 'string'",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "Accepts the 36-character hyphenated form (optionally after '{'), ignoring any characters after it as SQL Server does; other forms Postgres would accept (no hyphens, other groupings) fail; TRY_ returns NULL instead of raising.",
    differences: [],
    uncertain: ["Truncation after 36 characters is from the uniqueidentifier page example, not checked in TSQL-SEMANTICS.md.", "Handling of leading blanks and of an unbalanced '{' is not documented (both refused / accepted as here)."],
    callSite: "String literals are converted at translation time; use these for run-time strings.",
  },
];
