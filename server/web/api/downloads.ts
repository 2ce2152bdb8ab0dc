// Downloads of a migration: the generated dbt project as a .zip (built from migration_files) and
// the report as HTML, JSON or CSV (server/dbt/report.ts renderers). The same builders answer the
// API (bearer: /api/v1/migrations/:id/project.zip ...) and the pages (cookie: /migrations/:id/download/...).
import { zipSync, strToU8, type Zippable } from "fflate";
import { Hono } from "hono";
import { principalOf } from "../../auth/middleware.ts";
import type { Db } from "../../db/client.ts";
import { getMigration } from "../../db/queries/migrations.ts";
import { listMigrationFiles, listModelSummaries, type MigrationModelSummary } from "../../db/queries/migration-views.ts";
import type { Migration } from "../../db/schema/migrations.ts";
import { buildReport, deriveStatus, Report, ReportDiagnostic, renderReportCsv, renderReportHtml, renderReportJson, summarize } from "../../dbt/report.ts";
import type { AppContext, AppEnv } from "../env.ts";
import { errors } from "../errors.ts";
import { isUuid } from "../validation.ts";

export const DOWNLOAD_KINDS = ["project.zip", "report.html", "report.json", "report.csv"] as const;
export type DownloadKind = (typeof DOWNLOAD_KINDS)[number];

/** A file-name-safe version of the migration's name: letters, digits, '-' and '_'. */
export function downloadBaseName(m: Pick<Migration, "name">): string {
  const s = m.name
    .normalize("NFKD")
    .replace(/[^\w-]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 60);
  return s || "migration";
}

/** The project files under one top folder, so that unzipping does not spill files into the current directory. */
export function buildProjectZip(folder: string, files: Array<{ path: string; content: string }>): Uint8Array {
  const tree: Zippable = {};
  // Fixed timestamps: the same project gives the same bytes.
  const mtime = new Date("2000-01-01T00:00:00Z");
  for (const f of files) {
    // Paths come from our own writer, but a zip entry must never climb out of its folder.
    const clean = f.path.split("/").filter((p) => p && p !== "." && p !== "..").join("/");
    if (!clean) continue;
    tree[`${folder}/${clean}`] = [strToU8(f.content), { mtime }];
  }
  return zipSync(tree, { level: 6 });
}

/** The stored report.json when the run wrote one; else a report derived from the object rows. */
export function reportOf(m: Migration, models: MigrationModelSummary[]): Report {
  if (m.report) {
    const parsed = Report.safeParse(m.report);
    if (parsed.success) return parsed.data;
  }
  return buildReport(
    models.map((o) => ({
      schema: o.sourceSchema,
      name: o.sourceName,
      kind: o.sourceKind,
      model: o.modelPath,
      complexity: 0,
      ...(o.tier ? { tier: o.tier } : {}),
      ...(o.evidenceGrade ? { evidence: o.evidenceGrade } : {}),
      diagnostics: (o.diagnostics ?? []).flatMap((d) => {
        const r = ReportDiagnostic.safeParse(d);
        return r.success ? [r.data] : [];
      }),
    })),
  );
}

/**
 * reportOf without the schema checks, for pages: the same counts, in a fraction of the time on
 * large migrations. Downloads keep the validated report.
 */
export function reportForPage(m: Migration, models: MigrationModelSummary[]): Report {
  const stored = m.report as { summary?: unknown; objects?: unknown } | null;
  if (stored && stored.summary && typeof stored.summary === "object" && Array.isArray(stored.objects)) {
    const objects = (stored.objects as Array<Record<string, unknown>>).map((o) => ({ ...o, diagnostics: Array.isArray(o.diagnostics) ? o.diagnostics : [] })) as Report["objects"];
    return { summary: stored.summary as Report["summary"], objects };
  }
  const objects = models.map((o) => {
    const diagnostics = (o.diagnostics ?? []).filter(
      (d): d is ReportDiagnostic => !!d && typeof d === "object" && typeof (d as ReportDiagnostic).code === "string" && typeof (d as ReportDiagnostic).severity === "string" && typeof (d as ReportDiagnostic).message === "string",
    );
    return { schema: o.sourceSchema, name: o.sourceName, kind: o.sourceKind, model: o.modelPath, complexity: 0, status: deriveStatus(diagnostics), diagnostics };
  });
  return { summary: summarize(objects), objects };
}

export interface Download {
  body: Uint8Array | string;
  type: string;
  filename: string;
}

/** The download, or undefined when the migration is not the organisation's (or has no project yet for the zip). */
export async function buildDownload(db: Db, orgId: string, migrationId: string, kind: DownloadKind): Promise<Download | "no-project" | undefined> {
  if (!isUuid(migrationId)) return undefined;
  const m = await getMigration(db, orgId, migrationId);
  if (!m) return undefined;
  const base = downloadBaseName(m);
  if (kind === "project.zip") {
    const files = await listMigrationFiles(db, orgId, m.id);
    if (!files.length) return "no-project";
    return { body: buildProjectZip(base, files), type: "application/zip", filename: `${base}-dbt.zip` };
  }
  const report = reportOf(m, await listModelSummaries(db, orgId, m.id));
  if (kind === "report.json") return { body: renderReportJson(report), type: "application/json; charset=utf-8", filename: `${base}-report.json` };
  if (kind === "report.csv") return { body: renderReportCsv(report), type: "text/csv; charset=utf-8", filename: `${base}-report.csv` };
  return { body: renderReportHtml(report, { title: `${m.name}: conversion report` }), type: "text/html; charset=utf-8", filename: `${base}-report.html` };
}

export function sendDownload(c: AppContext, d: Download): Response {
  c.header("Content-Type", d.type);
  c.header("Content-Disposition", `attachment; filename="${d.filename}"`);
  c.header("Cache-Control", "private, no-store");
  // The HTML report opened from disk or served here runs no script.
  c.header("X-Content-Type-Options", "nosniff");
  return c.body(typeof d.body === "string" ? d.body : (d.body as Uint8Array<ArrayBuffer>));
}

/** Mounted at /api/v1/migrations next to migrationsApi(). */
export function migrationDownloadsApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/:id/:file{project\\.zip|report\\.(?:html|json|csv)}", async (c) => {
    const p = principalOf(c);
    const d = await buildDownload(c.var.db, p.orgId, c.req.param("id"), c.req.param("file") as DownloadKind);
    if (!d) throw errors.notFound("migration");
    if (d === "no-project") throw errors.notFound("dbt project (the migration has not produced one yet)");
    return sendDownload(c, d);
  });
  return app;
}
