// Starting and stopping the HTTP server: configuration → logger → database (migrated) → app → listen.
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { createApp } from "../app.ts";
import { loadConfig, type Config } from "../config.ts";
import { databaseLocation, openDatabase, type DatabaseHandle } from "../db/client.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { openOwnerDatabase, prepareApplicationRole, unregisterOwnerDb, warnIfApplicationOwnsAuditLog } from "../db/roles.ts";
import { startGuardianServices } from "../guardian/audit/services.ts";
import { finetuneScheduleFromEnv, startScheduledExports } from "../finetune/schedule.ts";
import { deleteExpiredSessions } from "../db/queries/credentials.ts";
import { jobsConfigFromEnv } from "../jobs/config.ts";
import { startJobs, type Jobs } from "../jobs/index.ts";
import { openJobQueue } from "../jobs/queue.ts";
import type { ModelRouter } from "../llm/types.ts";
import { createLogger, type Logger } from "../log.ts";

export interface RunningServer {
  url: string;
  port: number;
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  server: ServerType;
  /** The migration job queue and this process's worker. */
  jobs: Jobs;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides PORT (0: any free port). */
  port?: number;
  config?: Config;
  logger?: Logger;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  // --port goes through the loader like PORT, so that the default public origin follows it.
  const config: Config = options.config
    ? { ...options.config, ...(options.port === undefined ? {} : { port: options.port }) }
    : loadConfig(options.port === undefined ? env : { ...env, PORT: String(options.port) });
  const logger = options.logger ?? createLogger(config.logLevel);
  // Read before anything is opened: a bad FINETUNE_EXPORT_CRON stops start-up with its name.
  const finetuneSchedule = finetuneScheduleFromEnv(env);
  const database = await openDatabase(databaseLocation(config));
  // DATABASE_OWNER_URL: the schema's owner migrates and grants; the application runs as DATABASE_URL's
  // role, which cannot change audit rows (server/db/roles.ts). Its small pool stays open for retention and erasure.
  let owner: DatabaseHandle | undefined;
  const closeDatabases = async () => {
    if (owner) unregisterOwnerDb(database.db);
    await Promise.allSettled([database.close(), owner?.close()]);
  };
  try {
    if (config.databaseOwnerUrl) owner = await openOwnerDatabase(config.databaseOwnerUrl);
    await migrateDatabase(owner ?? database);
    if (owner) {
      await prepareApplicationRole({
        database,
        owner,
        ownerUrl: config.databaseOwnerUrl!,
        logger,
        setUpJobQueue: (o) => openJobQueue(o, logger, { expireInSeconds: 3600 }).then((q) => q.stop()),
      });
    } else await warnIfApplicationOwnsAuditLog(database, logger);
  } catch (err) {
    await closeDatabases();
    throw err;
  }
  // Guardian: the key for stored credentials (a clear error when one is needed and missing) and audit retention.
  const guardian = await startGuardianServices({ db: database.db, env, dataDir: config.dataDir, embedded: database.kind === "pglite", logger }).catch(
    async (err: unknown) => {
      await closeDatabases();
      throw err;
    },
  );
  // Fine-tuning: scheduled training-data export (FINETUNE_EXPORT_DIR) and the sweep of abandoned model uploads.
  const finetune = startScheduledExports(database.db, config.dataDir, logger, finetuneSchedule);
  let jobs: Jobs;
  try {
    // The model router is loaded with the first run, so that start-up does not pay for it.
    let router: Promise<ModelRouter> | undefined;
    jobs = await startJobs({
      database,
      logger,
      options: jobsConfigFromEnv(env),
      routerFor: () => (router ??= import("../llm/index.ts").then((m) => m.createModelRouter({ db: database.db, config, logger }))),
    });
  } catch (err) {
    guardian.stop();
    finetune.stop();
    await closeDatabases();
    throw err;
  }
  const app = createApp({ config, database, logger });
  const purge = async () => {
    try {
      const removed = await deleteExpiredSessions(database.db, new Date());
      if (removed) logger.info({ removed }, "expired sessions removed");
    } catch (err) {
      logger.warn({ err }, "could not remove expired sessions");
    }
  };
  await purge();
  const purgeTimer = setInterval(purge, 3_600_000);
  purgeTimer.unref();
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once("error", reject);
  }).catch(async (err: unknown) => {
    clearInterval(purgeTimer);
    guardian.stop();
    finetune.stop();
    await jobs.stop().catch(() => {});
    await closeDatabases();
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  const originHost = new URL(config.publicOrigin).hostname;
  if (!config.cookieSecure && !["localhost", "127.0.0.1", "[::1]"].includes(originHost)) {
    logger.warn(
      { publicOrigin: config.publicOrigin },
      "session cookies are not Secure and the public origin is not localhost: serve DataMigrate over https (PUBLIC_ORIGIN=https://...) beyond local use",
    );
  }
  logger.info(
    { url, publicOrigin: config.publicOrigin, database: database.description, cookieSecure: config.cookieSecure },
    "datamigrate listening",
  );
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    config,
    database,
    logger,
    server,
    jobs,
    close: () =>
      (closing ??= (async () => {
        clearInterval(purgeTimer);
        guardian.stop();
        finetune.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        // No request can refuse a credential any more: the counts of the unfinished minute are written.
        await guardian.flush();
        // Runs in progress give their lease back, so that the next start (or another process) resumes them.
        await jobs.stop();
        await closeDatabases();
      })()),
  };
}

/** Runs until SIGINT/SIGTERM; returns the process exit code. Configuration errors are printed, not thrown. */
export async function runServerUntilSignal(options: StartOptions = {}): Promise<number> {
  let running: RunningServer;
  try {
    running = await startServer(options);
  } catch (err) {
    const { ConfigError } = await import("../config.ts");
    if (err instanceof ConfigError) {
      process.stderr.write(`datamigrate: ${err.message}\n`);
      return 2;
    }
    const { scrubSecrets } = await import("../log.ts");
    const code = (err as { code?: string }).code;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      `datamigrate: could not start: ${scrubSecrets(message)}${code === "EADDRINUSE" ? " (is another server on that port? set PORT)" : ""}\n`,
    );
    return 1;
  }
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      running.logger.info({ signal }, "shutting down");
      running.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
}
