// View models of the migration pages: database rows → plain values the templates print. Kept
// apart from the routes so that the benchmark and tests can call them directly.
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import type { Db } from "../../db/client.ts";
import {
  countObjects,
  pageModelSummaries,
  listMigrationFilePaths,
  listMigrationYamlFiles,
  listModelSqlFiles,
  listModelSummaries,
  projectStamp,
  listRecentEvents,
  listSourceFileNames,
  type MigrationCounts,
  type MigrationListItem,
  type MigrationModelSummary,
} from "../../db/queries/migration-views.ts";
import { EVIDENCE_GRADES, type Migration, type MigrationModel, type MigrationStage, type ObjectResultSnapshot } from "../../db/schema/migrations.ts";
import { diagnosticsByCode } from "../../dbt/report.ts";
import { barChart, meter, stackedBar, type ChartItem } from "../charts.ts";
import { reportForPage } from "../api/downloads.ts";
import { buildLineage, cachedLineage } from "../lineage.ts";
import { activeRerunOf, listObjectReruns, RERUN_KIND_LABELS, runUsedModel } from "../../jobs/rerun.ts";

export const GRADE_LABELS: Record<string, string> = {
  verified_equal: "Verified equal",
  tests_passed: "Tests passed",
  ran: "Ran",
  compiled: "Compiled",
  failed: "Failed",
  none: "Not graded",
};
export const GRADE_HELP: Record<string, string> = {
  verified_equal: "ran on Postgres and returned the same rows as the source",
  tests_passed: "ran and its dbt data tests passed",
  ran: "ran on Postgres; no tests or parity to compare",
  compiled: "compiled, not executed",
  failed: "did not compile or run",
  none: "not validated yet",
};
const GRADE_ORDER = [...EVIDENCE_GRADES, "none"];
const TIER_ORDER = ["SIMPLE", "MEDIUM", "COMPLEX", "CRITICAL"];
export const STAGE_NAMES = ["assess", "plan", "execute", "test", "rebuild", "optimize"];
const LIVE = new Set(["queued", "running"]);

export function formatTime(d: Date | string | null | undefined): string {
  if (!d) return "";
  const date = typeof d === "string" ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) return "";
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function pct(n: number, total: number): number {
  return total ? Math.round((n / total) * 100) : 0;
}

export function gradeSummary(grades: Record<string, number>): Array<{ grade: string; label: string; count: number }> {
  return GRADE_ORDER.filter((g) => grades[g]).map((g) => ({ grade: g, label: GRADE_LABELS[g]!, count: grades[g]! }));
}

export function migrationHeader(m: Migration, now: Date) {
  const end = m.finishedAt ?? (m.startedAt ? now : null);
  return {
    id: m.id,
    name: m.name,
    status: m.status,
    live: LIVE.has(m.status),
    target: m.config.target,
    createdAt: formatTime(m.createdAt),
    startedAt: formatTime(m.startedAt),
    finishedAt: formatTime(m.finishedAt),
    duration: m.startedAt && end ? formatDuration(end.getTime() - m.startedAt.getTime()) : "",
    error: m.error,
  };
}

export function dashboardRows(items: MigrationListItem[]) {
  return items.map(({ migration: m, counts }) => ({
    id: m.id,
    name: m.name,
    status: m.status,
    target: m.config.target,
    createdAt: formatTime(m.createdAt),
    objects: counts.objects,
    grades: gradeSummary(counts.grades),
    verifiedShare: pct((counts.grades.verified_equal ?? 0) + (counts.grades.tests_passed ?? 0), counts.objects),
  }));
}

function stagesOf(m: Migration): Array<MigrationStage & { startedAtText: string; finishedAtText: string }> {
  const stored = Array.isArray(m.stages) ? m.stages : [];
  const list: MigrationStage[] = stored.length ? stored : STAGE_NAMES.map((name) => ({ name, status: m.status === "completed" ? "completed" : "pending" }));
  return list.map((s) => ({ ...s, startedAtText: formatTime(s.startedAt), finishedAtText: formatTime(s.finishedAt) }));
}

const OBJECTS_PER_PAGE = 100;

export interface ObjectFilter {
  q?: string;
  grade?: string;
  page?: number;
}

function objectRow(migrationId: string, o: MigrationModelSummary) {
  const diags = Array.isArray(o.diagnostics) ? (o.diagnostics as Array<{ severity?: string }>) : [];
  return {
    id: o.id,
    href: `/migrations/${migrationId}/objects/${o.id}`,
    name: `${o.sourceSchema}.${o.sourceName}`,
    kind: o.sourceKind.replace(/_/g, " "),
    status: o.status,
    tier: o.tier ?? "",
    grade: o.evidenceGrade ?? "none",
    gradeLabel: GRADE_LABELS[o.evidenceGrade ?? "none"] ?? o.evidenceGrade,
    errors: diags.filter((d) => d.severity === "error").length,
    warnings: diags.filter((d) => d.severity !== "error").length,
    attempts: o.attempts,
  };
}

/** Everything the migration page shows (header, stages, progress, objects page, recent events). */
export async function migrationPageContext(db: Db, m: Migration, filter: ObjectFilter, now: Date) {
  const q = (filter.q ?? "").trim();
  const grade = filter.grade && GRADE_ORDER.includes(filter.grade) ? filter.grade : undefined;
  const [countMap, events, sources] = await Promise.all([
    countObjects(db, m.orgId, [m.id]),
    listRecentEvents(db, m.orgId, m.id, 12),
    listSourceFileNames(db, m.orgId, m.id),
  ]);
  const counts: MigrationCounts = countMap.get(m.id) ?? { objects: 0, grades: {}, statuses: {} };
  const total = counts.objects;
  const graded = total - (counts.grades.none ?? 0);
  // Only the rows of the page shown are read; the totals come from one grouped count.
  const wanted = Math.max(1, filter.page ?? 1);
  let result = await pageModelSummaries(db, m.orgId, m.id, { q, grade, limit: OBJECTS_PER_PAGE, offset: (wanted - 1) * OBJECTS_PER_PAGE });
  const pages = Math.max(1, Math.ceil(result.total / OBJECTS_PER_PAGE));
  const page = Math.min(wanted, pages);
  if (page !== wanted) result = await pageModelSummaries(db, m.orgId, m.id, { q, grade, limit: OBJECTS_PER_PAGE, offset: (page - 1) * OBJECTS_PER_PAGE });
  const query = new URLSearchParams();
  if (filter.q) query.set("q", filter.q);
  if (filter.grade) query.set("grade", filter.grade);
  const pageHref = (p: number) => {
    const qs = new URLSearchParams(query);
    if (p > 1) qs.set("page", String(p));
    const s = qs.toString();
    return `/migrations/${m.id}${s ? `?${s}` : ""}`;
  };
  return {
    migration: migrationHeader(m, now),
    tab: "overview",
    sources,
    stages: stagesOf(m),
    progress: {
      total,
      graded,
      percent: pct(graded, total),
      meter: meter(total ? graded / total : 0, `${graded} of ${total} objects validated`, 240),
      grades: gradeSummary(counts.grades),
      statuses: Object.entries(counts.statuses).map(([status, count]) => ({ status, count })),
    },
    events: events.map((e) => ({ at: formatTime(e.createdAt).slice(11, 16), stage: e.stage, object: e.object, message: e.message })),
    objects: result.items.map((o) => objectRow(m.id, o)),
    filter: { q: filter.q ?? "", grade: filter.grade ?? "" },
    gradeOptions: GRADE_ORDER.map((g) => ({ value: g, label: GRADE_LABELS[g] })),
    paging: {
      page,
      pages,
      shown: result.total,
      prev: page > 1 ? pageHref(page - 1) : null,
      next: page < pages ? pageHref(page + 1) : null,
    },
    selfHref: pageHref(page),
  };
}

function countBy<T>(items: T[], key: (t: T) => string | string[] | null | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    for (const x of Array.isArray(k) ? k : k ? [k] : []) m.set(x, (m.get(x) ?? 0) + 1);
  }
  return m;
}

function riskLabel(r: unknown): string | undefined {
  if (typeof r === "string") return r;
  if (r && typeof r === "object") {
    const o = r as Record<string, unknown>;
    const v = o.factor ?? o.code ?? o.name ?? o.kind ?? o.reason;
    return typeof v === "string" ? v : undefined;
  }
  return undefined;
}

/** The assessment report: counts, charts, unresolved references, diagnostics per code. */
export async function reportPageContext(db: Db, m: Migration, now: Date) {
  const models = await listModelSummaries(db, m.orgId, m.id);
  const report = reportForPage(m, models);
  const kinds = [...countBy(models, (o) => o.sourceKind)].sort((a, b) => b[1] - a[1]);
  const tiersMap = countBy(models, (o) => o.tier ?? "unassessed");
  const tiers = [...TIER_ORDER, ...[...tiersMap.keys()].filter((t) => !TIER_ORDER.includes(t))].filter((t) => tiersMap.has(t)).map((t) => [t, tiersMap.get(t)!] as const);
  const gradesMap = countBy(models, (o) => o.evidenceGrade ?? "none");
  const grades = GRADE_ORDER.filter((g) => gradesMap.has(g)).map((g) => ({ label: GRADE_LABELS[g]!, value: gradesMap.get(g)!, cls: `grade-${g}` }));
  const risks = [...countBy(models, (o) => (Array.isArray(o.riskFactors) ? o.riskFactors.map(riskLabel).filter((x): x is string => !!x) : []))].sort((a, b) => b[1] - a[1]);
  const statusItems: ChartItem[] = (["converted", "needs_review", "unsupported"] as const).map((s) => ({
    label: s.replace("_", " "),
    value: report.summary[s],
    cls: `status-${s}`,
  }));
  const unresolved: Array<{ object: string; href: string; message: string }> = [];
  const idByKey = new Map(models.map((o) => [`${o.sourceSchema}.${o.sourceName}`.toLowerCase(), o.id]));
  for (const o of report.objects) {
    for (const d of o.diagnostics) {
      if (d.code !== "CAT1002") continue;
      const id = idByKey.get(`${o.schema}.${o.name}`.toLowerCase());
      unresolved.push({ object: `${o.schema}.${o.name}`, href: id ? `/migrations/${m.id}/objects/${id}` : "", message: d.message });
    }
  }
  return {
    migration: migrationHeader(m, now),
    tab: "report",
    summary: { ...report.summary, conversionPercent: Math.round(report.summary.conversionRate * 1000) / 10 },
    charts: {
      kinds: barChart("Objects per kind", kinds.map(([label, value]) => ({ label: label.replace(/_/g, " "), value }))),
      tiers: barChart("Complexity tiers", tiers.map(([label, value]) => ({ label, value, cls: `tier-${label}` }))),
      grades: stackedBar("Evidence grades", grades),
      statuses: stackedBar("Conversion status", statusItems),
    },
    kinds: kinds.map(([kind, count]) => ({ kind: kind.replace(/_/g, " "), count })),
    tiers: tiers.map(([tier, count]) => ({ tier, count })),
    grades,
    risks: risks.slice(0, 20).map(([factor, count]) => ({ factor, count })),
    unresolved: unresolved.slice(0, 200),
    unresolvedTotal: unresolved.length,
    byCode: diagnosticsByCode(report),
  };
}

// ---------------------------------------------------------------------------------------------
// Object view

interface Diag {
  code: string;
  severity: string;
  message: string;
  file: string;
  line: number;
  column?: number;
}

function asDiagnostics(list: unknown[]): Diag[] {
  return list.flatMap((d) => {
    if (!d || typeof d !== "object") return [];
    const o = d as Record<string, unknown>;
    if (typeof o.code !== "string" || typeof o.message !== "string") return [];
    return [
      {
        code: o.code,
        severity: typeof o.severity === "string" ? o.severity : "note",
        message: o.message,
        file: typeof o.file === "string" ? o.file : "",
        line: typeof o.line === "number" ? o.line : 0,
        ...(typeof o.column === "number" ? { column: o.column } : {}),
      },
    ];
  });
}

const SEVERITY_RANK: Record<string, number> = { error: 0, functional_difference: 1, warning: 2, note: 3 };

/**
 * Lines of a text with the diagnostics that point at each (worst severity first). `firstLine` is
 * the line of the text's first line in its file: diagnostics carry file lines, and an object's
 * source text rarely starts on line 1 of its script. Lines are numbered (and anchored) as in the file.
 */
export function codeLines(text: string | null, prefix: string, diags: Diag[], firstLine = 1) {
  const lines = (text ?? "").replace(/\r\n?/g, "\n").split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const first = Number.isInteger(firstLine) && firstLine >= 1 ? firstLine : 1;
  const at = new Map<number, Diag[]>();
  for (const d of diags) if (d.line >= first && d.line < first + lines.length) (at.get(d.line) ?? at.set(d.line, []).get(d.line)!).push(d);
  return lines.map((t, i) => {
    const n = first + i;
    const here = (at.get(n) ?? []).sort((a, b) => (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9));
    return { n, id: `${prefix}-L${n}`, text: t, diags: here, severity: here[0]?.severity ?? "" };
  });
}

/** Where the object's source text starts: stored by the run; for rows of older runs, the report's line of the object. */
function sourceStart(m: Migration, o: MigrationModel): { file: string | null; line: number } {
  if (o.sourceLine) return { file: o.sourceFile, line: o.sourceLine };
  const objs = (m.report as { objects?: Array<Record<string, unknown>> } | null)?.objects;
  const r = Array.isArray(objs) ? objs.find((x) => x.schema === o.sourceSchema && x.name === o.sourceName && x.kind === o.sourceKind) : undefined;
  return { file: typeof r?.file === "string" ? r.file : null, line: typeof r?.line === "number" && r.line >= 1 ? r.line : 1 };
}

/** Which pane a diagnostic points into: the generated model when its file is the model path. */
function isGeneratedFile(d: Diag, modelPath: string | null): boolean {
  if (!d.file) return false;
  if (modelPath && (d.file === modelPath || d.file.endsWith(`/${modelPath}`) || modelPath.endsWith(d.file))) return true;
  return /^models\//.test(d.file);
}

/** The yml entry describing `modelName` (columns, tests), from whichever yml file holds it. */
export function modelYaml(files: Array<{ path: string; content: string }>, modelName: string): { path: string; text: string } | undefined {
  for (const f of files) {
    if (!f.content.includes(modelName)) continue;
    // A project's yml may describe hundreds of models: parse only this model's list item when it can be cut out.
    const item = modelItem(f.content, modelName);
    if (item) {
      try {
        const entry = (parseYaml(item) as unknown[])[0];
        if (entry && typeof entry === "object" && (entry as { name?: unknown }).name === modelName) return { path: f.path, text: stringifyYaml({ version: 2, models: [entry] }) };
      } catch {
        /* fall back to the whole file */
      }
    }
    let doc: unknown;
    try {
      doc = parseYaml(f.content);
    } catch {
      continue;
    }
    const list = (doc as { models?: unknown })?.models;
    if (!Array.isArray(list)) continue;
    const entry = list.find((x) => x && typeof x === "object" && (x as { name?: unknown }).name === modelName);
    if (entry) return { path: f.path, text: stringifyYaml({ version: 2, models: [entry] }) };
  }
  return undefined;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The text of the `- name: <model>` list item (up to the next line indented as little or less). */
function modelItem(text: string, modelName: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const start = new RegExp(`^(\\s*)- name:\\s*['"]?${escapeRe(modelName)}['"]?\\s*$`);
  for (let i = 0; i < lines.length; i++) {
    const m = start.exec(lines[i]!);
    if (!m) continue;
    const indent = m[1]!.length;
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      if (l.trim() === "" || l.trimStart().startsWith("#")) continue;
      if (l.length - l.trimStart().length <= indent) break;
    }
    return lines
      .slice(i, j)
      .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
      .join("\n");
  }
  return undefined;
}

function rowTable(rows: unknown[]): { columns: string[]; rows: string[][] } {
  const objs = rows.filter((r): r is Record<string, unknown> => !!r && typeof r === "object").slice(0, 20);
  const columns = [...new Set(objs.flatMap((r) => Object.keys(r)))].slice(0, 12);
  return { columns, rows: objs.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? "NULL" : typeof r[c] === "object" ? JSON.stringify(r[c]) : String(r[c])))) };
}

/** Validation evidence, read defensively: the run writes it, the page must survive any shape. */
function validationView(v: Record<string, unknown> | null) {
  if (!v) return null;
  const tests = (Array.isArray(v.tests) ? v.tests : []).flatMap((t) => {
    if (!t || typeof t !== "object") return [];
    const o = t as Record<string, unknown>;
    return [
      {
        name: String(o.name ?? o.test ?? "test"),
        column: typeof o.column === "string" ? o.column : "",
        status: String(o.status ?? "unknown"),
        failures: typeof o.failures === "number" ? o.failures : null,
        error: typeof o.error === "string" ? o.error : "",
        sample: Array.isArray(o.sample) && o.sample.length ? rowTable(o.sample) : null,
      },
    ];
  });
  const p = v.parity && typeof v.parity === "object" ? (v.parity as Record<string, unknown>) : null;
  const rc = p?.rowCount && typeof p.rowCount === "object" ? (p.rowCount as { left?: number; right?: number }) : null;
  const diffs = Array.isArray(p?.differences) ? (p!.differences as Array<Record<string, unknown>>) : [];
  const parity = p
    ? {
        equal: p.equal === true,
        left: rc?.left ?? null,
        right: rc?.right ?? null,
        error: typeof p.error === "string" ? p.error : "",
        differences: diffs.slice(0, 20).map((d) => ({
          kind: String(d.kind ?? ""),
          key: JSON.stringify(d.key ?? {}),
          detail: Array.isArray(d.columns)
            ? (d.columns as Array<{ column: string; left: unknown; right: unknown }>).map((c) => `${c.column}: ${JSON.stringify(c.left)} → ${JSON.stringify(c.right)}`).join("; ")
            : JSON.stringify(d.row ?? d.count ?? ""),
        })),
        more: Math.max(0, diffs.length - 20),
      }
    : null;
  // The run's shape (server/agents/validation.ts): per model its status, rows, test counts, error and failing tests.
  const models = (Array.isArray(v.models) ? v.models : []).flatMap((x) => {
    if (!x || typeof x !== "object") return [];
    const o = x as Record<string, unknown>;
    const t = o.tests && typeof o.tests === "object" && !Array.isArray(o.tests) ? (o.tests as { passed?: unknown; failed?: unknown }) : {};
    const e = o.error;
    for (const f of Array.isArray(o.failingTests) ? o.failingTests : []) {
      if (!f || typeof f !== "object") continue;
      const ft = f as Record<string, unknown>;
      tests.push({
        name: String(ft.name ?? "test"),
        column: "",
        status: "fail",
        failures: typeof ft.failures === "number" ? ft.failures : null,
        error: typeof ft.error === "string" ? ft.error : "",
        sample: Array.isArray(ft.sample) && ft.sample.length ? rowTable(ft.sample) : null,
      });
    }
    return [
      {
        name: String(o.name ?? ""),
        status: String(o.status ?? ""),
        rows: typeof o.rows === "number" ? o.rows : null,
        passed: typeof t.passed === "number" ? t.passed : 0,
        failed: typeof t.failed === "number" ? t.failed : 0,
        error: typeof e === "string" ? e : e && typeof e === "object" && typeof (e as { message?: unknown }).message === "string" ? `${(e as { code?: string }).code ? `${(e as { code?: string }).code}: ` : ""}${(e as { message: string }).message}${typeof (e as { line?: unknown }).line === "number" ? ` (model line ${(e as { line: number }).line})` : ""}` : "",
      },
    ];
  });
  const err = v.error;
  const error = typeof err === "string" ? err : err && typeof err === "object" && typeof (err as { message?: unknown }).message === "string" ? (err as { message: string }).message : "";
  const rows = typeof v.rows === "number" ? v.rows : null;
  const testCount = models.reduce((n, m) => n + m.passed + m.failed, 0);
  return { models, testCount, tests, parity, error, rows, status: typeof v.status === "string" ? v.status : "", raw: JSON.stringify(v, null, 2) };
}

const RERUN_STATUS_TEXT: Record<string, string> = { queued: "queued", running: "running", completed: "completed", failed: "failed" };

function snapshotText(x: ObjectResultSnapshot | null): string {
  if (!x) return "";
  return `${x.status.replace(/_/g, " ")}, ${GRADE_LABELS[x.evidenceGrade ?? "none"]?.toLowerCase() ?? x.evidenceGrade}, ${x.errors} error${x.errors === 1 ? "" : "s"}`;
}

/** The re-run buttons (enabled or why not), the active re-run of the migration, this object's history. */
async function rerunContext(db: Db, m: Migration, o: MigrationModel) {
  const [history, active] = await Promise.all([listObjectReruns(db, m.orgId, m.id, o.id, 10), activeRerunOf(db, m.orgId, m.id)]);
  const live = LIVE.has(m.status);
  const activeHere = active && active.modelId === o.id;
  const reason = live
    ? `The migration's run is ${m.status}: an object can be re-run once the run has ended.`
    : active
      ? `A re-run of ${activeHere ? "this object" : active.object} (${RERUN_KIND_LABELS[active.kind]}) is ${active.status}; one re-run at a time per migration.`
      : "";
  const usedModel = runUsedModel(m.report);
  return {
    available: !live && !active,
    reason,
    action: `/migrations/${m.id}/objects/${o.id}/rerun`,
    // Any active re-run of the migration: when it ends, this object's buttons come back (and its result may change).
    polling: !!active,
    active: activeHere ? { kind: RERUN_KIND_LABELS[active.kind], status: active.status, since: formatTime(active.startedAt ?? active.createdAt) } : null,
    help: `Translation: the rules translate the object again from the stored source (model-written SQL is replaced). Validation: its model runs again on Postgres with the models it reads. Rebuild: both${usedModel ? ", then, if the model still fails, the rebuild agent is asked again as in the run (its SQL is kept only when it passes validation)" : ""}.`,
    history: history.map((r) => ({
      at: formatTime(r.createdAt),
      kind: RERUN_KIND_LABELS[r.kind],
      status: RERUN_STATUS_TEXT[r.status] ?? r.status,
      before: snapshotText(r.before),
      after: snapshotText(r.after),
      sqlChanged: !!r.before && !!r.after && r.before.generatedSqlHash !== r.after.generatedSqlHash,
      error: r.error ?? "",
    })),
  };
}

export async function objectPageContext(db: Db, m: Migration, o: MigrationModel, now: Date, extra: { rerunError?: string } = {}) {
  const diags = asDiagnostics(Array.isArray(o.diagnostics) ? o.diagnostics : []);
  const generated = diags.filter((d) => isGeneratedFile(d, o.modelPath));
  const start = sourceStart(m, o);
  // A diagnostic of another file (an input-wide one) has no place in this object's text.
  const source = diags.filter((d) => !isGeneratedFile(d, o.modelPath) && (!d.file || !start.file || d.file === start.file));
  const modelName = o.modelPath ? (o.modelPath.split("/").pop() ?? "").replace(/\.sql$/i, "") : "";
  const yaml = modelName ? modelYaml(await listMigrationYamlFiles(db, m.orgId, m.id), modelName) : undefined;
  const grade = o.evidenceGrade ?? "none";
  const sourceLines = codeLines(o.sourceSql, "src", source, start.line);
  const generatedLines = codeLines(o.generatedSql, "gen", generated);
  const marked = new Set([...sourceLines, ...generatedLines].flatMap((l) => l.diags));
  return {
    migration: migrationHeader(m, now),
    tab: "objects",
    object: {
      id: o.id,
      name: `${o.sourceSchema}.${o.sourceName}`,
      kind: o.sourceKind.replace(/_/g, " "),
      status: o.status,
      tier: o.tier ?? "",
      attempts: o.attempts,
      modelPath: o.modelPath ?? "",
      modelName,
      grade,
      gradeLabel: GRADE_LABELS[grade] ?? grade,
      gradeHelp: GRADE_HELP[grade] ?? "",
      risks: (Array.isArray(o.riskFactors) ? o.riskFactors.map(riskLabel) : []).filter(Boolean),
      sourceFile: start.file ?? "",
      sourceLine: start.line,
    },
    selfHref: `/migrations/${m.id}/objects/${o.id}`,
    sourceLines,
    generatedLines,
    hasSource: !!o.sourceSql,
    hasGenerated: !!o.generatedSql,
    diagnostics: diags
      .map((d) => ({ ...d, pane: isGeneratedFile(d, o.modelPath) ? "gen" : "src", marked: marked.has(d) }))
      .sort((a, b) => (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9)),
    yaml,
    validation: validationView(o.validation ?? null),
    rerun: await rerunContext(db, m, o),
    rerunError: extra.rerunError ?? "",
  };
}

export async function downloadsPageContext(db: Db, m: Migration, now: Date) {
  const files = await listMigrationFilePaths(db, m.orgId, m.id);
  return {
    migration: migrationHeader(m, now),
    tab: "downloads",
    files: files.slice(0, 300).map((f) => ({ path: f.path, size: f.size < 1024 ? `${f.size} B` : `${(f.size / 1024).toFixed(1)} KB` })),
    fileCount: files.length,
    hasProject: files.length > 0,
  };
}

export async function lineagePageContext(db: Db, m: Migration, now: Date) {
  const stamp = await projectStamp(db, m.orgId, m.id);
  let nodes = 0;
  const svg = await cachedLineage(stamp, async () => {
    const [models, files] = await Promise.all([listModelSummaries(db, m.orgId, m.id), listModelSqlFiles(db, m.orgId, m.id)]);
    const graph = buildLineage({
      models: models.filter((o) => o.modelPath).map((o) => ({ id: o.id, modelPath: o.modelPath!, evidenceGrade: o.evidenceGrade })),
      files,
      href: (id) => `/migrations/${m.id}/objects/${id}`,
    });
    nodes = graph.nodes.length;
    return graph;
  });
  return {
    migration: migrationHeader(m, now),
    tab: "lineage",
    svg,
    nodes,
    legend: GRADE_ORDER.map((g) => ({ grade: g, label: GRADE_LABELS[g], help: GRADE_HELP[g] })),
  };
}
