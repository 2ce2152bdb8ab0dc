// Structured logs (pino). Secrets never reach a log line: known fields are redacted by path,
// and anything that looks like a credential-bearing URL is scrubbed from messages.
import { pino, type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config.ts";

export type { Logger } from "pino";

const SECRET_KEYS = [
  "password",
  "newPassword",
  "currentPassword",
  "passwordHash",
  "token",
  "sessionToken",
  "key",
  "apiKey",
  "keyHash",
  "secret",
  "authorization",
  "cookie",
  "set-cookie",
  "databaseUrl",
  "DATABASE_URL",
  "databaseOwnerUrl",
  "DATABASE_OWNER_URL",
  "connectionString",
  "openaiCompatApiKey",
];

export const REDACT_PATHS = [
  ...SECRET_KEYS.map((k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`)),
  ...SECRET_KEYS.map((k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `*.${k}` : `*["${k}"]`)),
  ...SECRET_KEYS.map((k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `*.*.${k}` : `*.*["${k}"]`)),
];

const CREDENTIAL_URL = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*(:[^\s/@]*)?@/gi;
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;

/** Removes user:password@ from URLs and Bearer tokens from free text. */
export function scrubSecrets(text: string): string {
  return text.replace(CREDENTIAL_URL, "$1***@").replace(BEARER, "$1***");
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      hooks: {
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) {
            const a = args[i];
            if (typeof a === "string") args[i] = scrubSecrets(a);
          }
          method.apply(this, args as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (err: unknown) => {
          const s = pino.stdSerializers.err(err as Error);
          return { ...s, message: scrubSecrets(s.message ?? ""), stack: s.stack ? scrubSecrets(s.stack) : undefined };
        },
      },
    },
    destination,
  );
}
