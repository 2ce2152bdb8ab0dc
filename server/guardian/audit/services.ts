// What the server starts for Guardian's audit and data protection: the key for stored
// credentials (start-up fails with a clear message when the database needs a key that is not
// configured, see secrets.ts), the daily audit retention job (node-cron, retention.ts) and, every
// minute, the summaries of refused credentials counted instead of recorded one by one
// (rejected-credentials.ts). On shutdown, after the HTTP server has stopped taking requests,
// flush() writes the summaries of the last, unfinished minute too, so that no count is lost.
import type { Db } from "../../db/client.ts";
import type { Logger } from "../../log.ts";
import { initSecrets } from "../secrets.ts";
import { flushRejectedCredentialSummaries } from "./rejected-credentials.ts";
import { retentionSettings, startAuditRetention } from "./retention.ts";

export async function startGuardianServices(options: {
  db: Db;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** The embedded PGlite: a key may be generated into DATA_DIR. */
  embedded: boolean;
  logger: Logger;
}): Promise<{ stop(): void; flush(): Promise<void> }> {
  const settings = retentionSettings(options.env);
  await initSecrets(options);
  const retention = startAuditRetention(options.db, options.logger, settings);
  options.logger.info({ retentionDays: settings.days, schedule: settings.schedule }, "audit retention scheduled");
  const summaries = setInterval(() => {
    flushRejectedCredentialSummaries(options.db, new Date()).catch((err: unknown) =>
      options.logger.warn({ err }, "could not audit the summary of refused credentials"),
    );
  }, 60_000);
  summaries.unref();
  return {
    stop: () => {
      clearInterval(summaries);
      retention.stop();
    },
    // Every pending summary, the unfinished minute's included. Logged, never thrown: a shutdown goes on.
    flush: async () => {
      try {
        await flushRejectedCredentialSummaries(options.db, new Date(), { all: true });
      } catch (err) {
        options.logger.warn({ err }, "could not audit the summary of refused credentials at shutdown");
      }
    },
  };
}
