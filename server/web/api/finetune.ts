// /api/v1/finetune: the organisation's training data (issue 10).
//
//   GET  /                      settings and example counts per split
//   PUT  /settings              (admin) {minScore?, evalPercent?}
//   POST /collect               (admin) collect examples from completed migrations now → counts
//   GET  /export?split=train|eval&minScore=0.8
//                               (admin) anonymised JSONL ({"messages": [system, user, assistant]} per line)
//
// Exports are admin-only: they cover every migration of the organisation. The anonymisation
// mapping is never part of any answer.
import { Hono } from "hono";
import { z } from "zod";
import { principalOf, requireAdmin } from "../../auth/middleware.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import { countExamples, getFineTuningSettings, setFineTuningSettings } from "../../db/queries/finetune.ts";
import { FINE_TUNING_SPLITS } from "../../db/schema/finetune.ts";
import { collectFineTuningExamples } from "../../finetune/collect.ts";
import { exportTrainingJsonl } from "../../finetune/export.ts";
import { clientIp, type AppEnv } from "../env.ts";
import { limitBody, readJson, readQuery } from "../validation.ts";

const score = z.coerce.number({ message: "expected a number between 0 and 1" }).min(0, { message: "at least 0" }).max(1, { message: "at most 1" });

export const settingsSchema = z.strictObject({
  minScore: score.optional(),
  evalPercent: z.number().int().min(0).max(100).optional(),
});

export const exportQuerySchema = z.object({
  split: z.enum(FINE_TUNING_SPLITS, { message: "expected train or eval" }).optional(),
  minScore: score.optional(),
});

export function finetuneApi(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    const p = principalOf(c);
    const [settings, examples] = await Promise.all([getFineTuningSettings(c.var.db, p.orgId), countExamples(c.var.db, p.orgId)]);
    return c.json({ settings, examples });
  });

  app.put("/settings", requireAdmin(), limitBody(4 * 1024), async (c) => {
    const p = principalOf(c);
    const input = await readJson(c, settingsSchema);
    const settings = await setFineTuningSettings(c.var.db, p.orgId, input);
    await recordAudit(c.var.db, { orgId: p.orgId, userId: p.userId, eventType: "finetune.settings_changed", details: { ...settings }, ip: clientIp(c), at: c.var.deps.clock() });
    return c.json({ settings });
  });

  app.post("/collect", requireAdmin(), async (c) => {
    const p = principalOf(c);
    return c.json(await collectFineTuningExamples(c.var.db, p.orgId));
  });

  app.get("/export", requireAdmin(), async (c) => {
    const p = principalOf(c);
    const q = readQuery(c, exportQuerySchema);
    const r = await exportTrainingJsonl(c.var.db, p.orgId, { ...(q.split ? { split: q.split } : {}), ...(q.minScore !== undefined ? { minScore: q.minScore } : {}) });
    await recordAudit(c.var.db, {
      orgId: p.orgId,
      userId: p.userId,
      eventType: "finetune.exported",
      details: { split: q.split ?? "all", minScore: r.minScore, examples: r.count, via: p.via },
      ip: clientIp(c),
      at: c.var.deps.clock(),
    });
    c.header("Content-Type", "application/x-ndjson; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="datamigrate-${q.split ?? "all"}.jsonl"`);
    c.header("X-Example-Count", String(r.count));
    return c.body(r.jsonl);
  });

  return app;
}
