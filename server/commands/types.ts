export interface Command {
  /** The word after `datamigrate`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full text printed for `--help`. */
  help: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}
