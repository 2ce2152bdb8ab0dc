// buildCatalog: SourceSet → Catalog. Scripts are parsed and their DDL applied in file order
// (CREATE, ALTER, DROP, sp_addextendedproperty...); dacpac and live fragments arrive as drafts whose
// module bodies are parsed the same way. Then every reference in every AST is resolved against the
// merged objects, giving the dependency graph and the list of what could not be resolved.
import type { Diagnostic } from "../diagnostics.ts";
import { diagnostic } from "../diagnostics.ts";
import type {
  Batch,
  ColumnDef,
  DataType,
  Expr,
  Identifier,
  InlineIndex,
  Node,
  ObjectName,
  Statement,
  TableConstraint,
} from "../tsql/ast.ts";
import { BUILTIN_ROWSET_FUNCTIONS } from "../tsql/keywords.ts";
import { references as astReferences, sourceText, walk } from "../tsql/walk.ts";
import type {
  CatalogFragment,
  ColumnDraft,
  ColumnTypeDraft,
  ConstraintDraft,
  IndexDraft,
  ObjectDraft,
  OriginKind,
  SourceFile,
  SourceSet,
} from "../sources/types.ts";
import { dependencyOrder } from "./graph.ts";
import {
  type Catalog,
  type CatalogObject,
  CatalogSchema,
  type Column,
  DEFAULT_COLLATION,
  DEFAULT_SCHEMA,
  type Reference,
  type Unresolved,
} from "./model.ts";
import { parse, type ParseInput } from "./parse.ts";

export interface BuildOptions {
  /** SQLCMD variable values (`--var name=value`); they win over :setvar and .sqlproj defaults. */
  vars?: Record<string, string>;
  /** Collation for columns that do not name one, when no source says (default SQL_Latin1_General_CP1_CI_AS). */
  defaultCollation?: string;
  /** Schema for unqualified names (default dbo). */
  defaultSchema?: string;
  /**
   * Parse PreDeploy/PostDeploy scripts of SSDT projects (default true: objects they create, often
   * through `:r` includes, exist in the deployed database; their data statements are ignored).
   */
  includeDeployScripts?: boolean;
  /** Skip zod validation of the result (benchmarks; the shape is the same). */
  skipValidation?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Working state

interface RawRef {
  server?: string;
  database?: string;
  schema?: string;
  name: string;
  role: string;
  line: number;
}

interface Work extends ObjectDraft {
  origin: OriginKind;
  ast?: Statement;
  batch?: Batch;
  /** AST nodes whose references count for this object (CREATE TABLE, ALTER TABLE, module). */
  refNodes: Node[];
  usesAnsiNulls?: boolean;
  usesQuotedIdentifier?: boolean;
  unparsed?: boolean;
  extraRefs: RawRef[];
  /** A schema no input creates but objects use (dbo, or a schema created outside the inputs). */
  implicit?: boolean;
}

const CHAR_TYPES = new Set(["char", "varchar", "nchar", "nvarchar", "text", "ntext", "sysname"]);
const LENGTH_TYPES = new Set(["char", "varchar", "nchar", "nvarchar", "binary", "varbinary"]);
const SCALE_TYPES = new Set(["datetime2", "time", "datetimeoffset"]);
const BUILTIN_TVFS = new Set([
  ...BUILTIN_ROWSET_FUNCTIONS,
  "FN_HELPCOLLATIONS", "FN_VIRTUALFILESTATS", "FN_LISTEXTENDEDPROPERTY", "FN_GET_SQL", "FN_DBLOG", "FN_TRACE_GETTABLE",
]);
const EXTERNAL_ROWSETS = new Set(["OPENQUERY", "OPENROWSET", "OPENDATASOURCE"]);
const SYSTEM_SCHEMAS = new Set(["sys", "information_schema"]);
const XML_METHODS = /^(value|query|exist|nodes|modify)$/i;
const SYSTEM_DATABASES = new Set(["master", "tempdb", "model", "msdb"]);

const NAME_PART = `(?:\\[(?:[^\\]]|\\]\\])+\\]|"(?:[^"]|"")+"|[\\w@#$]+)`;
const NAME_RX = `${NAME_PART}(?:\\s*\\.\\s*${NAME_PART}){0,3}`;
const UNPARSED_CREATE = new RegExp(`^\\s*(CREATE(?:\\s+OR\\s+ALTER)?|ALTER)\\s+(VIEW|PROC|PROCEDURE|FUNCTION|TRIGGER|TABLE|SYNONYM|SEQUENCE|TYPE)\\s+(${NAME_RX})`, "i");

/** The SQL text of `EXEC('...' + N'...')` or `sp_executesql N'...'` when it is a constant, else undefined. */
function constantSql(x: Node): string | undefined {
  const isString = (e: Expr | undefined): e is Extract<Expr, { kind: "Literal" }> => !!e && e.kind === "Literal" && (e.literalType === "string" || e.literalType === "nstring");
  if (x.kind === "ExecString") return x.parts.length && x.parts.every(isString) ? x.parts.map((p) => (isString(p) ? p.value : "")).join("") : undefined;
  if (x.kind === "Exec") {
    const a = x.args.find((arg) => !arg.name || /^@(statement|stmt)$/i.test(arg.name));
    return a && isString(a.value) ? a.value.value : undefined;
  }
  return undefined;
}

/** `[dbo].[Order]]s]` / `"a"."b"` / `dbo.T` → unquoted parts. */
function splitName(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\[((?:[^\]]|\]\])+)\]|"((?:[^"]|"")+)"|([\w@#$]+)/g)) {
    out.push(m[1] !== undefined ? m[1].replace(/]]/g, "]") : m[2] !== undefined ? m[2].replace(/""/g, '"') : m[3]!);
  }
  return out;
}

function lower(s: string): string {
  return s.toLowerCase();
}

function objKey(schema: string, name: string): string {
  return `${lower(schema)}.${lower(name)}`;
}

export function idOf(o: { kind: string; schema: string; name: string; parent?: { schema: string; name: string } }): string {
  if (o.kind === "schema") return o.name;
  if (o.kind === "index" && o.parent) return `${o.parent.schema}.${o.parent.name}.${o.name}`;
  return o.schema ? `${o.schema}.${o.name}` : o.name;
}

export function columnTypeOf(dt: DataType): ColumnTypeDraft {
  if (dt.userDefined) {
    const t: ColumnTypeDraft = { name: dt.typeName.name.value, userDefined: true };
    const schema = dt.schema ?? dt.typeName.schema?.value;
    if (schema) t.schema = schema;
    return t;
  }
  const name = lower(dt.name);
  const t: ColumnTypeDraft = { name };
  const a0 = dt.args[0];
  const a1 = dt.args[1];
  if (LENGTH_TYPES.has(name)) t.length = a0 === "max" ? -1 : typeof a0 === "number" ? a0 : 1;
  else if (name === "decimal" || name === "numeric") {
    t.precision = typeof a0 === "number" ? a0 : 18;
    t.scale = typeof a1 === "number" ? a1 : 0;
  } else if (SCALE_TYPES.has(name)) t.scale = typeof a0 === "number" ? a0 : 7;
  else if (name === "float" && typeof a0 === "number") t.precision = a0;
  return t;
}

function parts(n: ObjectName): { server?: string; database?: string; schema?: string; name: string } {
  const out: { server?: string; database?: string; schema?: string; name: string } = { name: n.name.value };
  if (n.server) out.server = n.server.value;
  if (n.database) out.database = n.database.value;
  if (n.schema) out.schema = n.schema.value;
  return out;
}

function dotted(r: { server?: string; database?: string; schema?: string; name: string }): string {
  const ps: string[] = [];
  if (r.server) ps.push(r.server);
  if (r.database !== undefined) ps.push(r.database);
  if (r.schema !== undefined) ps.push(r.schema);
  else if (r.database !== undefined) ps.push("");
  ps.push(r.name);
  return ps.join(".");
}

// ---------------------------------------------------------------------------------------------

class Builder {
  readonly diagnostics: Diagnostic[] = [];
  /** Objects in sys.objects' namespace (tables, views, routines, synonyms, sequences), keyed schema.name. */
  readonly objects = new Map<string, Work>();
  readonly types = new Map<string, Work>();
  readonly schemas = new Map<string, Work>();
  readonly indexes = new Map<string, Work>();
  readonly deferred: { run: () => void }[] = [];
  readonly localDatabases = new Set<string>();
  collation: string | undefined;
  databaseName: string | undefined;
  compatibilityLevel: number | undefined;
  files = 0;
  /** > 0 while applying DDL found in a constant dynamic SQL string. */
  inDynamic = 0;

  constructor(readonly opts: BuildOptions, readonly defaultSchema: string) {}

  mapFor(kind: string): Map<string, Work> {
    if (kind === "type") return this.types;
    if (kind === "schema") return this.schemas;
    if (kind === "index") return this.indexes;
    return this.objects;
  }

  keyFor(w: { kind: string; schema: string; name: string; parent?: { schema: string; name: string } }): string {
    if (w.kind === "schema") return lower(w.name);
    if (w.kind === "index") return `${objKey(w.parent?.schema ?? "", w.parent?.name ?? "")}.${lower(w.name)}`;
    return objKey(w.schema, w.name);
  }

  put(w: Work, replace: "warn" | "silent"): void {
    const map = this.mapFor(w.kind);
    const key = this.keyFor(w);
    const prev = map.get(key);
    if (prev && w.kind === "schema") {
      if (prev.implicit) map.set(key, w);
      return;
    }
    if (prev && replace === "warn" && this.inDynamic === 0) {
      this.diagnostics.push(
        diagnostic("CAT1001", "warning", `${w.kind} ${idOf(w)} is defined again (first at ${prev.file}:${prev.line}); the later definition is kept`, {
          file: w.file,
          line: w.line,
        }),
      );
    }
    if (prev && w.kind === "table" && prev.kind === "table" && replace === "silent") {
      // A table seen again in the same source (dacpac + script): keep the richer one.
      if ((prev.columns?.length ?? 0) >= (w.columns?.length ?? 0)) return;
    }
    map.set(key, w);
    if (w.kind !== "schema" && w.schema) this.ensureSchema(w.schema, w.file, w.line, w.origin);
  }

  ensureSchema(name: string, file: string, line: number, origin: OriginKind): void {
    if (!name) return;
    const key = lower(name);
    if (!this.schemas.has(key)) {
      this.schemas.set(key, { schema: name, name, kind: "schema", file, line, origin, refNodes: [], extraRefs: [], implicit: true });
    }
  }

  // ----- scripts -------------------------------------------------------------------------

  addFile(f: SourceFile, vars: Record<string, string>, readFile?: ParseInput["readFile"]): void {
    this.files++;
    const state = { ansiNulls: true, quotedIdentifier: true };
    const r = parse({
      text: f.text,
      file: f.path,
      vars,
      ...(readFile ? { readFile } : {}),
      onBatch: (batch) => {
        for (const st of batch.statements) this.statement(st, batch, f, state, 0);
      },
    });
    this.diagnostics.push(...r.diagnostics);
  }

  schemaOf(n: ObjectName): string {
    return n.schema?.value ?? this.defaultSchema;
  }

  statement(st: Statement, batch: Batch, f: SourceFile, state: { ansiNulls: boolean; quotedIdentifier: boolean }, depth: number): void {
    const origin = f.origin.kind;
    const base = (name: ObjectName) => ({
      schema: this.schemaOf(name),
      name: name.name.value,
      file: f.path,
      line: st.loc.line,
      origin,
      refNodes: [] as Node[],
      extraRefs: [] as RawRef[],
    });
    switch (st.kind) {
      case "SetOption": {
        const v = (st.value ?? "").toUpperCase();
        if (v === "ON" || v === "OFF") {
          if (st.options.includes("ANSI_NULLS")) state.ansiNulls = v === "ON";
          if (st.options.includes("QUOTED_IDENTIFIER")) state.quotedIdentifier = v === "ON";
        }
        return;
      }
      case "Use":
        // Install scripts start with USE master to create the database: system databases never
        // hold the objects being read.
        if (SYSTEM_DATABASES.has(lower(st.database.value))) return;
        this.localDatabases.add(lower(st.database.value));
        this.databaseName ??= st.database.value;
        return;
      case "Command": {
        const m = st.text.match(UNPARSED_CREATE);
        if (m && st.error) {
          this.unparsedCreate(m, st, f, state);
          return;
        }
        if (st.keyword === "CREATE DATABASE") {
          const m = st.text.match(/\bCOLLATE\s+([A-Za-z0-9_]+)/i);
          if (m?.[1]) this.collation ??= m[1];
          const n = st.text.match(/CREATE\s+DATABASE\s+(\[[^\]]+\]|"[^"]+"|[^\s;]+)/i);
          if (n?.[1]) this.localDatabases.add(lower(n[1].replace(/^[[\"]|[\]"]$/g, "")));
        }
        return;
      }
      case "ExecString":
        if (st.parts.length && st.parts.every((p) => p.kind === "Literal")) {
          this.dynamicDdl(st.parts.map((p) => (p.kind === "Literal" ? p.value : "")).join(""), st.loc.line, f, state, depth);
        }
        return;
      case "Exec": {
        if (st.upperName !== "SP_EXECUTESQL") return;
        const a = st.args.find((x) => !x.name || /^@(statement|stmt)$/i.test(x.name));
        if (a?.value.kind === "Literal") this.dynamicDdl(a.value.value, st.loc.line, f, state, depth);
        return;
      }
      case "If":
        this.statement(st.then, batch, f, state, depth + 1);
        if (st.else) this.statement(st.else, batch, f, state, depth + 1);
        return;
      case "Block":
        for (const s of st.body) this.statement(s, batch, f, state, depth + 1);
        return;
      case "TryCatch":
        for (const s of st.tryBody) this.statement(s, batch, f, state, depth + 1);
        return;
      case "CreateSchema": {
        const w: Work = { ...base({ kind: "ObjectName", name: st.name, partCount: 1, loc: st.loc } as ObjectName), schema: st.name.value, kind: "schema" };
        this.schemas.set(lower(st.name.value), w);
        for (const e of st.elements) this.statement(e, batch, f, state, depth + 1);
        return;
      }
      case "CreateTable": {
        if (st.name.name.value.startsWith("#")) return;
        const w: Work = { ...base(st.name), kind: "table", columns: [], constraints: [], indexes: [] };
        w.refNodes.push(st);
        this.tableBody(w, st.columns, st.constraints, st.indexes, batch);
        this.put(w, "warn");
        return;
      }
      case "CreateType": {
        const w: Work = { ...base(st.name), kind: "type" };
        if (st.from) {
          w.baseType = columnTypeOf(st.from);
        } else if (st.table) {
          w.isTableType = true;
          w.columns = [];
          w.constraints = [];
          w.indexes = [];
          w.refNodes.push(st);
          this.tableBody(w, st.table.columns, st.table.constraints, st.table.indexes, batch);
        }
        this.put(w, "warn");
        return;
      }
      case "AddType": {
        const w: Work = { schema: this.defaultSchema, name: st.name, kind: "type", file: f.path, line: st.loc.line, origin, refNodes: [], extraRefs: [] };
        if (st.baseType) w.baseType = columnTypeOf(st.baseType);
        this.put(w, "warn");
        return;
      }
      case "CreateSequence": {
        if (st.mode === "ALTER") return;
        const w: Work = { ...base(st.name), kind: "sequence" };
        w.refNodes.push(st);
        this.put(w, "warn");
        return;
      }
      case "CreateSynonym": {
        const w: Work = { ...base(st.name), kind: "synonym", synonymFor: parts(st.target) };
        w.refNodes.push(st);
        this.put(w, "warn");
        return;
      }
      case "CreateView":
      case "CreateProcedure":
      case "CreateFunction":
      case "CreateTrigger": {
        if (st.name.name.value.startsWith("#")) return; // temporary procedures live only for the session
        const w: Work = { ...base(st.name), kind: "view" };
        this.moduleFrom(w, st, batch);
        w.usesAnsiNulls = state.ansiNulls;
        w.usesQuotedIdentifier = state.quotedIdentifier;
        if (st.kind === "CreateTrigger" && !st.table) w.schema = "";
        // A DML trigger lives in its table's schema; a 1-part trigger name takes it from there.
        else if (st.kind === "CreateTrigger" && st.table && !st.name.schema) w.schema = this.schemaOf(st.table);
        // ALTER of an object not seen yet is how stub-then-alter scripts create it (IF NOT EXISTS EXEC('CREATE ... AS') then ALTER).
        this.put(w, st.mode === "CREATE" ? "warn" : "silent");
        return;
      }
      case "CreateIndex": {
        this.deferred.push({
          run: () => {
            const table = this.objects.get(objKey(this.schemaOf(st.table), st.table.name.value));
            if (!table) {
              if (!st.table.name.value.startsWith("#")) this.unknownTarget(`index ${st.name.value}`, st.table, f.path, st.loc.line);
              return;
            }
            const idx: IndexDraft = {
              name: st.name.value,
              unique: st.unique,
              clustered: st.clustered === true,
              columns: st.columns.map((c) => (c.direction === "DESC" ? `${c.name.value} DESC` : c.name.value)),
              include: st.include.map((i) => i.value),
            };
            if (st.where) idx.filter = sourceText(batch, st.where);
            if (st.columnstore) idx.kind = "columnstore";
            if (st.special) idx.kind = lower(st.special);
            table.indexes = [...(table.indexes ?? []).filter((i) => lower(i.name) !== lower(idx.name)), idx];
            const w: Work = {
              schema: table.schema,
              name: st.name.value,
              kind: "index",
              file: f.path,
              line: st.loc.line,
              origin,
              parent: { schema: table.schema, name: table.name },
              refNodes: [],
              extraRefs: [{ schema: table.schema, name: table.name, role: "table", line: st.loc.line }],
            };
            this.put(w, "silent");
          },
        });
        return;
      }
      case "AlterTable": {
        this.deferred.push({ run: () => this.alterTable(st, batch, f) });
        return;
      }
      case "Drop": {
        this.drop(st.objectType, st.names, st.on);
        return;
      }
      case "ExtendedProperty": {
        if (st.action === "drop" || lower(st.propertyName ?? "") !== "ms_description") return;
        const v = st.value;
        const value = v && v.kind === "Literal" ? v.value : v ? sourceText(batch, v) : "";
        this.deferred.push({ run: () => this.describe(st.levels, value) });
        return;
      }
      default:
        return;
    }
  }

  /**
   * A CREATE the parser could not read (kept as a Command with an error): the object still exists in
   * the database, so it is recorded, flagged unparsed, with its text; its dependencies are unknown.
   */
  unparsedCreate(m: RegExpMatchArray, st: Extract<Statement, { kind: "Command" }>, f: SourceFile, state: { ansiNulls: boolean; quotedIdentifier: boolean }): void {
    const verb = m[1]!.toUpperCase().replace(/\s+/g, " ");
    const what = m[2]!.toUpperCase();
    const parts = splitName(m[3]!);
    const name = parts[parts.length - 1]!;
    if (name.startsWith("#")) return;
    const kind = what.startsWith("PROC") ? "procedure" : (what.toLowerCase() as Work["kind"]);
    const w: Work = {
      schema: parts.length > 1 ? parts[parts.length - 2]! : this.defaultSchema,
      name,
      kind,
      file: f.path,
      line: st.loc.line,
      origin: f.origin.kind,
      refNodes: [],
      extraRefs: [],
      unparsed: true,
    };
    if (kind === "function") {
      w.functionKind = /\bRETURNS\s+@\w+\s+TABLE\b/i.test(st.text) ? "multi_tvf" : /\bRETURNS\s+TABLE\b/i.test(st.text) ? "inline_tvf" : "scalar";
    }
    if (kind === "trigger") {
      const on = st.text.match(new RegExp(`\\bON\\s+(${NAME_RX})`, "i"));
      const p = on ? splitName(on[1]!) : [];
      if (p.length && !/^(DATABASE|ALL)$/i.test(p[0]!)) {
        w.parent = { schema: p.length > 1 ? p[p.length - 2]! : this.defaultSchema, name: p[p.length - 1]! };
        if (parts.length === 1) w.schema = w.parent.schema;
      } else w.schema = "";
    }
    if (kind === "table") {
      w.columns = [];
      w.constraints = [];
      w.indexes = [];
    } else if (kind === "view" || kind === "procedure" || kind === "function" || kind === "trigger") {
      w.module = { text: st.text };
      w.usesAnsiNulls = state.ansiNulls;
      w.usesQuotedIdentifier = state.quotedIdentifier;
    }
    this.diagnostics.push(
      diagnostic("CAT1009", "warning", `${kind} ${idOf(w)} did not parse (see the parser's diagnostic); it is recorded with its text, its columns and dependencies are unknown`, {
        file: f.path,
        line: st.loc.line,
      }),
    );
    this.put(w, verb === "CREATE" ? "warn" : "silent");
  }

  /**
   * `EXEC('CREATE VIEW ...')` / `sp_executesql N'CREATE PROCEDURE x AS'` with a constant string: install
   * scripts create objects (or stubs later ALTERed) this way. The string is parsed as a script; what
   * it creates counts, without duplicate warnings (IF/ELSE branches often create the same object).
   */
  dynamicDdl(text: string, line: number, f: SourceFile, state: { ansiNulls: boolean; quotedIdentifier: boolean }, depth: number): void {
    if (depth > 8 || !/^\s*(CREATE|ALTER)\b/i.test(text)) return;
    const r = parse({ text, file: f.path, lineOffset: line - 1 });
    this.inDynamic++;
    try {
      for (const b of r.batches) for (const s of b.statements) this.statement(s, b, f, state, depth + 1);
    } finally {
      this.inDynamic--;
    }
  }

  tableBody(w: Work, columns: ColumnDef[], constraints: TableConstraint[], indexes: InlineIndex[], batch: Batch): void {
    const cols = (w.columns ??= []);
    const cons = (w.constraints ??= []);
    const idxs = (w.indexes ??= []);
    for (const c of columns) {
      const col = this.column(c, batch);
      cols.push(col);
      for (const k of c.constraints) {
        const d = this.constraint(k, batch, [c.name.value]);
        if (d) cons.push(d);
        if (k.kind === "PrimaryKey") col.nullable = false;
      }
      if (c.default) {
        const d = this.constraint(c.default, batch, [c.name.value]);
        if (d) cons.push(d);
      }
      if (c.index) idxs.push(this.inlineIndex(c.index, [c.name.value]));
    }
    for (const k of constraints) {
      const d = this.constraint(k, batch, []);
      if (!d) continue;
      cons.push(d);
      if (d.kind === "primary_key") {
        for (const name of d.columns) {
          const col = cols.find((x) => lower(x.name) === lower(name.replace(/ DESC$/, "")));
          if (col) col.nullable = false;
        }
      }
      if (d.kind === "default" && d.columns[0]) {
        const col = cols.find((x) => lower(x.name) === lower(d.columns[0]!));
        if (col) col.default = d.name ? { name: d.name, expression: d.expression ?? "" } : { expression: d.expression ?? "" };
      }
    }
    for (const i of indexes) idxs.push(this.inlineIndex(i, []));
  }

  column(c: ColumnDef, batch: Batch): ColumnDraft {
    const col: ColumnDraft = { name: c.name.value, nullable: c.nullable ?? !c.identity };
    if (c.type) col.type = columnTypeOf(c.type);
    if (c.identity) {
      col.identity = {
        seed: c.identity.seed ? sourceText(batch, c.identity.seed) || "1" : "1",
        increment: c.identity.increment ? sourceText(batch, c.identity.increment) || "1" : "1",
      };
      if (c.nullable === undefined) col.nullable = false;
    }
    if (c.computed) col.computed = { expression: sourceText(batch, c.computed.expr), persisted: c.computed.persisted };
    if (c.collation) col.collation = c.collation;
    if (c.default) {
      const expression = sourceText(batch, c.default.expr);
      col.default = c.default.name ? { name: c.default.name.value, expression } : { expression };
    }
    if (c.rowguidcol) col.rowguidcol = true;
    if (c.sparse) col.sparse = true;
    return col;
  }

  constraint(k: TableConstraint, batch: Batch, ownColumns: string[]): ConstraintDraft | undefined {
    const named = (d: ConstraintDraft, n?: Identifier) => {
      if (n) d.name = n.value;
      return d;
    };
    switch (k.kind) {
      case "PrimaryKey":
      case "Unique": {
        const cols = k.columns.length ? k.columns.map((c) => (c.direction === "DESC" ? `${c.name.value} DESC` : c.name.value)) : ownColumns;
        const d: ConstraintDraft = { kind: k.kind === "PrimaryKey" ? "primary_key" : "unique", columns: cols };
        d.clustered = k.clustered ?? k.kind === "PrimaryKey";
        return named(d, k.name);
      }
      case "ForeignKey": {
        const p = parts(k.refTable);
        const d: ConstraintDraft = {
          kind: "foreign_key",
          columns: k.columns.length ? k.columns.map((c) => c.value) : ownColumns,
          references: { name: p.name, columns: k.refColumns.map((c) => c.value), schema: p.schema ?? this.defaultSchema },
        };
        if (k.onDelete && k.onDelete !== "NO ACTION") d.onDelete = k.onDelete;
        if (k.onUpdate && k.onUpdate !== "NO ACTION") d.onUpdate = k.onUpdate;
        return named(d, k.name);
      }
      case "Check":
        return named({ kind: "check", columns: ownColumns, expression: sourceText(batch, k.expr) }, k.name);
      case "Default":
        return named({ kind: "default", columns: k.forColumn ? [k.forColumn.value] : ownColumns, expression: sourceText(batch, k.expr) }, k.name);
      default:
        return undefined;
    }
  }

  inlineIndex(i: InlineIndex, ownColumns: string[]): IndexDraft {
    const idx: IndexDraft = {
      name: i.name.value,
      unique: i.unique,
      clustered: i.clustered === true,
      columns: i.columns.length ? i.columns.map((c) => (c.direction === "DESC" ? `${c.name.value} DESC` : c.name.value)) : ownColumns,
      include: i.include.map((x) => x.value),
    };
    if (i.columnstore) idx.kind = "columnstore";
    else if (i.hash) idx.kind = "hash";
    return idx;
  }

  moduleFrom(w: Work, st: Statement, batch: Batch): void {
    switch (st.kind) {
      case "CreateView":
        w.kind = "view";
        break;
      case "CreateProcedure":
        w.kind = "procedure";
        break;
      case "CreateFunction":
        w.kind = "function";
        w.functionKind = st.externalName ? "clr" : st.returns.kind === "Scalar" ? "scalar" : st.returns.kind === "InlineTable" ? "inline_tvf" : "multi_tvf";
        break;
      case "CreateTrigger":
        w.kind = "trigger";
        if (st.table) w.parent = { schema: this.schemaOf(st.table), name: st.table.name.value };
        break;
      default:
        break;
    }
    w.ast = st;
    w.batch = batch;
    w.module = { text: sourceText(batch, st) };
    w.refNodes.push(st);
  }

  unknownTarget(what: string, table: ObjectName, file: string, line: number): void {
    this.diagnostics.push(
      diagnostic("CAT1010", "warning", `${what} belongs to ${dotted(parts(table))}, which no input defines; it was not recorded`, { file, line }),
    );
  }

  alterTable(st: Extract<Statement, { kind: "AlterTable" }>, batch: Batch, f: SourceFile): void {
    if (st.name.name.value.startsWith("#")) return;
    const table = this.objects.get(objKey(this.schemaOf(st.name), st.name.name.value));
    if (!table || table.kind !== "table") {
      const touchesSchema = st.actions.some((a) => a.kind === "AddItems" || a.kind === "AlterColumn" || a.kind === "DropItems");
      if (touchesSchema) this.unknownTarget("ALTER TABLE", st.name, f.path, st.loc.line);
      return;
    }
    table.refNodes.push(st);
    for (const a of st.actions) {
      if (a.kind === "AddItems") {
        const cols: ColumnDef[] = [];
        const cons: TableConstraint[] = [];
        const idx: InlineIndex[] = [];
        for (const item of a.items) {
          if (item.kind === "ColumnDef") cols.push(item);
          else if (item.kind === "InlineIndex") idx.push(item);
          else if (item.kind !== "PeriodForSystemTime") cons.push(item);
        }
        this.tableBody(table, cols, cons, idx, batch);
      } else if (a.kind === "AlterColumn") {
        const col = table.columns?.find((c) => lower(c.name) === lower(a.column.value));
        if (!col) continue;
        if (a.type) col.type = columnTypeOf(a.type);
        if (a.collation) col.collation = a.collation;
        if (a.nullable !== undefined) col.nullable = a.nullable;
      } else if (a.kind === "DropItems") {
        for (const item of a.items) {
          const n = lower(item.name.value);
          if (item.type === "COLUMN") table.columns = (table.columns ?? []).filter((c) => lower(c.name) !== n);
          else if (item.type === "CONSTRAINT") {
            table.constraints = (table.constraints ?? []).filter((c) => lower(c.name ?? "") !== n);
            for (const c of table.columns ?? []) if (c.default?.name && lower(c.default.name) === n) delete c.default;
          }
        }
      } else if (a.kind === "CheckConstraints") {
        for (const c of table.constraints ?? []) {
          if (c.kind !== "foreign_key" && c.kind !== "check") continue;
          if (a.all || a.names.some((n) => lower(n.value) === lower(c.name ?? ""))) c.enabled = a.check;
        }
      }
    }
  }

  drop(objectType: string, names: ObjectName[], on: ObjectName | undefined): void {
    const t = objectType.toUpperCase();
    for (const n of names) {
      if (t === "INDEX") {
        const table = on ?? (n.schema ? ({ ...n, name: n.schema, schema: undefined } as unknown as ObjectName) : undefined);
        if (!table) continue;
        const key = `${objKey(this.schemaOf(table), table.name.value)}.${lower(on ? n.name.value : n.name.value)}`;
        this.indexes.delete(key);
        const tw = this.objects.get(objKey(this.schemaOf(table), table.name.value));
        if (tw) tw.indexes = (tw.indexes ?? []).filter((i) => lower(i.name) !== lower(n.name.value));
      } else if (t === "SCHEMA") this.schemas.delete(lower(n.name.value));
      else if (t === "TYPE") this.types.delete(objKey(this.schemaOf(n), n.name.value));
      else this.objects.delete(objKey(this.schemaOf(n), n.name.value));
    }
  }

  describe(levels: { type: string; name: string }[], value: string): void {
    const [l0, l1, l2] = levels;
    if (!l0 || l0.type.toUpperCase() !== "SCHEMA") return;
    if (!l1) {
      const s = this.schemas.get(lower(l0.name));
      if (s) s.description = value;
      return;
    }
    const t1 = l1.type.toUpperCase();
    const obj = t1 === "TYPE" ? this.types.get(objKey(l0.name, l1.name)) : this.objects.get(objKey(l0.name, l1.name));
    if (!obj) return;
    if (!l2) {
      obj.description = value;
      return;
    }
    if (l2.type.toUpperCase() === "COLUMN") {
      const col = obj.columns?.find((c) => lower(c.name) === lower(l2.name));
      if (col) col.description = value;
    }
  }

  // ----- fragments -------------------------------------------------------------------------

  addFragment(fr: CatalogFragment): void {
    if (fr.database?.collation) this.collation ??= fr.database.collation;
    if (fr.database?.compatibilityLevel !== undefined) this.compatibilityLevel ??= fr.database.compatibilityLevel;
    if (fr.database?.name) {
      this.databaseName ??= fr.database.name;
      this.localDatabases.add(lower(fr.database.name));
    }
    for (const d of fr.objects) {
      const w: Work = { ...d, origin: fr.origin, refNodes: [], extraRefs: [] };
      if (d.module) {
        w.usesAnsiNulls = d.module.usesAnsiNulls ?? true;
        w.usesQuotedIdentifier = d.module.usesQuotedIdentifier ?? true;
        const r = parse({ text: d.module.text, file: d.file, lineOffset: (d.module.startLine ?? 1) - 1, quotedIdentifier: w.usesQuotedIdentifier });
        this.diagnostics.push(...r.diagnostics);
        const found = this.findModuleStatement(r.batches);
        if (found) {
          w.ast = found.st;
          w.batch = found.batch;
          w.refNodes.push(found.st);
        } else {
          w.unparsed = true;
          this.diagnostics.push(
            diagnostic("CAT1009", "warning", `the body of ${d.kind} ${idOf(d)} did not parse as a CREATE ${d.kind.toUpperCase()} statement; its dependencies are unknown`, {
              file: d.file,
              line: d.line,
            }),
          );
        }
      }
      if (d.kind === "table" || (d.kind === "type" && d.isTableType)) {
        for (const c of d.constraints ?? []) {
          if (c.kind === "foreign_key" && c.references) {
            w.extraRefs.push({ ...(c.references.schema ? { schema: c.references.schema } : {}), name: c.references.name, role: "table", line: d.line });
          }
        }
        for (const c of d.columns ?? []) {
          if (c.type?.userDefined) w.extraRefs.push({ ...(c.type.schema ? { schema: c.type.schema } : {}), name: c.type.name, role: "type", line: d.line });
        }
      }
      if (d.kind === "type" && d.baseType?.userDefined) {
        w.extraRefs.push({ ...(d.baseType.schema ? { schema: d.baseType.schema } : {}), name: d.baseType.name, role: "type", line: d.line });
      }
      if (d.kind === "synonym" && d.synonymFor) w.extraRefs.push({ ...d.synonymFor, role: "synonym-target", line: d.line });
      if ((d.kind === "trigger" || d.kind === "index") && d.parent && !w.ast) {
        w.extraRefs.push({ schema: d.parent.schema, name: d.parent.name, role: "table", line: d.line });
      }
      this.put(w, "silent");
    }
  }

  findModuleStatement(batches: Batch[]): { st: Statement; batch: Batch } | undefined {
    for (const b of batches) {
      for (const st of b.statements) {
        if (st.kind === "CreateView" || st.kind === "CreateProcedure" || st.kind === "CreateFunction" || st.kind === "CreateTrigger") return { st, batch: b };
      }
    }
    return undefined;
  }

  // ----- references --------------------------------------------------------------------------

  rawRefs(w: Work): { refs: RawRef[]; dynamic: number[]; external: { name: string; line: number }[]; linked: { name: string; line: number }[] } {
    const refs: RawRef[] = [...w.extraRefs];
    const dynamic: number[] = [];
    const external: { name: string; line: number }[] = [];
    const linked: { name: string; line: number }[] = [];
    const cteNames = new Set<string>();
    // `UPDATE a SET ... FROM dbo.T AS a`: the target is an alias of the FROM, not a table name.
    const aliasTargets = new Set<ObjectName>();
    /** Names inside constant dynamic SQL that switches database. */
    const excluded = new Set<ObjectName>();
    // Constant dynamic SQL (`EXEC('...')`, `sp_executesql N'...'` with a literal) is read like code.
    const queue: { node: Node; depth: number }[] = w.refNodes.map((node) => ({ node, depth: 0 }));
    for (let qi = 0; qi < queue.length; qi++) {
      const { node: n, depth } = queue[qi]!;
      walk(n, (x) => {
        if ((x.kind === "Update" || x.kind === "Delete") && x.target.kind === "TableRef" && x.target.name.partCount === 1 && x.from.length) {
          const aliases = new Set<string>();
          walk(x.from, (y) => {
            if ("alias" in y && y.alias && typeof y.alias === "object" && "value" in y.alias) aliases.add(lower(y.alias.value));
            return y.kind !== "DerivedTable" && y.kind !== "Subquery";
          });
          if (aliases.has(lower(x.target.name.name.value))) aliasTargets.add(x.target.name);
        }
        if (x.kind === "Cte") cteNames.add(lower(x.name.value));
        else if ((x.kind === "ExecString" || x.kind === "Exec") && x.at) linked.push({ name: `${x.at.value} (EXEC ... AT)`, line: x.loc.line });
        else if (x.kind === "ExecString" || (x.kind === "Exec" && x.upperName === "SP_EXECUTESQL")) {
          // The parser may already hold the statements of a constant string (ExecString.parsed,
          // Exec.dynamicSql); the walk then reaches them like any child. Otherwise parse it here.
          const pre = (x as { parsed?: Statement[] }).parsed ?? (x as { dynamicSql?: Statement[] }).dynamicSql;
          if (pre) {
            // A USE inside the string switches database: its names cannot be resolved here.
            if (pre.some((st) => st.kind === "Use")) {
              dynamic.push(x.loc.line);
              walk(pre, (y) => {
                if (y.kind === "ObjectName") excluded.add(y);
                return true;
              });
            }
          } else {
            const text = constantSql(x);
            const parsed = text !== undefined && depth < 3 ? parse({ text, file: w.file, lineOffset: x.loc.line - 1 }) : undefined;
            const statements = parsed ? parsed.batches.flatMap((b) => b.statements) : [];
            const clean = !!parsed && !parsed.diagnostics.some((d) => d.severity === "error");
            if (!clean || statements.some((st) => st.kind === "Use")) dynamic.push(x.loc.line);
            else for (const st of statements) queue.push({ node: st, depth: depth + 1 });
          }
        } else if (x.kind === "TableFunction" && x.call.kind === "FunctionCall" && EXTERNAL_ROWSETS.has(x.call.upperName)) {
          external.push({ name: x.call.upperName, line: x.loc.line });
        }
        return true;
      });
      for (const r of astReferences(n)) {
        if (r.role === "select-into" || aliasTargets.has(r.name) || excluded.has(r.name)) continue;
        const p = parts(r.name);
        if (r.role === "function" && !p.schema && !p.database && BUILTIN_TVFS.has(p.name.toUpperCase())) continue;
        if (r.role === "function" && EXTERNAL_ROWSETS.has(p.name.toUpperCase())) continue;
        // `alias.col.value(...)` (XML methods on a qualified column) can come out as a 3-part call.
        if (r.role === "function" && p.database !== undefined && !p.server && XML_METHODS.test(p.name)) continue;
        if (r.role === "table" && r.name.partCount === 1 && (cteNames.has(lower(p.name)) || /^(inserted|deleted)$/i.test(p.name))) continue;
        refs.push({ ...p, role: r.role, line: r.name.loc.line });
      }
    }
    return { refs, dynamic, external, linked };
  }

  lookup(schema: string | undefined, name: string, moduleSchema: string, role: string): Work | undefined {
    const map = role === "type" ? this.types : this.objects;
    if (schema !== undefined && schema !== "") return map.get(objKey(schema, name));
    return (moduleSchema ? map.get(objKey(moduleSchema, name)) : undefined) ?? map.get(objKey(this.defaultSchema, name));
  }

  isLocalDatabase(db: string | undefined): boolean {
    return db === undefined || db === "" || this.localDatabases.has(lower(db));
  }

  finish(): Catalog {
    for (const d of this.deferred) d.run();
    const collation = this.opts.defaultCollation ?? this.collation ?? DEFAULT_COLLATION;
    const all: Work[] = [...this.schemas.values(), ...this.types.values(), ...this.objects.values(), ...this.indexes.values()];
    const idByWork = new Map<Work, string>();
    for (const w of all) idByWork.set(w, idOf(w));
    const unresolved: Unresolved[] = [];
    const objects: CatalogObject[] = [];
    for (const w of all) {
      const id = idByWork.get(w)!;
      const deps = new Set<string>();
      const references: Reference[] = [];
      const seenMissing = new Set<string>();
      const flag = (name: string, reason: Unresolved["reason"], line: number) => {
        const key = `${reason}|${lower(name)}`;
        if (seenMissing.has(key)) return;
        seenMissing.add(key);
        unresolved.push({ from: id, name, reason, file: w.file, line });
        const code = { missing: "CAT1002", cross_database: "CAT1003", linked_server: "CAT1004", dynamic_sql: "CAT1005", external_rowset: "CAT1004" }[reason];
        const sev = reason === "cross_database" ? "note" : "warning";
        const what = {
          missing: `refers to ${name}, which no input defines`,
          cross_database: `refers to ${name} in another database; it is not migrated with this one`,
          linked_server: `refers to ${name} on a linked server`,
          dynamic_sql: "runs dynamic SQL; what it touches is known only at run time",
          external_rowset: `reads an external rowset (${name})`,
        }[reason];
        this.diagnostics.push(diagnostic(code, sev, `${w.kind} ${id} ${what}`, { file: w.file, line }));
      };
      const { refs, dynamic, external, linked } =
        w.kind === "schema" || (w.kind === "index" && !w.extraRefs.length) ? { refs: [], dynamic: [], external: [], linked: [] } : this.rawRefs(w);
      for (const line of dynamic) flag("dynamic SQL", "dynamic_sql", line);
      for (const l of linked) flag(l.name, "linked_server", l.line);
      for (const e of external) flag(e.name, "external_rowset", e.line);
      const moduleSchema = w.kind === "schema" ? "" : w.schema;
      const declaredSchema = new Map<string, string>();
      for (const dd of w.declaredDependencies ?? []) {
        if (dd.schema && !dd.server && !dd.database && !dd.unresolved) declaredSchema.set(lower(dd.name), dd.schema);
      }
      for (const r of refs) {
        const name = dotted(r);
        if (r.name.startsWith("#") || r.name.startsWith("@")) continue;
        if (r.server) {
          flag(name, "linked_server", r.line);
          references.push({ name, role: r.role, line: r.line });
          continue;
        }
        if (!this.isLocalDatabase(r.database)) {
          flag(name, "cross_database", r.line);
          references.push({ name, role: r.role, line: r.line });
          continue;
        }
        if (r.schema && SYSTEM_SCHEMAS.has(lower(r.schema))) continue;
        // A server bound 1-part names with the owner's default schema: its dependency list wins.
        const boundSchema = !r.schema ? declaredSchema.get(lower(r.name)) : undefined;
        let target = (boundSchema ? this.lookup(boundSchema, r.name, moduleSchema, r.role) : undefined) ?? this.lookup(r.schema, r.name, moduleSchema, r.role);
        if (!target) {
          if (r.role === "procedure" && /^(sp_|xp_)/i.test(r.name)) continue; // system procedures
          if (r.role === "type" && /^sysname$/i.test(r.name)) continue;
          // Compatibility views (sysobjects, dbo.sysconstraints...) and master's spt_ tables.
          if ((!r.schema || /^dbo$/i.test(r.schema)) && /^(sys|spt_)/i.test(r.name) && (r.role === "table" || r.role === "function")) continue;
          flag(name, "missing", r.line);
          references.push({ name, role: r.role, line: r.line });
          continue;
        }
        const ref: Reference = { name, role: r.role, line: r.line, resolved: idByWork.get(target)! };
        if (target.kind === "synonym" && r.role !== "synonym-target") {
          ref.via = ref.resolved;
          const sf = target.synonymFor;
          const t2 = sf && !sf.server && this.isLocalDatabase(sf.database) ? this.lookup(sf.schema, sf.name, target.schema, r.role) : undefined;
          if (t2 && t2 !== target) ref.resolved = idByWork.get(t2)!;
          else delete ref.resolved;
        }
        references.push(ref);
        const dep = ref.via ?? ref.resolved;
        if (dep && dep !== id) deps.add(dep);
      }
      // Live servers and dacpacs say what they bound; add what they know that the text did not show.
      for (const dd of w.declaredDependencies ?? []) {
        if (dd.server || !this.isLocalDatabase(dd.database)) continue;
        const t = this.lookup(dd.schema, dd.name, moduleSchema, "table");
        if (!t) continue;
        const tid = idByWork.get(t)!;
        if (tid === id || deps.has(tid)) continue;
        if (w.unparsed || !w.ast) {
          deps.add(tid);
          continue;
        }
        deps.add(tid);
        this.diagnostics.push(
          diagnostic("CAT1008", "note", `${w.kind} ${id} depends on ${tid} according to the server's dependency list, but the parsed body does not show it`, {
            file: w.file,
            line: w.line,
          }),
        );
      }
      let synonymTarget: string | undefined;
      if (w.kind === "synonym") synonymTarget = references.find((r) => r.role === "synonym-target")?.resolved;
      const columns: Column[] = (w.columns ?? []).map((c) => {
        const col: Column = { ...c } as Column;
        if (c.collation) {
          // Servers report every character column's collation; only a different one is a choice.
          if (c.collation.toLowerCase() !== collation.toLowerCase()) col.collationExplicit = true;
        }
        else if (c.type && CHAR_TYPES.has(c.type.name) && !c.type.userDefined) col.collation = collation;
        else if (c.type?.userDefined) {
          const base = this.types.get(objKey(c.type.schema ?? this.defaultSchema, c.type.name))?.baseType;
          if (base && CHAR_TYPES.has(base.name)) col.collation = collation;
        }
        return col;
      });
      const obj: CatalogObject = {
        id,
        schema: w.schema,
        name: w.name,
        kind: w.kind,
        file: w.file,
        line: w.line,
        origin: w.origin,
        columns,
        constraints: w.constraints ?? [],
        indexes: w.indexes ?? [],
        dependsOn: [...deps].sort(),
        references,
      };
      if (w.functionKind) obj.functionKind = w.functionKind;
      if (w.module) {
        obj.module = {
          text: w.module.text,
          usesAnsiNulls: w.usesAnsiNulls ?? w.module.usesAnsiNulls ?? true,
          usesQuotedIdentifier: w.usesQuotedIdentifier ?? w.module.usesQuotedIdentifier ?? true,
        };
        if (w.ast) obj.module.ast = w.ast;
        if (w.batch) obj.module.batch = w.batch;
        if (w.unparsed) obj.module.unparsed = true;
      }
      if (w.description !== undefined) obj.description = w.description;
      if (w.synonymFor) obj.synonymFor = w.synonymFor;
      if (synonymTarget) obj.synonymTarget = synonymTarget;
      if (w.parent) obj.parent = w.parent;
      if (w.baseType) obj.baseType = w.baseType;
      if (w.isTableType) obj.isTableType = true;
      if (w.implicit) obj.implicit = true;
      if (w.rowCount !== undefined) obj.rowCount = w.rowCount;
      objects.push(obj);
    }
    objects.sort((a, b) => (a.kind === b.kind ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)));
    const catalog: Catalog = {
      defaultCollation: collation,
      defaultSchema: this.defaultSchema,
      objects,
      unresolved,
      diagnostics: this.diagnostics,
      inputs: { files: this.files, fragments: 0 },
    };
    if (this.databaseName) catalog.databaseName = this.databaseName;
    if (this.compatibilityLevel !== undefined) catalog.compatibilityLevel = this.compatibilityLevel;
    const { cycles } = dependencyOrder(catalog);
    for (const cycle of cycles) {
      const members = cycle.map((id) => objects.find((o) => o.id === id)).filter((o): o is CatalogObject => !!o);
      const first = members[0];
      if (!first) continue;
      const onlyTables = members.every((m) => m.kind === "table");
      this.diagnostics.push(
        diagnostic(
          "CAT1006",
          onlyTables ? "note" : "warning",
          onlyTables
            ? `tables ${cycle.join(", ")} reference each other through foreign keys; load them with constraints deferred`
            : `objects ${cycle.join(" → ")} depend on each other in a cycle; they cannot be created in dependency order`,
          { file: first.file, line: first.line },
        ),
      );
    }
    return catalog;
  }
}

export const KIND_ORDER = ["schema", "type", "sequence", "table", "index", "synonym", "function", "view", "procedure", "trigger"] as const;

/**
 * Builds the catalog from what the readers produced. Never throws for bad input: problems become
 * diagnostics (the readers' ones are carried over first).
 */
export function buildCatalog(sources: SourceSet, opts: BuildOptions = {}): Catalog {
  const project = sources.projects[0];
  const defaultSchema = opts.defaultSchema ?? DEFAULT_SCHEMA;
  const b = new Builder(opts, defaultSchema);
  b.diagnostics.push(...sources.diagnostics);
  if (project?.defaultCollation) b.collation = project.defaultCollation;
  if (project?.name) {
    b.localDatabases.add(lower(project.name));
    b.databaseName = project.name;
  }
  const projectsByPath = new Map(sources.projects.map((p) => [p.path, p]));
  // `:r` includes resolve against the other files read, relative to the including file.
  const byPath = new Map(sources.files.map((f) => [lower(f.path), f]));
  const readFile = (p: string, from: string) => {
    const dir = from.includes("/") ? from.slice(0, from.lastIndexOf("/")) : "";
    const segs: string[] = [];
    for (const s of `${dir ? `${dir}/` : ""}${p.replace(/\\/g, "/")}`.split("/")) {
      if (s === "..") segs.pop();
      else if (s !== "." && s !== "") segs.push(s);
    }
    const joined = (dir.startsWith("/") ? "/" : "") + segs.join("/");
    const f = byPath.get(lower(joined));
    return f ? { text: f.text, file: f.path } : undefined;
  };
  // Deployment order: pre-deployment scripts, the model (Build items and plain scripts), post-deployment.
  const phase = (f: SourceFile) => (f.origin.buildAction === "PreDeploy" ? 0 : f.origin.buildAction === "PostDeploy" ? 2 : 1);
  const ordered = sources.files.filter((f) => f.origin.buildAction !== "None").sort((a, b) => phase(a) - phase(b));
  for (const f of ordered) {
    const action = f.origin.buildAction;
    if ((action === "PreDeploy" || action === "PostDeploy") && opts.includeDeployScripts === false) continue;
    const project = f.origin.container ? projectsByPath.get(f.origin.container) : undefined;
    // SSDT defines these for every project; scripts use them in file paths and 3-part names.
    const builtIns: Record<string, string> = project
      ? { DatabaseName: project.name ?? "Database", DefaultFilePrefix: project.name ?? "Database", DefaultDataPath: "", DefaultLogPath: "" }
      : {};
    const vars = { ...builtIns, ...(project?.sqlcmdVariables ?? {}), ...(opts.vars ?? {}) };
    b.addFile(f, vars, readFile);
  }
  for (const fr of sources.fragments) b.addFragment(fr);
  const catalog = b.finish();
  catalog.inputs.fragments = sources.fragments.length;
  return opts.skipValidation ? catalog : CatalogSchema.parse(catalog);
}

/** Counts of objects per kind (functions split by their kind), for reports and the CLI. */
export function countByKind(catalog: Catalog): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of catalog.objects) {
    if (o.implicit) continue;
    out[o.kind] = (out[o.kind] ?? 0) + 1;
  }
  return out;
}

export type { Expr };

/**
 * The catalog without module ASTs and batches: plain data, for storing as JSON or sending to a
 * client. Module text and every other fact stay.
 */
export function withoutAsts(catalog: Catalog): Catalog {
  return {
    ...catalog,
    objects: catalog.objects.map((o) => {
      if (!o.module) return o;
      const { ast: _ast, batch: _batch, ...module } = o.module;
      return { ...o, module };
    }),
  };
}
