import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, scrubSecrets } from "./log.ts";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _e, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger("info", stream), text: () => lines.join("") };
}

describe("logs", () => {
  it.each([
    [{ password: "hunter2-secret" }],
    [{ body: { password: "hunter2-secret" } }],
    [{ req: { headers: { authorization: "Bearer hunter2-secret" } } }],
    [{ token: "hunter2-secret" }],
    [{ apiKey: "hunter2-secret" }],
    [{ config: { databaseUrl: "postgres://u:hunter2-secret@h/db" } }],
    [{ headers: { cookie: "session=hunter2-secret" } }],
  ])("redact %j", (obj) => {
    const { logger, text } = capture();
    logger.info(obj, "event");
    expect(text()).not.toContain("hunter2-secret");
    expect(text()).toContain("[redacted]");
  });

  it("scrub credentials out of messages and errors", () => {
    const { logger, text } = capture();
    logger.info("connecting to postgres://app:hunter2-secret@db:5432/dm");
    logger.error({ err: new Error("failed for postgresql://app:hunter2-secret@db/dm") }, "boom");
    logger.info("header was Bearer abcdefhunter2");
    expect(text()).not.toContain("hunter2");
    expect(text()).toContain("postgres://***@db:5432/dm");
  });

  it("scrubSecrets leaves ordinary text alone", () => {
    expect(scrubSecrets("GET /api/v1/migrations 200")).toBe("GET /api/v1/migrations 200");
    expect(scrubSecrets("see http://localhost:8000/login")).toBe("see http://localhost:8000/login");
  });
});
