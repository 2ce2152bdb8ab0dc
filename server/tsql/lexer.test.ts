import { describe, expect, it } from "vitest";
import { T, tokenize } from "./lexer.ts";

const lex = (text: string, quotedIdentifier = true) => tokenize(text, { file: "t.sql", quotedIdentifier });
const kinds = (text: string) => lex(text).tokens.filter((t) => t.type !== T.EOF).map((t) => [t.type, t.value]);

describe("lexer: one token", () => {
  it.each([
    ["[Order Details]", T.QuotedId, "Order Details"],
    ["[a]]b]", T.QuotedId, "a]b"],
    ['"quoted ""id"""', T.QuotedId, 'quoted "id"'],
    ["'it''s'", T.String, "it's"],
    ["N'ünï''code'", T.NString, "ünï'code"],
    ["n'x'", T.NString, "x"],
    ["0x1F2e", T.Binary, "0x1F2e"],
    ["0x", T.Binary, "0x"],
    ["$12.50", T.Money, "$12.50"],
    ["$-3", T.Money, "$-3"],
    ["1.5e-3", T.Float, "1.5e-3"],
    ["2E10", T.Float, "2E10"],
    ["12.", T.Decimal, "12."],
    [".5", T.Decimal, ".5"],
    ["42", T.Integer, "42"],
    ["@var_1", T.Variable, "@var_1"],
    ["@@ROWCOUNT", T.GlobalVariable, "@@ROWCOUNT"],
    ["#temp", T.Word, "#temp"],
    ["##global", T.Word, "##global"],
    ["$action", T.Pseudo, "$action"],
    ["a$b#c@d", T.Word, "a$b#c@d"],
    ["Ärger", T.Word, "Ärger"],
  ])("%s", (text, type, value) => {
    const { tokens, diagnostics } = lex(text);
    expect(diagnostics).toEqual([]);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatchObject({ type, value });
  });
});

describe("lexer: operators", () => {
  it.each(["+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<=", ">=", "<>", "!=", "!<", "!>", "::", "||"])("%s is one token", (op) => {
    expect(kinds(`a ${op} b`)).toEqual([[T.Word, "a"], [T.Op, op], [T.Word, "b"]]);
  });
  it("splits single-character punctuation", () => {
    expect(kinds("(a.b,c);").map((k) => k[1])).toEqual(["(", "a", ".", "b", ",", "c", ")", ";"]);
  });
  it("1else stays two tokens, 1e5 is one float", () => {
    expect(kinds("1else")).toEqual([[T.Integer, "1"], [T.Word, "else"]]);
    expect(kinds("1e5")).toEqual([[T.Float, "1e5"]]);
  });
});

describe("lexer: comments are kept and attached to the next token", () => {
  it.each([
    ["-- line\nSELECT", ["-- line"]],
    ["/* block */SELECT", ["/* block */"]],
    ["/* outer /* nested */ still comment */ SELECT", ["/* outer /* nested */ still comment */"]],
    ["-- a\r\n-- b\r\nSELECT", ["-- a", "-- b"]],
  ])("%j", (text, comments) => {
    const { tokens, diagnostics } = lex(text);
    expect(diagnostics).toEqual([]);
    expect(tokens[0]!.upper).toBe("SELECT");
    expect(tokens[0]!.comments?.map((c) => c.text)).toEqual(comments);
  });
});

describe("lexer: quoted identifier setting", () => {
  it('"x" is a string when QUOTED_IDENTIFIER is OFF', () => {
    expect(lex('"x"', false).tokens[0]).toMatchObject({ type: T.String, value: "x" });
    expect(lex('"x"', true).tokens[0]).toMatchObject({ type: T.QuotedId, value: "x", quote: "double" });
  });
});

describe("lexer: GO", () => {
  it.each([
    ["SELECT 1\nGO\nSELECT 2", undefined],
    ["SELECT 1\n  go  \nSELECT 2", undefined],
    ["SELECT 1\nGo 5\nSELECT 2", 5],
    ["SELECT 1\nGO -- done\nSELECT 2", undefined],
    ["SELECT 1\r\nGO\r\nSELECT 2", undefined],
  ])("%j is a batch separator", (text, count) => {
    const go = lex(text).tokens.filter((t) => t.type === T.Go);
    expect(go).toHaveLength(1);
    expect(go[0]!.count).toBe(count);
  });
  it.each([
    "SELECT 1 GO",
    "SELECT 'a\nGO\nb'",
    "/*\nGO\n*/ SELECT 1",
    "SELECT 1\nGO x",
    "SELECT go.x FROM t go",
  ])("%j is not", (text) => {
    expect(lex(text).tokens.filter((t) => t.type === T.Go)).toHaveLength(0);
  });
});

describe("lexer: positions", () => {
  it("tracks line and column across multi-line strings and comments", () => {
    const { tokens } = lex("SELECT 'a\nb', /* x\ny */ c\n  FROM t");
    const c = tokens.find((t) => t.value === "c")!;
    expect([c.line, c.col]).toEqual([3, 6]);
    const from = tokens.find((t) => t.upper === "FROM")!;
    expect([from.line, from.col]).toEqual([4, 3]);
  });
});

describe("lexer: bad input gives diagnostics, never exceptions", () => {
  it.each([
    ["'unterminated", "TSQL1001"],
    ["[unterminated", "TSQL1001"],
    ["/* unterminated", "TSQL1002"],
    ["SELECT \u0001", "TSQL1003"],
  ])("%j", (text, code) => {
    const { diagnostics } = lex(text);
    expect(diagnostics.map((d) => d.code)).toContain(code);
    expect(diagnostics[0]).toMatchObject({ file: "t.sql", line: 1 });
  });
});
