// Cancelling a run. A queued migration is cancelled at once. A running one gets a cancel request
// (an event on the migration) that its worker sees at its next heartbeat, wherever it runs; when it
// runs in this process it is aborted immediately. The worker ends it as cancelled.
import { recordAudit } from "../db/queries/audit.ts";
import { getMigration } from "../db/queries/migrations.ts";
import type { Migration } from "../db/schema/migrations.ts";
import { addJobEvent, cancelQueued } from "./lease.ts";
import { jobRuntimeFor } from "./registry.ts";
import type { StartDeps } from "./start.ts";

export type CancelResult =
  | { kind: "cancelled"; migration: Migration }
  | { kind: "requested"; migration: Migration }
  | { kind: "finished"; migration: Migration }
  | { kind: "not_found" };

export async function cancelMigration(
  deps: StartDeps,
  input: { orgId: string; userId: string | null; migrationId: string; ip?: string | null },
): Promise<CancelResult> {
  const db = deps.database.db;
  const at = (deps.clock ?? (() => new Date()))();
  const audit = (what: string) =>
    recordAudit(db, {
      orgId: input.orgId,
      userId: input.userId,
      eventType: what === "cancelled" ? "migration.cancelled" : "migration.cancel_requested",
      details: { migrationId: input.migrationId },
      ip: input.ip ?? null,
      at,
    });
  const queued = await cancelQueued(db, input.orgId, input.migrationId, "cancelled by a user before it started", input.userId);
  if (queued) {
    await audit("cancelled");
    return { kind: "cancelled", migration: queued };
  }
  const m = await getMigration(db, input.orgId, input.migrationId);
  if (!m) return { kind: "not_found" };
  if (m.status !== "running") return { kind: "finished", migration: m };
  await addJobEvent(db, m, "cancel_requested", "cancellation requested", { by: input.userId });
  jobRuntimeFor(deps.database)?.abortLocal(m.id, "cancel");
  await audit("requested");
  return { kind: "requested", migration: m };
}
