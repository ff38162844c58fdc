// `gpow --home HOME ARGS` run in this process, as bin/gpow.js runs it, with what it printed
// (test/cli/homes.test.ts, networkRemove.test.ts). The home is read when each command runs, so a
// test may point it elsewhere between commands.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import { main } from '../../node/cli/main.ts';

/**
 * A home made by the CLI before homes.ts existed (commit 08a1900: `identity create --fast-kdf`,
 * `network create --name legacy --alloc ADDRESS=1000`, passphrase "correct horse battery
 * staple"); it must keep its address and balance, untouched. Tests copy it before use.
 */
export const OLD_HOME = join(import.meta.dirname, 'fixtures', 'one-identity-home');
export const OLD_ADDRESS = 'gpow1884332ha9kfktw3js70443mc93sxxjmmer3tdjaphvp6svfr2unqush502';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function inProcessGpow(homeOf: () => string) {
  const gpow = async (args: string[]): Promise<CliRun> => {
    let stdout = '';
    let stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    vi.stubEnv('GPOW_PASSPHRASE', 'correct horse battery staple');
    try {
      const code = await main(['--home', homeOf(), ...args]);
      return { code, stdout, stderr };
    } finally {
      out.mockRestore();
      err.mockRestore();
      vi.unstubAllEnvs();
    }
  };
  /** Runs with --json and parses its last line; throws on a non-zero exit. */
  const json = async <T>(args: string[]): Promise<T> => {
    const result = await gpow([...args, '--json']);
    if (result.code !== 0) throw new Error(`gpow ${args.join(' ')}: ${result.stderr}`);
    return JSON.parse(result.stdout.trim().split('\n').pop()!) as T;
  };
  /** The error sentence of a command that must fail. */
  const refused = async (args: string[]): Promise<string> => {
    const result = await gpow(args);
    expect(result.code, result.stdout).toBe(1);
    return result.stderr.trim();
  };
  return { gpow, json, refused };
}

export const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );
