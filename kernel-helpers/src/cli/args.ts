/** A tiny argument parser for the workbook's commands: flags, `--name value` options, positionals. */
export interface Args {
  readonly positionals: string[];
  readonly flags: Set<string>;
  readonly options: Map<string, string>;
}

export function parseArgs(argv: readonly string[], withValue: readonly string[] = []): Args {
  const args: Args = { positionals: [], flags: new Set(), options: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) {
      args.positionals.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
    if (withValue.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) fail(`--${name} needs a value`);
      args.options.set(name, value);
    } else {
      args.flags.add(name);
    }
  }
  return args;
}

export function fail(message: string, code = 2): never {
  console.error(`error: ${message}`);
  process.exit(code);
}
