// Helpers for the T-SQL tests (not used by production code).
import { expect } from "vitest";
import type { Expr, Statement } from "./ast.ts";
import { parseScript, walk, type ParseResult } from "./index.ts";

/** Every node of a finished tree has a real location inside its batch. */
export function expectLocated(r: ParseResult): void {
  for (const b of r.batches) {
    walk(b.statements, (n) => {
      const loc = (n as { loc?: { line: number; column: number; offset?: number; end?: number } }).loc;
      if (!loc) return;
      if (!(loc.line >= 1 && loc.column >= 1)) throw new Error(`${n.kind} has no location`);
    });
  }
}

export function parse(sql: string, vars?: Record<string, string>): ParseResult {
  const r = parseScript(sql, { file: "test.sql", ...(vars ? { vars } : {}) });
  expectLocated(r);
  return r;
}

/** Parses text that must hold exactly one statement, without error or warning diagnostics. */
export function one(sql: string): Statement {
  const r = parse(sql); // also checks every node's location
  const bad = r.diagnostics.filter((d) => d.severity === "error" || d.severity === "warning");
  expect(bad, `diagnostics for: ${sql}`).toEqual([]);
  const statements = r.batches.flatMap((b) => b.statements);
  expect(statements.map((s) => s.kind), `statements of: ${sql}`).toHaveLength(1);
  return statements[0]!;
}

/** The expression of `SELECT <expr>`. */
export function expr(sql: string): Expr {
  const s = one(`SELECT ${sql}`);
  if (s.kind !== "SelectStatement" || s.query.kind !== "Select") throw new Error("not a select");
  const item = s.query.columns[0]!;
  if (item.kind !== "SelectItem") throw new Error("not a select item");
  return item.expr;
}

/** Compact rendering of an expression tree, for precedence tests: (a + (b * c)). */
export function shape(e: Expr): string {
  switch (e.kind) {
    case "Binary":
      return `(${shape(e.left)} ${e.op} ${shape(e.right)})`;
    case "Unary":
      return `(${e.op} ${shape(e.operand)})`;
    case "Literal":
      return e.literalType === "string" || e.literalType === "nstring" ? `'${e.value}'` : e.value;
    case "ColumnRef":
      return e.table ? `${e.table.name.value}.${e.name.value}` : e.name.value;
    case "Variable":
      return e.name;
    case "Paren":
      return `[${shape(e.expr)}]`;
    case "Between":
      return `(${shape(e.expr)} ${e.not ? "NOT " : ""}BETWEEN ${shape(e.low)} AND ${shape(e.high)})`;
    case "Like":
      return `(${shape(e.expr)} ${e.not ? "NOT " : ""}LIKE ${shape(e.pattern)}${e.escape ? ` ESCAPE ${shape(e.escape)}` : ""})`;
    case "InList":
      return `(${shape(e.expr)} ${e.not ? "NOT " : ""}IN ${e.list.map(shape).join(", ")})`;
    case "IsNull":
      return `(${shape(e.expr)} IS ${e.not ? "NOT " : ""}NULL)`;
    case "FunctionCall":
      return `${e.upperName}(${e.args.map(shape).join(", ")})`;
    case "Collate":
      return `(${shape(e.expr)} COLLATE ${e.collation})`;
    case "Star":
      return "*";
    default:
      return e.kind;
  }
}
