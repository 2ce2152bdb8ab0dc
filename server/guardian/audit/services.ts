// What the server starts for Guardian's audit and data protection: the key for stored
// credentials (start-up fails with a clear message when the database needs a key that is not
// configured, see secrets.ts) and the daily audit retention job (node-cron, retention.ts).
import type { Db } from "../../db/client.ts";
import type { Logger } from "../../log.ts";
import { initSecrets } from "../secrets.ts";
import { retentionSettings, startAuditRetention } from "./retention.ts";

export async function startGuardianServices(options: {
  db: Db;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** The embedded PGlite: a key may be generated into DATA_DIR. */
  embedded: boolean;
  logger: Logger;
}): Promise<{ stop(): void }> {
  const settings = retentionSettings(options.env);
  await initSecrets(options);
  const retention = startAuditRetention(options.db, options.logger, settings);
  options.logger.info({ retentionDays: settings.days, schedule: settings.schedule }, "audit retention scheduled");
  return retention;
}
