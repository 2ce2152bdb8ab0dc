import type { RuntimeFunction } from "../types.ts";

// Paths are walked step by step on the json (not jsonb) value: Postgres' own lax jsonpath unwraps
// arrays ($.a.b finds a[*].b), which SQL Server's lax mode does not; and json keeps the original
// text, key order and duplicate keys that JSON_QUERY and OPENJSON return.
const WALK = `
  steps := @schema@.tsql_json_path(path);
  is_strict := steps[1] = 'strict';
  v := j::json;
  FOR i IN 2 .. coalesce(array_length(steps, 1), 1) LOOP
    IF left(steps[i], 2) = 'k:' THEN
      IF json_typeof(v) <> 'object' THEN v := NULL; ELSE v := v -> substr(steps[i], 3); END IF;
    ELSE
      IF json_typeof(v) <> 'array' THEN v := NULL; ELSE v := v -> substr(steps[i], 3)::integer; END IF;
    END IF;
    EXIT WHEN v IS NULL;
  END LOOP;`;

export const json: RuntimeFunction[] = [
  {
    name: "tsql_json_path",
    tsql: "SQL Server JSON path ([lax|strict] $.key.\"quoted key\"[n])",
    signatures: ["tsql_json_path(path text)"],
    returns: "text[]",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_json_path(path text)
RETURNS text[] LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  m text[];
  rest text;
  out text[];
  key text;
BEGIN
  m := regexp_match(path, '^[ ]*(?:(lax|strict)[ ]+)?[$](.*)$', 'i');
  IF m IS NULL THEN
    RAISE EXCEPTION 'JSON path is not properly formatted: %', path USING ERRCODE = '22023';
  END IF;
  out := ARRAY[lower(coalesce(m[1], 'lax'))];
  rest := m[2];
  WHILE rest <> '' LOOP
    m := regexp_match(rest, '^[.]"((?:[^"\\\\]|\\\\.)*)"(.*)$');
    IF m IS NOT NULL THEN
      key := ('"' || m[1] || '"')::json #>> '{}';
      out := out || ('k:' || key);
      rest := m[2];
      CONTINUE;
    END IF;
    m := regexp_match(rest, '^[.]([A-Za-z_$][A-Za-z0-9_$]*)(.*)$');
    IF m IS NOT NULL THEN
      out := out || ('k:' || m[1]);
      rest := m[2];
      CONTINUE;
    END IF;
    m := regexp_match(rest, '^\\[[ ]*([0-9]+)[ ]*\\](.*)$');
    IF m IS NOT NULL THEN
      out := out || ('i:' || m[1]);
      rest := m[2];
      CONTINUE;
    END IF;
    RAISE EXCEPTION 'JSON path is not properly formatted: %', path USING ERRCODE = '22023';
  END LOOP;
  RETURN out;
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §9 (paths)",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "Parses the mode (lax by default) and the steps; a malformed path raises in both modes, as in SQL Server.",
    differences: [],
    uncertain: ["Which unquoted key characters SQL Server accepts (letters, digits, _ and $ here; quote others)."],
    callSite: "Internal.",
  },
  {
    name: "tsql_isjson",
    tsql: "ISJSON(expression [, json_type_constraint])",
    signatures: ["tsql_isjson(x text, json_type text DEFAULT NULL)"],
    returns: "integer",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_isjson(x text, json_type text DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  t text;
BEGIN
  IF x IS NULL THEN RETURN NULL; END IF;
  BEGIN
    t := json_typeof(x::json);
  EXCEPTION WHEN invalid_text_representation OR untranslatable_character THEN
    RETURN 0;
  END;
  RETURN CASE upper(coalesce(json_type, ''))
    WHEN '' THEN (t IN ('object', 'array'))::integer
    WHEN 'VALUE' THEN 1
    WHEN 'OBJECT' THEN (t = 'object')::integer
    WHEN 'ARRAY' THEN (t = 'array')::integer
    WHEN 'SCALAR' THEN (t IN ('string', 'number'))::integer
  END;
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §9 ISJSON",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "1 only for a valid object or array without a type; VALUE/OBJECT/ARRAY/SCALAR (SCALAR = number or string only) with one; NULL → NULL; never raises for bad text.",
    differences: [],
    uncertain: [],
    callSite: "json_type literal passed through (2022+ syntax).",
  },
  {
    name: "tsql_json_value",
    tsql: "JSON_VALUE(expression, path)",
    signatures: ["tsql_json_value(j text, path text)"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_json_value(j text, path text)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  steps text[];
  is_strict boolean;
  v json;
  i integer;
  t text;
  r text;
BEGIN
  IF j IS NULL OR path IS NULL THEN RETURN NULL; END IF;${WALK}
  IF v IS NULL THEN
    IF is_strict THEN RAISE EXCEPTION 'Property cannot be found on the specified JSON path.' USING ERRCODE = '22023'; END IF;
    RETURN NULL;
  END IF;
  t := json_typeof(v);
  IF t IN ('object', 'array') THEN
    IF is_strict THEN RAISE EXCEPTION 'Scalar value cannot be found in the specified JSON path.' USING ERRCODE = '22023'; END IF;
    RETURN NULL;
  END IF;
  IF t = 'null' THEN RETURN NULL; END IF;
  r := CASE WHEN t = 'string' THEN v #>> '{}' ELSE btrim(v::text) END;
  IF char_length(r) > 4000 THEN
    IF is_strict THEN RAISE EXCEPTION 'JSON_VALUE result exceeds 4000 characters.' USING ERRCODE = '22023'; END IF;
    RETURN NULL;
  END IF;
  RETURN r;
END
$fn$;`,
    dependsOn: ["tsql_json_path"],
    semantics: "TSQL-SEMANTICS.md §9 JSON_VALUE",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees:
      "Scalar as text (strings unescaped, numbers as written, true/false); lax: NULL for missing paths, objects/arrays and values over 4000 characters; strict: errors for those; invalid JSON raises in both modes; no implicit array unwrapping.",
    differences: ["With duplicate keys, Postgres json -> returns the last occurrence."],
    uncertain: ["strict mode on a JSON null value (NULL here)."],
    callSite: "2025's RETURNING type: cast the result.",
  },
  {
    name: "tsql_json_query",
    tsql: "JSON_QUERY(expression [, path])",
    signatures: ["tsql_json_query(j text, path text DEFAULT '$')"],
    returns: "text",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_json_query(j text, path text DEFAULT '$')
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  steps text[];
  is_strict boolean;
  v json;
  i integer;
BEGIN
  IF j IS NULL OR path IS NULL THEN RETURN NULL; END IF;${WALK}
  IF v IS NULL THEN
    IF is_strict THEN RAISE EXCEPTION 'Property cannot be found on the specified JSON path.' USING ERRCODE = '22023'; END IF;
    RETURN NULL;
  END IF;
  IF json_typeof(v) NOT IN ('object', 'array') THEN
    IF is_strict THEN RAISE EXCEPTION 'Object or array cannot be found in the specified JSON path.' USING ERRCODE = '22023'; END IF;
    RETURN NULL;
  END IF;
  RETURN btrim(v::text, E' \\t\\r\\n');
END
$fn$;`,
    dependsOn: ["tsql_json_path"],
    semantics: "TSQL-SEMANTICS.md §9 JSON_QUERY",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "The object or array at the path as its original JSON text (spacing and key order kept); lax: NULL for scalars or missing paths; strict: errors.",
    differences: [],
    uncertain: [],
    callSite: "Direct.",
  },
  {
    name: "tsql_openjson",
    tsql: "OPENJSON(jsonExpression [, path]) with the default schema",
    signatures: ["tsql_openjson(j text, path text DEFAULT '$') RETURNS TABLE(key text, value text, type integer)"],
    returns: "TABLE(key text, value text, type integer)",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_openjson(j text, path text DEFAULT '$')
RETURNS TABLE(key text, value text, type integer) LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE ROWS 10 AS $fn$
DECLARE
  steps text[];
  is_strict boolean;
  v json;
  i integer;
BEGIN
  IF j IS NULL OR path IS NULL THEN RETURN; END IF;${WALK}
  IF v IS NULL THEN
    IF is_strict THEN RAISE EXCEPTION 'Property cannot be found on the specified JSON path.' USING ERRCODE = '22023'; END IF;
    RETURN;
  END IF;
  IF json_typeof(v) = 'object' THEN
    RETURN QUERY SELECT e.key,
        CASE json_typeof(e.value) WHEN 'string' THEN e.value #>> '{}' WHEN 'null' THEN NULL ELSE btrim(e.value::text) END,
        CASE json_typeof(e.value) WHEN 'null' THEN 0 WHEN 'string' THEN 1 WHEN 'number' THEN 2 WHEN 'boolean' THEN 3 WHEN 'array' THEN 4 ELSE 5 END
      FROM json_each(v) WITH ORDINALITY AS e(key, value, n) ORDER BY e.n;
  ELSIF json_typeof(v) = 'array' THEN
    RETURN QUERY SELECT (e.n - 1)::text,
        CASE json_typeof(e.value) WHEN 'string' THEN e.value #>> '{}' WHEN 'null' THEN NULL ELSE btrim(e.value::text) END,
        CASE json_typeof(e.value) WHEN 'null' THEN 0 WHEN 'string' THEN 1 WHEN 'number' THEN 2 WHEN 'boolean' THEN 3 WHEN 'array' THEN 4 ELSE 5 END
      FROM json_array_elements(v) WITH ORDINALITY AS e(value, n) ORDER BY e.n;
  ELSE
    RAISE EXCEPTION 'DataMigrate cannot reproduce SQL Server exactly here: OPENJSON over a scalar value' USING ERRCODE = '0A000';
  END IF;
END
$fn$;`,
    dependsOn: ["tsql_json_path"],
    semantics: "TSQL-SEMANTICS.md §9 OPENJSON default schema",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees:
      "Rows (key, value, type) in document order, duplicate keys kept: array keys are 0-based indexes, string values unescaped, objects/arrays as JSON text, type 0 null, 1 string, 2 number, 3 true/false, 4 array, 5 object; lax missing path → no rows, strict → error; NULL → no rows.",
    differences: [],
    uncertain: ["OPENJSON over a scalar (refused)."],
    callSite: "FROM tsql.tsql_openjson(j [, path]) AS o(key, value, type); with CROSS APPLY → CROSS JOIN LATERAL. The WITH (...) schema form is rendered by the translator (json_array_elements + casts).",
  },
];
