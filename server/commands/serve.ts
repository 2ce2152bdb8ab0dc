import type { Command } from "./types.ts";

const HELP = `Usage: datamigrate serve [--port N]

Starts the DataMigrate server (UI and API under /api/v1).

Options:
  --port N     listen on port N (overrides PORT; default 8000)
  -h, --help   show this help

Environment:
  DATABASE_URL            postgres://user:password@host:5432/db; unset: embedded PGlite in DATA_DIR/pglite
  DATA_DIR                data directory (default ./data)
  HOST                    address to listen on (default 127.0.0.1)
  PORT                    port (default 8000)
  PUBLIC_ORIGIN           origin browsers use, e.g. https://datamigrate.example.com (default http://localhost:PORT)
  COOKIE_SECURE           true|false (default: true when PUBLIC_ORIGIN is https)
  TRUST_PROXY             true behind nginx, to log the client address from X-Forwarded-For
  LOG_LEVEL               fatal|error|warn|info|debug|trace|silent (default info)
  OLLAMA_URL, OPENAI_COMPAT_URL, OPENAI_COMPAT_API_KEY   model endpoints (optional)
  SESSION_IDLE_HOURS, SESSION_ABSOLUTE_HOURS             session lifetimes (default 168 and 720)
  MIGRATION_WORKERS       migration runs at once in this process (default 2; 0: run none, API only)
  MIGRATION_ORG_CONCURRENCY  runs at once per organisation across all processes (default 2)
  MIGRATION_TIMEOUT_MINUTES  a run still going after this long is stopped and failed (default 60)`;

export function parseServeArgs(args: string[]): { port?: number } | { error: string } {
  const out: { port?: number } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--port(?:=(.*))?$/.exec(a);
    if (m) {
      const v = m[1] ?? args[++i];
      if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) {
        return { error: `--port: expected an integer between 1 and 65535, got '${v ?? ""}'` };
      }
      out.port = Number(v);
      continue;
    }
    return { error: `unknown option '${a}'` };
  }
  return out;
}

export const serveCommand: Command = {
  name: "serve",
  summary: "Start the web server (UI and API)",
  help: HELP,
  async run(args) {
    const parsed = parseServeArgs(args);
    if ("error" in parsed) {
      process.stderr.write(`datamigrate serve: ${parsed.error}\n\n${HELP}\n`);
      return 2;
    }
    // Loaded on use so that the other commands do not pay for the web stack at start-up.
    const { runServerUntilSignal } = await import("../web/server.ts");
    return runServerUntilSignal(parsed);
  },
};
