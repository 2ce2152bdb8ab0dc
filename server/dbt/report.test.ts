import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildReport, conversionRate, deriveStatus, diagnosticsByCode, evidenceCounts, Report, renderReportCsv, renderReportHtml, renderReportJson, writeReport, type ReportObjectInput } from "./report.ts";

const d = (code: string, severity: "error" | "functional_difference" | "warning" | "note", message = `${code} message`, line = 3) => ({ code, severity, message, file: "src/obj.sql", line });

const objects: ReportObjectInput[] = [
  { schema: "dbo", name: "Customers", kind: "table", model: "models/staging/dbo/stg_dbo__customers.sql", complexity: 1, diagnostics: [] },
  { schema: "dbo", name: "vSales", kind: "view", model: "models/marts/v_sales.sql", complexity: 7, diagnostics: [d("TR2001", "functional_difference", "ROUND of float: half-even vs half away from zero")] },
  { schema: "dbo", name: "trgAudit", kind: "trigger", model: null, complexity: 4, diagnostics: [d("TR9001", "error", "triggers have no place in dbt; <script>alert(1)</script>")] },
  { schema: "dbo", name: "vNotes", kind: "view", model: "models/marts/v_notes.sql", complexity: 2, diagnostics: [d("TR1001", "note", "NOLOCK hint dropped")] },
  { schema: "dbo", name: "=cmd|' /C calc'!A0", kind: "view", model: "models/marts/x.sql", complexity: 2, diagnostics: [d("TR3001", "warning", 'has "quotes", commas\nand a newline')] },
];
const report = buildReport(objects);

describe("report.json shape (issue 4 item 6)", () => {
  it("has exactly the summary keys", () => expect(Object.keys(report.summary).sort()).toEqual(["conversionRate", "converted", "needs_review", "objects", "unsupported"]));
  it("has exactly the object keys", () =>
    expect(Object.keys(report.objects[0]!).sort()).toEqual(["complexity", "diagnostics", "kind", "model", "name", "schema", "status"]));
  it("has exactly the diagnostic keys", () => expect(Object.keys(report.objects[1]!.diagnostics[0]!).sort()).toEqual(["code", "file", "line", "message", "severity"]));
  it("counts", () => expect(report.summary).toEqual({ objects: 5, converted: 2, needs_review: 2, unsupported: 1, conversionRate: 0.8 }));
  it("round-trips through JSON and the zod schema", () => expect(Report.parse(JSON.parse(renderReportJson(report)))).toEqual(report));
});

describe("status and conversion rate", () => {
  it.each([
    [[], "converted"],
    [[d("X", "note")], "converted"],
    [[d("X", "warning")], "needs_review"],
    [[d("X", "functional_difference")], "needs_review"],
    [[d("X", "note"), d("Y", "error")], "unsupported"],
  ] as const)("%j → %s", (diags, status) => expect(deriveStatus(diags)).toBe(status));
  it("keeps a given status that is worse than the diagnostics say", () =>
    expect(buildReport([{ ...objects[0]!, status: "needs_review" }]).objects[0]!.status).toBe("needs_review"));
  it("never lets a given status hide an error", () => expect(buildReport([{ ...objects[2]!, status: "converted" }]).objects[0]!.status).toBe("unsupported"));
  it.each([
    [[], 0],
    [[{ diagnostics: [] }], 1],
    [[{ diagnostics: [] }, { diagnostics: [d("X", "error")] }, { diagnostics: [d("X", "warning")] }], 0.6667],
  ])("conversionRate %#", (objs, rate) => expect(conversionRate(objs)).toBe(rate));
});

describe("extensible: later stages add fields", () => {
  const extended = buildReport([{ ...objects[1]!, evidence: "tests_passed", lineage: { upstream: ["dbo.Customers"] } }], { generatedAt: "2026-01-01" });
  it("keeps extra object fields", () => {
    expect(extended.objects[0]!.evidence).toBe("tests_passed");
    expect(extended.objects[0]!.lineage).toEqual({ upstream: ["dbo.Customers"] });
  });
  it("keeps extra top-level fields", () => expect((extended as Record<string, unknown>).generatedAt).toBe("2026-01-01"));
  it("shows extra fields as columns in the HTML", () => {
    const html = renderReportHtml(extended);
    expect(html).toContain("<th>evidence</th>");
    expect(html).toContain("tests_passed");
  });
});

describe("report.html", () => {
  const html = renderReportHtml(report);
  it("is self-contained (no external assets, no script)", () => {
    expect(html).not.toMatch(/<script|<link|src=|url\(|@import/i);
    expect(html).toContain("<style>");
  });
  it("escapes content", () => {
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
  it.each([
    ["totals", "<b>5</b>objects"],
    ["conversion rate", "<b>80.0%</b>conversion rate"],
    ["status", '<td class="status unsupported">unsupported</td>'],
    ["diagnostic code", "<code>TR2001</code>"],
    ["severity", '<span class="sev-functional_difference">functional_difference</span>'],
    ["line", "src/obj.sql:3"],
    ["model path", "<code>models/marts/v_sales.sql</code>"],
    ["complexity", '<td class="num">7</td>'],
  ])("shows the %s", (_label, fragment) => expect(html).toContain(fragment));
});

describe("diagnostics by code", () => {
  it("counts occurrences and objects per code, most frequent first", () => {
    const r = buildReport([
      { ...objects[0]!, diagnostics: [d("A1", "note"), d("A1", "note"), d("B1", "warning")] },
      { ...objects[1]!, diagnostics: [d("A1", "note")] },
    ]);
    expect(diagnosticsByCode(r)).toEqual([
      { code: "A1", severity: "note", count: 3, objects: 2, example: "A1 message" },
      { code: "B1", severity: "warning", count: 1, objects: 1, example: "B1 message" },
    ]);
    expect(renderReportHtml(r)).toContain('<td><code>A1</code></td><td class="sev-note">note</td><td class="num">2</td><td class="num">3</td>');
  });
});

describe("report.csv", () => {
  const csv = renderReportCsv(report);
  const lines = csv.split("\r\n");
  it("has a header and one row per diagnostic (or per object without any)", () => {
    expect(lines[0]).toBe("schema,name,kind,status,model,complexity,code,severity,message,file,line");
    expect(lines.filter(Boolean)).toHaveLength(1 + 5);
  });
  it("quotes commas, quotes and newlines (RFC 4180)", () => expect(csv).toContain('"has ""quotes"", commas\nand a newline"'));
  it("neutralises spreadsheet formulas", () => {
    expect(csv).toContain("'=cmd|' /C calc'!A0");
    expect(csv).not.toMatch(/(^|,)=cmd/m);
  });
});

describe("evidence grades written by validation", () => {
  const grades = ["tests_passed", "verified_equal", "failed", "tests_passed", undefined];
  const graded = buildReport(objects.map((o, i) => (grades[i] ? { ...o, evidence: grades[i] } : o)));
  const html = renderReportHtml(graded);
  const csv = renderReportCsv(graded).split("\r\n");

  it("counts objects per grade, strongest first, and those without one as not graded", () =>
    expect(evidenceCounts(graded)).toEqual([
      { grade: "verified_equal", count: 1 },
      { grade: "tests_passed", count: 2 },
      { grade: "failed", count: 1 },
      { grade: "not graded", count: 1 },
    ]));
  it("counts nothing before validation", () => expect(evidenceCounts(report)).toEqual([]));

  it.each([
    ["a grade-count summary", '<ul class="totals evidence">\n<li><b class="ev-verified_equal">1</b>verified equal</li>\n<li><b class="ev-tests_passed">2</b>tests passed</li>\n<li><b class="ev-failed">1</b>failed</li>\n<li><b class="muted">1</b>not graded</li>\n</ul>'],
    ["an evidence column right after status", "<th>status</th><th>evidence</th><th>model</th>"],
    ["the grade of an object", '<td class="status unsupported">unsupported</td><td class="status ev-failed">failed</td>'],
    ["an object without a grade", '<td class="status needs_review">needs review</td><td><span class="muted">not graded</span></td>'],
  ])("report.html shows %s", (_label, fragment) => expect(html).toContain(fragment));
  it("report.html shows evidence once, not again among the extra fields", () => expect(html.match(/<th>evidence<\/th>/g)).toHaveLength(1));
  it("report.html shows no evidence summary nor column before validation", () => {
    const plain = renderReportHtml(report);
    expect(plain).not.toContain("<th>evidence</th>");
    expect(plain).not.toContain("Evidence");
  });

  it("report.csv has an evidence column after status, on every row of an object", () => {
    expect(csv[0]).toBe("schema,name,kind,status,evidence,model,complexity,code,severity,message,file,line");
    expect(csv[1]).toBe("dbo,Customers,table,converted,tests_passed,models/staging/dbo/stg_dbo__customers.sql,1,,,,,");
    expect(csv[3]).toMatch(/^dbo,trgAudit,trigger,unsupported,failed,,4,TR9001,error,/);
    expect(csv.find((l) => l.startsWith("dbo,=") || l.includes("calc"))).toMatch(/,needs_review,,models\/marts\/x\.sql,/);
  });
  it("report.csv keeps its first shape before validation", () => expect(renderReportCsv(report).split("\r\n")[0]).toBe("schema,name,kind,status,model,complexity,code,severity,message,file,line"));
});

describe("writeReport", () => {
  it("writes report.json, report.html and report.csv", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dm-report-"));
    try {
      const files = await writeReport(report, dir);
      expect(files.map((f) => f.slice(dir.length + 1))).toEqual(["report.json", "report.html", "report.csv"]);
      expect(JSON.parse(await readFile(join(dir, "report.json"), "utf8"))).toEqual(report);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
