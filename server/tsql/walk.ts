// Generic traversal of the syntax tree. It does not know the node types: it descends into every
// property that holds an object or an array (except `loc`), so new node kinds are walked for free.
import type { Batch, Delete, Insert, Merge, Node, ObjectName, Statement, TableSource, Update, Variable } from "./ast.ts";
import { BUILTIN_ROWSET_FUNCTIONS } from "./keywords.ts";

export type Visitor = (node: Node, parent: Node | undefined, key: string) => void | boolean;

/**
 * Calls `visit` for `root` and every node below it, depth first, parents before children.
 * Return `false` from `visit` to skip a node's children.
 */
export function walk(root: Node | Node[], visit: Visitor): void {
  if (Array.isArray(root)) {
    for (const n of root) walk(n, visit);
    return;
  }
  // An explicit stack: trees from machine-generated SQL can be deep.
  const stack: { value: unknown; parent: Node | undefined; key: string }[] = [{ value: root, parent: undefined, key: "" }];
  while (stack.length) {
    const { value, parent, key } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent, key });
      continue;
    }
    const obj = value as Record<string, unknown>;
    let self = parent;
    if (typeof obj.kind === "string") {
      if (visit(obj as unknown as Node, parent, key) === false) continue;
      self = obj as unknown as Node;
    }
    const keys = Object.keys(obj);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      if (k === "loc") continue;
      const v = obj[k];
      if (v !== null && typeof v === "object") stack.push({ value: v, parent: self, key: k });
    }
  }
}

/** The direct child nodes of a node (nodes reachable without passing through another node). */
export function children(node: Node): Node[] {
  const out: Node[] = [];
  walk(node, (n) => {
    if (n === node) return true;
    out.push(n);
    return false;
  });
  return out;
}

/** The original text of a node, from the batch it was parsed in. */
export function sourceText(batch: Pick<Batch, "text">, node: { loc: { offset?: number; end?: number } }): string {
  const { offset, end } = node.loc;
  if (offset === undefined || end === undefined) return "";
  return batch.text.slice(offset, end);
}

/** The original text of a statement (same as `sourceText`, named for the common case). */
export function statementText(batch: Pick<Batch, "text">, statement: Statement): string {
  return sourceText(batch, statement);
}

export type ReferenceRole =
  | "table" // FROM/JOIN/INSERT/UPDATE/DELETE/MERGE/TRUNCATE target, FK target, trigger table, index table
  | "function" // user function call (schema-qualified scalar calls, table-valued functions)
  | "procedure" // EXEC target
  | "type" // user-defined data type
  | "sequence" // NEXT VALUE FOR
  | "synonym-target"
  | "select-into"; // SELECT ... INTO creates this table

export interface Reference {
  name: ObjectName;
  role: ReferenceRole;
}

/**
 * Object names a node refers to, with what they are used as. CTE names and table aliases are not
 * resolved here (the catalog does that): a TableRef whose single-part name matches a CTE of the
 * same statement is still reported, with `role: "table"`.
 */
export function references(root: Node | Node[]): Reference[] {
  const out: Reference[] = [];
  walk(root, (n, parent, key) => {
    switch (n.kind) {
      case "TableRef":
        out.push({ name: n.name, role: "table" });
        break;
      case "FunctionCall":
        if (n.name.schema || n.name.database) out.push({ name: n.name, role: "function" });
        else if (parent && parent.kind === "TableFunction" && !BUILTIN_ROWSET_FUNCTIONS.has(n.upperName)) out.push({ name: n.name, role: "function" });
        break;
      case "Exec":
        if (n.procedure.kind === "ObjectName") out.push({ name: n.procedure, role: "procedure" });
        break;
      case "DataType":
        if (n.userDefined) out.push({ name: n.typeName, role: "type" });
        break;
      case "NextValueFor":
        out.push({ name: n.sequence, role: "sequence" });
        break;
      case "CreateSynonym":
        out.push({ name: n.target, role: "synonym-target" });
        break;
      case "ForeignKey":
        out.push({ name: n.refTable, role: "table" });
        break;
      case "CreateTrigger":
        if (n.table) out.push({ name: n.table, role: "table" });
        break;
      case "CreateIndex":
      case "CreateStatistics":
        out.push({ name: n.table, role: "table" });
        break;
      case "Truncate":
      case "BulkInsert":
        out.push({ name: n.table, role: "table" });
        break;
      case "Select":
        if (n.into) out.push({ name: n.into, role: "select-into" });
        break;
      case "Output":
        if (n.into && n.into.kind === "ObjectName") out.push({ name: n.into, role: "table" });
        break;
    }
    void key;
    return true;
  });
  return out;
}

/**
 * The table an UPDATE/DELETE/MERGE/INSERT writes to, with `UPDATE x SET ... FROM dbo.t AS x` resolved:
 * when the target is a one-part name that is an alias in the FROM list, the aliased table (or table
 * variable) is returned. CTE targets come back as written (the caller knows its CTEs).
 */
export function dmlTarget(st: Insert | Update | Delete | Merge): ObjectName | Variable | undefined {
  const t = st.target;
  if (t.kind === "VariableTableRef") return t.variable;
  if (t.kind !== "TableRef") return undefined;
  if (st.kind === "Update" || st.kind === "Delete") {
    if (t.name.partCount === 1) {
      const alias = t.name.name.value.toLowerCase();
      let found: ObjectName | Variable | undefined;
      walkSources(st.from, (s) => {
        if (found) return;
        if (s.kind === "TableRef" && s.alias?.value.toLowerCase() === alias) found = s.name;
        else if (s.kind === "VariableTableRef" && s.alias?.value.toLowerCase() === alias) found = s.variable;
      });
      if (found) return found;
    }
  }
  return t.name;
}

function walkSources(sources: TableSource[], visit: (s: TableSource) => void): void {
  for (const s of sources) {
    visit(s);
    if (s.kind === "Join") walkSources([s.left, s.right], visit);
    else if (s.kind === "Pivot" || s.kind === "Unpivot") walkSources([s.source], visit);
  }
}
