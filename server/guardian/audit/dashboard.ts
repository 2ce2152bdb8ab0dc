// The security dashboard's data (issue 9 part 9), shared by GET /api/v1/security/dashboard and
// the admin page: events over time in buckets, blocked requests, top rules, by user and by type,
// under the same filters as the audit log (from, to, type, user). The chart is computed here as
// geometry (bars with coordinates) that the template draws as inline SVG: no chart library, no
// script, no style attributes (the CSP allows neither).
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { auditStats, type AuditFilter, type BucketUnit } from "../../db/queries/audit.ts";
import { queryRows } from "../../db/client.ts";
import { sql } from "drizzle-orm";

const DAY = 86_400_000;
const UNIT_MS: Record<BucketUnit, number> = { hour: 3_600_000, day: DAY, week: 7 * DAY };

const dateParam = (name: string) =>
  z
    .string()
    .trim()
    .max(40, { message: "at most 40 characters" })
    .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/, {
      message: `expected a date (2030-01-31) or an ISO date-time for ${name}`,
    })
    .transform((v, ctx) => {
      const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : /(Z|[+-]\d{2}:?\d{2})$/.test(v) ? v : `${v}Z`);
      if (Number.isNaN(d.getTime())) {
        ctx.addIssue({ code: "custom", message: `not a valid date for ${name}` });
        return z.NEVER;
      }
      return d;
    });

/** from, to, type, user: query-string filters shared by the dashboard and the audit log. */
export const auditFilterSchema = z.object({
  from: dateParam("from").optional(),
  to: dateParam("to").optional(),
  type: z
    .string()
    .max(64, { message: "at most 64 characters" })
    .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?$/, { message: "expected an event type such as auth.login, or a prefix such as guardian.*" })
    .optional(),
  // Kept for compatibility with the first API: ?eventType=auth.login.
  eventType: z
    .string()
    .max(64, { message: "at most 64 characters" })
    .regex(/^[a-z_.]+$/, { message: "expected an event type such as auth.login" })
    .optional(),
  user: z
    .string()
    .max(64, { message: "at most 64 characters" })
    .regex(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|erased(-[0-9a-f]{12})?)$/i, {
      message: "expected a user id, or the pseudonym of an erased user",
    })
    .optional(),
});
export type AuditFilterInput = z.output<typeof auditFilterSchema>;

export function toAuditFilter(q: AuditFilterInput): AuditFilter {
  return { from: q.from, to: q.to, eventType: q.type ?? q.eventType, user: q.user?.toLowerCase() };
}

export interface ChartBar {
  x: number;
  width: number;
  /** Heights/y of the total bar and of the blocked part at its foot, in the 0..height box. */
  y: number;
  height: number;
  blockedY: number;
  blockedHeight: number;
  label: string;
  total: number;
  blocked: number;
}

export interface EventsChart {
  width: number;
  height: number;
  max: number;
  bars: ChartBar[];
  /** A handful of x-axis labels. */
  ticks: { x: number; label: string }[];
}

export interface SecurityDashboard {
  range: { from: string; to: string; bucket: BucketUnit };
  filters: { type: string | null; user: string | null };
  totals: { events: number; blocked: number; failedLogins: number };
  eventsOverTime: { start: string; total: number; blocked: number }[];
  topRules: { rule: string; count: number }[];
  blockedRequests: { eventType: string; count: number }[];
  byUser: { user: string; userId: string | null; pseudonym: string | null; email: string | null; total: number; blocked: number }[];
  byType: { eventType: string; count: number }[];
}

export function bucketFor(from: Date, to: Date): BucketUnit {
  const span = to.getTime() - from.getTime();
  return span <= 2 * DAY ? "hour" : span <= 120 * DAY ? "day" : "week";
}

function truncate(d: Date, unit: BucketUnit): Date {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), unit === "hour" ? d.getUTCHours() : 0));
  if (unit === "week") {
    // Postgres date_trunc('week') starts weeks on Monday.
    const dow = (t.getUTCDay() + 6) % 7;
    return new Date(t.getTime() - dow * DAY);
  }
  return t;
}

/** Default range: the last 7 days up to now. */
export async function securityDashboard(db: Db, orgId: string, q: AuditFilterInput, now: Date): Promise<SecurityDashboard> {
  const to = q.to ?? now;
  const from = q.from ?? new Date(to.getTime() - 7 * DAY);
  const unit = bucketFor(from, to);
  // `to` is exclusive; the default range includes events of this very millisecond.
  const filter = { ...toAuditFilter(q), from, to: q.to ?? new Date(now.getTime() + 1) };
  const stats = await auditStats(db, orgId, filter, unit);
  // A continuous series: buckets with no events are shown as zero, not skipped.
  const counts = new Map(stats.buckets.map((b) => [b.start.getTime(), b]));
  const series: SecurityDashboard["eventsOverTime"] = [];
  for (let t = truncate(from, unit).getTime(), i = 0; t < filter.to.getTime() && i < 400; t += UNIT_MS[unit], i++) {
    const b = counts.get(t);
    series.push({ start: new Date(t).toISOString(), total: b?.total ?? 0, blocked: b?.blocked ?? 0 });
  }
  const ids = stats.byUser.map((u) => u.userId).filter((x): x is string => !!x);
  const emails = new Map<string, string>();
  if (ids.length) {
    const rows = await queryRows<{ id: string; email: string }>(
      db,
      sql`select id, email from users where org_id = ${orgId}::uuid and id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})`,
    );
    for (const r of rows) emails.set(r.id, r.email);
  }
  const byType = Object.entries(stats.byType)
    .map(([eventType, count]) => ({ eventType, count }))
    .sort((a, b) => b.count - a.count || a.eventType.localeCompare(b.eventType));
  return {
    range: { from: from.toISOString(), to: to.toISOString(), bucket: unit },
    filters: { type: filter.eventType ?? null, user: filter.user ?? null },
    totals: { events: stats.total, blocked: stats.blocked, failedLogins: stats.byType["auth.login_failed"] ?? 0 },
    eventsOverTime: series,
    topRules: stats.topRules,
    blockedRequests: stats.blockedByType,
    byUser: stats.byUser.map((u) => ({ ...u, email: u.userId ? (emails.get(u.userId) ?? null) : null })),
    byType,
  };
}

/** Bar geometry for the events-over-time chart (a viewBox of width × height). */
export function eventsChart(series: SecurityDashboard["eventsOverTime"], unit: BucketUnit, width = 600, height = 120): EventsChart {
  const max = Math.max(1, ...series.map((s) => s.total));
  const step = series.length ? width / series.length : width;
  const gap = step > 4 ? 1 : 0;
  const scale = (n: number) => Math.round((n / max) * height * 100) / 100;
  const label = (iso: string) => (unit === "hour" ? iso.slice(5, 13).replace("T", " ") + "h" : iso.slice(0, 10));
  const bars = series.map((s, i) => {
    const h = scale(s.total);
    const bh = scale(s.blocked);
    return {
      x: Math.round(i * step * 100) / 100,
      width: Math.max(0.5, Math.round((step - gap) * 100) / 100),
      y: Math.round((height - h) * 100) / 100,
      height: h,
      blockedY: Math.round((height - bh) * 100) / 100,
      blockedHeight: bh,
      label: label(s.start),
      total: s.total,
      blocked: s.blocked,
    };
  });
  const every = Math.max(1, Math.ceil(series.length / 6));
  const ticks = bars.filter((_, i) => i % every === 0).map((b) => ({ x: b.x, label: b.label }));
  return { width, height, max, bars, ticks };
}
