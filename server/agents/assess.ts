// The assess stage's deterministic part: metrics read from each object's syntax tree, a complexity
// score, a tier (SIMPLE / MEDIUM / COMPLEX / CRITICAL) and coded risk factors. The tier routes model
// calls (server/llm picks a bigger model for harder tiers) and orders review work; the risk factors
// tell a person why an object is hard. Pure: the same catalog always gives the same answer, so a
// resumed run re-derives it instead of checkpointing it.
import type { CatalogObject } from "../catalog/model.ts";
import type { Node } from "../tsql/ast.ts";
import { walk } from "../tsql/walk.ts";
import { complexityOf } from "../translate/project/complexity.ts";
import type { ComplexityTier } from "../llm/types.ts";

export interface ObjectMetrics {
  statements: number;
  loops: number;
  cursors: number;
  dynamicSql: number;
  tempTables: number;
  pivots: number;
  xml: number;
  /** Deepest nesting of control flow and subqueries. */
  nestingDepth: number;
  lines: number;
  transactions: number;
  /** The translator's effort score (server/translate/project/complexity.ts). */
  base: number;
}

export interface RiskFactor {
  code: string;
  message: string;
}

export interface Assessment {
  id: string;
  score: number;
  tier: ComplexityTier;
  metrics: ObjectMetrics;
  riskFactors: RiskFactor[];
}

const STATEMENT_KINDS = new Set([
  "Select", "SelectStatement", "Insert", "Update", "Delete", "Merge", "If", "While", "Declare", "DeclareVariable", "DeclareTableVariable",
  "DeclareCursor", "SetVariable", "SelectAssign", "Exec", "ExecString", "Return", "Throw", "Raiserror", "Print", "Truncate", "TryCatch",
  "Transaction", "Fetch", "CursorOp", "Waitfor", "Goto", "Break", "Continue",
]);
const NESTING_KINDS = new Set(["If", "While", "TryCatch", "Subquery", "DerivedTable", "Exists", "InSubquery", "Cte"]);
const XML_METHODS = /^(nodes|value|query|exist|modify)$/i;

function nameText(n: unknown): string {
  const o = n as { name?: { value?: string } | string; value?: string } | undefined;
  if (!o) return "";
  if (typeof o.name === "string") return o.name;
  return o.name?.value ?? o.value ?? "";
}

export function objectMetrics(o: CatalogObject): ObjectMetrics {
  const text = o.module?.text ?? "";
  const m: ObjectMetrics = {
    statements: 0, loops: 0, cursors: 0, dynamicSql: 0, tempTables: 0, pivots: 0, xml: 0, nestingDepth: 0, transactions: 0,
    lines: text ? text.split("\n").length : 0,
    base: complexityOf(o),
  };
  const ast = o.module?.ast as Node | undefined;
  if (!ast) {
    // Unparsed module text still tells something: count the constructs by keyword.
    if (text) {
      m.loops = (text.match(/\bWHILE\b/gi) ?? []).length;
      m.cursors = (text.match(/\bCURSOR\b/gi) ?? []).length;
      m.dynamicSql = (text.match(/\bsp_executesql\b|\bEXEC(UTE)?\s*\(/gi) ?? []).length;
      m.tempTables = new Set((text.match(/#\w+/g) ?? []).map((s) => s.toLowerCase())).size;
      m.pivots = (text.match(/\b(UN)?PIVOT\b/gi) ?? []).length;
      m.xml = (text.match(/\bFOR\s+XML\b|\.nodes\s*\(|\bOPENXML\b/gi) ?? []).length;
    }
    return m;
  }
  const depth = new Map<Node, number>();
  const temps = new Set<string>();
  walk(ast, (n, parent) => {
    const d = (parent ? (depth.get(parent) ?? 0) : 0) + (NESTING_KINDS.has(n.kind) ? 1 : 0);
    depth.set(n, d);
    if (d > m.nestingDepth) m.nestingDepth = d;
    if (STATEMENT_KINDS.has(n.kind)) m.statements++;
    switch (n.kind) {
      case "While":
        m.loops++;
        break;
      case "DeclareCursor":
      case "DeclareCursorVariable":
      case "CursorDefinition":
        m.cursors++;
        break;
      case "ExecString":
        m.dynamicSql++;
        break;
      case "Exec": {
        const up = (n as { upperName?: string }).upperName ?? "";
        if (up === "SP_EXECUTESQL" || up === "") m.dynamicSql++;
        break;
      }
      case "Pivot":
      case "Unpivot":
        m.pivots++;
        break;
      case "MethodCall":
        if (XML_METHODS.test(nameText((n as unknown as { method?: unknown }).method) || nameText(n))) m.xml++;
        break;
      case "Transaction":
        m.transactions++;
        break;
      case "ObjectName": {
        const v = nameText(n);
        if (v.startsWith("#")) temps.add(v.toLowerCase());
        break;
      }
    }
    return true;
  });
  if (/\bFOR\s+XML\b|\bOPENXML\b/i.test(text)) m.xml++;
  m.tempTables = temps.size;
  return m;
}

/**
 * Score: the translator's effort score plus weights for what rules translate worst (loops and
 * cursors are row-by-row logic, dynamic SQL is unreadable until run time, temp tables are state).
 * Thresholds were set on the development corpus so that plain views are SIMPLE and the long
 * cursor-driven procedures CRITICAL; they order work, they are not a quality claim.
 */
export function complexityScore(m: ObjectMetrics): number {
  return (
    m.base +
    m.loops * 4 +
    m.cursors * 6 +
    m.dynamicSql * 8 +
    m.tempTables * 3 +
    m.pivots * 3 +
    m.xml * 3 +
    Math.max(0, m.nestingDepth - 2) * 2 +
    Math.floor(m.lines / 50) +
    m.transactions * 2
  );
}

export function tierOf(score: number, m: ObjectMetrics): ComplexityTier {
  // Dynamic SQL and cursors make an object at least COMPLEX whatever its size.
  if (score >= 60 || (m.dynamicSql > 0 && m.cursors > 0)) return "CRITICAL";
  if (score >= 25 || m.dynamicSql > 0 || m.cursors > 0) return "COMPLEX";
  if (score >= 8) return "MEDIUM";
  return "SIMPLE";
}

/** Coded risk factors (AGT11xx, docs/diagnostic-codes.md). */
export function riskFactors(m: ObjectMetrics): RiskFactor[] {
  const out: RiskFactor[] = [];
  if (m.dynamicSql) out.push({ code: "AGT1101", message: `${m.dynamicSql} dynamic SQL statement(s): the SQL that runs is only known at run time` });
  if (m.cursors) out.push({ code: "AGT1102", message: `${m.cursors} cursor(s): row-by-row logic that dbt expresses as set-based SQL` });
  if (m.loops) out.push({ code: "AGT1103", message: `${m.loops} WHILE loop(s)` });
  if (m.tempTables) out.push({ code: "AGT1104", message: `${m.tempTables} temporary table(s): intermediate state that becomes CTEs or ephemeral models` });
  if (m.pivots) out.push({ code: "AGT1105", message: `${m.pivots} PIVOT/UNPIVOT: columns depend on listed values` });
  if (m.xml) out.push({ code: "AGT1106", message: `${m.xml} XML construct(s) (FOR XML, .nodes/.value, OPENXML)` });
  if (m.nestingDepth > 4) out.push({ code: "AGT1107", message: `nesting depth ${m.nestingDepth} (control flow and subqueries)` });
  if (m.lines > 300) out.push({ code: "AGT1108", message: `${m.lines} lines` });
  if (m.transactions) out.push({ code: "AGT1109", message: `${m.transactions} transaction statement(s): dbt models have no transaction control` });
  return out;
}

export function assessObject(o: CatalogObject): Assessment {
  const metrics = objectMetrics(o);
  const score = complexityScore(metrics);
  return { id: o.id, score, tier: tierOf(score, metrics), metrics, riskFactors: riskFactors(metrics) };
}
