import { serveCommand } from "./serve.ts";
import { inspect } from "./inspect.ts";
import { convert } from "./convert.ts";
import { translate } from "./translate.ts";
import { validate } from "./validate.ts";
import { guardian } from "./guardian.ts";
import { audit } from "./audit.ts";
import { exportTraining } from "./export-training.ts";
import { evalCommand } from "./eval.ts";
import type { Command } from "./types.ts";

// One import and one entry per command; keep the list in the order `--help` shows it.
export const commands: Command[] = [inspect, convert, translate, validate, audit, guardian, exportTraining, evalCommand, serveCommand];
