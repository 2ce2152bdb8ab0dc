// A worker process for the crash test (resume.test.ts): runs one migration against DATABASE_URL
// with a scripted model router, and records every model answer it received in CALLS_FILE (one
// line each, written synchronously so that a SIGKILL cannot lose it). With HANG_AT=n the n-th
// model call of this process never answers: the parent kills the process while it waits.
import { appendFileSync } from "node:fs";
import { openDatabase } from "../db/client.ts";
import { runMigration } from "./run.ts";
import { scriptedRouter, silentLog } from "./testing.ts";

const url = process.env.DATABASE_URL!;
const orgId = process.env.ORG_ID!;
const migrationId = process.env.MIGRATION_ID!;
const callsFile = process.env.CALLS_FILE!;
const hangAt = Number(process.env.HANG_AT ?? "0");

const handle = await openDatabase({ kind: "postgres", url });
const router = scriptedRouter(async (req, n, object) => {
  if (hangAt && n + 1 === hangAt) {
    appendFileSync(callsFile, `waiting ${req.agent} ${object ?? ""}\n`);
    await new Promise(() => {});
  }
  const table = /^view dbo\.v(\w+)/m.exec(req.messages.map((m) => m.content).join("\n"))?.[1]?.toLowerCase() ?? "t1";
  appendFileSync(callsFile, `answered ${req.agent} ${object ?? ""}\n`);
  if (req.agent === "assess") return { value: { summary: "crash test" } };
  return { value: { sql: `SELECT t.id, hashtext(t.name) AS h FROM {{ source('dbo', '${table}') }} AS t` } };
});
const r = await runMigration({ db: handle.db, orgId, migrationId, signal: new AbortController().signal, router, log: silentLog });
appendFileSync(callsFile, `result ${r.status}\n`);
await handle.close();
process.exit(r.status === "completed" ? 0 : 1);
