// Prints a syntax tree back to T-SQL (one canonical layout: single spaces, upper-case keywords,
// names quoted as they were written). Used for round-trip tests (parse → print → parse gives the
// same tree) and wherever a normalised T-SQL text of a node is needed. Comments are not printed.
import type * as A from "./ast.ts";

const q = (id: A.Identifier): string =>
  id.quote === "bracket" ? `[${id.value.replace(/]/g, "]]")}]` : id.quote === "double" ? `"${id.value.replace(/"/g, '""')}"` : id.value;

function name(n: A.ObjectName): string {
  const parts: string[] = [];
  if (n.server) parts.push(q(n.server));
  if (n.partCount >= 3) parts.push(n.database ? q(n.database) : "");
  if (n.partCount >= 2) parts.push(n.schema ? q(n.schema) : "");
  parts.push(q(n.name));
  return parts.join(".");
}

const str = (s: string, national = false) => `${national ? "N" : ""}'${s.replace(/'/g, "''")}'`;
const list = <T>(xs: T[], f: (x: T) => string, sep = ", ") => xs.map(f).join(sep);
const idents = (xs: A.Identifier[]) => list(xs, q);

function dataType(t: A.DataType): string {
  let s = t.userDefined ? name(t.typeName) : t.name;
  if (t.xmlSchema) s += `(${t.xmlSchema.mode ? t.xmlSchema.mode + " " : ""}${name(t.xmlSchema.collection)})`;
  else if (t.args.length) s += `(${t.args.map((a) => (a === "max" ? "MAX" : String(a))).join(", ")})`;
  return s;
}

function option(o: A.OptionItem): string {
  let s = o.name;
  if (typeof o.value === "string") s += o.name.startsWith("@") ? "" : /^[A-Z_ ]+$/.test(o.name) && !["MAXDOP", "MAXRECURSION", "FAST", "QUERYTRACEON"].includes(o.name) ? ` = ${o.value}` : ` ${o.value}`;
  else if (Array.isArray(o.value)) s += ` (${list(o.value, option)})`;
  else if (o.value) s += ` = ${expr(o.value)}`;
  if (o.options) s += ` (${list(o.options, option)})`;
  return s;
}

function over(o: A.Over): string {
  if (o.windowName && !o.partitionBy.length && !o.orderBy.length && !o.frame) return `OVER ${q(o.windowName)}`;
  return `OVER ${overSpec(o)}`;
}

function overSpec(o: A.Over): string {
  const parts: string[] = [];
  if (o.windowName) parts.push(q(o.windowName));
  if (o.partitionBy.length) parts.push(`PARTITION BY ${list(o.partitionBy, expr)}`);
  if (o.orderBy.length) parts.push(`ORDER BY ${list(o.orderBy, orderItem)}`);
  if (o.frame) {
    const b = (f: A.FrameBound) => (f.offset ? `${expr(f.offset)} ${f.type}` : f.type);
    parts.push(o.frame.end ? `${o.frame.unit} BETWEEN ${b(o.frame.start)} AND ${b(o.frame.end)}` : `${o.frame.unit} ${b(o.frame.start)}`);
  }
  return `(${parts.join(" ")})`;
}

const orderItem = (o: A.OrderItem) => expr(o.expr) + (o.direction ? ` ${o.direction}` : "");

export function expr(e: A.Expr): string {
  switch (e.kind) {
    case "Literal":
      switch (e.literalType) {
        case "string":
          return str(e.value);
        case "nstring":
          return str(e.value, true);
        case "null":
          return "NULL";
        default:
          return e.value;
      }
    case "ColumnRef":
      return (e.table ? name(e.table) + "." : "") + q(e.name);
    case "Star":
      return (e.table ? name(e.table) + "." : "") + "*";
    case "PseudoColumn":
      return e.name;
    case "DefaultValue":
      return "DEFAULT";
    case "Variable":
      return e.name;
    case "Unary":
      return e.op === "NOT" ? `NOT ${expr(e.operand)}` : `${e.op}${e.operand.kind === "Unary" ? " " : ""}${expr(e.operand)}`;
    case "Binary":
      return `${expr(e.left)} ${e.op} ${expr(e.right)}`;
    case "Paren":
      return `(${expr(e.expr)})`;
    case "Between":
      return `${expr(e.expr)}${e.not ? " NOT" : ""} BETWEEN ${expr(e.low)} AND ${expr(e.high)}`;
    case "InList":
      return `${expr(e.expr)}${e.not ? " NOT" : ""} IN (${list(e.list, expr)})`;
    case "InSubquery":
      return `${expr(e.expr)}${e.not ? " NOT" : ""} IN (${query(e.query)})`;
    case "Like":
      return `${expr(e.expr)}${e.not ? " NOT" : ""} LIKE ${expr(e.pattern)}${e.escape ? ` ESCAPE ${expr(e.escape)}` : ""}`;
    case "IsNull":
      return `${expr(e.expr)} IS ${e.not ? "NOT " : ""}NULL`;
    case "Exists":
      return `EXISTS (${query(e.query)})`;
    case "Subquery":
      return `(${query(e.query)})`;
    case "Quantified":
      return `${e.quantifier} (${query(e.query)})`;
    case "Case":
      return `CASE${e.operand ? " " + expr(e.operand) : ""} ${e.whens.map((w) => `WHEN ${expr(w.when)} THEN ${expr(w.then)}`).join(" ")}${e.else ? ` ELSE ${expr(e.else)}` : ""} END`;
    case "Iif":
      return `IIF(${expr(e.condition)}, ${expr(e.then)}, ${expr(e.else)})`;
    case "Cast":
      if (e.fn === "CONVERT" || e.fn === "TRY_CONVERT") return `${e.fn}(${dataType(e.type)}, ${expr(e.expr)}${e.style ? ", " + expr(e.style) : ""})`;
      return `${e.fn}(${expr(e.expr)} AS ${dataType(e.type)}${e.culture ? " USING " + expr(e.culture) : ""})`;
    case "Collate":
      return `${expr(e.expr)} COLLATE ${e.collation}`;
    case "AtTimeZone":
      return `${expr(e.expr)} AT TIME ZONE ${expr(e.zone)}`;
    case "FunctionCall": {
      if (!e.parens) return name(e.name);
      let args: string;
      if (e.trimFrom) args = e.args.length === 2 ? `${expr(e.args[0]!)} FROM ${expr(e.args[1]!)}` : `FROM ${expr(e.args[0]!)}`;
      else args = (e.distinct ? "DISTINCT " : "") + list(e.args, expr);
      let s = `${name(e.name)}(${args})`;
      if (e.withinGroup) s += ` WITHIN GROUP (ORDER BY ${list(e.withinGroup, orderItem)})`;
      if (e.over) s += " " + over(e.over);
      return s;
    }
    case "MethodCall":
      return `${expr(e.target)}.${q(e.method)}(${list(e.args, expr)})`;
    case "StaticMethodCall":
      return `${name(e.type)}::${q(e.method)}${e.parens ? `(${list(e.args, expr)})` : ""}`;
    case "NextValueFor":
      return `NEXT VALUE FOR ${name(e.sequence)}${e.over ? " " + over(e.over) : ""}`;
  }
}

function withClause(w: A.WithClause): string {
  const parts: string[] = [];
  if (w.xmlNamespaces) parts.push(`XMLNAMESPACES (${w.xmlNamespaces.map((n) => (n.isDefault ? `DEFAULT ${expr(n.uri)}` : `${expr(n.uri)} AS ${q(n.prefix!)}`)).join(", ")})`);
  for (const c of w.ctes) parts.push(`${q(c.name)}${c.columns.length ? ` (${idents(c.columns)})` : ""} AS (${query(c.query)})`);
  return `WITH ${parts.join(", ")} `;
}

function top(t: A.Top): string {
  return `TOP ${expr(t.expr)}${t.percent ? " PERCENT" : ""}${t.withTies ? " WITH TIES" : ""} `;
}

function selectItem(i: A.SelectItem | A.SelectAssign): string {
  if (i.kind === "SelectAssign") return `${i.variable.name} ${i.op} ${expr(i.expr)}`;
  if (!i.alias) return expr(i.expr);
  switch (i.aliasStyle) {
    case "equals":
      return `${q(i.alias)} = ${expr(i.expr)}`;
    case "string":
      return `${expr(i.expr)} AS ${str(i.alias.value)}`;
    case "bare":
      return `${expr(i.expr)} ${q(i.alias)}`;
    default:
      return `${expr(i.expr)} AS ${q(i.alias)}`;
  }
}

const alias = (a: A.Identifier | undefined, cols: A.Identifier[] = []) => (a ? ` AS ${q(a)}` : "") + (cols.length ? ` (${idents(cols)})` : "");

function hints(h: A.TableHint[]): string {
  return h.length ? ` WITH (${h.map((x) => x.name + (x.args.length ? `(${list(x.args, expr)})` : "")).join(", ")})` : "";
}

export function tableSource(t: A.TableSource): string {
  switch (t.kind) {
    case "TableRef": {
      let s = name(t.name);
      if (t.forSystemTime) {
        const a = t.forSystemTime.args.map(expr);
        const fs = t.forSystemTime.type;
        s += " FOR SYSTEM_TIME " + (fs === "AS OF" ? `AS OF ${a[0]}` : fs === "FROM" ? `FROM ${a[0]} TO ${a[1]}` : fs === "BETWEEN" ? `BETWEEN ${a[0]} AND ${a[1]}` : fs === "CONTAINED IN" ? `CONTAINED IN (${a[0]}, ${a[1]})` : "ALL");
      }
      if (t.tablesample) s += " " + t.tablesample;
      return s + alias(t.alias) + hints(t.hints);
    }
    case "VariableTableRef":
      return t.variable.name + alias(t.alias);
    case "DerivedTable":
      return `(${query(t.query)})${alias(t.alias, t.columns)}`;
    case "ValuesTable":
      return `(VALUES ${t.rows.map((r) => `(${list(r, expr)})`).join(", ")})${alias(t.alias, t.columns)}`;
    case "TableFunction": {
      let s = expr(t.call);
      if (t.withSchema) s += ` WITH (${t.withSchema.map((c) => `${q(c.name)} ${dataType(c.type)}${c.path !== undefined ? " " + str(c.path) : ""}${c.asJson ? " AS JSON" : ""}`).join(", ")})`;
      return s + alias(t.alias, t.columns);
    }
    case "Join": {
      const op = t.joinType === "CROSS APPLY" || t.joinType === "OUTER APPLY" ? t.joinType : t.joinType === "CROSS" ? "CROSS JOIN" : `${t.joinType}${t.hint ? " " + t.hint : ""} JOIN`;
      const right = t.right.kind === "Join" ? `(${tableSource(t.right)})` : tableSource(t.right);
      return `${tableSource(t.left)} ${op} ${right}${t.on ? ` ON ${expr(t.on)}` : ""}`;
    }
    case "Pivot":
      return `${tableSource(t.source)} PIVOT (${expr(t.aggregate)} FOR ${expr(t.column)} IN (${idents(t.values)}))${alias(t.alias)}`;
    case "Unpivot":
      return `${tableSource(t.source)} UNPIVOT (${q(t.valueColumn)} FOR ${q(t.forColumn)} IN (${idents(t.columns)}))${alias(t.alias)}`;
    case "DmlTable":
      return `(${statement(t.statement)})${alias(t.alias, t.columns)}`;
  }
}

function forClause(f: A.ForClause): string {
  let s = `FOR ${f.mode}`;
  if (f.submode) s += ` ${f.submode}${f.name !== undefined ? `(${str(f.name)})` : ""}`;
  for (const o of f.options) s += `, ${o.name}${typeof o.value === "string" ? `(${str(o.value)})` : ""}`;
  return s;
}

function queryTail(x: A.Select | A.SetOperation): string {
  let s = "";
  if (x.orderBy.length) s += ` ORDER BY ${list(x.orderBy, orderItem)}`;
  if (x.offset) s += ` OFFSET ${expr(x.offset)} ROWS`;
  if (x.fetch) s += ` FETCH NEXT ${expr(x.fetch)} ROWS ONLY`;
  if (x.for) s += " " + forClause(x.for);
  if (x.option.length) s += ` OPTION (${list(x.option, option)})`;
  return s;
}

function groupItem(g: A.Expr | A.GroupingSets): string {
  if (g.kind !== "GroupingSets") return expr(g);
  const sets = g.sets.map((s) => (s.length === 1 && g.type !== "GROUPING SETS" ? expr(s[0]!) : `(${list(s, expr)})`));
  return `${g.type} (${sets.join(", ")})`;
}

export function query(x: A.QueryExpr): string {
  switch (x.kind) {
    case "ParenQuery":
      return `(${query(x.query)})`;
    case "SetOperation":
      return `${query(x.left)} ${x.op} ${query(x.right)}${queryTail(x)}`;
    case "Select": {
      let s = "SELECT ";
      if (x.distinct) s += "DISTINCT ";
      if (x.all) s += "ALL ";
      if (x.top) s += top(x.top);
      s += list(x.columns, selectItem);
      if (x.into) s += ` INTO ${name(x.into)}${x.intoFileGroup ? ` ON ${q(x.intoFileGroup)}` : ""}`;
      if (x.from.length) s += ` FROM ${list(x.from, tableSource)}`;
      if (x.where) s += ` WHERE ${expr(x.where)}`;
      if (x.groupBy) s += ` GROUP BY ${x.groupBy.all ? "ALL " : ""}${list(x.groupBy.items, groupItem)}${x.groupBy.with ? ` WITH ${x.groupBy.with}` : ""}`;
      if (x.having) s += ` HAVING ${expr(x.having)}`;
      if (x.windows) s += ` WINDOW ${x.windows.map((w) => `${q(w.name)} AS ${overSpec(w.spec)}`).join(", ")}`;
      return s + queryTail(x);
    }
  }
}

function output(o: A.OutputClause | undefined): string {
  if (!o) return "";
  let s = ` OUTPUT ${list(o.columns, selectItem)}`;
  if (o.into) s += ` INTO ${o.into.kind === "Variable" ? o.into.name : name(o.into)}${o.intoColumns.length ? ` (${idents(o.intoColumns)})` : ""}`;
  return s;
}

function setClause(c: A.SetClause): string {
  if (c.method) return expr(c.value);
  const lhs = c.variable && c.target ? `${c.variable.name} = ${expr(c.target)}` : c.variable ? c.variable.name : expr(c.target!);
  return `${lhs} ${c.op} ${expr(c.value)}`;
}

const opt = (o: A.OptionItem[]) => (o.length ? ` OPTION (${list(o, option)})` : "");

function dmlTarget(t: A.TableSource): string {
  return tableSource(t);
}

function constraint(c: A.TableConstraint): string {
  const n = c.name ? `CONSTRAINT ${q(c.name)} ` : "";
  const cols = (xs: A.IndexColumn[]) => `(${xs.map((x) => q(x.name) + (x.direction ? " " + x.direction : "")).join(", ")})`;
  switch (c.kind) {
    case "PrimaryKey":
    case "Unique":
      return `${n}${c.kind === "PrimaryKey" ? "PRIMARY KEY" : "UNIQUE"}${c.clustered === undefined ? "" : c.clustered ? " CLUSTERED" : " NONCLUSTERED"}${c.hash ? " HASH" : ""}${c.columns.length ? " " + cols(c.columns) : ""}${c.options.length ? ` WITH (${list(c.options, option)})` : ""}${c.onFileGroup ? ` ON ${c.onFileGroup}` : ""}`;
    case "ForeignKey":
      return `${n}${c.columns.length ? `FOREIGN KEY (${idents(c.columns)}) ` : ""}REFERENCES ${name(c.refTable)}${c.refColumns.length ? ` (${idents(c.refColumns)})` : ""}${c.onDelete ? ` ON DELETE ${c.onDelete}` : ""}${c.onUpdate ? ` ON UPDATE ${c.onUpdate}` : ""}${c.notForReplication ? " NOT FOR REPLICATION" : ""}`;
    case "Check":
      return `${n}CHECK${c.notForReplication ? " NOT FOR REPLICATION" : ""} (${expr(c.expr)})`;
    case "Default":
      return `${n}DEFAULT ${expr(c.expr)}${c.forColumn ? ` FOR ${q(c.forColumn)}` : ""}${c.withValues ? " WITH VALUES" : ""}`;
  }
}

function inlineIndex(i: A.InlineIndex): string {
  return `INDEX ${q(i.name)}${i.unique ? " UNIQUE" : ""}${i.clustered === undefined ? "" : i.clustered ? " CLUSTERED" : " NONCLUSTERED"}${i.columnstore ? " COLUMNSTORE" : ""}${i.hash ? " HASH" : ""}${i.columns.length ? ` (${i.columns.map((x) => q(x.name) + (x.direction ? " " + x.direction : "")).join(", ")})` : ""}${i.include.length ? ` INCLUDE (${idents(i.include)})` : ""}${i.where ? ` WHERE ${expr(i.where)}` : ""}${i.options.length ? ` WITH (${list(i.options, option)})` : ""}${i.onFileGroup ? ` ON ${i.onFileGroup}` : ""}`;
}

function columnDef(c: A.ColumnDef): string {
  let s = q(c.name);
  if (c.computed) s += ` AS ${expr(c.computed.expr)}${c.computed.persisted ? " PERSISTED" : ""}`;
  else if (c.type) s += " " + dataType(c.type);
  if (c.sparse) s += " SPARSE";
  if (c.filestream) s += " FILESTREAM";
  if (c.collation) s += ` COLLATE ${c.collation}`;
  if (c.generatedAlways) s += ` GENERATED ALWAYS AS ${c.generatedAlways}`;
  if (c.hidden) s += " HIDDEN";
  if (c.mask !== undefined) s += ` MASKED WITH (FUNCTION = ${str(c.mask)})`;
  if (c.encrypted) s += " " + c.encrypted;
  if (c.identity) s += ` IDENTITY${c.identity.seed ? `(${expr(c.identity.seed)}, ${expr(c.identity.increment!)})` : ""}`;
  if (c.notForReplication) s += " NOT FOR REPLICATION";
  if (c.rowguidcol) s += " ROWGUIDCOL";
  if (c.nullable !== undefined) s += c.nullable ? " NULL" : " NOT NULL";
  if (c.default) s += " " + constraint(c.default);
  for (const k of c.constraints) s += " " + constraint(k);
  if (c.index) s += " " + inlineIndex(c.index);
  return s;
}

function tableBody(columns: A.ColumnDef[], constraints: A.TableConstraint[], indexes: A.InlineIndex[], period?: A.PeriodForSystemTime): string {
  const items = [...columns.map(columnDef), ...constraints.map(constraint), ...indexes.map(inlineIndex)];
  if (period) items.push(`PERIOD FOR SYSTEM_TIME (${q(period.start)}, ${q(period.end)})`);
  return `(${items.join(", ")})`;
}

function param(p: A.Parameter): string {
  return `${p.name} ${dataType(p.type)}${p.varying ? " VARYING" : ""}${p.nullable === undefined ? "" : p.nullable ? " NULL" : " NOT NULL"}${p.default ? ` = ${expr(p.default)}` : ""}${p.output ? " OUTPUT" : ""}${p.readonly ? " READONLY" : ""}`;
}

// Every statement of a body ends with `;` (MERGE needs it; the others accept it).
const body = (b: A.Statement[]) => b.map((s) => statement(s) + ";").join(" ");
const withOpts = (o: string[]) => (o.length ? ` WITH ${o.join(", ")}` : "");
const cursorName = (c: A.Identifier | A.Variable) => (c.kind === "Variable" ? c.name : q(c));

function cursorDef(c: A.CursorDefinition): string {
  // ISO form `INSENSITIVE SCROLL CURSOR FOR` keeps its options before CURSOR; the others follow it.
  const iso = c.options.includes("INSENSITIVE");
  const pre: string[] = iso ? c.options.filter((o) => o === "INSENSITIVE" || o === "SCROLL") : [];
  const post = c.options.filter((o) => !pre.includes(o));
  return `${pre.length ? pre.join(" ") + " " : ""}CURSOR${post.length ? " " + post.join(" ") : ""} FOR ${statement(c.query)}${c.forUpdate ? ` FOR UPDATE${c.forUpdate.length ? ` OF ${idents(c.forUpdate)}` : ""}` : ""}${c.readOnly ? " FOR READ ONLY" : ""}`;
}

function execArgs(e: A.Exec): string {
  return e.args.map((a) => `${a.name ? a.name + " = " : ""}${expr(a.value)}${a.output ? " OUTPUT" : ""}`).join(", ");
}

function exec(e: A.Exec): string {
  const proc = e.procedure.kind === "Variable" ? e.procedure.name : name(e.procedure);
  const args = execArgs(e);
  return `EXEC ${e.returnVariable ? e.returnVariable.name + " = " : ""}${proc}${args ? " " + args : ""}${e.options.length ? ` WITH ${e.options.join(", ")}` : ""}${e.at ? ` AT ${q(e.at)}` : ""}`;
}

/** A statement under IF/ELSE/WHILE; text kept verbatim starts on its own line so it cannot merge with the condition. */
const branch = (s: A.Statement) => (s.kind === "Command" ? (/^GO\b/i.test(s.text) ? `; ${s.text}` : `;\n${s.text}`) : statement(s));

/** T-SQL text of a statement (statements nested in blocks are separated by `;`). */
export function statement(s: A.Statement): string {
  switch (s.kind) {
    case "SelectStatement":
      return (s.with ? withClause(s.with) : "") + query(s.query);
    case "Insert": {
      let t = `${s.with ? withClause(s.with) : ""}INSERT ${s.top ? top(s.top) : ""}INTO ${dmlTarget(s.target)}`;
      if (s.columns.length) t += ` (${idents(s.columns)})`;
      t += output(s.output) + output(s.outputResult);
      const src = s.source;
      t += src.kind === "Values" ? ` VALUES ${src.rows.map((r) => `(${list(r, expr)})`).join(", ")}` : src.kind === "Query" ? " " + query(src.query) : src.kind === "ExecSource" ? " " + statement(src.exec) : " DEFAULT VALUES";
      return t + opt(s.option);
    }
    case "Update":
      return `${s.with ? withClause(s.with) : ""}UPDATE ${s.top ? top(s.top) : ""}${dmlTarget(s.target)} SET ${list(s.set, setClause)}${output(s.output)}${output(s.outputResult)}${s.from.length ? ` FROM ${list(s.from, tableSource)}` : ""}${s.where ? ` WHERE ${expr(s.where)}` : s.currentOf ? ` WHERE CURRENT OF ${s.currentOf}` : ""}${opt(s.option)}`;
    case "Delete":
      return `${s.with ? withClause(s.with) : ""}DELETE ${s.top ? top(s.top) : ""}FROM ${dmlTarget(s.target)}${output(s.output)}${output(s.outputResult)}${s.from.length ? ` FROM ${list(s.from, tableSource)}` : ""}${s.where ? ` WHERE ${expr(s.where)}` : s.currentOf ? ` WHERE CURRENT OF ${s.currentOf}` : ""}${opt(s.option)}`;
    case "Merge": {
      const whens = s.whens.map((w) => {
        const a = w.action;
        const act = a.kind === "MergeUpdate" ? `UPDATE SET ${list(a.set, setClause)}` : a.kind === "MergeDelete" ? "DELETE" : `INSERT${a.columns.length ? ` (${idents(a.columns)})` : ""}${a.defaultValues ? " DEFAULT VALUES" : ` VALUES (${list(a.values, expr)})`}`;
        return ` WHEN ${w.match}${w.condition ? ` AND ${expr(w.condition)}` : ""} THEN ${act}`;
      });
      return `${s.with ? withClause(s.with) : ""}MERGE ${s.top ? top(s.top) : ""}INTO ${dmlTarget(s.target)} USING ${tableSource(s.using)} ON ${expr(s.on)}${whens.join("")}${output(s.output)}${output(s.outputResult)}${opt(s.option)}`;
    }
    case "Truncate":
      return `TRUNCATE TABLE ${name(s.table)}${s.partitions ? " " + s.partitions : ""}`;
    case "BulkInsert":
      return `BULK INSERT ${name(s.table)} FROM ${str(s.from)}${s.options.length ? ` WITH (${list(s.options, option)})` : ""}`;
    case "CreateTable": {
      let t = `CREATE TABLE ${name(s.name)}`;
      if (s.asType === "FILETABLE") t += " AS FILETABLE";
      else if (!s.asSelect || s.columns.length) t += " " + tableBody(s.columns, s.constraints, s.indexes, s.period);
      if (s.asType === "NODE" || s.asType === "EDGE") t += ` AS ${s.asType}`;
      if (s.onFileGroup) t += ` ON ${s.onFileGroup}`;
      if (s.textImageOn) t += ` TEXTIMAGE_ON ${s.textImageOn}`;
      if (s.fileStreamOn) t += ` FILESTREAM_ON ${s.fileStreamOn}`;
      if (s.options.length) t += ` WITH (${list(s.options, option)})`;
      if (s.asSelect) t += ` AS ${statement(s.asSelect)}`;
      return t;
    }
    case "AlterTable": {
      const a = s.actions[0];
      let t = `ALTER TABLE ${name(s.name)} `;
      if (!a) return t.trim();
      switch (a.kind) {
        case "AddItems":
          t += `${a.withCheck === undefined ? "" : a.withCheck ? "WITH CHECK " : "WITH NOCHECK "}ADD ${a.items.map((i) => (i.kind === "ColumnDef" ? columnDef(i) : i.kind === "InlineIndex" ? inlineIndex(i) : i.kind === "PeriodForSystemTime" ? `PERIOD FOR SYSTEM_TIME (${q(i.start)}, ${q(i.end)})` : constraint(i))).join(", ")}`;
          break;
        case "AlterColumn":
          t += `ALTER COLUMN ${q(a.column)} ${a.addDrop ?? `${dataType(a.type!)}${a.collation ? ` COLLATE ${a.collation}` : ""}${a.nullable === undefined ? "" : a.nullable ? " NULL" : " NOT NULL"}`}`;
          break;
        case "DropItems":
          t += `DROP ${a.items.map((i) => (i.type === "PERIOD" ? "PERIOD FOR SYSTEM_TIME" : `${i.type} ${i.ifExists ? "IF EXISTS " : ""}${q(i.name)}`)).join(", ")}`;
          break;
        case "CheckConstraints":
          t += `${a.withCheck === undefined ? "" : a.withCheck ? "WITH CHECK " : "WITH NOCHECK "}${a.check ? "CHECK" : "NOCHECK"} CONSTRAINT ${a.all ? "ALL" : idents(a.names)}`;
          break;
        case "TriggerState":
          t += `${a.enable ? "ENABLE" : "DISABLE"} TRIGGER ${a.all ? "ALL" : idents(a.names)}`;
          break;
        case "SetOptions":
          t += `SET (${list(a.options, option)})`;
          break;
        case "OtherAlter":
          t += a.text;
          break;
      }
      return t;
    }
    case "CreateView":
      return `${s.mode} VIEW ${name(s.name)}${s.columns.length ? ` (${idents(s.columns)})` : ""}${withOpts(s.options)} AS ${s.with ? withClause(s.with) : ""}${query(s.query)}${s.checkOption ? " WITH CHECK OPTION" : ""}`;
    case "CreateProcedure":
      return `${s.mode} PROCEDURE ${name(s.name)}${s.number !== undefined ? `;${s.number}` : ""}${s.params.length ? " " + list(s.params, param) : ""}${withOpts(s.options)}${s.forReplication ? " FOR REPLICATION" : ""} AS ${s.externalName ? `EXTERNAL NAME ${s.externalName}` : body(s.body)}`;
    case "CreateFunction": {
      const r = s.returns;
      const ret = r.kind === "Scalar" ? dataType(r.type) : r.kind === "InlineTable" ? "TABLE" : `${r.variable ? r.variable + " " : ""}TABLE ${tableBody(r.columns, r.constraints, r.indexes)}`;
      const tail = s.externalName ? `EXTERNAL NAME ${s.externalName}` : s.returnQuery ? `RETURN ${statement(s.returnQuery)}` : `BEGIN ${body(s.body)} END`;
      return `${s.mode} FUNCTION ${name(s.name)} (${list(s.params, param)}) RETURNS ${ret}${withOpts(s.options)} AS ${tail}`;
    }
    case "CreateTrigger":
      return `${s.mode} TRIGGER ${name(s.name)} ON ${s.table ? name(s.table) : s.scope}${withOpts(s.options.filter((o) => o !== "WITH APPEND"))} ${s.timing} ${s.events.join(", ")}${s.options.includes("WITH APPEND") ? " WITH APPEND" : ""}${s.notForReplication ? " NOT FOR REPLICATION" : ""} AS ${s.externalName ? `EXTERNAL NAME ${s.externalName}` : body(s.body)}`;
    case "CreateType":
      if (s.from) return `CREATE TYPE ${name(s.name)} FROM ${dataType(s.from)}${s.nullable === undefined ? "" : s.nullable ? " NULL" : " NOT NULL"}`;
      if (s.table) return `CREATE TYPE ${name(s.name)} AS TABLE ${tableBody(s.table.columns, s.table.constraints, s.table.indexes)}${s.table.options.length ? ` WITH (${list(s.table.options, option)})` : ""}`;
      return `CREATE TYPE ${name(s.name)} EXTERNAL NAME ${s.externalName}`;
    case "CreateSequence": {
      let t = `${s.mode} SEQUENCE ${name(s.name)}`;
      if (s.type) t += ` AS ${dataType(s.type)}`;
      if (s.startWith) t += ` START WITH ${expr(s.startWith)}`;
      if (s.restartWith) t += s.restartWith === true ? " RESTART" : ` RESTART WITH ${expr(s.restartWith)}`;
      if (s.incrementBy) t += ` INCREMENT BY ${expr(s.incrementBy)}`;
      if (s.minValue !== undefined) t += s.minValue === null ? " NO MINVALUE" : ` MINVALUE ${expr(s.minValue)}`;
      if (s.maxValue !== undefined) t += s.maxValue === null ? " NO MAXVALUE" : ` MAXVALUE ${expr(s.maxValue)}`;
      if (s.cycle !== undefined) t += s.cycle ? " CYCLE" : " NO CYCLE";
      if (s.cache !== undefined) t += s.cache === null ? " NO CACHE" : s.cache.kind === "DefaultValue" ? " CACHE" : ` CACHE ${expr(s.cache)}`;
      return t;
    }
    case "CreateSynonym":
      return `CREATE SYNONYM ${name(s.name)} FOR ${name(s.target)}`;
    case "CreateSchema":
      return `CREATE SCHEMA ${q(s.name)}${s.authorization ? ` AUTHORIZATION ${q(s.authorization)}` : ""}${s.elements.map((e) => "\n" + statement(e)).join("")}`;
    case "CreateIndex":
      return `CREATE ${s.unique ? "UNIQUE " : ""}${s.clustered === undefined ? "" : s.clustered ? "CLUSTERED " : "NONCLUSTERED "}${s.columnstore ? "COLUMNSTORE " : ""}${s.special ? s.special + " " : ""}INDEX ${q(s.name)} ON ${name(s.table)}${s.columns.length ? ` (${s.columns.map((x) => q(x.name) + (x.direction ? " " + x.direction : "")).join(", ")})` : ""}${s.include.length ? ` INCLUDE (${idents(s.include)})` : ""}${s.where ? ` WHERE ${expr(s.where)}` : ""}${s.options.length ? ` WITH (${list(s.options, option)})` : ""}${s.onFileGroup ? ` ON ${s.onFileGroup}` : ""}${s.fileStreamOn ? ` FILESTREAM_ON ${s.fileStreamOn}` : ""}`;
    case "CreateStatistics":
      return `CREATE STATISTICS ${q(s.name)} ON ${name(s.table)} (${idents(s.columns)})${s.where ? ` WHERE ${expr(s.where)}` : ""}${s.options.length ? ` WITH ${s.options.map((o) => o.name).join(", ")}` : ""}`;
    case "Drop":
      return `DROP ${s.objectType} ${s.ifExists ? "IF EXISTS " : ""}${list(s.names, name)}${s.on ? ` ON ${name(s.on)}` : ""}`;
    case "ExtendedProperty":
    case "AddType":
      return exec(s.exec);
    case "Declare":
      return `DECLARE ${s.items.map((i) => (i.kind === "DeclareVariable" ? `${i.name} ${dataType(i.type)}${i.value ? ` = ${expr(i.value)}` : ""}` : i.kind === "DeclareTableVariable" ? `${i.name} TABLE ${tableBody(i.columns, i.constraints, i.indexes)}` : `${i.name} CURSOR`)).join(", ")}`;
    case "DeclareCursor":
      return `DECLARE ${q(s.name)} ${cursorDef(s.cursor)}`;
    case "SetVariable":
      if (s.method) return `SET ${expr(s.method)}`;
      return `SET ${s.variable.name} ${s.op} ${s.cursor ? cursorDef(s.cursor) : expr(s.value!)}`;
    case "SetOption":
      if (s.options[0] === "TRANSACTION ISOLATION LEVEL") return `SET TRANSACTION ISOLATION LEVEL ${s.value}`;
      if (s.table) return `SET IDENTITY_INSERT ${name(s.table)} ${s.value}`;
      return `SET ${s.options.join(", ")} ${s.expr ? expr(s.expr) : s.value ?? ""}`.trimEnd();
    case "If":
      return `IF ${expr(s.condition)} ${branch(s.then)}${s.else ? `; ELSE ${branch(s.else)}` : ""}`;
    case "While":
      return `WHILE ${expr(s.condition)} ${branch(s.body)}`;
    case "Block":
      return `BEGIN ${body(s.body)} END`;
    case "TryCatch":
      return `BEGIN TRY ${body(s.tryBody)} END TRY BEGIN CATCH ${body(s.catchBody)} END CATCH`;
    case "Break":
      return "BREAK";
    case "Continue":
      return "CONTINUE";
    case "Throw":
      return s.number ? `THROW ${expr(s.number)}, ${expr(s.message!)}, ${expr(s.state!)}` : "THROW";
    case "Raiserror":
      if (s.legacy) return `RAISERROR ${expr(s.errorNumber!)} ${expr(s.message)}${s.args.map((a) => ", " + expr(a)).join("")}`;
      return `RAISERROR (${[s.message, ...(s.severity ? [s.severity, s.state!] : []), ...s.args].map(expr).join(", ")})${s.options.length ? ` WITH ${s.options.join(", ")}` : ""}`;
    case "Return":
      return s.value ? `RETURN ${expr(s.value)}` : "RETURN";
    case "Print":
      return `PRINT ${expr(s.value)}`;
    case "Goto":
      return `GOTO ${/^[A-Za-z_][\w@$#]*$/.test(s.label) ? s.label : `[${s.label.replace(/]/g, "]]")}]`}`;
    case "Label":
      return `${s.name}:`;
    case "Waitfor":
      return `WAITFOR ${s.mode} ${expr(s.value)}`;
    case "Exec":
      return exec(s);
    case "ExecString":
      return `EXEC (${list(s.parts, expr, " + ")})${s.as ? ` AS ${s.as.type} = ${expr(s.as.name)}` : ""}${s.at ? ` AT ${q(s.at)}` : ""}`;
    case "Transaction": {
      const kw = s.action === "SAVE" ? "SAVE TRANSACTION" : s.work ? `${s.action} WORK` : `${s.action} TRANSACTION`;
      return `${kw}${s.name ? " " + (s.name.kind === "Variable" ? s.name.name : q(s.name)) : ""}${s.mark !== undefined ? ` WITH MARK ${str(s.mark)}` : ""}${s.delayedDurability !== undefined ? ` WITH (DELAYED_DURABILITY = ${s.delayedDurability ? "ON" : "OFF"})` : ""}`;
    }
    case "CursorOp":
      return `${s.op} ${s.global ? "GLOBAL " : ""}${cursorName(s.cursor)}`;
    case "Fetch":
      return `FETCH ${s.direction ? `${s.direction}${s.offset ? " " + expr(s.offset) : ""} ` : ""}FROM ${s.global ? "GLOBAL " : ""}${cursorName(s.cursor)}${s.into.length ? ` INTO ${s.into.map((v) => v.name).join(", ")}` : ""}`;
    case "Use":
      return `USE ${q(s.database)}`;
    case "Command":
      return s.text;
  }
}

export { dataType as printDataType, name as printObjectName, expr as printExpr, query as printQuery, statement as printStatement, tableSource as printTableSource };
