// .dacpac: a zip whose model.xml describes every object (DacFx "DataSchemaModel" format):
//   <Element Type="SqlTable" Name="[dbo].[T]"> <Relationship Name="Columns"> <Entry> <Element
//   Type="SqlSimpleColumn" ...> <Property Name="IsNullable" Value="False"/> ...
// Constraints, indexes, defaults and extended properties are separate top-level elements that point
// back to their table; module bodies are text (BodyScript/QueryScript) plus a header annotation.
// model.xml is parsed one top-level Element at a time so a broken element costs only itself.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { Diagnostic } from "../diagnostics.ts";
import { diagnostic } from "../diagnostics.ts";
import type {
  CatalogFragment,
  ColumnDraft,
  ColumnTypeDraft,
  ConstraintDraft,
  DeclaredDependency,
  FunctionKind,
  IndexDraft,
  ObjectDraft,
  ObjectKind,
} from "./types.ts";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (_name, _jpath, _leaf, isAttribute) => !isAttribute,
});

// ---------------------------------------------------------------------------------------------
// A small typed view over the parser's output.

interface XRef {
  name: string;
  external?: string;
}
interface XEntry {
  elements: XEl[];
  refs: XRef[];
  props: Map<string, string>;
}
interface XEl {
  type: string;
  name?: string;
  props: Map<string, string>;
  rels: Map<string, XEntry[]>;
  annotations: XEl[];
}

type Raw = Record<string, unknown>;

function rawList(node: Raw, key: string): Raw[] {
  const v = node[key];
  return Array.isArray(v) ? (v as Raw[]) : [];
}
function attr(node: Raw, key: string): string | undefined {
  const v = node[`@_${key}`];
  return typeof v === "string" ? v : undefined;
}
function text(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(text).join("");
  if (v && typeof v === "object" && "#text" in (v as Raw)) return text((v as Raw)["#text"]);
  return undefined;
}

function readProps(node: Raw): Map<string, string> {
  const props = new Map<string, string>();
  for (const p of rawList(node, "Property")) {
    const name = attr(p, "Name");
    if (!name) continue;
    const value = attr(p, "Value") ?? text(p["Value"]) ?? "";
    props.set(name, value);
  }
  return props;
}

function toEl(node: Raw): XEl {
  const rels = new Map<string, XEntry[]>();
  for (const r of rawList(node, "Relationship")) {
    const name = attr(r, "Name");
    if (!name) continue;
    const entries: XEntry[] = rawList(r, "Entry").map((e) => ({
      elements: rawList(e, "Element").map(toEl),
      refs: rawList(e, "References").map((x) => {
        const ref: XRef = { name: attr(x, "Name") ?? "" };
        const ext = attr(x, "ExternalSource");
        if (ext) ref.external = ext;
        return ref;
      }),
      props: readProps(e),
    }));
    rels.set(name, [...(rels.get(name) ?? []), ...entries]);
  }
  const el: XEl = {
    type: attr(node, "Type") ?? "",
    props: readProps(node),
    rels,
    annotations: [...rawList(node, "Annotation"), ...rawList(node, "AttachedAnnotation")].map(toEl),
  };
  const name = attr(node, "Name");
  if (name !== undefined) el.name = name;
  return el;
}

function refs(el: XEl, rel: string): XRef[] {
  return (el.rels.get(rel) ?? []).flatMap((e) => e.refs);
}
function children(el: XEl, rel: string): XEl[] {
  return (el.rels.get(rel) ?? []).flatMap((e) => e.elements);
}
function bool(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  return /^(true|1)$/i.test(v);
}
function int(v: string | undefined): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** `[dbo].[Order]]Lines].[Id]` → ["dbo", "Order]Lines", "Id"]. */
export function splitBracketName(name: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < name.length) {
    if (name[i] === "[") {
      let j = i + 1;
      let part = "";
      while (j < name.length) {
        if (name[j] === "]") {
          if (name[j + 1] === "]") {
            part += "]";
            j += 2;
            continue;
          }
          break;
        }
        part += name[j];
        j++;
      }
      parts.push(part);
      i = j + 1;
    } else if (name[i] === ".") {
      i++;
    } else {
      let j = i;
      while (j < name.length && name[j] !== ".") j++;
      parts.push(name.slice(i, j));
      i = j;
    }
  }
  return parts;
}

function quote(part: string): string {
  return `[${part.replace(/]/g, "]]")}]`;
}

// ---------------------------------------------------------------------------------------------
// Splitting model.xml into top-level elements, tracking lines.

interface Chunk {
  start: number;
  end: number;
  line: number;
}

function lineStarts(xml: string): number[] {
  const starts = [0];
  for (let i = xml.indexOf("\n"); i >= 0; i = xml.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}
function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** End of the tag opened at `from` (index of its `>`), honouring quoted attribute values. */
function tagEnd(xml: string, from: number): number {
  let quote: string | null = null;
  for (let i = from; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ">") return i;
  }
  return -1;
}

function splitModel(xml: string, starts: number[], file: string, diagnostics: Diagnostic[]): Chunk[] {
  const chunks: Chunk[] = [];
  const modelAt = xml.search(/<Model[\s>]/);
  if (modelAt < 0) {
    diagnostics.push(diagnostic("SRC1302", "error", "model.xml has no <Model> element; nothing read from it", { file, line: 1 }));
    return chunks;
  }
  const rx = /<!\[CDATA\[|<!--|<Element[\s>/]|<\/Element\s*>|<\/Model\s*>/g;
  rx.lastIndex = modelAt;
  let depth = 0;
  let chunkStart = -1;
  let closed = false;
  for (let m = rx.exec(xml); m; m = rx.exec(xml)) {
    const tok = m[0];
    if (tok === "<![CDATA[") {
      const end = xml.indexOf("]]>", m.index);
      if (end < 0) break;
      rx.lastIndex = end + 3;
    } else if (tok === "<!--") {
      const end = xml.indexOf("-->", m.index);
      if (end < 0) break;
      rx.lastIndex = end + 3;
    } else if (tok.startsWith("<Element")) {
      const end = tagEnd(xml, m.index);
      if (end < 0) break;
      rx.lastIndex = end + 1;
      const selfClosing = xml[end - 1] === "/";
      if (depth === 0) chunkStart = m.index;
      if (selfClosing) {
        if (depth === 0) chunks.push({ start: chunkStart, end: end + 1, line: lineAt(starts, chunkStart) });
      } else depth++;
    } else if (tok.startsWith("</Element")) {
      depth--;
      if (depth === 0) chunks.push({ start: chunkStart, end: m.index + tok.length, line: lineAt(starts, chunkStart) });
      if (depth < 0) {
        diagnostics.push(
          diagnostic("SRC1302", "error", "model.xml has a closing </Element> without its opening tag; ignored", { file, line: lineAt(starts, m.index) }),
        );
        depth = 0;
      }
    } else if (depth === 0) {
      closed = true; // </Model>
      break;
    }
  }
  if (!closed) {
    const line = chunkStart >= 0 && depth > 0 ? lineAt(starts, chunkStart) : starts.length;
    diagnostics.push(
      diagnostic("SRC1303", "error", "model.xml ends before </Model>: the file is truncated; the elements before this point were read", { file, line }),
    );
  }
  return chunks;
}

// ---------------------------------------------------------------------------------------------
// Elements → drafts.

const MODULE_KINDS: Record<string, { kind: ObjectKind; functionKind?: FunctionKind }> = {
  SqlView: { kind: "view" },
  SqlProcedure: { kind: "procedure" },
  SqlScalarFunction: { kind: "function", functionKind: "scalar" },
  SqlInlineTableValuedFunction: { kind: "function", functionKind: "inline_tvf" },
  SqlMultiStatementTableValuedFunction: { kind: "function", functionKind: "multi_tvf" },
  SqlDmlTrigger: { kind: "trigger" },
};

const IGNORED_TYPES = new Set([
  "SqlDatabaseOptions",
  "SqlRoleMembership",
  "SqlPermissionStatement",
  "SqlRole",
  "SqlUser",
  "SqlLogin",
  "SqlFilegroup",
  "SqlFile",
  "SqlPartitionFunction",
  "SqlPartitionScheme",
  "SqlFullTextCatalog",
  "SqlFullTextIndex",
  "SqlAssembly",
  "SqlStatistic",
  "SqlXmlSchemaCollection",
  "SqlApplicationRole",
  "SqlSecurityPolicy",
  "SqlDatabaseAuditSpecification",
  "SqlDatabaseDdlTrigger",
]);

export function parseTypeSpecifier(el: XEl | undefined): ColumnTypeDraft | undefined {
  if (!el) return undefined;
  const ref = refs(el, "Type")[0];
  if (!ref) return undefined;
  const parts = splitBracketName(ref.name);
  const name = parts[parts.length - 1] ?? ref.name;
  const builtin = ref.external === "BuiltIns" || parts.length === 1;
  const t: ColumnTypeDraft = { name: builtin ? name.toLowerCase() : name };
  if (!builtin) {
    t.userDefined = true;
    if (parts.length > 1) t.schema = parts[0]!;
  }
  if (bool(el.props.get("IsMax"), false)) t.length = -1;
  else {
    const len = int(el.props.get("Length"));
    if (len !== undefined) t.length = len;
  }
  const precision = int(el.props.get("Precision"));
  if (precision !== undefined) t.precision = precision;
  const scale = int(el.props.get("Scale"));
  if (scale !== undefined) t.scale = scale;
  return t;
}

function typeSql(t: ColumnTypeDraft | undefined): string {
  if (!t) return "sql_variant";
  const base = t.schema ? `${quote(t.schema)}.${quote(t.name)}` : t.name;
  if (t.length !== undefined) return `${base}(${t.length === -1 ? "max" : t.length})`;
  if (t.precision !== undefined && /^(decimal|numeric)$/.test(t.name)) return `${base}(${t.precision},${t.scale ?? 0})`;
  if (t.scale !== undefined && /^(datetime2|time|datetimeoffset)$/.test(t.name)) return `${base}(${t.scale})`;
  return base;
}

function readColumn(el: XEl): ColumnDraft {
  const parts = splitBracketName(el.name ?? "");
  const col: ColumnDraft = {
    name: parts[parts.length - 1] ?? "",
    nullable: bool(el.props.get("IsNullable"), true),
  };
  if (/ComputedColumn$/.test(el.type)) {
    col.computed = { expression: el.props.get("ExpressionScript") ?? "", persisted: bool(el.props.get("IsPersisted"), false) };
  } else {
    const spec = children(el, "TypeSpecifier")[0];
    const t = parseTypeSpecifier(spec);
    if (t) col.type = t;
  }
  if (bool(el.props.get("IsIdentity"), false)) {
    const idSpec = children(el, "IdentitySpecifier")[0];
    const seed = idSpec?.props.get("IdentitySeed") ?? el.props.get("IdentitySeed") ?? "1";
    const increment = idSpec?.props.get("IdentityIncrement") ?? el.props.get("IdentityIncrement") ?? "1";
    col.identity = { seed, increment };
  }
  const collation = el.props.get("Collation");
  if (collation) col.collation = collation;
  if (bool(el.props.get("IsRowGuidColumn") ?? el.props.get("IsRowGuidCol"), false)) col.rowguidcol = true;
  if (bool(el.props.get("IsSparse"), false)) col.sparse = true;
  return col;
}

function columnSpecs(el: XEl, rel = "ColumnSpecifications"): string[] {
  return children(el, rel).map((spec) => {
    const ref = refs(spec, "Column")[0];
    const parts = splitBracketName(ref?.name ?? "");
    const name = parts[parts.length - 1] ?? "";
    return bool(spec.props.get("IsAscending"), true) ? name : `${name} DESC`;
  });
}
function refColumns(el: XEl, rel: string): string[] {
  return refs(el, rel).map((r) => {
    const parts = splitBracketName(r.name);
    return parts[parts.length - 1] ?? "";
  });
}

const FK_ACTIONS = ["NO ACTION", "CASCADE", "SET NULL", "SET DEFAULT"];

function parseSqlString(v: string): string {
  const m = v.trim().match(/^N?'([\s\S]*)'$/);
  return m ? m[1]!.replace(/''/g, "'") : v;
}

function headerOf(el: XEl): string | undefined {
  for (const a of el.annotations) {
    const h = a.props.get("HeaderContents");
    if (h !== undefined) return h;
  }
  return undefined;
}

function declaredDeps(el: XEl, rels: string[]): DeclaredDependency[] {
  const out: DeclaredDependency[] = [];
  const seen = new Set<string>();
  for (const rel of rels) {
    for (const r of refs(el, rel)) {
      if (r.external === "BuiltIns") continue;
      const parts = splitBracketName(r.name);
      if (parts.length !== 2) continue; // 3 parts = a column; 1 part = a schema or a parameter
      if (parts.some((p) => p.startsWith("@"))) continue;
      const key = parts.join(".").toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const dep: DeclaredDependency = { schema: parts[0]!, name: parts[1]! };
      if (r.external === "UnresolvedEntity") dep.unresolved = true;
      out.push(dep);
    }
  }
  return out;
}

function parameterList(el: XEl): string {
  return children(el, "Parameters")
    .map((p) => {
      const parts = splitBracketName(p.name ?? "");
      const name = parts[parts.length - 1] ?? "@p";
      const t = typeSql(parseTypeSpecifier(children(p, "Type")[0]));
      const out = bool(p.props.get("IsOutput"), false) ? " OUTPUT" : "";
      const ro = bool(p.props.get("IsReadOnly"), false) ? " READONLY" : "";
      const dflt = p.props.get("DefaultExpressionScript");
      return `${name} ${t}${dflt !== undefined ? ` = ${dflt}` : ""}${out}${ro}`;
    })
    .join(", ");
}

/** The CREATE statement as the server would store it: the header annotation + body, or a synthesised header. */
function moduleText(el: XEl, kind: ObjectKind, fk: FunctionKind | undefined, schema: string, name: string): string | undefined {
  const fnBody = children(el, "FunctionBody")[0];
  let body = el.props.get("QueryScript") ?? el.props.get("BodyScript") ?? fnBody?.props.get("BodyScript");
  if (body === undefined) return undefined;
  const header = headerOf(el);
  const full = `${quote(schema)}.${quote(name)}`;
  if (header !== undefined) {
    if (fk === "inline_tvf" && !/\breturn\s*$/i.test(header) && !/^\s*return\b/i.test(body)) body = `RETURN ${body}`;
    return `${header}\n${body}`;
  }
  switch (kind) {
    case "view":
      return `CREATE VIEW ${full}\nAS\n${body}`;
    case "procedure":
      return `CREATE PROCEDURE ${full} ${parameterList(el)}\nAS\n${body}`;
    case "trigger": {
      const parent = refs(el, "Parent")[0]?.name ?? "[dbo].[unknown]";
      const events = [
        bool(el.props.get("IsInsertTrigger"), false) ? "INSERT" : "",
        bool(el.props.get("IsUpdateTrigger"), false) ? "UPDATE" : "",
        bool(el.props.get("IsDeleteTrigger"), false) ? "DELETE" : "",
      ].filter(Boolean);
      const timing = el.props.get("SqlTriggerType") === "2" ? "INSTEAD OF" : "AFTER";
      return `CREATE TRIGGER ${full} ON ${parent} ${timing} ${events.join(", ") || "INSERT"}\nAS\n${body}`;
    }
    case "function": {
      const params = parameterList(el);
      if (fk === "inline_tvf") return `CREATE FUNCTION ${full}(${params})\nRETURNS TABLE\nAS\n${/^\s*return\b/i.test(body) ? body : `RETURN ${body}`}`;
      if (fk === "multi_tvf") {
        const cols = children(el, "Columns")
          .map((c) => {
            const col = readColumn(c);
            return `${quote(col.name)} ${typeSql(col.type)}${col.nullable ? "" : " NOT NULL"}`;
          })
          .join(", ");
        const variable = el.props.get("ReturnTableVariableName") ?? el.props.get("TableVariableName") ?? "@result";
        return `CREATE FUNCTION ${full}(${params})\nRETURNS ${variable} TABLE (${cols})\nAS\n${body}`;
      }
      const ret = typeSql(parseTypeSpecifier(children(el, "Type")[0]));
      return `CREATE FUNCTION ${full}(${params})\nRETURNS ${ret}\nAS\n${body}`;
    }
    default:
      return undefined;
  }
}

export interface DacpacReadResult {
  fragment: CatalogFragment;
  diagnostics: Diagnostic[];
}

/** Reads model.xml text. `file` is how diagnostics and objects name it, e.g. `db.dacpac/model.xml`. */
export function readModelXml(xml: string, file: string, source: string): DacpacReadResult {
  const diagnostics: Diagnostic[] = [];
  const clean = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  const starts = lineStarts(clean);
  const fragment: CatalogFragment = { source, origin: "dacpac", objects: [] };

  const root = clean.match(/<DataSchemaModel\b[^>]*>/);
  if (!root) {
    diagnostics.push(diagnostic("SRC1302", "error", "model.xml has no <DataSchemaModel> root element; it is not a dacpac model", { file, line: 1 }));
  }

  const elements: { el: XEl; line: number }[] = [];
  for (const chunk of splitModel(clean, starts, file, diagnostics)) {
    const part = clean.slice(chunk.start, chunk.end);
    const valid = XMLValidator.validate(part);
    if (valid !== true) {
      const name = part.match(/Name="([^"]*)"/)?.[1];
      diagnostics.push(
        diagnostic(
          "SRC1302",
          "error",
          `broken XML in model.xml${name ? ` (element ${name})` : ""}: ${valid.err.msg}; this element was skipped, the rest was read`,
          { file, line: chunk.line + valid.err.line - 1, column: valid.err.col },
        ),
      );
      continue;
    }
    const parsed = parser.parse(part) as Raw;
    const node = rawList(parsed, "Element")[0];
    if (node) elements.push({ el: toEl(node), line: chunk.line });
  }

  const byName = new Map<string, ObjectDraft>();
  const key = (schema: string, name: string) => `${schema}.${name}`.toLowerCase();
  const add = (d: ObjectDraft) => {
    fragment.objects.push(d);
    if (d.kind !== "index" && d.kind !== "schema") byName.set(key(d.schema, d.name), d);
  };
  const unknownTypes = new Map<string, number>();
  const later: { el: XEl; line: number }[] = [];

  for (const { el, line } of elements) {
    const parts = splitBracketName(el.name ?? "");
    const schema = parts.length >= 2 ? parts[0]! : "dbo";
    const name = parts[parts.length - 1] ?? "";
    const base = { schema, name, file, line };
    switch (el.type) {
      case "SqlDatabaseOptions": {
        const db: NonNullable<CatalogFragment["database"]> = {};
        const collation = el.props.get("Collation");
        if (collation) db.collation = collation;
        const level = int(el.props.get("CompatibilityLevel"));
        if (level !== undefined) db.compatibilityLevel = level;
        fragment.database = { ...fragment.database, ...db };
        break;
      }
      case "SqlSchema":
        add({ ...base, schema: name, kind: "schema" });
        break;
      case "SqlTable": {
        const d: ObjectDraft = { ...base, kind: "table", columns: children(el, "Columns").map(readColumn), constraints: [], indexes: [] };
        add(d);
        break;
      }
      case "SqlTableType": {
        const cols = children(el, "Columns").map(readColumn);
        const constraints: ConstraintDraft[] = children(el, "Constraints").flatMap((c): ConstraintDraft[] => {
          if (/PrimaryKey/.test(c.type)) return [{ kind: "primary_key" as const, columns: columnSpecs(c) }];
          if (/Unique/.test(c.type)) return [{ kind: "unique" as const, columns: columnSpecs(c) }];
          if (/Check/.test(c.type)) return [{ kind: "check" as const, columns: [], expression: c.props.get("CheckExpressionScript") ?? "" }];
          return [];
        });
        add({ ...base, kind: "type", isTableType: true, columns: cols, constraints });
        break;
      }
      case "SqlUserDefinedDataType": {
        const d: ObjectDraft = { ...base, kind: "type" };
        const t = parseTypeSpecifier(el);
        if (t) d.baseType = t;
        add(d);
        break;
      }
      case "SqlSequence": {
        add({ ...base, kind: "sequence" });
        break;
      }
      case "SqlSynonym": {
        const target = refs(el, "ForObject")[0]?.name ?? el.props.get("ForObjectScript") ?? "";
        const tp = splitBracketName(target);
        const d: ObjectDraft = { ...base, kind: "synonym" };
        if (tp.length > 0) {
          const [n, s, db, srv] = [...tp].reverse();
          d.synonymFor = { name: n! };
          if (s) d.synonymFor.schema = s;
          if (db) d.synonymFor.database = db;
          if (srv) d.synonymFor.server = srv;
        }
        add(d);
        break;
      }
      default: {
        const mk = MODULE_KINDS[el.type];
        if (mk) {
          const d: ObjectDraft = { ...base, kind: mk.kind };
          if (mk.functionKind) d.functionKind = mk.functionKind;
          const t = moduleText(el, mk.kind, mk.functionKind, schema, name);
          if (t !== undefined) {
            d.module = { text: t, startLine: line };
            const ansi = el.props.get("IsAnsiNullsOn");
            if (ansi !== undefined) d.module.usesAnsiNulls = bool(ansi, true);
            const qi = el.props.get("IsQuotedIdentifierOn");
            if (qi !== undefined) d.module.usesQuotedIdentifier = bool(qi, true);
          } else if (mk.kind !== "view") {
            d.functionKind = mk.kind === "function" ? "clr" : d.functionKind;
          }
          if (mk.kind === "view" || mk.functionKind === "inline_tvf" || mk.functionKind === "multi_tvf") {
            d.columns = children(el, "Columns").map(readColumn);
          }
          const deps = declaredDeps(el, ["QueryDependencies", "BodyDependencies"]);
          const fnBody = children(el, "FunctionBody")[0];
          if (fnBody) deps.push(...declaredDeps(fnBody, ["BodyDependencies"]));
          if (deps.length) d.declaredDependencies = deps;
          if (mk.kind === "trigger") {
            const p = splitBracketName(refs(el, "Parent")[0]?.name ?? "");
            if (p.length >= 2) d.parent = { schema: p[0]!, name: p[1]! };
          }
          add(d);
        } else if (/Procedure$|Function$/.test(el.type) && /Clr|Extended/i.test(el.type)) {
          add({ ...base, kind: el.type.includes("Procedure") ? "procedure" : "function", ...(el.type.includes("Function") ? { functionKind: "clr" as const } : {}) });
        } else if (
          /Constraint$|^SqlIndex$|^SqlColumnStoreIndex$|^SqlPrimaryXmlIndex$|^SqlSpatialIndex$|^SqlExtendedProperty$/.test(el.type)
        ) {
          later.push({ el, line });
        } else if (!IGNORED_TYPES.has(el.type)) {
          unknownTypes.set(el.type, (unknownTypes.get(el.type) ?? 0) + 1);
        }
      }
    }
  }

  // Second pass: things that hang off a table (constraints, indexes, descriptions).
  for (const { el, line } of later) {
    const tableRef = refs(el, "DefiningTable")[0] ?? refs(el, "IndexedObject")[0];
    const tp = splitBracketName(tableRef?.name ?? "");
    const table = tp.length >= 2 ? byName.get(key(tp[0]!, tp[1]!)) : undefined;
    const ownName = splitBracketName(el.name ?? "");
    const cname = ownName.length ? ownName[ownName.length - 1] : undefined;
    if (el.type === "SqlExtendedProperty") {
      if (!/\.\[MS_Description\]$/i.test(el.name ?? "")) continue;
      const host = splitBracketName(refs(el, "Host")[0]?.name ?? "");
      const value = parseSqlString(el.props.get("Value") ?? "");
      const obj = host.length >= 2 ? byName.get(key(host[0]!, host[1]!)) : undefined;
      if (!obj) continue;
      if (host.length === 3) {
        const col = obj.columns?.find((c) => c.name.toLowerCase() === host[2]!.toLowerCase());
        if (col) col.description = value;
      } else obj.description = value;
      continue;
    }
    if (!table) {
      diagnostics.push(
        diagnostic("SRC1304", "warning", `${el.type} ${el.name ?? "(unnamed)"} belongs to ${tableRef?.name ?? "no table"}, which the model does not hold; skipped`, { file, line }),
      );
      continue;
    }
    const clustered = el.props.get("IsClustered");
    switch (el.type) {
      case "SqlPrimaryKeyConstraint":
      case "SqlUniqueConstraint": {
        const c: ConstraintDraft = { kind: el.type === "SqlPrimaryKeyConstraint" ? "primary_key" : "unique", columns: columnSpecs(el) };
        if (cname) c.name = cname;
        if (clustered !== undefined) c.clustered = bool(clustered, false);
        else c.clustered = c.kind === "primary_key";
        (table.constraints ??= []).push(c);
        break;
      }
      case "SqlForeignKeyConstraint": {
        const fp = splitBracketName(refs(el, "ForeignTable")[0]?.name ?? "");
        const c: ConstraintDraft = {
          kind: "foreign_key",
          columns: refColumns(el, "Columns"),
          references: { name: fp[fp.length - 1] ?? "", columns: refColumns(el, "ForeignColumns") },
        };
        if (fp.length >= 2) c.references!.schema = fp[0]!;
        if (cname) c.name = cname;
        const del = int(el.props.get("DeleteAction"));
        const upd = int(el.props.get("UpdateAction"));
        if (del) c.onDelete = FK_ACTIONS[del] ?? "NO ACTION";
        if (upd) c.onUpdate = FK_ACTIONS[upd] ?? "NO ACTION";
        (table.constraints ??= []).push(c);
        break;
      }
      case "SqlCheckConstraint": {
        const c: ConstraintDraft = { kind: "check", columns: [], expression: el.props.get("CheckExpressionScript") ?? "" };
        if (cname) c.name = cname;
        if (el.props.has("IsEnabled")) c.enabled = bool(el.props.get("IsEnabled"), true);
        (table.constraints ??= []).push(c);
        break;
      }
      case "SqlDefaultConstraint": {
        const colName = refColumns(el, "ForColumn")[0] ?? "";
        const expression = el.props.get("DefaultExpressionScript") ?? "";
        const c: ConstraintDraft = { kind: "default", columns: [colName], expression };
        if (cname) c.name = cname;
        (table.constraints ??= []).push(c);
        const col = table.columns?.find((x) => x.name.toLowerCase() === colName.toLowerCase());
        if (col) col.default = cname ? { name: cname, expression } : { expression };
        break;
      }
      default: {
        const idx: IndexDraft = {
          name: cname ?? "",
          unique: bool(el.props.get("IsUnique"), false),
          clustered: bool(clustered, false) || el.type === "SqlColumnStoreIndex" && bool(clustered, false),
          columns: columnSpecs(el),
          include: refColumns(el, "IncludedColumns"),
        };
        const filter = el.props.get("FilterPredicate");
        if (filter) idx.filter = filter;
        if (el.type !== "SqlIndex") idx.kind = el.type.replace(/^Sql/, "").replace(/Index$/, "").toLowerCase();
        (table.indexes ??= []).push(idx);
        fragment.objects.push({ schema: table.schema, name: idx.name, kind: "index", file, line, parent: { schema: table.schema, name: table.name } });
      }
    }
  }
  for (const [type, count] of unknownTypes) {
    diagnostics.push(diagnostic("SRC1305", "note", `model.xml holds ${count} element(s) of type ${type}, which DataMigrate does not read`, { file, line: 1 }));
  }
  return { fragment, diagnostics };
}
