// `npm start`: the DataMigrate server, configured from the environment (see server/config.ts).
import { runServerUntilSignal } from "./web/server.ts";

process.exitCode = await runServerUntilSignal();
