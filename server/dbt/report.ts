// The conversion report: report.json (the contract other tools read), report.html (what a data
// engineer reads, self-contained: no script, no external asset) and report.csv (for a
// spreadsheet). Later stages add fields (evidence, class, reason, lineage); the types accept
// them and the writers carry them through.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { Diagnostic } from "../diagnostics.ts";

export const OBJECT_STATUSES = ["converted", "needs_review", "unsupported"] as const;
export type ObjectStatus = (typeof OBJECT_STATUSES)[number];

export const ReportDiagnostic = z
  .object({
    code: z.string(),
    severity: z.enum(["error", "functional_difference", "warning", "note"]),
    message: z.string(),
    file: z.string(),
    line: z.number().int(),
    column: z.number().int().optional(),
  })
  .passthrough();
export type ReportDiagnostic = z.infer<typeof ReportDiagnostic>;

export const ReportObject = z
  .object({
    schema: z.string(),
    name: z.string(),
    /** table, view, procedure, scalar_function, trigger, ... */
    kind: z.string(),
    status: z.enum(OBJECT_STATUSES),
    /** Project-relative path of the model (or other resource) it became; null when none. */
    model: z.string().nullable(),
    complexity: z.number(),
    diagnostics: z.array(ReportDiagnostic),
  })
  // Later issues add evidence, class, reason, lineage...: kept, not rejected.
  .passthrough();
export type ReportObject = z.infer<typeof ReportObject>;

export const ReportSummary = z
  .object({
    objects: z.number().int(),
    converted: z.number().int(),
    needs_review: z.number().int(),
    unsupported: z.number().int(),
    /** Share (0..1) of objects with no error-severity diagnostic. */
    conversionRate: z.number(),
  })
  .passthrough();
export type ReportSummary = z.infer<typeof ReportSummary>;

export const Report = z.object({ summary: ReportSummary, objects: z.array(ReportObject) }).passthrough();
export type Report = z.infer<typeof Report>;

/** An object as a stage hands it in: status may be left to deriveStatus, extra fields are kept. */
export type ReportObjectInput = Omit<ReportObject, "status" | "diagnostics"> & {
  status?: ObjectStatus;
  diagnostics: Diagnostic[] | ReportDiagnostic[];
  [extra: string]: unknown;
};

/**
 * The status an object's diagnostics imply: any error → unsupported (not converted); any
 * functional difference or warning → needs_review; otherwise converted.
 */
export function deriveStatus(diagnostics: ReadonlyArray<{ severity: string }>): ObjectStatus {
  if (diagnostics.some((d) => d.severity === "error")) return "unsupported";
  if (diagnostics.some((d) => d.severity === "functional_difference" || d.severity === "warning")) return "needs_review";
  return "converted";
}

/** Share of objects with no error diagnostic, rounded to 4 decimals; 0 when there are no objects. */
export function conversionRate(objects: ReadonlyArray<{ diagnostics: ReadonlyArray<{ severity: string }> }>): number {
  if (!objects.length) return 0;
  const ok = objects.filter((o) => !o.diagnostics.some((d) => d.severity === "error")).length;
  return Math.round((ok / objects.length) * 10000) / 10000;
}

export function summarize(objects: ReadonlyArray<Pick<ReportObject, "status" | "diagnostics">>): ReportSummary {
  return {
    objects: objects.length,
    converted: objects.filter((o) => o.status === "converted").length,
    needs_review: objects.filter((o) => o.status === "needs_review").length,
    unsupported: objects.filter((o) => o.status === "unsupported").length,
    conversionRate: conversionRate(objects),
  };
}

/**
 * Builds a report: statuses derived from the diagnostics (a given status is kept when it is
 * worse), summary computed, shape validated.
 */
export function buildReport(objects: ReportObjectInput[], extra: Record<string, unknown> = {}): Report {
  const full = objects.map((o) => {
    const diagnostics = o.diagnostics.map((d) => {
      const { code, severity, message, file, line, column, ...rest } = d as ReportDiagnostic;
      return { code, severity, message, file, line, ...(column !== undefined ? { column } : {}), ...rest };
    });
    const { schema, name, kind, model, complexity, status, diagnostics: _d, ...rest } = o;
    // A stage may mark an object worse than its diagnostics say, never better.
    const derived = deriveStatus(diagnostics);
    const worst = status && OBJECT_STATUSES.indexOf(status) > OBJECT_STATUSES.indexOf(derived) ? status : derived;
    return ReportObject.parse({ schema, name, kind, status: worst, model, complexity, diagnostics, ...rest });
  });
  return Report.parse({ summary: summarize(full), objects: full, ...extra });
}

export function renderReportJson(report: Report): string {
  return JSON.stringify(report, null, 2) + "\n";
}

// ---------------------------------------------------------------------------------------------
// CSV: one row per diagnostic (an object without diagnostics gets one row with empty diagnostic
// fields), RFC 4180 quoting, and text that a spreadsheet would run as a formula neutralised.

const CSV_COLUMNS = ["schema", "name", "kind", "status", "model", "complexity", "code", "severity", "message", "file", "line"] as const;

// Evidence grades, strongest first: the order of server/validate/evidence.ts (EVIDENCE_GRADES),
// repeated here because dbt/ must not import validate/ (validate depends on dbt).
const EVIDENCE_ORDER = ["verified_equal", "tests_passed", "ran", "compiled", "failed"];

/** The evidence grade validation wrote on an object, if any. */
export function evidenceOf(o: ReportObject): string | undefined {
  return typeof o.evidence === "string" && o.evidence ? o.evidence : undefined;
}

/**
 * Objects per evidence grade, strongest first (grades unknown to this list after them), with
 * `not graded` for objects that carry none; empty when no object has a grade.
 */
export function evidenceCounts(report: Report): Array<{ grade: string; count: number }> {
  const graded = report.objects.map(evidenceOf);
  if (!graded.some((g) => g !== undefined)) return [];
  const counts = new Map<string, number>();
  for (const g of graded) counts.set(g ?? "not graded", (counts.get(g ?? "not graded") ?? 0) + 1);
  const rank = (g: string) => (g === "not graded" ? EVIDENCE_ORDER.length + 1 : EVIDENCE_ORDER.includes(g) ? EVIDENCE_ORDER.indexOf(g) : EVIDENCE_ORDER.length);
  return [...counts].map(([grade, count]) => ({ grade, count })).sort((a, b) => rank(a.grade) - rank(b.grade) || (a.grade < b.grade ? -1 : 1));
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderReportCsv(report: Report): string {
  // The evidence column appears once validation has graded the objects; before that the CSV keeps its first shape.
  const withEvidence = report.objects.some((o) => evidenceOf(o) !== undefined);
  const header: string[] = [...CSV_COLUMNS];
  if (withEvidence) header.splice(header.indexOf("status") + 1, 0, "evidence");
  const rows: string[] = [header.join(",")];
  for (const o of report.objects) {
    const base = withEvidence ? [o.schema, o.name, o.kind, o.status, evidenceOf(o), o.model, o.complexity] : [o.schema, o.name, o.kind, o.status, o.model, o.complexity];
    if (!o.diagnostics.length) rows.push([...base, "", "", "", "", ""].map(csvCell).join(","));
    for (const d of o.diagnostics) rows.push([...base, d.code, d.severity, d.message, d.file, d.line].map(csvCell).join(","));
  }
  return rows.join("\r\n") + "\r\n";
}

// ---------------------------------------------------------------------------------------------
// HTML

export function escapeHtml(s: unknown): string {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --review: #9a6700; --bad: #cf222e; --muted: #6e7781; --line: #d0d7de; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem; max-width: 1200px; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
table.codes { width: auto; margin-bottom: 1rem; }
.totals { display: flex; gap: 1rem; flex-wrap: wrap; margin: 0 0 1.5rem; padding: 0; list-style: none; }
.totals li { border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem; min-width: 8rem; }
.totals b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid var(--line); }
th { position: sticky; top: 0; background: Canvas; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.status { font-weight: 600; white-space: nowrap; }
.converted { color: var(--ok); } .needs_review { color: var(--review); } .unsupported { color: var(--bad); }
.diags { margin: 0; padding: 0; list-style: none; }
.diags li { margin: 0 0 .3rem; }
.sev-error { color: var(--bad); } .sev-functional_difference, .sev-warning { color: var(--review); } .sev-note { color: var(--muted); }
.ev-verified_equal, .ev-tests_passed { color: var(--ok); } .ev-ran, .ev-compiled { color: var(--review); } .ev-failed { color: var(--bad); }
.num { text-align: right; }
.muted { color: var(--muted); }
`;

function extraFieldsOf(o: ReportObject, withEvidence: boolean): Array<[string, unknown]> {
  const known = new Set(["schema", "name", "kind", "status", "model", "complexity", "diagnostics", ...(withEvidence ? ["evidence"] : [])]);
  return Object.entries(o).filter(([k, v]) => !known.has(k) && v !== undefined && v !== null);
}

const gradeClass = (g: string) => `ev-${g.replace(/[^a-z0-9_-]/gi, "_")}`;

function renderValue(v: unknown): string {
  return typeof v === "object" ? `<code>${escapeHtml(JSON.stringify(v))}</code>` : escapeHtml(v);
}

export function renderReportHtml(report: Report, options: { title?: string } = {}): string {
  const s = report.summary;
  const title = options.title ?? "DataMigrate conversion report";
  const grades = evidenceCounts(report);
  const withEvidence = grades.length > 0;
  const extraKeys = [...new Set(report.objects.flatMap((o) => extraFieldsOf(o, withEvidence).map(([k]) => k)))].sort();
  const rows = report.objects
    .map((o) => {
      const extras = new Map(extraFieldsOf(o, withEvidence));
      const ev = evidenceOf(o);
      const diags = o.diagnostics.length
        ? `<ul class="diags">${o.diagnostics
            .map(
              (d) =>
                `<li><code>${escapeHtml(d.code)}</code> <span class="sev-${escapeHtml(d.severity)}">${escapeHtml(d.severity)}</span> ` +
                `<span class="muted">${escapeHtml(d.file)}:${escapeHtml(d.line)}</span><br>${escapeHtml(d.message)}</li>`,
            )
            .join("")}</ul>`
        : `<span class="muted">none</span>`;
      return (
        `<tr><td>${escapeHtml(o.schema)}.${escapeHtml(o.name)}</td><td>${escapeHtml(o.kind)}</td>` +
        `<td class="status ${escapeHtml(o.status)}">${escapeHtml(o.status.replace("_", " "))}</td>` +
        (withEvidence ? (ev ? `<td class="status ${gradeClass(ev)}">${escapeHtml(ev.replace(/_/g, " "))}</td>` : `<td><span class="muted">not graded</span></td>`) : "") +
        `<td>${o.model ? `<code>${escapeHtml(o.model)}</code>` : `<span class="muted">none</span>`}</td>` +
        `<td class="num">${escapeHtml(o.complexity)}</td>` +
        extraKeys.map((k) => `<td>${extras.has(k) ? renderValue(extras.get(k)) : ""}</td>`).join("") +
        `<td>${diags}</td></tr>`
      );
    })
    .join("\n");
  const pct = `${(s.conversionRate * 100).toFixed(1)}%`;
  const byCode = diagnosticsByCode(report);
  const codeTable = byCode.length
    ? `<h2>Diagnostics by code</h2>
<table class="codes">
<thead><tr><th>code</th><th>severity</th><th class="num">objects</th><th class="num">occurrences</th><th>example</th></tr></thead>
<tbody>
${byCode
  .map(
    (c) =>
      `<tr><td><code>${escapeHtml(c.code)}</code></td><td class="sev-${escapeHtml(c.severity)}">${escapeHtml(c.severity)}</td><td class="num">${c.objects}</td><td class="num">${c.count}</td><td>${escapeHtml(c.example)}</td></tr>`,
  )
  .join("\n")}
</tbody>
</table>
<h2>Objects</h2>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<ul class="totals">
<li><b>${s.objects}</b>objects</li>
<li><b class="converted">${s.converted}</b>converted</li>
<li><b class="needs_review">${s.needs_review}</b>need review</li>
<li><b class="unsupported">${s.unsupported}</b>unsupported</li>
<li><b>${pct}</b>conversion rate<br><span class="muted">objects with no error</span></li>
</ul>
${
  withEvidence
    ? `<h2>Evidence</h2>\n<ul class="totals evidence">\n${grades.map((g) => `<li><b class="${g.grade === "not graded" ? "muted" : gradeClass(g.grade)}">${g.count}</b>${escapeHtml(g.grade.replace(/_/g, " "))}</li>`).join("\n")}\n</ul>`
    : ""
}
${codeTable}
<table>
<thead><tr><th>object</th><th>kind</th><th>status</th>${withEvidence ? "<th>evidence</th>" : ""}<th>model</th><th class="num">complexity</th>${extraKeys.map((k) => `<th>${escapeHtml(k)}</th>`).join("")}<th>diagnostics</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}

/** Counts per diagnostic code (most frequent first): occurrences, objects affected, one example message. */
export function diagnosticsByCode(report: Report): Array<{ code: string; severity: string; count: number; objects: number; example: string }> {
  const m = new Map<string, { code: string; severity: string; count: number; objects: Set<number>; example: string }>();
  report.objects.forEach((o, i) => {
    for (const d of o.diagnostics) {
      const e = m.get(d.code) ?? { code: d.code, severity: d.severity, count: 0, objects: new Set<number>(), example: d.message };
      e.count++;
      e.objects.add(i);
      m.set(d.code, e);
    }
  });
  return [...m.values()]
    .map((e) => ({ code: e.code, severity: e.severity, count: e.count, objects: e.objects.size, example: e.example }))
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1));
}

/** Writes report.json, report.html and report.csv into `dir`; returns their paths. */
export async function writeReport(report: Report, dir: string, options: { title?: string } = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ["report.json", renderReportJson(report)],
    ["report.html", renderReportHtml(report, options)],
    ["report.csv", renderReportCsv(report)],
  ];
  const out: string[] = [];
  for (const [name, content] of files) {
    const p = join(dir, name);
    await writeFile(p, content, "utf8");
    out.push(p);
  }
  return out;
}
