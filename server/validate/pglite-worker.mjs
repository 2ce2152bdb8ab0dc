// The PGlite worker: owns one in-memory PGlite so that the main thread can stop a statement that
// never ends by terminating this thread (PGlite runs single-threaded WASM and cannot be interrupted).
// Plain JavaScript that imports only PGlite, so it loads in a bare worker without the TS loader.
import { parentPort } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";

const pg = await PGlite.create();
await pg.exec("SET TimeZone = 'UTC'");

parentPort.on("message", async (m) => {
  try {
    if (m.op === "close") {
      await pg.close();
      parentPort.postMessage({ id: m.id, ok: true });
      return;
    }
    const rows = m.op === "exec" ? (await pg.exec(m.sql), undefined) : (await pg.query(m.sql)).rows;
    parentPort.postMessage({ id: m.id, ok: true, rows });
  } catch (e) {
    const err = e && typeof e === "object" ? e : { message: String(e) };
    const out = { message: String(err.message ?? e) };
    for (const k of ["code", "position", "detail", "hint", "severity", "where", "internalPosition", "internalQuery"]) if (err[k] !== undefined) out[k] = String(err[k]);
    parentPort.postMessage({ id: m.id, ok: false, error: out });
  }
});
parentPort.postMessage({ ready: true });
