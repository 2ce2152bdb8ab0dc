// Command-line options of the analysis scripts here: `--name value` taken out of `args` (what is left are the files).
export function takeOption(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
}
