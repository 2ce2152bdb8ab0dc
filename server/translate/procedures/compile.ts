// Compiles etl (and the etl part of mixed) procedures into dbt models whose end state equals the
// tables the procedure leaves behind. The body is executed symbolically, statement by statement:
// each persistent or temporary table written gets a plan (full rebuild or incremental), every
// SELECT and expression goes through the translator (so SQL Server semantics are kept and its
// diagnostics carried), parameters become dbt vars, IF on parameters becomes Jinja. What cannot be
// expressed exactly is refused with a PROC1xxx error naming the statement and the reason.
import type { Catalog, CatalogObject, Column as CatalogColumn } from "../../catalog/model.ts";
import type { ModelInput, Selector } from "../../dbt/project.ts";
import { toIdentifier } from "../../dbt/naming.ts";
import { diagnostic, type Diagnostic } from "../../diagnostics.ts";
import type * as A from "../../tsql/ast.ts";
import { parseExpression, parseScript, printDataType, printExpr, walk } from "../../tsql/index.ts";
import { mapColumnType, postgresIdentifier, translateQuery, type TranslateContext } from "../index.ts";
import { catalogResolver, classifyAll, dmlTarget, flattenStatements, stmtWord, type ProcedureClass } from "./classify.ts";

const flattenDeep = (s: A.Statement): A.Statement[] => flattenStatements([s]);

export const TMP_SCHEMA = "__dm_tmp";

export interface CompileProceduresOptions {
  /** Jinja for a catalog table no compiled procedure writes (default `{{ source('<schema>', '<table>') }}`, lower-cased). */
  sourceRelation?: (table: CatalogObject) => string;
  /** Jinja for a view (default `{{ ref('<view snake>') }}`). */
  viewRelation?: (view: CatalogObject) => string;
  /** Model name for a table a procedure rebuilds (default: the table name in snake_case, schema-prefixed outside dbo). */
  modelName?: (table: CatalogObject) => string;
  /** Names already taken in the project (staging and view models). */
  reservedNames?: Iterable<string>;
  /** Schema of the tsql_* runtime functions (same as the rest of the project). */
  runtimeSchema?: string;
}

export interface LineageStatement {
  file: string;
  line: number;
  statement: string;
  /** Model it became part of, or null when not carried over. */
  model: string | null;
  effect: string;
}

export interface ProcedureReport {
  id: string;
  schema: string;
  name: string;
  kind: "procedure" | "trigger";
  class: ProcedureClass;
  reason: string;
  /** converted: models produced; needs_review: PROC1xxx errors; out_of_scope: application/admin; orchestration: selector. */
  status: "converted" | "needs_review" | "out_of_scope" | "orchestration";
  models: string[];
  /** Tables it writes (catalog ids) and reads. */
  writes: string[];
  reads: string[];
  lineage: LineageStatement[];
  /** Procedures that must run before this one (they write what it reads). */
  after: string[];
  diagnostics: Diagnostic[];
  file: string;
  line: number;
}

export interface CompileProceduresResult {
  models: ModelInput[];
  selectors: Selector[];
  /** Project vars (parameter defaults), `<procedure>__<parameter>`. */
  vars: Record<string, unknown>;
  /** Parameters without a default that models use: dbt fails without --vars for them, as the procedure fails without the argument. */
  requiredVars: { name: string; procedure: string; parameter: string; type: string }[];
  reportObjects: ProcedureReport[];
  /** Procedure ids in an order that respects reads-after-writes. */
  order: string[];
  /** Catalog table id → model that rebuilds it (refs to these tables should point at the model). */
  tableModels: Map<string, string>;
  runtimeFunctions: string[];
  diagnostics: Diagnostic[];
}

// ------------------------------------------------------------------------------------------------
// small AST helpers

type Loc = A.Loc;
const ident = (value: string, loc: Loc): A.Identifier => ({ kind: "Identifier", value, quote: "bracket", loc });
const oname = (schema: string | undefined, name: string, loc: Loc): A.ObjectName => ({ kind: "ObjectName", ...(schema ? { schema: ident(schema, loc) } : {}), name: ident(name, loc), partCount: schema ? 2 : 1, loc });
const col = (table: string | undefined, name: string, loc: Loc): A.ColumnRef => ({ kind: "ColumnRef", ...(table ? { table: oname(undefined, table, loc) } : {}), name: ident(name, loc), loc });
const item = (expr: A.Expr, alias: string, loc: Loc): A.SelectItem => ({ kind: "SelectItem", expr, alias: ident(alias, loc), aliasStyle: "as", loc });
const select = (columns: A.SelectItem[], from: A.TableSource[], loc: Loc, where?: A.Expr): A.Select => ({ kind: "Select", distinct: false, all: false, columns, from, ...(where ? { where } : {}), orderBy: [], option: [], loc });
const lit = (value: string, loc: Loc, literalType: A.Literal["literalType"] = "string"): A.Literal => ({ kind: "Literal", literalType, value, loc });
const lower = (s: string) => s.toLowerCase();

function dataTypeOf(t: NonNullable<CatalogColumn["type"]>, loc: Loc): A.DataType {
  const args: (number | "max")[] = [];
  const n = t.name.toLowerCase();
  if (t.length !== undefined && /char|binary/.test(n)) args.push(t.length === -1 ? "max" : t.length);
  else if (n === "decimal" || n === "numeric") args.push(t.precision ?? 18, t.scale ?? 0);
  else if (/^(datetime2|time|datetimeoffset)$/.test(n) && t.scale !== undefined) args.push(t.scale);
  else if (n === "float" && t.precision !== undefined) args.push(t.precision);
  return { kind: "DataType", name: t.userDefined ? t.name : t.name.toUpperCase(), typeName: oname(t.schema, t.name, loc), args, userDefined: Boolean(t.userDefined), ...(t.schema ? { schema: t.schema } : {}), loc };
}

/** Deep copy with nodes replaced where `f` returns a value. Locations are shared. */
function rewrite<T>(n: T, f: (x: A.Node) => A.Node | undefined): T {
  if (Array.isArray(n)) return n.map((x) => rewrite(x, f)) as T;
  if (n && typeof n === "object") {
    const obj = n as unknown as Record<string, unknown>;
    if (typeof obj.kind === "string") {
      const r = f(n as unknown as A.Node);
      if (r !== undefined) return r as unknown as T;
    }
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(obj)) o[k] = k === "loc" ? obj[k] : rewrite(obj[k], f);
    return o as T;
  }
  return n;
}

function conjuncts(e: A.Expr | undefined): A.Expr[] {
  if (!e) return [];
  if (e.kind === "Binary" && e.op === "AND") return [...conjuncts(e.left), ...conjuncts(e.right)];
  if (e.kind === "Paren") return conjuncts(e.expr);
  return [e];
}

const NONDETERMINISTIC = /^(GETDATE|GETUTCDATE|SYSDATETIME|SYSUTCDATETIME|SYSDATETIMEOFFSET|CURRENT_TIMESTAMP|NEWID|NEWSEQUENTIALID|RAND|SUSER_SNAME|SUSER_NAME|USER_NAME|HOST_NAME|APP_NAME|SYSTEM_USER|CURRENT_USER|SESSION_USER|ORIGINAL_LOGIN)$/;
function hasNondeterministic(e: A.Node): boolean {
  let yes = false;
  walk(e, (n) => {
    if (n.kind === "FunctionCall" && NONDETERMINISTIC.test(n.upperName)) yes = true;
    return yes ? false : undefined;
  });
  return yes;
}

/** Text of an expression with one table qualifier removed, for comparing SET and INSERT values. */
function canonical(e: A.Expr, aliases: string[]): string {
  const al = new Set(aliases.map(lower));
  const strip = (n: A.Node): A.Node | undefined => {
    if (n.kind === "Paren") return rewrite(n.expr, strip);
    if (n.kind === "ColumnRef" && n.table && !n.table.schema && al.has(lower(n.table.name.value))) return { ...n, table: oname(undefined, "__src", n.loc) };
    return undefined;
  };
  return lower(printExpr(rewrite(e, strip)));
}

function referencesAlias(e: A.Node, alias: string): boolean {
  let yes = false;
  walk(e, (n) => {
    if (n.kind === "ColumnRef" && n.table && !n.table.schema && lower(n.table.name.value) === lower(alias)) yes = true;
    return yes ? false : undefined;
  });
  return yes;
}

function stmtLabel(st: A.Statement): string {
  return stmtWord(st.kind, st.kind === "SelectStatement" && st.query.kind === "Select" && !!st.query.into);
}

// ------------------------------------------------------------------------------------------------
// plans

interface TargetPlan {
  key: string; // lower-case catalog id, or __dm_tmp.<name>
  table: CatalogObject;
  temp: boolean;
  /** true: the procedure empties the table first (TRUNCATE / DELETE all / SELECT INTO / temp). */
  rebuilt: boolean;
  parts: string[];
  /** Fold steps applied after the parts (UPDATE/DELETE), each a SELECT over `__dm_s<n-1>`. */
  steps: string[];
  incremental?: { strategy: "append" | "merge"; uniqueKey: string[] };
  /** UPDATE of rows earlier runs loaded (incremental target): the table after it, and the rows it changed. */
  incUpdate?: { full: string; changed: string };
  /** Temp tables filled only with literal rows (column name → value), for unrolling cursors over them. */
  constRows?: Map<string, A.Expr>[];
  /** Loaded from a file (BULK INSERT): stays a source, no model. */
  external?: boolean;
  lines: number[];
}

class Refusal extends Error {}

interface State {
  plans: Map<string, TargetPlan>;
  /** Local variables: definition (inlined where used) and the tables it read. */
  vars: Map<string, { expr?: A.Expr; reads: Set<string>; stale?: string; line: number }>;
  temps: Map<string, CatalogObject>;
}

const cloneState = (s: State): State => ({
  plans: new Map([...s.plans].map(([k, p]) => [k, { ...p, parts: [...p.parts], steps: [...p.steps], lines: [...p.lines] }])),
  vars: new Map([...s.vars].map(([k, v]) => [k, { ...v, reads: new Set(v.reads) }])),
  temps: new Map(s.temps),
});

interface PathResult {
  plans: Map<string, TargetPlan>;
  sql: Map<string, string>;
}

// ------------------------------------------------------------------------------------------------

class ProcedureCompiler {
  readonly diagnostics: Diagnostic[] = [];
  readonly lineage: LineageStatement[] = [];
  readonly runtime = new Set<string>();
  readonly notes = new Set<string>();
  readonly paramVars = new Map<string, { varName: string; parameter: string; type: A.DataType; default?: unknown }>();
  private readonly resolver;
  private readonly procSnake: string;
  private paths = 0;
  catalog: Catalog;

  constructor(
    readonly proc: CatalogObject,
    readonly ast: A.ProcedureStatement,
    catalog: Catalog,
    readonly opts: CompileProceduresOptions,
    /** Tables rebuilt by other procedures' models. */
    readonly otherModels: Map<string, string>,
    readonly modelOfTable: (t: CatalogObject) => string,
  ) {
    this.catalog = catalog;
    this.resolver = catalogResolver(catalog, proc.schema);
    this.procSnake = toIdentifier(proc.schema.toLowerCase() === "dbo" ? proc.name : `${proc.schema}_${proc.name}`, { reserved: "keep" });
    for (const p of ast.params) {
      const varName = `${this.procSnake}__${toIdentifier(p.name.replace(/^@+/, ""), { reserved: "keep" })}`;
      let def: unknown;
      if (p.default?.kind === "Literal") def = p.default.literalType === "null" ? null : /integer|decimal|float|money/.test(p.default.literalType) ? Number(p.default.value) : p.default.value;
      this.paramVars.set(lower(p.name), { varName, parameter: p.name, type: p.type, ...(p.default ? { default: def } : {}) });
    }
  }

  at(st: { loc: Loc }) {
    return { file: st.loc.file, line: st.loc.line };
  }
  refuse(code: string, message: string, st: { loc: Loc }): never {
    this.diagnostics.push(diagnostic(code, "error", message, this.at(st)));
    throw new Refusal(message);
  }
  note(kind: string, message: string, st: { loc: Loc }) {
    if (this.notes.has(kind)) return;
    this.notes.add(kind);
    this.diagnostics.push(diagnostic("PROC3001", "note", message, this.at(st)));
  }

  // ---------------------------------------------------------------- names and relations

  tempKey(name: string): string {
    return `${TMP_SCHEMA}.${lower(name.replace(/^[#@]+/, ""))}`;
  }
  tempModelName(name: string): string {
    return `int_${this.procSnake}__${toIdentifier(name.replace(/^[#@]+/, ""), { reserved: "keep" })}`;
  }

  /** Turns #temp names and @table variables into names of synthetic tables in TMP_SCHEMA. */
  renameTemps<T>(node: T): T {
    return rewrite(node, (n) => {
      if (n.kind === "ObjectName" && n.name.value.startsWith("#")) return oname(TMP_SCHEMA, lower(n.name.value.replace(/^#+/, "")), n.loc);
      if (n.kind === "VariableTableRef") {
        const tr: A.TableRef = { kind: "TableRef", name: oname(TMP_SCHEMA, lower(n.variable.name.replace(/^@+/, "")), n.loc), hints: [], loc: n.loc, alias: n.alias ?? ident(n.variable.name.replace(/^@+/, ""), n.loc) };
        return tr;
      }
      return undefined;
    });
  }

  /** Replaces parameters by typed markers and local variables by their definitions. */
  substituteVars<T>(node: T, st: { loc: Loc }, state: State): T {
    return rewrite(node, (n) => {
      if (n.kind !== "Variable" || n.global) {
        if (n.kind === "Variable" && n.global) this.refuse("PROC1006", `${n.name} (a session value of the last statement) has no meaning in a dbt model`, st);
        return undefined;
      }
      const key = lower(n.name);
      const p = this.paramVars.get(key);
      if (p) {
        // dbt vars arrive as text; date/time values are converted from text the way SQL Server converts a string.
        const marker: A.Expr = /DATE|TIME/.test(p.type.name)
          ? { kind: "Cast", fn: "CAST", expr: lit(`__DMV_${p.varName}__`, n.loc), type: { kind: "DataType", name: "NVARCHAR", typeName: oname(undefined, "nvarchar", n.loc), args: [4000], userDefined: false, loc: n.loc }, loc: n.loc }
          : lit(`__DMV_${p.varName}__`, n.loc);
        const c: A.Cast = { kind: "Cast", fn: "CAST", expr: marker, type: p.type, loc: n.loc };
        return { kind: "Paren", expr: c, loc: n.loc } as A.Paren;
      }
      const v = state.vars.get(key);
      if (!v?.expr) this.refuse("PROC1006", `variable ${n.name} has no value that can be computed in SQL at this point (it is set in a loop, by a cursor, from @@ROWCOUNT, or not at all)`, st);
      let random = false;
      walk(v.expr, (x) => {
        if (x.kind === "FunctionCall" && /^(NEWID|RAND|NEWSEQUENTIALID|CRYPT_GEN_RANDOM)$/.test(x.upperName)) random = true;
        return random ? false : undefined;
      });
      if (random) this.refuse("PROC1006", `variable ${n.name} (line ${v.line}) holds one random value for the whole run; inlined into the query it would be drawn again for every row`, st);
      if (v.stale) this.refuse("PROC1006", `variable ${n.name} (set at line ${v.line}) was computed from ${v.stale} before the procedure changed it; inlining its query would read the new rows`, st);
      return { kind: "Paren", expr: this.substituteVars(v.expr, st, state), loc: n.loc } as A.Paren;
    });
  }

  emptyRelation(t: CatalogObject): string {
    const cols = t.columns.filter((c) => !c.computed).map((c) => `cast(null as ${c.type ? mapColumnType(c.type).sql : "text"}) as ${postgresIdentifier(c.name)}`);
    return `(select ${cols.join(", ")} where false)`;
  }

  /** Translator context for one statement of the plan for `current` (undefined: not writing). */
  context(state: State, current: TargetPlan | undefined, selfAs: "this" | "inc" | "step" | "none"): TranslateContext {
    const tempObjects = [...state.temps.values()];
    const catalog = tempObjects.length ? { ...this.catalog, objects: [...this.catalog.objects, ...tempObjects] } : this.catalog;
    return {
      catalog,
      runtimeSchema: this.opts.runtimeSchema ?? "tsql",
      file: this.proc.file,
      resolveRelation: (name, info) => {
        const id = info.id ?? (name.schema && lower(name.schema.value) === TMP_SCHEMA ? `${TMP_SCHEMA}.${lower(name.name.value)}` : undefined);
        if (!id) return undefined;
        const key = lower(id);
        if (current && key === current.key) {
          if (selfAs === "step") return current.steps.length ? `__dm_s${current.steps.length}` : "__dm_load";
          if (selfAs === "this" && current.incUpdate) return `(\n${current.incUpdate.full}\n)`;
          if (selfAs === "this" || selfAs === "inc") return current.rebuilt ? this.emptyRelation(current.table) : `{% if is_incremental() %}{{ this }}{% else %}${this.emptyRelation(current.table)}{% endif %}`;
        }
        const own = state.plans.get(key);
        if (own) {
          if (own.temp) return `{{ ref('${this.tempModelName(own.table.name)}') }}`;
          this.refuse("PROC1008", `reads ${own.table.id} after writing it earlier in the procedure; a model cannot read another model's half-built state`, { loc: name.loc });
        }
        if (key.startsWith(`${TMP_SCHEMA}.`)) this.refuse("PROC1006", `reads temporary table ${name.name.value} that this procedure did not fill`, { loc: name.loc });
        const obj = info.object;
        const other = this.otherModels.get(key);
        if (other) return `{{ ref('${other}') }}`;
        if (obj?.kind === "table") return this.opts.sourceRelation ? this.opts.sourceRelation(obj) : `{{ source('${toIdentifier(obj.schema, { reserved: "keep" })}', '${lower(obj.name)}') }}`;
        if (obj?.kind === "view") return this.opts.viewRelation ? this.opts.viewRelation(obj) : `{{ ref('${toIdentifier(obj.name, { reserved: "keep" })}') }}`;
        return undefined;
      },
    };
  }

  translate(q: A.QueryExpr | A.SelectStatement, ctx: TranslateContext, st: A.Statement): string {
    // Computed columns have no type in the catalog: comparisons on them cannot be translated faithfully.
    const untyped = new Map<string, string>();
    walk(q, (n) => {
      if (n.kind === "TableRef") {
        const id = this.resolver.id(n.name);
        const o = id ? this.catalog.objects.find((x) => x.id === id) : undefined;
        for (const c of o?.columns ?? []) if (c.computed && !c.type) untyped.set(lower(c.name), `${o!.id}.${c.name}`);
      }
      if (n.kind === "NextValueFor") this.refuse("PROC1007", `NEXT VALUE FOR ${n.sequence.name.value}: the dbt project creates no sequences, and each run would draw new numbers`, st);
      return undefined;
    });
    if (untyped.size)
      walk(q, (n) => {
        if (n.kind === "ColumnRef" && untyped.has(lower(n.name.value)))
          this.refuse("PROC1011", `reads computed column ${untyped.get(lower(n.name.value))}, whose type the catalog does not know; its comparisons cannot be translated with SQL Server's semantics`, st);
        return undefined;
      });
    const t = translateQuery(q, ctx);
    for (const r of t.runtimeFunctions) this.runtime.add(r);
    for (const d of t.diagnostics) this.diagnostics.push({ ...d, file: d.file || this.proc.file });
    if (t.diagnostics.some((d) => d.severity === "error")) throw new Refusal(`translation of ${stmtLabel(st)} failed`);
    return this.markers(t.sql);
  }

  markers(sql: string): string {
    return sql.replace(/'__DMV_([A-Za-z0-9_]+)__'/g, (_m, v: string) => {
      const p = [...this.paramVars.values()].find((x) => x.varName === v);
      // Quotes in a value are doubled, so a var is always one SQL string literal.
      const value = `'{{ var('${v}')|string|replace("'", "''") }}'`;
      return p && p.default === null ? `{% if var('${v}') is none %}NULL{% else %}${value}{% endif %}` : value;
    });
  }

  // ---------------------------------------------------------------- targets

  targetOf(t: A.TableSource | A.ObjectName, state: State, st: A.Statement): { key: string; table: CatalogObject; temp: boolean } | undefined {
    const n = t.kind === "ObjectName" ? t : t.kind === "TableRef" ? t.name : undefined;
    if (t.kind === "VariableTableRef" || (n && n.name.value.startsWith("#"))) {
      const raw = t.kind === "VariableTableRef" ? t.variable.name : n!.name.value;
      const key = this.tempKey(raw);
      const table = state.temps.get(key);
      return table ? { key, table, temp: true } : undefined;
    }
    if (!n) this.refuse("PROC1007", `${stmtLabel(st)} into a ${t.kind} target is not compiled`, st);
    const id = this.resolver.id(n);
    const obj = id ? this.catalog.objects.find((o) => o.id === id) : undefined;
    if (!obj || obj.kind !== "table") this.refuse("PROC1007", `${stmtLabel(st)} writes ${[n.schema?.value, n.name.value].filter(Boolean).join(".")}, which is not a table of the catalog`, st);
    return { key: lower(obj.id), table: obj, temp: false };
  }

  plan(state: State, target: { key: string; table: CatalogObject; temp: boolean }, st: A.Statement): TargetPlan {
    let p = state.plans.get(target.key);
    if (!p) {
      p = { key: target.key, table: target.table, temp: target.temp, rebuilt: target.temp, parts: [], steps: [], lines: [] };
      state.plans.set(target.key, p);
    }
    p.lines.push(st.loc.line);
    return p;
  }

  written(state: State, key: string) {
    for (const v of state.vars.values()) if (v.reads.has(key) && !v.stale) v.stale = key;
  }

  registerTemp(state: State, name: string, columns: CatalogColumn[], st: A.Statement) {
    const key = this.tempKey(name);
    const table: CatalogObject = { id: key, schema: TMP_SCHEMA, name: lower(name.replace(/^[#@]+/, "")), kind: "table", file: this.proc.file, line: st.loc.line, origin: "file", columns, constraints: [], indexes: [], dependsOn: [], references: [] };
    state.temps.set(key, table);
    state.plans.delete(key);
    return { key, table, temp: true };
  }

  columnsOfDefs(defs: A.ColumnDef[]): CatalogColumn[] {
    return defs.map((c) => ({
      name: c.name.value,
      nullable: c.nullable ?? true,
      ...(c.type ? { type: { name: c.type.name.toLowerCase(), ...(c.type.args[0] !== undefined && /CHAR|BINARY/.test(c.type.name) ? { length: c.type.args[0] === "max" ? -1 : c.type.args[0] } : {}), ...(/DECIMAL|NUMERIC/.test(c.type.name) ? { precision: Number(c.type.args[0] ?? 18), scale: Number(c.type.args[1] ?? 0) } : {}), ...(/DATETIME2|^TIME$|DATETIMEOFFSET/.test(c.type.name) && c.type.args[0] !== undefined ? { scale: Number(c.type.args[0]) } : {}) } } : {}),
      ...(c.identity ? { identity: { seed: c.identity.seed ? printExpr(c.identity.seed) : "1", increment: c.identity.increment ? printExpr(c.identity.increment) : "1" } } : {}),
      ...(c.default ? { default: { expression: printExpr(c.default.expr) } } : {}),
    }));
  }

  /** SELECT that yields target rows from a query's output, cast to the target's column types. */
  insertSelect(plan: TargetPlan, columns: string[], query: A.QueryExpr, withClause: A.WithClause | undefined, st: A.Statement, state: State, orderForIdentity?: A.OrderItem[]): string {
    const loc = st.loc;
    const table = plan.table;
    const given = columns.length ? columns : table.columns.filter((c) => !c.identity && !c.computed).map((c) => c.name);
    const byName = new Map(given.map((g, i) => [lower(g), `c${i + 1}`]));
    for (const g of given) if (!table.columns.some((c) => lower(c.name) === lower(g))) this.refuse("PROC1007", `INSERT names column ${g}, which ${table.id} does not have`, st);
    const derived: A.DerivedTable = { kind: "DerivedTable", query, alias: ident("__dm_src", loc), columns: given.map((_, i) => ident(`c${i + 1}`, loc)), loc };
    const items: A.SelectItem[] = [];
    for (const c of table.columns) {
      if (c.computed) {
        this.note(`computed:${table.id}.${c.name}`, `${table.id}.${c.name} is a computed column; the model leaves it out (compute it in a downstream model)`, st);
        continue;
      }
      const src = byName.get(lower(c.name));
      let e: A.Expr;
      if (src) e = col("__dm_src", src, loc);
      else if (c.identity) {
        // SQL Server numbers new rows from the current identity value on; the order is the INSERT's ORDER BY or undefined.
        const seed = Number(c.identity.seed) || 1;
        const inc = Number(c.identity.increment) || 1;
        this.diagnostics.push(diagnostic("PROC2001", "functional_difference", `identity column ${table.id}.${c.name} is numbered with row_number() from the current maximum; SQL Server assigns the values in an order it does not define${orderForIdentity?.length ? " (here: the INSERT's ORDER BY)" : ""}, so the numbers may pair with other rows`, this.at(st)));
        const self: A.TableRef = { kind: "TableRef", name: oname(table.schema, table.name, loc), hints: [], alias: ident("__dm_id", loc), loc };
        const max: A.Subquery = { kind: "Subquery", query: select([{ kind: "SelectItem", expr: { kind: "FunctionCall", name: oname(undefined, "ISNULL", loc), upperName: "ISNULL", args: [{ kind: "FunctionCall", name: oname(undefined, "MAX", loc), upperName: "MAX", args: [col("__dm_id", c.name, loc)], distinct: false, parens: true, loc }, lit(String(seed - inc), loc, "integer")], distinct: false, parens: true, loc }, loc }], [self], loc), loc };
        const order: A.OrderItem[] = given.map((_, i) => ({ kind: "OrderItem", expr: col("__dm_src", `c${i + 1}`, loc), loc }));
        const rn: A.FunctionCall = { kind: "FunctionCall", name: oname(undefined, "ROW_NUMBER", loc), upperName: "ROW_NUMBER", args: [], distinct: false, parens: true, over: { kind: "Over", partitionBy: [], orderBy: order, loc }, loc };
        e = { kind: "Binary", op: "+", left: max, right: { kind: "Binary", op: "*", left: rn, right: lit(String(inc), loc, "integer"), loc }, loc };
      } else if (c.default) {
        const p = parseExpression(c.default.expression, { file: table.file });
        if (!p.expr) this.refuse("PROC1007", `default of ${table.id}.${c.name} (${c.default.expression}) does not parse`, st);
        e = p.expr;
      } else e = lit("NULL", loc, "null");
      const typed: A.Expr = c.type ? { kind: "Cast", fn: "CAST", expr: e, type: dataTypeOf(c.type, loc), loc } : e;
      items.push(item(typed, c.name, loc));
    }
    const outer: A.SelectStatement = { kind: "SelectStatement", ...(withClause ? { with: withClause } : {}), query: select(items, [derived], loc), comments: [], loc };
    const q = this.substituteVars(this.renameTemps(outer), st, state);
    return this.translate(q, this.context(state, plan, "this"), st);
  }

  // ---------------------------------------------------------------- statements

  run(stmts: A.Statement[], state: State): PathResult[] {
    for (let i = 0; i < stmts.length; i++) {
      const st = stmts[i]!;
      if (st.kind === "Block") return this.run([...st.body, ...stmts.slice(i + 1)], state);
      if (st.kind === "TryCatch") {
        this.note("trycatch", "TRY/CATCH is not carried over: dbt runs each model in its own transaction and reports the failure", st);
        return this.run([...st.tryBody, ...stmts.slice(i + 1)], state);
      }
      if (st.kind === "If") {
        const cond = this.jinjaCondition(st.condition);
        if (cond === undefined) {
          if (this.onlyHousekeeping(st.then) && (!st.else || this.onlyHousekeeping(st.else))) {
            this.note("housekeeping-if", "IF ... DROP/PRINT/RETURN housekeeping is not carried over", st);
            continue;
          }
          this.refuse("PROC1005", `IF ${printExpr(st.condition).slice(0, 80)} depends on data or session state, not only on parameters; which branch runs cannot be decided when the models are built`, st);
        }
        this.paths += 2;
        if (this.paths > 32) this.refuse("PROC1005", "more than 16 parameter branches; too many variants to write as Jinja", st);
        const rest = stmts.slice(i + 1);
        const a = this.run([st.then, ...rest], cloneState(state));
        const b = this.run([...(st.else ? [st.else] : []), ...rest], cloneState(state));
        return [this.mergePaths(cond, a, b, st)];
      }
      if (st.kind === "While") {
        const del = this.batchedDelete(st);
        if (del) {
          this.lineageOf(st, null, "batched DELETE TOP (n) loop: one set-based DELETE");
          this.statement(del, state);
          continue;
        }
      }
      if (st.kind === "DeclareCursor") {
        const unrolled = this.constantCursor(stmts, i, state);
        if (unrolled) {
          this.lineageOf(st, null, `cursor over ${unrolled.rows} constant rows: the loop is unrolled, one copy of its body per row`);
          stmts = [...stmts.slice(0, i), ...unrolled.statements, ...stmts.slice(unrolled.next)];
          i--;
          continue;
        }
        const r = this.cursorLoop(stmts, i, state);
        this.statement(r.insert, state);
        this.lineageOf(st, null, "cursor loop (running total) rewritten as one set-based INSERT ... SELECT with a window SUM");
        i = r.next - 1;
        continue;
      }
      this.statement(st, state);
    }
    return [this.finish(state)];
  }

  onlyHousekeeping(st: A.Statement): boolean {
    if (st.kind === "Block") return st.body.every((s) => this.onlyHousekeeping(s));
    return st.kind === "Drop" || st.kind === "Print" || st.kind === "Return" || st.kind === "Raiserror" || st.kind === "Throw" || (st.kind === "Transaction");
  }

  /** Jinja for a condition over parameters and literals only. */
  jinjaCondition(e: A.Expr): string | undefined {
    switch (e.kind) {
      case "Paren": {
        const x = this.jinjaCondition(e.expr);
        return x === undefined ? undefined : `(${x})`;
      }
      case "Unary":
        if (e.op !== "NOT") return undefined;
        return ((x) => (x === undefined ? undefined : `not (${x})`))(this.jinjaCondition(e.operand));
      case "IsNull": {
        const v = this.jinjaValue(e.expr);
        return v === undefined ? undefined : `${v.sql} is ${e.not ? "not " : ""}none`;
      }
      case "Binary": {
        if (e.op === "AND" || e.op === "OR") {
          const l = this.jinjaCondition(e.left);
          const r = this.jinjaCondition(e.right);
          return l === undefined || r === undefined ? undefined : `${l} ${e.op.toLowerCase()} ${r}`;
        }
        const ops: Record<string, string> = { "=": "==", "<>": "!=", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">=" };
        const op = ops[e.op];
        const l = this.jinjaValue(e.left);
        const r = this.jinjaValue(e.right);
        if (!op || !l || !r) return undefined;
        // SQL Server compares strings case-insensitively (default collation) and ignores trailing
        // spaces; a comparison with NULL is not true, so a NULL parameter takes the ELSE branch.
        const cmp = l.string || r.string ? `(${l.sql}|string).lower().rstrip(' ') ${op} (${r.sql}|string).lower().rstrip(' ')` : `${l.sql} ${op} ${r.sql}`;
        const guards = [l, r].filter((x) => x.nullable).map((x) => `${x.raw} is not none`);
        return guards.length ? `(${[...guards, cmp].join(" and ")})` : cmp;
      }
    }
    return undefined;
  }

  jinjaValue(e: A.Expr): { sql: string; string: boolean; nullable?: boolean; raw?: string } | undefined {
    if (e.kind === "Paren") return this.jinjaValue(e.expr);
    if (e.kind === "Literal") {
      if (e.literalType === "string" || e.literalType === "nstring") return { sql: `'${e.value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`, string: true };
      if (e.literalType === "integer" || e.literalType === "decimal") return { sql: e.value, string: false };
      if (e.literalType === "null") return { sql: "none", string: false };
      return undefined;
    }
    if (e.kind === "Variable" && !e.global) {
      const p = this.paramVars.get(lower(e.name));
      if (!p) return undefined;
      const t = p.type.name;
      const raw = `var('${p.varName}')`;
      if (/INT|BIT/.test(t)) return { sql: `(${raw}|int)`, string: false, nullable: true, raw };
      if (/DECIMAL|NUMERIC|FLOAT|REAL|MONEY/.test(t)) return { sql: `(${raw}|float)`, string: false, nullable: true, raw };
      return { sql: raw, string: true, nullable: true, raw };
    }
    return undefined;
  }

  mergePaths(cond: string, a: PathResult[], b: PathResult[], st: A.Statement): PathResult {
    const pa = a[0]!;
    const pb = b[0]!;
    const plans = new Map(pa.plans);
    const sql = new Map<string, string>();
    const keys = new Set([...pa.sql.keys(), ...pb.sql.keys()]);
    for (const k of keys) {
      const x = pa.sql.get(k);
      const y = pb.sql.get(k);
      const px = pa.plans.get(k) ?? pb.plans.get(k)!;
      const py = pb.plans.get(k);
      if (!py) plans.set(k, px);
      if (x === y) {
        sql.set(k, x!);
        continue;
      }
      if (x === undefined || y === undefined) {
        if (px.temp) {
          sql.set(k, (x ?? y)!);
          continue;
        }
        this.refuse("PROC1005", `${px.table.id} is written only when {% if ${cond} %} is ${x === undefined ? "false" : "true"}; in the other case the procedure leaves it as earlier runs left it, which a model cannot reproduce`, st);
      }
      const pxa = pa.plans.get(k)!;
      if (JSON.stringify(pxa.incremental ?? null) !== JSON.stringify(py?.incremental ?? null) || pxa.rebuilt !== py?.rebuilt)
        this.refuse("PROC1005", `${px.table.id} is loaded differently (full rebuild vs incremental) in the two branches of the IF`, st);
      sql.set(k, `{% if ${cond} %}\n${x}\n{% else %}\n${y}\n{% endif %}`);
    }
    return { plans, sql };
  }

  finish(state: State): PathResult {
    const sql = new Map<string, string>();
    for (const [k, p0] of state.plans) {
      if (p0.external) continue;
      const p = p0.incUpdate ? { ...p0, parts: [p0.incUpdate.changed, ...p0.parts] } : p0;
      if (!p.parts.length) {
        if (p.rebuilt && !p.temp) sql.set(k, this.emptyRelation(p.table).replace(/^\(|\)$/g, ""));
        continue;
      }
      const load = p.parts.length === 1 ? p.parts[0]! : p.parts.map((x, i) => `select * from (\n${x}\n) as __dm_p${i + 1}`).join("\nunion all\n");
      if (!p.steps.length) sql.set(k, load);
      else {
        const ctes = [`__dm_load as (\n${load}\n)`, ...p.steps.map((s, i) => `__dm_s${i + 1} as (\n${s}\n)`)];
        sql.set(k, `with ${ctes.join(",\n")}\nselect * from __dm_s${p.steps.length}`);
      }
    }
    return { plans: state.plans, sql };
  }

  lineageOf(st: A.Statement, model: string | null, effect: string) {
    this.lineage.push({ file: st.loc.file, line: st.loc.line, statement: stmtLabel(st), model, effect });
  }

  statement(st: A.Statement, state: State): void {
    switch (st.kind) {
      case "SetOption":
        this.note("set", "SET options are not carried over (the translator keeps SQL Server's semantics; DATEFIRST and the like are read from the source settings)", st);
        return;
      case "Print":
        this.note("print", "PRINT messages are not carried over", st);
        return;
      case "Raiserror":
      case "Throw":
        this.note("raiserror", "RAISERROR/THROW are not carried over (dbt reports a failing model itself; add a data test for the condition that raised it)", st);
        return;
      case "Transaction":
        this.note("transaction", "BEGIN/COMMIT/ROLLBACK are not carried over: dbt runs each model in its own transaction", st);
        return;
      case "Return":
        this.note("return", "RETURN codes are not carried over", st);
        return;
      case "Drop":
        if (st.names.every((n) => n.name.value.startsWith("#"))) return;
        for (const n of st.names) {
          const t = this.targetOf(n, state, st);
          if (t) {
            const p = this.plan(state, t, st);
            p.parts = [];
            p.steps = [];
            p.rebuilt = true;
          }
        }
        return;
      case "Declare":
        for (const d of st.items) {
          if (d.kind === "DeclareVariable") this.defineVar(state, d.name, d.value, st);
          else if (d.kind === "DeclareTableVariable") this.registerTemp(state, d.name, this.columnsOfDefs(d.columns), st);
          else this.refuse("PROC1001", `cursor variable ${d.name}: row-by-row processing is not compiled`, st);
        }
        return;
      case "SetVariable":
        if (st.cursor) this.refuse("PROC1001", "cursor: row-by-row processing is not compiled into set-based SQL (rewrite it as one INSERT ... SELECT / UPDATE ... FROM, or review by hand)", st);
        if (!st.value) this.refuse("PROC1006", `${st.variable.name}: assignment without a value`, st);
        this.defineVar(state, st.variable.name, st.op === "=" ? st.value : { kind: "Binary", op: st.op[0] as A.BinaryOp, left: st.variable, right: st.value, loc: st.loc }, st);
        return;
      case "DeclareCursor":
      case "CursorOp":
      case "Fetch":
        this.refuse("PROC1001", "cursor: row-by-row processing is not compiled into set-based SQL (rewrite it as one INSERT ... SELECT / UPDATE ... FROM, or review by hand)", st);
      // falls through (refuse throws)
      case "While":
        this.refuse("PROC1001", "WHILE loop: only set-based statements are compiled; a loop's effect depends on how often it runs", st);
      // falls through
      case "Truncate": {
        const t = this.targetOf(st.table, state, st);
        if (!t) return;
        const p = this.plan(state, t, st);
        p.parts = [];
        p.steps = [];
        p.rebuilt = true;
        p.incremental = undefined;
        this.written(state, t.key);
        this.lineageOf(st, this.nameFor(p), "empties the table: the model is rebuilt in full");
        return;
      }
      case "CreateTable": {
        if (st.name.name.value.startsWith("#")) {
          this.registerTemp(state, st.name.name.value, this.columnsOfDefs(st.columns), st);
          return;
        }
        this.refuse("PROC1007", `CREATE TABLE ${st.name.name.value} inside the procedure: the table's shape changes at run time`, st);
      }
      // falls through
      case "BulkInsert": {
        const t = this.targetOf(st.table, state, st);
        if (!t || t.temp) this.refuse("PROC1007", "BULK INSERT into a temporary table: the file's rows are not visible to dbt", st);
        const p = this.plan(state, t, st);
        p.external = true;
        this.lineageOf(st, null, `loads file ${st.from} into ${t.table.id}: the table stays a dbt source, loaded by an extract/load tool (or dbt seed for a small CSV)`);
        this.diagnostics.push(diagnostic("PROC3008", "note", `BULK INSERT ${t.table.id} FROM '${st.from}': file loading is not a dbt job; ${t.table.id} stays a source, loaded by an EL tool (or \`dbt seed\` for a small CSV)`, this.at(st)));
        return;
      }
      case "SelectStatement":
        return this.selectStatement(st, state);
      case "Insert":
        return this.insert(st, state);
      case "Update":
        return this.update(st, state);
      case "Delete":
        return this.delete(st, state);
      case "Merge":
        return this.merge(st, state);
      case "Exec": {
        if (st.upperName === "SP_EXECUTESQL") return this.dynamic(st.args[0]?.value, st, state);
        const id = st.procedure.kind === "ObjectName" ? this.resolver.id(st.procedure) : undefined;
        if (id && this.catalog.objects.some((o) => o.id === id && o.kind === "procedure")) {
          this.lineageOf(st, null, `runs ${id}: its own models cover what it does; dbt orders them by their refs`);
          this.diagnostics.push(diagnostic("PROC3002", "note", `EXEC ${id} is not inlined: ${id} is compiled on its own and dbt runs its models in dependency order`, this.at(st)));
          return;
        }
        if (/^SP_(ADDEXTENDEDPROPERTY|UPDATEEXTENDEDPROPERTY)$/.test(st.upperName)) return;
        this.refuse("PROC1009", `EXEC ${st.procedure.kind === "ObjectName" ? st.procedure.name.value : st.procedure.name}: a call whose effect on tables is not known here`, st);
      }
      // falls through
      case "ExecString":
        return this.dynamic(st.parts.length === 1 ? st.parts[0] : st.parts.reduce<A.Expr>((l, r) => ({ kind: "Binary", op: "+", left: l, right: r, loc: st.loc }), lit("", st.loc)), st, state);
      case "Label":
        return;
      case "Waitfor":
        this.note("waitfor", "WAITFOR is not carried over", st);
        return;
      default:
        this.refuse("PROC1001", `${st.kind === "Command" ? st.keyword.toUpperCase() : st.kind} statement is not compiled into a model`, st);
    }
  }

  /**
   * WHILE loops that delete in batches (`DELETE TOP (n) ... WHERE c` until nothing is left) delete
   * every row matching c: one DELETE without TOP, when c does not read the table being deleted from.
   */
  batchedDelete(w: A.While): A.Delete | undefined {
    const body = w.body.kind === "Block" ? w.body.body : [w.body];
    const dels = body.filter((b): b is A.Delete => b.kind === "Delete");
    if (dels.length !== 1 || !dels[0]!.top) return undefined;
    const del = dels[0]!;
    const rowcount = (e: A.Expr) => printExpr(e).replace(/\s+/g, "").toUpperCase();
    const stop = (b: A.Statement) => b.kind === "If" && !b.else && (b.then.kind === "Break" || (b.then.kind === "Block" && b.then.body.length === 1 && b.then.body[0]!.kind === "Break")) && /^@@ROWCOUNT(=0|<\S+)$/.test(rowcount(b.condition));
    if (!body.every((b) => b === del || stop(b) || b.kind === "Print" || b.kind === "Waitfor" || b.kind === "Transaction" || (b.kind === "Command" && /^CHECKPOINT/i.test(b.text)))) return undefined;
    const cond = rowcount(w.condition);
    const sameExists = w.condition.kind === "Exists" || (w.condition.kind === "Paren" && w.condition.expr.kind === "Exists");
    if (!(cond === "1=1" || /^@@ROWCOUNT(>0|<>0|!=0)$/.test(cond) || sameExists)) return undefined;
    // The filter must not read the target: each batch would otherwise change what the next one sees.
    const target = dmlTarget(del);
    const tname = target.kind === "TableRef" ? lower(target.name.name.value) : undefined;
    let selfRead = false;
    if (del.where && tname)
      walk(del.where, (n) => {
        if (n.kind === "TableRef" && lower(n.name.name.value) === tname) selfRead = true;
        return selfRead ? false : undefined;
      });
    if (selfRead || !tname) return undefined;
    const { top: _top, ...rest } = del;
    return rest as A.Delete;
  }

  /**
   * A cursor over rows the procedure itself filled with constants (a table variable or temp table
   * loaded by INSERT ... VALUES of literals: a list of tables, regions, ...) is unrolled: the loop
   * body once per row, with the fetched variables set to that row's values. Dynamic SQL in the body
   * then folds into static statements.
   */
  constantCursor(stmts: A.Statement[], i: number, state: State): { statements: A.Statement[]; next: number; rows: number } | undefined {
    const decl = stmts[i] as A.DeclareCursor;
    const q = decl.cursor.query;
    if (q.with || q.query.kind !== "Select" || q.query.where || q.query.groupBy || q.query.from.length !== 1) return undefined;
    const sel = q.query;
    const from = sel.from[0]!;
    const key = from.kind === "VariableTableRef" ? this.tempKey(from.variable.name) : from.kind === "TableRef" && from.name.name.value.startsWith("#") ? this.tempKey(from.name.name.value) : undefined;
    const plan = key ? state.plans.get(key) : undefined;
    if (!plan?.constRows) return undefined;
    const cname = lower(decl.name.value);
    const isCursor = (c: A.Identifier | A.Variable) => lower("value" in c ? c.value : c.name) === cname;
    const open = stmts[i + 1];
    const first = stmts[i + 2];
    const loop = stmts[i + 3];
    if (open?.kind !== "CursorOp" || open.op !== "OPEN" || !isCursor(open.cursor)) return undefined;
    if (first?.kind !== "Fetch" || !isCursor(first.cursor)) return undefined;
    if (loop?.kind !== "While" || printExpr(loop.condition).replace(/\s+/g, "") !== "@@FETCH_STATUS=0") return undefined;
    const body = loop.body.kind === "Block" ? [...loop.body.body] : [loop.body];
    const last = body.pop();
    if (last?.kind !== "Fetch" || !isCursor(last.cursor)) return undefined;
    if (body.some((b) => flattenDeep(b).some((x) => x.kind === "Break" || x.kind === "Continue" || x.kind === "Goto" || x.kind === "Fetch"))) return undefined;
    const names = sel.columns.map((c) => (c.kind === "SelectItem" && c.expr.kind === "ColumnRef" ? lower(c.expr.name.value) : undefined));
    if (names.some((n) => n === undefined) || names.length !== first.into.length) return undefined;
    let next = i + 4;
    while (next < stmts.length && stmts[next]!.kind === "CursorOp" && isCursor((stmts[next] as A.CursorOp).cursor)) next++;
    const out: A.Statement[] = [];
    for (const row of plan.constRows) {
      first.into.forEach((v, k) => {
        const value = row.get(names[k]!);
        out.push({ kind: "SetVariable", variable: v, op: "=", value: value ?? lit("NULL", v.loc, "null"), comments: [], loc: v.loc });
      });
      out.push(...body);
    }
    return { statements: out, next, rows: plan.constRows.length };
  }

  /**
   * A cursor loop that computes running totals row by row and inserts one row per fetched row
   * becomes INSERT ... SELECT with SUM() OVER (PARTITION BY <reset key> ORDER BY <cursor order>):
   *   DECLARE c CURSOR FOR SELECT ... ORDER BY k, o;  OPEN c;  FETCH NEXT FROM c INTO @vars;
   *   WHILE @@FETCH_STATUS = 0 BEGIN
   *     [IF @prev IS NULL OR @prev <> @k SET @acc = <init>;]  SET @acc = @acc + <expr>;
   *     INSERT INTO t (...) VALUES (<@vars and @acc>);  [SET @prev = @k;]  FETCH NEXT FROM c INTO @vars;
   *   END  [CLOSE c; DEALLOCATE c;]
   * Anything else in the loop is refused (PROC1001) with the statement that did not fit.
   */
  cursorLoop(stmts: A.Statement[], i: number, state: State): { insert: A.Insert; next: number } {
    const decl = stmts[i] as A.DeclareCursor;
    const cname = lower(decl.name.value);
    const fail: (why: string, at?: { loc: Loc }) => never = (why, at = decl) => this.refuse("PROC1001", `cursor ${decl.name.value}: ${why}; only running totals inserted row by row are rewritten set-based (rewrite it as one INSERT ... SELECT / UPDATE ... FROM, or review by hand)`, at);
    const isCursor = (c: A.Identifier | A.Variable) => lower("value" in c ? c.value : c.name) === cname;
    let j = i + 1;
    const open = stmts[j];
    if (open?.kind !== "CursorOp" || open.op !== "OPEN" || !isCursor(open.cursor)) fail("OPEN does not follow the declaration");
    const first = stmts[++j];
    if (first?.kind !== "Fetch" || !isCursor(first.cursor) || (first.direction && first.direction !== "NEXT")) fail("the first FETCH NEXT does not follow OPEN");
    const loop = stmts[++j];
    if (loop?.kind !== "While" || printExpr(loop.condition).replace(/\s+/g, "") !== "@@FETCH_STATUS=0") fail("the loop is not WHILE @@FETCH_STATUS = 0");
    const body = loop.body.kind === "Block" ? [...loop.body.body] : [loop.body];
    const last = body.pop();
    if (last?.kind !== "Fetch" || !isCursor(last.cursor) || last.into.map((v) => lower(v.name)).join() !== first.into.map((v) => lower(v.name)).join()) fail("the loop does not end with the same FETCH NEXT", loop);
    j++;
    while (j < stmts.length && stmts[j]!.kind === "CursorOp" && isCursor((stmts[j] as A.CursorOp).cursor)) j++;
    const q = decl.cursor.query;
    if (q.with || q.query.kind !== "Select" || !q.query.orderBy.length) fail("its query has no ORDER BY (or is a set operation or has a WITH clause)");
    const sel = q.query as A.Select;
    if (sel.columns.length !== first.into.length) fail("FETCH INTO does not name one variable per column");
    const fetched = new Map(first.into.map((v, k) => [lower(v.name), k]));
    const colName = (k: number) => `c${k + 1}`;
    const itemName = (it: A.SelectItem | A.SelectAssign) => (it.kind === "SelectItem" ? lower(it.alias?.value ?? (it.expr.kind === "ColumnRef" ? it.expr.name.value : "")) : "");
    const ofRow = (e: A.Expr): A.Expr =>
      rewrite(e, (n) => {
        if (n.kind !== "Variable" || n.global) return undefined;
        const k = fetched.get(lower(n.name));
        return k === undefined ? undefined : col("__dm_cur", colName(k), n.loc);
      });
    // ORDER BY items refer to the cursor query's columns.
    const order: A.OrderItem[] = sel.orderBy.map((o) => {
      const k = o.expr.kind === "ColumnRef" ? sel.columns.findIndex((it) => itemName(it) === lower((o.expr as A.ColumnRef).name.value)) : -1;
      if (k < 0) fail("an ORDER BY item is not one of its columns", o);
      return { ...o, expr: col("__dm_cur", colName(k), o.loc) };
    });
    let acc: { name: string; init: A.Expr; step?: A.Expr; resetKey?: number; type?: A.DataType } | undefined;
    let insert: A.Insert | undefined;
    let prevVar: string | undefined;
    const declared = (name: string): A.DeclareVariable | undefined => {
      for (const s of stmts.slice(0, i)) if (s.kind === "Declare") for (const d of s.items) if (d.kind === "DeclareVariable" && lower(d.name) === lower(name)) return d;
      return undefined;
    };
    for (const s of body) {
      if (s.kind === "If" && !s.else && s.then.kind === "SetVariable" && s.then.op === "=" && s.then.value && !insert) {
        // IF @prev IS NULL OR @prev <> @k  SET @acc = <init>
        const c = s.condition;
        const parts = c.kind === "Binary" && c.op === "OR" ? [c.left, c.right] : [c];
        const cmp = parts.find((x) => x.kind === "Binary" && (x.op === "<>" || x.op === "!="));
        if (!cmp || cmp.kind !== "Binary" || cmp.left.kind !== "Variable" || cmp.right.kind !== "Variable") fail("the IF in the loop is not a reset on a change of key", s);
        const k = fetched.get(lower(cmp.right.name)) ?? fetched.get(lower(cmp.left.name));
        prevVar = lower(fetched.has(lower(cmp.right.name)) ? cmp.left.name : cmp.right.name);
        if (k === undefined) fail("the reset compares no fetched column", s);
        if (order[0]?.expr.kind !== "ColumnRef" || order[0].expr.name.value !== colName(k)) fail("the reset key is not the first ORDER BY column, so its rows are not contiguous", s);
        acc = { ...(acc ?? { name: lower(s.then.variable.name), init: s.then.value }), name: lower(s.then.variable.name), init: s.then.value, resetKey: k };
        continue;
      }
      if (s.kind === "SetVariable" && s.value && !s.cursor) {
        const name = lower(s.variable.name);
        if (prevVar === name || (!prevVar && s.value.kind === "Variable" && fetched.has(lower(s.value.name)))) {
          prevVar = name;
          continue;
        }
        const step = s.op === "+=" ? s.value : s.op === "=" && s.value.kind === "Binary" && s.value.op === "+" && s.value.left.kind === "Variable" && lower(s.value.left.name) === name ? s.value.right : undefined;
        if (!step || insert || (acc && acc.name !== name) || acc?.step) fail("an assignment in the loop is not one running sum computed before the INSERT", s);
        const d = declared(name);
        acc = { ...(acc ?? { init: d?.value ?? lit("NULL", s.loc, "null") }), name, step, ...(d ? { type: d.type } : {}) };
        continue;
      }
      if (s.kind === "Insert" && s.source.kind === "Values" && s.source.rows.length === 1 && !insert) {
        insert = s;
        continue;
      }
      fail(`${stmtLabel(s)} in the loop does not fit the running-total pattern`, s);
    }
    if (!insert || insert.source.kind !== "Values") fail("the loop inserts no row");
    const values = insert.source.rows[0]!;
    const loc = insert.loc;
    const windowed = (a: NonNullable<typeof acc>): A.Expr => {
      const sum: A.FunctionCall = {
        kind: "FunctionCall",
        name: oname(undefined, "SUM", loc),
        upperName: "SUM",
        args: [ofRow(a.step!)],
        distinct: false,
        parens: true,
        over: { kind: "Over", partitionBy: a.resetKey !== undefined ? [col("__dm_cur", colName(a.resetKey), loc)] : [], orderBy: order, frame: { unit: "ROWS", start: { type: "UNBOUNDED PRECEDING" }, end: { type: "CURRENT ROW" } }, loc },
        loc,
      };
      // The loop adds into a variable of a declared type at every step; typing init and SUM as that
      // type keeps the scale (int + decimal(38,s) would lose a digit of scale to the 38-digit cap).
      const typed = (e: A.Expr): A.Expr => (a.type ? { kind: "Cast", fn: "CAST", expr: e, type: a.type, loc } : e);
      return typed({ kind: "Binary", op: "+", left: typed(a.init), right: typed(sum), loc });
    };
    const items = values.map((v, k) => {
      const e = rewrite(v, (n) => (n.kind === "Variable" && acc && lower(n.name) === acc.name ? ({ kind: "Paren", expr: windowed(acc), loc: n.loc } as A.Paren) : undefined));
      return item(ofRow(e), `v${k + 1}`, loc);
    });
    if (acc && !acc.step) fail("the accumulator is reset but never added to");
    const derived: A.DerivedTable = { kind: "DerivedTable", query: { ...sel, orderBy: [] }, alias: ident("__dm_cur", loc), columns: sel.columns.map((_, k) => ident(colName(k), loc)), loc };
    const query = select(items, [derived], loc);
    return { insert: { ...insert, source: { kind: "Query", query, loc } }, next: j };
  }

  /** Records a local variable's value with the other locals it uses already inlined (SET @x = @x + 1 stays finite). */
  defineVar(state: State, name: string, value: A.Expr | undefined, st: A.Statement): void {
    const reads = this.readsOf(value);
    let open = false;
    const expr = value
      ? rewrite(value, (n) => {
          if (n.kind !== "Variable" || n.global || this.paramVars.has(lower(n.name))) return undefined;
          const v = state.vars.get(lower(n.name));
          if (!v?.expr || v.stale) {
            open = true;
            return undefined;
          }
          for (const r of v.reads) reads.add(r);
          return { kind: "Paren", expr: v.expr, loc: n.loc } as A.Paren;
        })
      : undefined;
    state.vars.set(lower(name), { ...(expr && !open ? { expr } : {}), reads, line: st.loc.line });
  }

  nameFor(p: TargetPlan): string {
    return p.temp ? this.tempModelName(p.table.name) : this.modelOfTable(p.table);
  }

  readsOf(e: A.Node | undefined): Set<string> {
    const out = new Set<string>();
    if (!e) return out;
    walk(e, (n) => {
      if (n.kind === "TableRef") {
        const id = n.name.name.value.startsWith("#") ? this.tempKey(n.name.name.value) : this.resolver.id(n.name);
        if (id) out.add(lower(id));
      }
      return undefined;
    });
    return out;
  }

  /** Dynamic SQL built from literals (and QUOTENAME of literals) is parsed and compiled like code. */
  dynamic(e: A.Expr | undefined, st: A.Statement, state: State): void {
    const text = e ? this.constantString(e, state) : undefined;
    if (text === undefined) this.refuse("PROC1002", "dynamic SQL whose text is not built from constants only: what it does is known only at run time", st);
    const parsed = parseScript(text, { file: st.loc.file, lineOffset: st.loc.line - 1 });
    if (parsed.diagnostics.some((d) => d.severity === "error")) this.refuse("PROC1002", "constant dynamic SQL does not parse", st);
    this.note("dynamic", "constant dynamic SQL was folded into static SQL", st);
    for (const b of parsed.batches) for (const s of b.statements) this.statement(s, state);
  }

  constantString(e: A.Expr, state: State, depth = 0): string | undefined {
    if (depth > 50) return undefined;
    switch (e.kind) {
      case "Literal":
        return e.literalType === "string" || e.literalType === "nstring" ? e.value : e.literalType === "integer" ? e.value : undefined;
      case "Paren":
        return this.constantString(e.expr, state, depth + 1);
      case "Binary": {
        if (e.op !== "+") return undefined;
        const l = this.constantString(e.left, state, depth + 1);
        const r = this.constantString(e.right, state, depth + 1);
        return l === undefined || r === undefined ? undefined : l + r;
      }
      case "FunctionCall": {
        if (e.upperName === "QUOTENAME" && e.args.length >= 1) {
          const v = this.constantString(e.args[0]!, state, depth + 1);
          return v === undefined ? undefined : `[${v.replace(/]/g, "]]")}]`;
        }
        if ((e.upperName === "CONCAT") && e.args.length) {
          const parts = e.args.map((a) => this.constantString(a, state, depth + 1));
          return parts.some((p) => p === undefined) ? undefined : parts.join("");
        }
        return undefined;
      }
      case "Variable": {
        const v = state.vars.get(lower(e.name));
        return v?.expr ? this.constantString(v.expr, state, depth + 1) : undefined;
      }
      default:
        return undefined;
    }
  }

  selectStatement(st: A.SelectStatement, state: State): void {
    const q = st.query;
    if (q.kind === "Select" && q.columns.some((c) => c.kind === "SelectAssign")) {
      // SELECT @v = expr FROM ...: the value becomes a scalar subquery where @v is used.
      const assigns = q.columns.filter((c): c is A.SelectAssign => c.kind === "SelectAssign");
      for (const a of assigns) {
        if (a.op !== "=") this.refuse("PROC1006", `SELECT ${a.variable.name} ${a.op} ...: accumulating assignment`, st);
        const sub: A.Select = { ...q, columns: [{ kind: "SelectItem", expr: a.expr, loc: a.loc }], top: q.top ?? { kind: "Top", expr: lit("1", st.loc, "integer"), percent: false, withTies: false, loc: st.loc } };
        const expr: A.Expr = q.from.length ? { kind: "Subquery", query: sub, loc: st.loc } : a.expr;
        const agg = q.from.length && !q.groupBy && (() => { let yes = false; walk(a.expr, (n) => { if (n.kind === "FunctionCall" && /^(MAX|MIN|SUM|COUNT|COUNT_BIG|AVG)$/.test(n.upperName)) yes = true; return undefined; }); return yes; })();
        if (q.from.length && !agg) this.diagnostics.push(diagnostic("PROC2002", "functional_difference", `SELECT ${a.variable.name} = ... FROM ... takes one row's value; SQL Server keeps the last row's, the model takes one row (TOP 1)`, this.at(st)));
        state.vars.set(lower(a.variable.name), { expr: agg ? { kind: "Subquery", query: { ...q, columns: [{ kind: "SelectItem", expr: a.expr, loc: a.loc }] }, loc: st.loc } : expr, reads: this.readsOf(q), line: st.loc.line });
      }
      return;
    }
    if (q.kind === "Select" && q.into) {
      const into = q.into;
      const query: A.Select = { ...q, into: undefined } as A.Select;
      delete (query as { into?: unknown }).into;
      if (into.name.value.startsWith("#")) {
        // Column types come from the translation of the query itself.
        const probe = translateQuery(this.substituteVars(this.renameTemps({ kind: "SelectStatement", ...(st.with ? { with: st.with } : {}), query, comments: [], loc: st.loc } as A.SelectStatement), st, state), this.context(state, undefined, "none"));
        const columns: CatalogColumn[] = (probe.outputColumns ?? []).map((c) => ({ name: c.name, nullable: true, ...(c.type.name !== "unknown" ? { type: { name: c.type.name, ...(c.type.length !== undefined ? { length: c.type.length } : {}), ...(c.type.precision !== undefined ? { precision: c.type.precision } : {}), ...(c.type.scale !== undefined ? { scale: c.type.scale } : {}) } } : {}), ...(c.type.collation ? { collation: c.type.collation } : {}) }));
        const t = this.registerTemp(state, into.name.value, columns, st);
        const p = this.plan(state, t, st);
        p.parts.push(this.translate(this.substituteVars(this.renameTemps({ kind: "SelectStatement", ...(st.with ? { with: st.with } : {}), query, comments: [], loc: st.loc } as A.SelectStatement), st, state), this.context(state, p, "none"), st));
        this.lineageOf(st, this.nameFor(p), `creates temporary table ${into.name.value}: an ephemeral model`);
        return;
      }
      const t = this.targetOf(into, state, st)!;
      const p = this.plan(state, t, st);
      p.parts = [];
      p.steps = [];
      p.rebuilt = true;
      p.parts.push(this.insertSelect(p, [], query, st.with, st, state));
      this.written(state, t.key);
      this.lineageOf(st, this.nameFor(p), "creates the table from the query: a table model");
      return;
    }
    this.note("resultset", "result sets returned to the caller are not carried over (no table holds them)", st);
    this.lineageOf(st, null, "returns a result set to the caller");
  }

  /** Writes into run-log/audit tables are bookkeeping of the run, not data the models rebuild. */
  isLogWrite(t: A.TableSource | A.ObjectName, st: A.Statement): boolean {
    const n = t.kind === "ObjectName" ? t : t.kind === "TableRef" ? t : undefined;
    const name = n ? (n.kind === "ObjectName" ? n.name.value : n.name.name.value) : "";
    if (!name || name.startsWith("#") || !/(log|audit|error|runhistory|execution|journal)/i.test(name)) return false;
    this.note("log", `writes to log/audit tables (${name}) are not carried over: dbt records each run itself (run_results.json); add an on-run-end hook if the log table must be kept`, st);
    this.lineageOf(st, null, `run logging into ${name}: not carried over`);
    return true;
  }

  insert(st: A.Insert, state: State): void {
    if (this.isLogWrite(st.target, st)) return;
    if (st.output?.into) this.refuse("PROC1007", "INSERT ... OUTPUT INTO writes a second table from the inserted rows", st);
    const t = this.targetOf(st.target, state, st);
    if (!t) this.refuse("PROC1006", `INSERT into ${st.target.kind === "VariableTableRef" ? st.target.variable.name : "a temporary table"} that was not created in this procedure`, st);
    const src = st.source;
    let query: A.QueryExpr;
    if (src.kind === "Query") query = src.query;
    else if (src.kind === "Values") {
      const vt: A.ValuesTable = { kind: "ValuesTable", rows: src.rows, alias: ident("__dm_v", st.loc), columns: (src.rows[0] ?? []).map((_, i) => ident(`v${i + 1}`, st.loc)), loc: st.loc };
      query = select((src.rows[0] ?? []).map((_, i) => item(col("__dm_v", `v${i + 1}`, st.loc), `v${i + 1}`, st.loc)), [vt], st.loc);
    } else this.refuse("PROC1007", src.kind === "ExecSource" ? "INSERT ... EXEC takes rows from a procedure's result set; compile that procedure's query into a model and insert from it" : "INSERT DEFAULT VALUES", st);
    const p = this.plan(state, t, st);
    if (!p.rebuilt && p.steps.length) this.refuse("PROC1003", `INSERT into ${p.table.id} after an UPDATE/DELETE of rows loaded by earlier runs`, st);
    if (p.parts.length && !p.rebuilt) this.refuse("PROC1008", `second INSERT into ${p.table.id} without emptying it first; the second one would see the first one's rows`, st);
    if (p.steps.length) this.refuse("PROC1003", `INSERT into ${p.table.id} after an UPDATE/DELETE of it in the same run`, st);
    if (!p.rebuilt && !p.incUpdate) {
      p.incremental = { strategy: "append", uniqueKey: [] };
    }
    const cols = st.columns.map((c) => c.value);
    if (p.temp && src.kind === "Values" && (p.parts.length === 0 || p.constRows) && src.rows.every((r) => r.every((e) => e.kind === "Literal"))) {
      const names = (cols.length ? cols : p.table.columns.map((c) => c.name)).map(lower);
      p.constRows = [...(p.constRows ?? []), ...src.rows.map((r) => new Map(r.map((e, k) => [names[k]!, e] as const)))];
    } else if (p.temp) p.constRows = undefined;
    const part = this.insertSelect(p, cols, query, st.with, st, state);
    if (p.incremental?.strategy === "append" && !part.includes("{{ this }}"))
      this.diagnostics.push(diagnostic("PROC2003", "functional_difference", `INSERT into ${t.table.id} appends the query's rows on every run without checking what the table holds; the model appends them on each incremental run, and a full refresh loads them once`, this.at(st)));
    p.parts.push(part);
    this.written(state, t.key);
    this.lineageOf(st, this.nameFor(p), p.rebuilt ? "rows of the rebuilt table" : "rows appended on each run: incremental (append), with the target read through {{ this }}");
  }

  update(st: A.Update, state: State): void {
    const target = dmlTarget(st);
    if (this.isLogWrite(target, st)) return;
    const t = this.targetOf(target, state, st);
    if (!t) this.refuse("PROC1006", "UPDATE of a temporary table this procedure did not create", st);
    let p = state.plans.get(t.key);
    let incremental = false;
    if (!p || !p.rebuilt) {
      // Rows earlier runs loaded are rewritten: as an incremental merge on the table's key, the
      // model emits the changed rows (from {{ this }}) and later INSERTs read the table after it.
      const pk = t.table.constraints.find((c) => c.kind === "primary_key") ?? t.table.constraints.find((c) => c.kind === "unique");
      if (!pk || t.temp) this.refuse("PROC1003", `UPDATE of ${t.table.id} changes rows that earlier runs loaded, and the table has no primary or unique key an incremental merge could match them on`, st);
      if (p && (p.parts.length || p.incUpdate || p.steps.length)) this.refuse("PROC1003", `UPDATE of ${t.table.id} after other writes to it in the same run: only one UPDATE before the INSERTs of an incrementally loaded table is compiled`, st);
      p = this.plan(state, t, st);
      p.lines.pop();
      p.incremental = { strategy: "merge", uniqueKey: pk.columns.map((c) => postgresIdentifier(c).replace(/^"|"$/g, "")) };
      incremental = true;
    }
    if (st.output?.into) this.refuse("PROC1003", "UPDATE ... OUTPUT INTO writes a second table", st);
    if (st.top) this.refuse("PROC1003", "UPDATE TOP (n) changes an arbitrary subset of rows", st);
    const loc = st.loc;
    const alias = target.kind === "TableRef" ? (target.alias?.value ?? target.name.name.value) : target.kind === "VariableTableRef" ? (target.alias?.value ?? target.variable.name.replace(/^@+/, "")) : "t";
    const others = st.from.length ? this.joinPartner(st.from, target, st) : undefined;
    const sets = new Map<string, A.Expr>();
    for (const s of st.set) {
      if (!s.target || s.variable || s.method) this.refuse("PROC1003", "UPDATE that assigns variables or calls .WRITE()", st);
      const name = s.target.name.value;
      const value: A.Expr = s.op === "=" ? s.value : { kind: "Binary", op: s.op[0] as A.BinaryOp, left: col(alias, name, loc), right: s.value, loc };
      sets.set(lower(name), value);
    }
    let matched: A.Expr | undefined = st.where;
    const from: A.TableSource[] = [{ kind: "TableRef", name: oname(p.table.schema, p.table.name, loc), hints: [], alias: ident(alias, loc), loc }];
    if (others) {
      const right: A.TableSource = others.source;
      from[0] = { kind: "Join", joinType: "LEFT", left: from[0]!, right, on: [others.on, st.where].filter((x): x is A.Expr => !!x).reduce((l, r) => ({ kind: "Binary", op: "AND", left: l, right: r, loc })), loc };
      matched = { kind: "IsNull", expr: col(others.alias, others.keyColumn, loc), not: true, loc };
    }
    const items = p.table.columns.filter((c) => !c.computed).map((c) => {
      const v = sets.get(lower(c.name));
      const base = col(alias, c.name, loc);
      if (!v) return item(base, c.name, loc);
      const e: A.Expr = matched ? { kind: "Case", whens: [{ when: matched, then: v }], else: base, loc } : v;
      return item(c.type ? { kind: "Cast", fn: "CAST", expr: e, type: dataTypeOf(c.type, loc), loc } : e, c.name, loc);
    });
    const stmtOf = (where?: A.Expr) => this.substituteVars(this.renameTemps({ kind: "SelectStatement", ...(st.with ? { with: st.with } : {}), query: select(items, from, loc, where), comments: [], loc } as A.SelectStatement), st, state);
    if (incremental) {
      const full = this.translate(stmtOf(), this.context(state, p, "inc"), st);
      const changed = matched ? this.translate(stmtOf(matched), this.context(state, p, "inc"), st) : full;
      p.incUpdate = { full, changed };
      p.lines.push(st.loc.line);
      this.written(state, t.key);
      this.lineageOf(st, this.nameFor(p), `rows it changes are re-emitted from {{ this }} (incremental merge on ${p.incremental!.uniqueKey.join(", ")}); later INSERTs read the table as it leaves it`);
      return;
    }
    const sql = this.translate(stmtOf(), this.context(state, p, "step"), st);
    p.steps.push(sql);
    p.lines.push(st.loc.line);
    this.written(state, t.key);
    this.lineageOf(st, this.nameFor(p), "folded into the model's SELECT (CASE over the updated columns)");
  }

  /** The one other relation of UPDATE/DELETE ... FROM, which must match at most one row per target row. */
  joinPartner(from: A.TableSource[], target: A.TableSource, st: A.Statement): { source: A.TableSource; on: A.Expr | undefined; alias: string; keyColumn: string } {
    let sources: A.TableSource[] = [];
    let on: A.Expr | undefined;
    if (from.length === 1 && from[0]!.kind === "Join" && from[0]!.joinType === "INNER") {
      sources = [from[0]!.left, from[0]!.right];
      on = from[0]!.on;
    } else if (from.length === 2) sources = from;
    else if (from.length === 1) return { source: from[0]!, on: undefined, alias: "", keyColumn: "" } as never;
    const other = sources.filter((s) => s !== target);
    if (sources.length !== 2 || other.length !== 1) this.refuse("PROC1003", "UPDATE/DELETE ... FROM with more than one other table is not folded", st);
    const s = other[0]!;
    if (s.kind !== "TableRef") this.refuse("PROC1003", "UPDATE/DELETE ... FROM a derived table or function is not folded (its rows may match a target row several times)", st);
    const obj = this.catalog.objects.find((o) => o.id === this.resolver.id(s.name));
    const alias = s.alias?.value ?? s.name.name.value;
    const pk = obj?.constraints.find((c) => c.kind === "primary_key") ?? obj?.constraints.find((c) => c.kind === "unique");
    const eqCols = new Set<string>();
    for (const c of conjuncts(on)) if (c.kind === "Binary" && c.op === "=") for (const side of [c.left, c.right]) if (side.kind === "ColumnRef" && side.table && lower(side.table.name.value) === lower(alias)) eqCols.add(lower(side.name.value));
    if (!pk || !pk.columns.every((c) => eqCols.has(lower(c))))
      this.refuse("PROC1003", `UPDATE ... FROM joins ${s.name.name.value} on columns that are not its primary or unique key; SQL Server then takes an arbitrary matching row, which a model cannot reproduce`, st);
    return { source: s, on, alias, keyColumn: pk.columns[0]! };
  }

  delete(st: A.Delete, state: State): void {
    const target = dmlTarget(st);
    const t = this.targetOf(target, state, st);
    if (!t) this.refuse("PROC1006", "DELETE from a temporary table this procedure did not create", st);
    const loc = st.loc;
    if (!st.where && !st.from.length) {
      const p = this.plan(state, t, st);
      p.parts = [];
      p.steps = [];
      p.rebuilt = true;
      p.incremental = undefined;
      this.written(state, t.key);
      this.lineageOf(st, this.nameFor(p), "empties the table: the model is rebuilt in full");
      return;
    }
    const p = state.plans.get(t.key);
    if (!p || !p.rebuilt) this.refuse("PROC1003", `DELETE from ${t.table.id} removes rows that earlier runs loaded; a model cannot remove rows it did not build in this run`, st);
    if (st.top) this.refuse("PROC1003", "DELETE TOP (n) removes an arbitrary subset of rows", st);
    const alias = target.kind === "TableRef" ? (target.alias?.value ?? target.name.name.value) : target.kind === "VariableTableRef" ? (target.alias?.value ?? target.variable.name.replace(/^@+/, "")) : "t";
    let cond: A.Expr | undefined = st.where;
    if (st.from.length) {
      let sources: A.TableSource[] = [];
      let on: A.Expr | undefined;
      if (st.from.length === 1 && st.from[0]!.kind === "Join" && st.from[0]!.joinType === "INNER") {
        sources = [st.from[0]!.left, st.from[0]!.right];
        on = st.from[0]!.on;
      } else sources = st.from;
      const others = sources.filter((s) => s !== target);
      if (others.length) {
        const where = [on, st.where].filter((x): x is A.Expr => !!x).reduce<A.Expr | undefined>((l, r) => (l ? { kind: "Binary", op: "AND", left: l, right: r, loc } : r), undefined);
        cond = { kind: "Exists", query: select([item(lit("1", loc, "integer"), "x", loc)], others, loc, where), loc };
      }
    }
    // Keep the rows for which the condition is not TRUE (FALSE or UNKNOWN), as DELETE does.
    const keep: A.Expr = cond ? { kind: "Binary", op: "=", left: { kind: "Case", whens: [{ when: cond, then: lit("1", loc, "integer") }], else: lit("0", loc, "integer"), loc }, right: lit("0", loc, "integer"), loc } : lit("1", loc, "integer");
    const items = p.table.columns.filter((c) => !c.computed).map((c) => item(col(alias, c.name, loc), c.name, loc));
    const q = this.substituteVars(this.renameTemps({ kind: "SelectStatement", query: select(items, [{ kind: "TableRef", name: oname(p.table.schema, p.table.name, loc), hints: [], alias: ident(alias, loc), loc }], loc, keep), comments: [], loc } as A.SelectStatement), st, state);
    p.steps.push(this.translate(q, this.context(state, p, "step"), st));
    p.lines.push(st.loc.line);
    this.written(state, t.key);
    this.lineageOf(st, this.nameFor(p), "folded into the model's SELECT as a filter");
  }

  merge(st: A.Merge, state: State): void {
    const loc = st.loc;
    if (st.output?.into || st.outputResult) this.refuse("PROC1004", "MERGE ... OUTPUT feeds the changed rows on (a type-2 dimension pattern, or an audit): use a dbt snapshot for a type-2 dimension, or review by hand", st);
    const t = this.targetOf(st.target, state, st);
    if (!t) this.refuse("PROC1006", "MERGE into a temporary table this procedure did not create", st);
    const p = this.plan(state, t, st);
    if (p.parts.length || p.steps.length) this.refuse("PROC1008", `MERGE into ${t.table.id} after other writes to it in the same run`, st);
    const talias = st.target.kind === "TableRef" ? (st.target.alias?.value ?? st.target.name.name.value) : "t";
    const src = st.using;
    const salias = src.kind === "TableRef" ? (src.alias?.value ?? src.name.name.value) : "alias" in src && src.alias ? src.alias.value : "";
    if (!salias) this.refuse("PROC1004", "MERGE USING source without a name", st);
    // ON must be key equalities target.col = source expression.
    const keys: { column: string; expr: A.Expr }[] = [];
    for (const c of conjuncts(st.on)) {
      if (c.kind === "Binary" && c.op === "=") {
        const [tl, other] = c.left.kind === "ColumnRef" && c.left.table && lower(c.left.table.name.value) === lower(talias) ? [c.left, c.right] : c.right.kind === "ColumnRef" && c.right.table && lower(c.right.table.name.value) === lower(talias) ? [c.right, c.left] : [undefined, undefined];
        if (tl && other && !referencesAlias(other, talias)) {
          keys.push({ column: tl.name.value, expr: other });
          continue;
        }
      }
      this.refuse("PROC1004", `MERGE ON ${printExpr(c)} is not an equality of a target column with a source value; unique_key needs plain key equalities`, st);
    }
    const whenInsert = st.whens.find((w) => w.match === "NOT MATCHED BY TARGET");
    const whenUpdate = st.whens.filter((w) => w.match === "MATCHED");
    const whenBySource = st.whens.filter((w) => w.match === "NOT MATCHED BY SOURCE");
    if (!whenInsert || whenInsert.action.kind !== "MergeInsert") this.refuse("PROC1004", "MERGE without WHEN NOT MATCHED THEN INSERT: only updates rows earlier runs loaded", st);
    if (whenInsert.condition) this.refuse("PROC1004", "WHEN NOT MATCHED AND <condition> THEN INSERT: a filtered insert", st);
    const ins = whenInsert.action;
    if (ins.defaultValues) this.refuse("PROC1004", "INSERT DEFAULT VALUES in MERGE", st);
    const insCols = ins.columns.length ? ins.columns.map((c) => c.value) : t.table.columns.filter((c) => !c.identity && !c.computed).map((c) => c.name);
    const insVal = new Map(insCols.map((c, i) => [lower(c), ins.values[i]!]));
    for (const k of keys) {
      const v = insVal.get(lower(k.column));
      if (!v || canonical(v, [salias]) !== canonical(k.expr, [salias])) this.refuse("PROC1004", `the key ${k.column} is not inserted with the value it is matched on; dbt's unique_key would not find the row again`, st);
    }
    if (whenUpdate.length > 1) this.refuse("PROC1004", "several WHEN MATCHED clauses", st);
    const upd = whenUpdate[0];
    const sets = new Map<string, A.Expr>();
    if (upd) {
      if (upd.action.kind === "MergeDelete") this.refuse("PROC1004", "WHEN MATCHED THEN DELETE removes rows earlier runs loaded", st);
      if (upd.action.kind !== "MergeUpdate") this.refuse("PROC1004", "WHEN MATCHED with an INSERT action", st);
      for (const s of upd.action.set) {
        if (!s.target || s.variable || s.method) this.refuse("PROC1004", "WHEN MATCHED THEN UPDATE assigning a variable or calling .WRITE()", st);
        const c = s.target.name.value;
        sets.set(lower(c), s.op === "=" ? s.value : { kind: "Binary", op: s.op[0] as A.BinaryOp, left: col(talias, c, loc), right: s.value, loc });
      }
    }
    // Matched rows get the SET values only where the condition holds, and keep the others: the
    // model reads the existing row (the table as earlier runs left it) unless every column is
    // simply replaced by the value the INSERT branch would give it.
    const plainReplace =
      upd !== undefined &&
      !upd.condition &&
      insCols.every((c) => keys.some((k) => lower(k.column) === lower(c)) || (sets.has(lower(c)) && canonical(sets.get(lower(c))!, [salias]) === canonical(insVal.get(lower(c))!, [salias]))) &&
      [...sets.keys()].every((c) => insVal.has(c)) &&
      ![...sets.values()].some((v) => referencesAlias(v, talias));
    const identity = t.table.columns.find((c) => c.identity && !insVal.has(lower(c.name)));
    const needOld = !plainReplace || identity !== undefined || t.table.columns.some((c) => !c.computed && !c.identity && !insVal.has(lower(c.name)) && sets.has(lower(c.name)));
    let full = false;
    if (whenBySource.length) {
      if (whenBySource.length > 1 || whenBySource[0]!.condition || whenBySource[0]!.action.kind !== "MergeDelete")
        this.refuse("PROC1004", "WHEN NOT MATCHED BY SOURCE with a condition or an UPDATE (soft delete): rows left from earlier runs change in a way a model cannot express", st);
      if (needOld) this.refuse("PROC1004", "WHEN NOT MATCHED BY SOURCE THEN DELETE together with matched rows that keep values from earlier runs: the model would have to read and rebuild itself", st);
      full = true;
    }
    const toOld = <T extends A.Node>(e: T): T => rewrite(e, (n) => (n.kind === "ColumnRef" && n.table && !n.table.schema && lower(n.table.name.value) === lower(talias) ? col("__dm_old", n.name.value, n.loc) : undefined));
    const sourceTable: A.TableSource = src;
    let from: A.TableSource[] = [sourceTable];
    if (needOld) {
      const onOld = keys.map((k) => ({ kind: "Binary", op: "=", left: col("__dm_old", k.column, loc), right: k.expr, loc }) as A.Expr).reduce((l, r) => ({ kind: "Binary", op: "AND", left: l, right: r, loc }));
      from = [{ kind: "Join", joinType: "LEFT", left: sourceTable, right: { kind: "TableRef", name: oname(t.table.schema, t.table.name, loc), hints: [], alias: ident("__dm_old", loc), loc }, on: onOld, loc }];
    }
    const oldMissing: A.Expr = { kind: "IsNull", expr: col("__dm_old", keys[0]!.column, loc), not: false, loc };
    const oldMatched: A.Expr = { kind: "IsNull", expr: col("__dm_old", keys[0]!.column, loc), not: true, loc };
    const items: A.SelectItem[] = [];
    for (const c of t.table.columns) {
      if (c.computed) continue;
      const key = keys.some((k) => lower(k.column) === lower(c.name));
      let ins: A.Expr | undefined = insVal.get(lower(c.name));
      if (!ins && c.identity) {
        const seed = Number(c.identity.seed) || 1;
        const inc = Number(c.identity.increment) || 1;
        this.diagnostics.push(diagnostic("PROC2001", "functional_difference", `identity column ${t.table.id}.${c.name}: new rows are numbered with row_number() from the current maximum; SQL Server assigns them in an order it does not define`, this.at(st)));
        const self: A.TableRef = { kind: "TableRef", name: oname(t.table.schema, t.table.name, loc), hints: [], alias: ident("__dm_id", loc), loc };
        const max: A.Subquery = { kind: "Subquery", query: select([{ kind: "SelectItem", expr: { kind: "FunctionCall", name: oname(undefined, "ISNULL", loc), upperName: "ISNULL", args: [{ kind: "FunctionCall", name: oname(undefined, "MAX", loc), upperName: "MAX", args: [col("__dm_id", c.name, loc)], distinct: false, parens: true, loc }, lit(String(seed - inc), loc, "integer")], distinct: false, parens: true, loc }, loc }], [self], loc), loc };
        const isNew: A.Expr = { kind: "Case", whens: [{ when: oldMatched, then: lit("0", loc, "integer") }], else: lit("1", loc, "integer"), loc };
        const rn: A.FunctionCall = { kind: "FunctionCall", name: oname(undefined, "ROW_NUMBER", loc), upperName: "ROW_NUMBER", args: [], distinct: false, parens: true, over: { kind: "Over", partitionBy: [isNew], orderBy: keys.map((k) => ({ kind: "OrderItem", expr: k.expr, loc })), loc }, loc };
        ins = { kind: "Binary", op: "+", left: max, right: { kind: "Binary", op: "*", left: rn, right: lit(String(inc), loc, "integer"), loc }, loc };
      }
      if (!ins) {
        const pe = c.default ? parseExpression(c.default.expression, { file: t.table.file }).expr : undefined;
        ins = pe ?? lit("NULL", loc, "null");
      }
      let e: A.Expr = ins;
      if (needOld && !key) {
        const set = sets.get(lower(c.name));
        const whens: A.CaseWhen[] = [{ when: oldMissing, then: ins }];
        if (set && upd) whens.push({ when: upd.condition ? toOld(upd.condition) : oldMatched, then: toOld(set) });
        e = { kind: "Case", whens, else: col("__dm_old", c.name, loc), loc };
      }
      items.push(item(c.type ? { kind: "Cast", fn: "CAST", expr: e, type: dataTypeOf(c.type, loc), loc } : e, c.name, loc));
    }
    const q = this.substituteVars(this.renameTemps({ kind: "SelectStatement", ...(st.with ? { with: st.with } : {}), query: select(items, from, loc), comments: [], loc } as A.SelectStatement), st, state);
    if (full) {
      p.rebuilt = true;
      p.incremental = undefined;
      p.parts = [this.translate(q, this.context(state, p, "this"), st)];
      this.lineageOf(st, this.nameFor(p), "MERGE with WHEN NOT MATCHED BY SOURCE THEN DELETE: the table ends equal to the source, a table model");
    } else {
      p.incremental = { strategy: "merge", uniqueKey: keys.map((k) => postgresIdentifier(k.column).replace(/^"|"$/g, "")) };
      p.parts = [this.translate(q, this.context(state, p, "this"), st)];
      for (const k of keys) {
        const c = t.table.columns.find((x) => lower(x.name) === lower(k.column));
        if (c?.type && /char|text/i.test(c.type.name) && !/_CS|_BIN/i.test(c.collation ?? this.catalog.defaultCollation))
          this.diagnostics.push(diagnostic("PROC2004", "functional_difference", `unique_key ${k.column} is a case-insensitive string in SQL Server; dbt's merge compares it with = (case-sensitive), so keys differing only in case or trailing spaces become separate rows`, this.at(st)));
      }
      this.lineageOf(st, this.nameFor(p), `upsert: incremental model, merge strategy, unique_key ${keys.map((k) => k.column).join(", ")}`);
    }
    this.written(state, t.key);
  }
}

// ------------------------------------------------------------------------------------------------

export function compileProcedures(catalog: Catalog, opts: CompileProceduresOptions = {}): CompileProceduresResult {
  const procs = catalog.objects.filter((o) => (o.kind === "procedure" || o.kind === "trigger") && !o.implicit).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const taken = new Set(opts.reservedNames ?? []);
  const tableModels = new Map<string, string>();
  const modelName = (t: CatalogObject): string => {
    const key = lower(t.id);
    const have = tableModels.get(key);
    if (have) return have;
    let base = opts.modelName ? opts.modelName(t) : toIdentifier(lower(t.schema) === lower(catalog.defaultSchema) ? t.name : `${t.schema}_${t.name}`, { reserved: "keep" });
    let n = base;
    for (let i = 2; taken.has(n); i++) n = `${base}_${i}`;
    base = n;
    taken.add(base);
    tableModels.set(key, base);
    return base;
  };
  const classes = classifyAll(catalog);
  // Which procedure owns which table: the first etl/mixed procedure (by id) that writes it.
  const owner = new Map<string, string>();
  for (const p of procs) {
    const c = classes.get(p.id)!;
    if (c.class !== "etl" && c.class !== "mixed") continue;
    const fileLoaded = new Set(c.facts.writes.filter((w) => w.statement === "BulkInsert" && w.id).map((w) => lower(w.id!)));
    for (const w of c.facts.writes) if (w.id && w.setBased && !w.logTable && !fileLoaded.has(lower(w.id)) && !owner.has(lower(w.id))) owner.set(lower(w.id), p.id);
  }
  const selectors: Selector[] = [];
  const diagnostics: Diagnostic[] = [];
  const byId = new Map(catalog.objects.map((o) => [lower(o.id), o]));
  // Other procedures' tables are refs to their models (names assigned up front so order does not matter).
  let otherModels = new Map<string, string>();
  for (const [key] of owner) {
    const t = byId.get(key);
    if (t) otherModels.set(key, modelName(t));
  }

  // A table whose loading procedure was not converted is read from the source instead; compiling
  // again until the set of available models is stable keeps refs pointing at models that exist.
  let models: ModelInput[] = [];
  let vars: Record<string, unknown> = {};
  let runtime = new Set<string>();
  let reports: ProcedureReport[] = [];
  let requiredVars: CompileProceduresResult["requiredVars"] = [];
  for (let round = 0; round < 8; round++) {
    models = [];
    vars = {};
    runtime = new Set<string>();
    reports = [];
    requiredVars = [];
    for (const p of procs) {
      const c = classes.get(p.id)!;
      const ast = p.module?.ast;
      const base: ProcedureReport = {
        id: p.id,
        schema: p.schema,
        name: p.name,
        kind: p.kind === "trigger" ? "trigger" : "procedure",
        class: c.class,
        reason: c.reason,
        status: "out_of_scope",
        models: [],
        writes: [...new Set(c.facts.writes.map((w) => w.id ?? w.table))],
        reads: c.facts.reads,
        lineage: [],
        after: [],
        diagnostics: [],
        file: p.file,
        line: p.line,
      };
      const at = { file: p.file, line: p.line };
      if (c.class === "application" || c.class === "admin") {
        base.diagnostics.push(diagnostic(c.class === "admin" ? "PROC3005" : "PROC3004", "note", `${p.kind} ${p.id} is ${c.class} code, out of scope for dbt: ${c.reason}`, at));
        reports.push(base);
        continue;
      }
      if (c.class === "orchestration") {
        base.status = "orchestration";
        reports.push(base);
        continue;
      }
      if (!ast || ast.kind !== "CreateProcedure") {
        base.status = "needs_review";
        base.diagnostics.push(diagnostic("PROC1001", "error", `${p.id} has no parsed body to compile`, at));
        reports.push(base);
        continue;
      }
      const own = new Map([...otherModels].filter(([k]) => owner.get(k) !== p.id));
      const pc = new ProcedureCompiler(p, ast, catalog, opts, own, modelName);
      let result: PathResult | undefined;
      try {
        result = pc.run(ast.body, { plans: new Map(), vars: new Map(), temps: new Map() })[0];
      } catch (e) {
        if (!(e instanceof Refusal)) pc.diagnostics.push(diagnostic("PROC1099", "error", `internal error compiling ${p.id}: ${e instanceof Error ? e.message : String(e)}`, at));
      }
      for (const r of pc.runtime) runtime.add(r);
      base.lineage = pc.lineage;
      base.diagnostics.push(...pc.diagnostics);
      const refused = pc.diagnostics.some((d) => d.severity === "error");
      if (c.class === "mixed") base.diagnostics.push(diagnostic("PROC3006", "note", `mixed procedure: ${c.reason}`, at));
      if (result && !refused) {
        const produced: ModelInput[] = [];
        for (const [key, plan] of result.plans) {
          const sql = result.sql.get(key);
          if (sql === undefined) continue;
          if (!plan.temp && owner.get(key) !== p.id) {
            base.diagnostics.push(diagnostic("PROC1010", "error", `${plan.table.id} is also loaded by ${owner.get(key) ?? "another procedure"}; one table becomes one model, so the two loads must be combined by hand`, at));
            continue;
          }
          const name = plan.temp ? pc.tempModelName(plan.table.name) : modelName(plan.table);
          const schemaDir = toIdentifier(p.schema, { reserved: "keep" });
          const incremental = !plan.temp && !plan.rebuilt && plan.incremental;
          const header = `{# ${plan.temp ? `temporary table ${plan.table.name} of` : `${plan.table.id} as left by`} procedure ${p.id} (${p.file}, lines ${[...new Set(plan.lines)].join(", ")}) #}\n`;
          const config = incremental
            ? `{{ config(materialized='incremental', incremental_strategy='${incremental.strategy}'${incremental.uniqueKey.length ? `, unique_key=${JSON.stringify(incremental.uniqueKey.length === 1 ? incremental.uniqueKey[0] : incremental.uniqueKey).replace(/"/g, "'")}` : ""}) }}\n`
            : "";
          produced.push({
            name,
            path: plan.temp ? `models/intermediate/${schemaDir}/${name}.sql` : `models/marts/${schemaDir}/${name}.sql`,
            sql: `${header}${config}${sql}\n`,
            materialized: plan.temp ? "ephemeral" : incremental ? "incremental" : "table",
            config: incremental ? { incremental_strategy: incremental.strategy, ...(incremental.uniqueKey.length ? { unique_key: incremental.uniqueKey.length === 1 ? incremental.uniqueKey[0]! : incremental.uniqueKey } : {}) } : {},
            description: plan.temp ? `Temporary table ${plan.table.name} of procedure ${p.id}.` : `Table ${plan.table.id} as procedure ${p.id} leaves it${incremental ? " (incremental: each run adds what one execution of the procedure adds; the first build assumes the table started empty)" : ""}.`,
            // history_dependent: the table holds what earlier runs left (appends, changed rows), so a full
          // refresh is not expected to equal the incremental state (a validator should not compare them).
          meta: { datamigrate: { procedure: p.id, statements: [...new Set(plan.lines)], ...(plan.temp ? {} : { table: plan.table.id }), ...(incremental ? { history_dependent: true } : {}) } },
            ...(plan.temp ? {} : { origin: { ...(catalog.databaseName ? { database: catalog.databaseName } : {}), schema: plan.table.schema, name: plan.table.name, kind: "table" } }),
          });
        }
        // Temporary tables nobody reads (a cursor's constant list once unrolled) need no model.
        for (let k = produced.length - 1; k >= 0; k--) {
          const m = produced[k]!;
          if (m.path.startsWith("models/intermediate/") && !produced.some((x) => x !== m && x.sql.includes(`ref('${m.name}')`))) produced.splice(k, 1);
        }
        if (!base.diagnostics.some((d) => d.severity === "error")) {
          models.push(...produced);
          base.models = produced.map((m) => m.name);
          base.status = "converted";
          for (const pv of pc.paramVars.values()) {
          if ("default" in pv) vars[pv.varName] = pv.default;
          else if (produced.some((m) => m.sql.includes(`var('${pv.varName}')`))) requiredVars.push({ name: pv.varName, procedure: p.id, parameter: pv.parameter, type: printDataType(pv.type) });
        }
        } else base.status = "needs_review";
      } else base.status = "needs_review";
      reports.push(base);
    }


    const converted = new Set(reports.filter((r) => r.status === "converted").map((r) => r.id));
    const next = new Map([...otherModels].filter(([k]) => converted.has(owner.get(k)!)));
    if (next.size === otherModels.size) break;
    otherModels = next;
  }
  for (const r of reports) {
    if (r.status !== "converted" && r.status !== "needs_review") continue;
    for (const t of r.reads) {
      const o = owner.get(lower(t));
      if (o && o !== r.id && !otherModels.has(lower(t)))
        r.diagnostics.push(diagnostic("PROC3009", "note", `reads ${t} from the source: ${o}, which loads it, was not converted, so there is no model to ref`, { file: r.file, line: r.line }));
    }
  }

  // Order across procedures: a procedure runs after those that write what it reads.
  for (const r of reports) {
    const after = new Set<string>();
    for (const t of r.reads) {
      const o = owner.get(lower(t));
      if (o && o !== r.id) after.add(o);
    }
    r.after = [...after].sort();
  }
  const order: string[] = [];
  const state = new Map<string, number>();
  const visit = (id: string) => {
    if (state.get(id) === 2 || state.get(id) === 1) return;
    state.set(id, 1);
    for (const a of reports.find((r) => r.id === id)?.after ?? []) visit(a);
    state.set(id, 2);
    order.push(id);
  };
  for (const r of reports) if (r.kind === "procedure" && (r.class === "etl" || r.class === "mixed")) visit(r.id);

  // Orchestration procedures: a selector over the models of the procedures they run, in their order.
  for (const r of reports) {
    if (r.status !== "orchestration") continue;
    const c = classes.get(r.id)!;
    const ran = [...new Set(c.facts.execs.filter((e) => e.id).map((e) => e.id!))];
    const ms = ran.flatMap((id) => reports.find((x) => x.id === id)?.models ?? []);
    const at = { file: r.file, line: r.line };
    if (ms.length) {
      const name = toIdentifier(`run_${r.schema.toLowerCase() === "dbo" ? r.name : `${r.schema}_${r.name}`}`, { reserved: "keep" });
      selectors.push({ name, description: `What ${r.id} ran, in this order: ${ran.join(", ")}. dbt orders the models by their refs; run with dbt build --selector ${name}.`, definition: { union: ms.map((m) => ({ method: "fqn", value: m })) } });
      r.models = [];
      r.diagnostics.push(diagnostic("PROC3007", "note", `orchestration: runs ${ran.join(", ")} in that order; written as selector ${name}`, at));
    } else r.diagnostics.push(diagnostic("PROC3007", "note", `orchestration: runs ${ran.join(", ") || "other procedures"} in that order; none of them became models, so no selector was written`, at));
    for (const e of c.facts.execs) r.lineage.push({ file: r.file, line: e.line, statement: "EXEC", model: null, effect: `runs ${e.id ?? e.name}` });
  }
  const built = new Set(models.map((m) => m.name));
  for (const [k, m] of [...tableModels]) if (!built.has(m)) tableModels.delete(k);
  return { models, selectors, vars, requiredVars, reportObjects: reports, order, tableModels, runtimeFunctions: [...runtime].sort(), diagnostics };
}

