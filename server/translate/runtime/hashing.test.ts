import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useRuntimeDb } from "./testdb.ts";

const t = useRuntimeDb({ beforeAll, afterAll });
type Row = [string, string, string | null, string];

const hex = (pg: string) => `'0x' || upper(encode(${pg}, 'hex'))`;
// Expected digests are the published test vectors of each algorithm over the stated bytes
// ('abc' = 61 62 63; N'abc' = 61 00 62 00 63 00; 'é' in CP1252 = E9).
const rows: Row[] = [
  ["HASHBYTES('MD5', 'abc')", hex("tsql.tsql_hashbytes('MD5', 'abc')"), "0x900150983CD24FB0D6963F7D28E17F72", "§10 HASHBYTES MD5 (varchar bytes)"],
  ["HASHBYTES('SHA1', 'abc')", hex("tsql.tsql_hashbytes('SHA1', 'abc')"), "0xA9993E364706816ABA3E25717850C26C9CD0D89D", "§10 HASHBYTES SHA1 (no pgcrypto)"],
  ["HASHBYTES('SHA', 'abc')", hex("tsql.tsql_hashbytes('sha', 'abc')"), "0xA9993E364706816ABA3E25717850C26C9CD0D89D", "§10 HASHBYTES SHA (alias, case-insensitive)"],
  ["HASHBYTES('SHA2_256', 'abc')", hex("tsql.tsql_hashbytes('SHA2_256', 'abc')"), "0xBA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", "§10 HASHBYTES SHA2_256"],
  ["HASHBYTES('SHA2_512', 'abc')", hex("tsql.tsql_hashbytes('SHA2_512', 'abc')"), "0xDDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F", "§10 HASHBYTES SHA2_512"],
  ["HASHBYTES('SHA1', '') (empty)", hex("tsql.tsql_hashbytes('SHA1', '')"), "0xDA39A3EE5E6B4B0D3255BFEF95601890AFD80709", "§10 HASHBYTES SHA1"],
  ["HASHBYTES('SHA1', 1000 × 'a') multi-block", hex("tsql.tsql_hashbytes('SHA1', repeat('a', 1000))"), "0x291E9A6C66994949B57BA5E650361E98FC36B1BA", "§10 HASHBYTES SHA1"],
  ["SHA-1 of 56 bytes (padding spills into a second block)", hex("tsql.tsql_sha1(convert_to('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', 'UTF8'))"), "0x84983E441C3BD26EBAAE4AA1F95129E5E54670F1", "§10 HASHBYTES SHA1 (FIPS 180 vector)"],
  ["HASHBYTES('MD5', N'abc') hashes UTF-16LE", hex("tsql.tsql_hashbytes('MD5', 'abc', true)"), "0xCE1473CF80C6B3FDA8E3DFC006ADC315", "§10 HASHBYTES (nvarchar → UTF-16LE)"],
  ["HASHBYTES('MD5', 0x616263)", hex("tsql.tsql_hashbytes('MD5', '\\x616263'::bytea)"), "0x900150983CD24FB0D6963F7D28E17F72", "§10 HASHBYTES (varbinary)"],
  ["HASHBYTES('MD5', NULL)", "tsql.tsql_hashbytes('MD5', NULL::text)", null, "§10 HASHBYTES (NULL → NULL)"],
  ["CAST(N'a😀' AS varbinary)", hex("tsql.tsql_utf16le('a😀')"), "0x61003DD800DE", "§10 (UTF-16LE surrogate pair)"],
  ["CAST('é€' AS varbinary) CP1252", hex("tsql.tsql_cp1252('é€')"), "0xE980", "§10 (varchar code-page bytes)"],
  ["CAST(N'' AS varbinary)", hex("tsql.tsql_utf16le('')"), "0x", "§10"],
];

describe("HASHBYTES and byte encodings (TSQL-SEMANTICS.md §10)", () => {
  it.each(rows)("%s → %s = %s (%s)", async (_tsql, pg, expected) => {
    expect(await t.value(pg)).toBe(expected);
  });
  it("MD5 over the CP1252 bytes differs from MD5 over UTF-8 for non-ASCII varchar (§10)", async () => {
    expect(await t.value("encode(tsql.tsql_hashbytes('MD5', 'é'), 'hex') = md5('\\xe9'::bytea)")).toBe("true");
    expect(await t.value("encode(tsql.tsql_hashbytes('MD5', 'é'), 'hex') = md5('é')")).toBe("false");
  });
  it.each([
    ["MD4 is refused", "tsql.tsql_hashbytes('MD4', 'abc')", /cannot reproduce/],
    ["unknown algorithm raises", "tsql.tsql_hashbytes('CRC', 'abc')", /Invalid algorithm/],
    ["a varchar character outside CP1252 is refused", "tsql.tsql_hashbytes('MD5', 'ā')", /code page 1252/],
  ])("%s (§10)", async (_name, pg, message) => {
    await expect(t.value(pg)).rejects.toThrow(message);
  });
  it("CHECKSUM substitute: equal for CI-equal strings, NULL distinguished, stable (§10 CHECKSUM ⛔)", async () => {
    expect(await t.value("tsql.tsql_checksum_substitute('Abc ', 'x') = tsql.tsql_checksum_substitute('aBC', 'X')")).toBe("true");
    expect(await t.value("tsql.tsql_checksum_substitute('abc', NULL) = tsql.tsql_checksum_substitute('abc', '')")).toBe("false");
    expect(await t.value("tsql.tsql_checksum_substitute('a', 'bc') = tsql.tsql_checksum_substitute('ab', 'c')")).toBe("false");
  });
});
