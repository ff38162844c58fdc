// The options that pick what a command acts on, wherever they stand on the command line:
// --identity NAME and --network NAME (homes.ts). Taken out of a command's own arguments so that
// each command's parser never sees them.
import { CliError } from './home.ts';

/** Removes `--NAME VALUE` or `--NAME=VALUE` from args (every occurrence); the last value wins. */
export function takeOption(args: string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length;) {
    const arg = args[i]!;
    if (arg === `--${name}`) {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--'))
        throw new CliError(`--${name} needs a name after it`);
      value = next;
      args.splice(i, 2);
    } else if (arg.startsWith(`--${name}=`)) {
      value = arg.slice(name.length + 3);
      args.splice(i, 1);
    } else i++;
  }
  return value;
}
