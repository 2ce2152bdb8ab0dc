import { serveCommand } from "./serve.ts";
import type { Command } from "./types.ts";

// One import and one entry per command; keep the list in the order `--help` shows it.
export const commands: Command[] = [serveCommand];
