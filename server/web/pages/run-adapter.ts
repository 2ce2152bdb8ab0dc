// The pages' one door into the run pipeline (server/jobs): start a migration, cancel one. The
// same functions serve the JSON API, so the browser and API clients get the same checks.
import type { SourceConnection } from "../../jobs/start.ts";
import { startMigration, StartMigrationError } from "../../jobs/start.ts";
import { cancelMigration } from "../../jobs/cancel.ts";
import type { MigrationTarget } from "../../db/schema/migrations.ts";
import { clientIp, type AppContext } from "../env.ts";
import type { FieldErrors } from "../errors.ts";

export type ConnectionInput = SourceConnection;

export interface StartInput {
  orgId: string;
  userId: string;
  name: string;
  target: MigrationTarget;
  options: Record<string, unknown>;
  files?: Array<{ filename: string; content: Buffer }>;
  source?: ConnectionInput;
}

export type StartResult = { ok: true; id: string } | { ok: false; message: string; fields?: FieldErrors };

export async function startFromPage(c: AppContext, input: StartInput): Promise<StartResult> {
  try {
    const m = await startMigration(c.var.deps, { ...input, ip: clientIp(c), via: "session" });
    return { ok: true, id: m.id };
  } catch (err) {
    if (err instanceof StartMigrationError) {
      // Field names of the API ("source.host") are the form's ("host").
      const fields: FieldErrors = {};
      for (const [k, v] of Object.entries(err.fields ?? {})) fields[k.replace(/^source\./, "")] = v;
      return { ok: false, message: `${err.message}${err.fields ? "" : "."}`.replace(/^the request has invalid fields$/, "Some fields need attention."), fields };
    }
    throw err;
  }
}

export async function cancelFromPage(c: AppContext, id: string): Promise<"cancelled" | "requested" | "finished" | "not-found"> {
  const p = c.var.principal!;
  const r = await cancelMigration(c.var.deps, { orgId: p.orgId, userId: p.userId, migrationId: id, ip: clientIp(c) });
  return r.kind === "not_found" ? "not-found" : r.kind;
}
