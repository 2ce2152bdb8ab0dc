import type { RuntimeFunction } from "../types.ts";

export const hashing: RuntimeFunction[] = [
  {
    name: "tsql_sha1",
    tsql: "SHA-1 digest (for HASHBYTES('SHA1'/'SHA'))",
    signatures: ["tsql_sha1(data bytea)"],
    returns: "bytea",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_sha1(data bytea)
RETURNS bytea LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
  m32 constant bigint := 4294967295;
  h0 bigint := 1732584193; h1 bigint := 4023233417; h2 bigint := 2562383102; h3 bigint := 271733878; h4 bigint := 3285377520;
  msg bytea;
  w bigint[];
  a bigint; b bigint; c bigint; d bigint; e bigint; f bigint; k bigint; t bigint;
  chunk integer; i integer; off integer;
BEGIN
  msg := data || '\\x80'::bytea || decode(repeat('00', (119 - octet_length(data) % 64) % 64), 'hex') || int8send(octet_length(data)::bigint * 8);
  FOR chunk IN 0 .. octet_length(msg) / 64 - 1 LOOP
    w := array_fill(0::bigint, ARRAY[80]);
    FOR i IN 0 .. 15 LOOP
      off := chunk * 64 + i * 4;
      w[i + 1] := (get_byte(msg, off)::bigint << 24) | (get_byte(msg, off + 1)::bigint << 16) | (get_byte(msg, off + 2)::bigint << 8) | get_byte(msg, off + 3)::bigint;
    END LOOP;
    FOR i IN 16 .. 79 LOOP
      t := w[i - 2] # w[i - 7] # w[i - 13] # w[i - 15];
      w[i + 1] := ((t << 1) | (t >> 31)) & m32;
    END LOOP;
    a := h0; b := h1; c := h2; d := h3; e := h4;
    FOR i IN 0 .. 79 LOOP
      IF i < 20 THEN f := (b & c) | ((~b & m32) & d); k := 1518500249;
      ELSIF i < 40 THEN f := b # c # d; k := 1859775393;
      ELSIF i < 60 THEN f := (b & c) | (b & d) | (c & d); k := 2400959708;
      ELSE f := b # c # d; k := 3395469782;
      END IF;
      t := ((((a << 5) | (a >> 27)) & m32) + f + e + k + w[i + 1]) & m32;
      e := d; d := c; c := ((b << 30) | (b >> 2)) & m32; b := a; a := t;
    END LOOP;
    h0 := (h0 + a) & m32; h1 := (h1 + b) & m32; h2 := (h2 + c) & m32; h3 := (h3 + d) & m32; h4 := (h4 + e) & m32;
  END LOOP;
  RETURN substr(int8send(h0), 5) || substr(int8send(h1), 5) || substr(int8send(h2), 5) || substr(int8send(h3), 5) || substr(int8send(h4), 5);
END
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §10 HASHBYTES (SHA1 without pgcrypto)",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "FIPS 180-4 SHA-1 in PL/pgSQL, so neither pgcrypto (absent from PGlite by default) nor any extension is needed.",
    differences: ["Slow on large inputs (interpreted): about a millisecond per 64-byte block."],
    uncertain: [],
    callSite: "Internal (tsql_hashbytes).",
  },
  {
    name: "tsql_hashbytes",
    tsql: "HASHBYTES('MD5' | 'SHA' | 'SHA1' | 'SHA2_256' | 'SHA2_512', input)",
    signatures: ["tsql_hashbytes(alg text, data bytea)", "tsql_hashbytes(alg text, s text, nvarchar boolean DEFAULT false)"],
    returns: "bytea",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_hashbytes(alg text, data bytea)
RETURNS bytea LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  CASE upper(alg)
  WHEN 'MD5' THEN RETURN decode(md5(data), 'hex');
  WHEN 'SHA', 'SHA1' THEN RETURN @schema@.tsql_sha1(data);
  WHEN 'SHA2_256' THEN RETURN sha256(data);
  WHEN 'SHA2_512' THEN RETURN sha512(data);
  WHEN 'MD2', 'MD4' THEN
    RAISE EXCEPTION 'DataMigrate cannot reproduce SQL Server exactly here: HASHBYTES %', upper(alg) USING ERRCODE = '0A000';
  ELSE
    RAISE EXCEPTION 'Invalid algorithm ''%'' passed to HASHBYTES.', alg USING ERRCODE = '22023';
  END CASE;
END
$fn$;
CREATE OR REPLACE FUNCTION @schema@.tsql_hashbytes(alg text, s text, nvarchar boolean DEFAULT false)
RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT @schema@.tsql_hashbytes(alg, CASE WHEN nvarchar THEN @schema@.tsql_utf16le(s) ELSE @schema@.tsql_cp1252(s) END)
$fn$;`,
    dependsOn: ["tsql_sha1", "tsql_utf16le", "tsql_cp1252"],
    semantics: "TSQL-SEMANTICS.md §10 HASHBYTES",
    volatility: "IMMUTABLE",
    language: "plpgsql",
    guarantees: "Hashes the bytes SQL Server stores (varchar → CP1252, nvarchar → UTF-16LE, varbinary as is); NULL → NULL; algorithm names case-insensitive; MD2/MD4 refused; unknown names raise.",
    differences: ["varchar characters outside CP1252 raise (see tsql_cp1252)."],
    uncertain: [],
    callSite: "nvarchar => true when the argument's T-SQL type is nchar/nvarchar (N'' literals included). Display as '0x' || upper(encode(h, 'hex')) where CONVERT(varchar, h, 1) is used.",
  },
  {
    name: "tsql_checksum_substitute",
    tsql: "CHECKSUM(...) used only for change detection inside the migrated system",
    signatures: ["tsql_checksum_substitute(VARIADIC v text[])"],
    returns: "integer",
    sql: `CREATE OR REPLACE FUNCTION @schema@.tsql_checksum_substitute(VARIADIC v text[])
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT ('x' || left(md5(array_to_string(ARRAY(SELECT coalesce(length(lower(rtrim(e, ' ')))::text || ':' || lower(rtrim(e, ' ')), '-') FROM unnest(v) AS e), '|')), 8))::bit(32)::integer
$fn$;`,
    dependsOn: [],
    semantics: "TSQL-SEMANTICS.md §10 CHECKSUM (⛔ when values are compared with SQL Server's)",
    volatility: "IMMUTABLE",
    language: "sql",
    guarantees: "A deterministic int hash of the values that, like CHECKSUM under a CI collation, is equal for case- and trailing-space-equal strings and distinguishes NULL.",
    differences: ["Values differ from SQL Server's CHECKSUM (its algorithm is undocumented): never compare them with values computed by SQL Server."],
    uncertain: ["CHECKSUM's algorithm."],
    callSite: "Only when the translator can tell that CHECKSUM values stay inside the migrated system; otherwise refuse. Always emit a functional-difference diagnostic. Convert non-string arguments to text first.",
  },
];
