// Helpers for the job tests: organisations, waiting for a status, controllable fake runs.
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { createOrganizationWithAdmin } from "../db/queries/accounts.ts";
import { migrationEvents, migrations, type MigrationStatus } from "../db/schema/migrations.ts";
import type { RunFn } from "./worker.ts";

let n = 0;
export async function makeOrg(db: Db): Promise<{ orgId: string; userId: string }> {
  const { organization, user } = await createOrganizationWithAdmin(db, {
    organizationName: `Jobs ${++n}`,
    email: `jobs${n}-${Math.random().toString(36).slice(2, 8)}@example.com`,
    passwordHash: "x",
  });
  return { orgId: organization.id, userId: user.id };
}

export async function statusOf(db: Db, id: string): Promise<{ status: MigrationStatus; error: string | null; startedAt: Date | null; finishedAt: Date | null }> {
  const [m] = await db
    .select({ status: migrations.status, error: migrations.error, startedAt: migrations.startedAt, finishedAt: migrations.finishedAt })
    .from(migrations)
    .where(eq(migrations.id, id));
  if (!m) throw new Error(`no migration ${id}`);
  return m;
}

/** Polls until the predicate holds (no timing assertion: the timeout only bounds a broken test). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function waitForStatus(db: Db, id: string, statuses: MigrationStatus[], timeoutMs?: number) {
  return waitFor(`migration ${id} to be ${statuses.join("|")}`, async () => {
    const s = await statusOf(db, id);
    return statuses.includes(s.status) ? s : undefined;
  }, timeoutMs);
}

export async function jobEvents(db: Db, id: string): Promise<{ id: number; stage: string; message: string; data: Record<string, unknown> }[]> {
  return db
    .select({ id: migrationEvents.id, stage: migrationEvents.stage, message: migrationEvents.message, data: migrationEvents.data })
    .from(migrationEvents)
    .where(and(eq(migrationEvents.migrationId, id)))
    .orderBy(asc(migrationEvents.id));
}

/**
 * A fake run whose calls can be held open and released one by one, recording how many ran at once.
 * A held run ends `cancelled` when its signal fires.
 */
export function controllableRun() {
  const gates = new Map<string, () => void>();
  const started: string[] = [];
  let active = 0;
  let maxActive = 0;
  const activeByOrg = new Map<string, number>();
  const maxByOrg = new Map<string, number>();
  const run: RunFn = async (ctx) => {
    started.push(ctx.migrationId);
    active++;
    maxActive = Math.max(maxActive, active);
    activeByOrg.set(ctx.orgId, (activeByOrg.get(ctx.orgId) ?? 0) + 1);
    maxByOrg.set(ctx.orgId, Math.max(maxByOrg.get(ctx.orgId) ?? 0, activeByOrg.get(ctx.orgId)!));
    try {
      return await new Promise((resolve) => {
        gates.set(ctx.migrationId, () => resolve({ status: "completed" }));
        ctx.signal.addEventListener("abort", () => resolve({ status: "cancelled" }), { once: true });
      });
    } finally {
      active--;
      activeByOrg.set(ctx.orgId, activeByOrg.get(ctx.orgId)! - 1);
      gates.delete(ctx.migrationId);
    }
  };
  return {
    run,
    started,
    get maxActive() {
      return maxActive;
    },
    maxForOrg: (orgId: string) => maxByOrg.get(orgId) ?? 0,
    isRunning: (id: string) => gates.has(id),
    release(id: string) {
      const g = gates.get(id);
      if (!g) throw new Error(`${id} is not running`);
      g();
    },
  };
}
