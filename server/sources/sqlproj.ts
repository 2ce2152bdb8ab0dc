// SSDT .sqlproj files: which scripts are built into the database model (Build items), which run
// around deployment (PreDeploy/PostDeploy), and the SQLCMD variables with their default values.
// Classic projects list every Build item; SDK-style projects (Microsoft.Build.Sql) build every
// .sql file under the project folder unless told otherwise.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { ProjectSettings } from "./types.ts";

export interface SqlProject {
  settings: ProjectSettings;
  sdkStyle: boolean;
  /** Include patterns of Build items (globs allowed), relative to the project folder, forward slashes. */
  build: string[];
  remove: string[];
  /** Files that are part of the project but not built (None, Content items): excluded from SDK-style globs. */
  notBuilt: string[];
  preDeploy: string[];
  postDeploy: string[];
}

export type SqlProjectResult = { ok: true; project: SqlProject } | { ok: false; line: number; message: string };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) =>
    ["ItemGroup", "PropertyGroup", "Build", "None", "Content", "PreDeploy", "PostDeploy", "SqlCmdVariable", "Sdk"].includes(name),
});

type XmlNode = Record<string, unknown>;

function arr(v: unknown): XmlNode[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]) as XmlNode[];
}

function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v && typeof v === "object" && "#text" in v) return str((v as XmlNode)["#text"]);
  return undefined;
}

function slash(p: string): string {
  return p.replace(/\\/g, "/").replace(/^\.\//, "");
}

function splitItems(include: string | undefined): string[] {
  if (!include) return [];
  return include
    .split(";")
    .map((s) => slash(s.trim()))
    .filter((s) => s.length > 0);
}

export function parseSqlProject(text: string, path: string): SqlProjectResult {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const valid = XMLValidator.validate(clean);
  if (valid !== true) return { ok: false, line: valid.err.line, message: valid.err.msg };
  const doc = parser.parse(clean) as XmlNode;
  const project = (doc["Project"] ?? {}) as XmlNode;
  const sdkAttr = str(project["@_Sdk"]);
  const sdkElems = arr(project["Sdk"]).map((s) => str(s["@_Name"]) ?? "");
  const sdkStyle = /Microsoft\.Build\.Sql/i.test(sdkAttr ?? "") || sdkElems.some((n) => /Microsoft\.Build\.Sql/i.test(n));

  const settings: ProjectSettings = { path, sqlcmdVariables: {} };
  for (const group of arr(project["PropertyGroup"])) {
    if (group["@_Condition"] !== undefined) continue; // configuration-specific groups hold build output settings only
    const name = str(group["Name"]);
    if (name) settings.name = name;
    const schema = str(group["DefaultSchema"]);
    if (schema) settings.defaultSchema = schema;
    const collation = str(group["DefaultCollation"]);
    if (collation) settings.defaultCollation = collation;
    const dsp = str(group["DSP"]);
    const m = dsp?.match(/Sql(\w+?)DatabaseSchemaProvider/);
    if (m?.[1]) settings.targetPlatform = `Sql${m[1]}`;
  }

  const out: SqlProject = { settings, sdkStyle, build: [], remove: [], notBuilt: [], preDeploy: [], postDeploy: [] };
  for (const group of arr(project["ItemGroup"])) {
    for (const b of arr(group["Build"])) {
      out.build.push(...splitItems(str(b["@_Include"])));
      out.remove.push(...splitItems(str(b["@_Remove"])));
    }
    for (const tag of ["None", "Content"]) {
      for (const n of arr(group[tag])) out.notBuilt.push(...splitItems(str(n["@_Include"])));
    }
    for (const p of arr(group["PreDeploy"])) out.preDeploy.push(...splitItems(str(p["@_Include"])));
    for (const p of arr(group["PostDeploy"])) out.postDeploy.push(...splitItems(str(p["@_Include"])));
    for (const v of arr(group["SqlCmdVariable"])) {
      const name = str(v["@_Include"]);
      if (!name) continue;
      // Value is usually `$(SqlCmdVar__1)`, an MSBuild indirection; DefaultValue is the literal.
      const value = str(v["DefaultValue"]) ?? str(v["Value"]) ?? "";
      settings.sqlcmdVariables[name] = value;
    }
  }
  return { ok: true, project: out };
}

/** MSBuild item globs (`*`, `**`, `?`) to a case-insensitive matcher over forward-slash paths. */
export function globMatcher(pattern: string): (path: string) => boolean {
  if (!/[*?]/.test(pattern)) {
    const lower = pattern.toLowerCase();
    return (p) => p.toLowerCase() === lower;
  }
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      re += ".*";
      i++;
      if (pattern[i + 1] === "/") i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  const rx = new RegExp(`^${re}$`, "i");
  return (p) => rx.test(p);
}

/**
 * Which of `files` (paths relative to the project folder) the project builds, and which run
 * before/after deployment. Paths are matched case-insensitively, as Windows does.
 */
export function selectProjectFiles(
  project: SqlProject,
  files: string[],
): { build: string[]; preDeploy: string[]; postDeploy: string[]; missing: string[] } {
  // Classic projects list hundreds of exact paths: a set for those, matchers only for globs.
  const matchAny = (patterns: string[]) => {
    const exact = new Set(patterns.filter((p) => !/[*?]/.test(p)).map((p) => p.toLowerCase()));
    const ms = patterns.filter((p) => /[*?]/.test(p)).map(globMatcher);
    return (p: string) => exact.has(p.toLowerCase()) || ms.some((m) => m(p));
  };
  const isPre = matchAny(project.preDeploy);
  const isPost = matchAny(project.postDeploy);
  const isRemoved = matchAny(project.remove);
  const isNotBuilt = matchAny(project.notBuilt);
  const sqlFiles = files.filter((f) => /\.sql$/i.test(f) && !/^(bin|obj)\//i.test(f));
  let build: string[];
  if (project.sdkStyle) {
    build = sqlFiles.filter((f) => !isPre(f) && !isPost(f) && !isRemoved(f) && !isNotBuilt(f));
  } else {
    const isBuilt = matchAny(project.build);
    build = sqlFiles.filter((f) => isBuilt(f) && !isRemoved(f));
  }
  const lower = new Set(files.map((f) => f.toLowerCase()));
  const missing = project.sdkStyle
    ? []
    : project.build.filter((p) => !/[*?]/.test(p) && !lower.has(p.toLowerCase()));
  return {
    build,
    preDeploy: sqlFiles.filter(isPre),
    postDeploy: sqlFiles.filter(isPost),
    missing,
  };
}
