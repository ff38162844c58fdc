// Runs the real `gpow` command for the CLI tests, with WebRTC kept on 127.0.0.1, and cleans up
// every peer it started. Each test file makes its own harness.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gpow.js');
/**
 * Node options for every process a network or CLI test starts (the `gpow` commands here, the
 * peers of cluster.ts): reuse the stripped code of its modules (see fixtures/moduleCache.js).
 * GPOW_TEST_MODULE_CACHE=0 turns it off, to compare.
 */
export const MODULE_CACHE: readonly string[] =
  process.env.GPOW_TEST_MODULE_CACHE === '0'
    ? []
    : ['--import', join(import.meta.dirname, 'fixtures', 'moduleCache.js')];
/**
 * Keeps the real CLI's WebRTC on 127.0.0.1 (see fixtures/loopbackPreload.ts), and its modules'
 * stripped code cached across commands (see fixtures/moduleCache.js).
 */
const LOOPBACK = [
  ...MODULE_CACHE,
  '--import',
  join(import.meta.dirname, 'fixtures', 'loopbackPreload.ts'),
];
const env = { ...process.env, GPOW_PASSPHRASE: 'correct horse battery staple' };

/** Environment variables to set (or, as undefined, to remove) for one command. */
export type EnvOverrides = Readonly<Record<string, string | undefined>>;

export interface CliHarness {
  readonly gpow: (
    args: string[],
    overrides?: EnvOverrides,
  ) => Promise<{ code: number; stdout: string; stderr: string }>;
  /** Runs a command with --json and parses its last line; throws on a non-zero exit. */
  readonly json: <T>(args: string[]) => Promise<T>;
  /** Starts `gpow run` and waits for its first line (it prints the relay once ready). */
  readonly run: (home: string, extra?: string[], overrides?: EnvOverrides) => Promise<ChildProcess>;
  /** What each running peer printed on stderr, by home. */
  readonly logs: ReadonlyMap<string, string>;
  readonly stopAll: () => Promise<void>;
}

/**
 * A port on 127.0.0.1 that nothing listens on now, for a relay that must keep its port across a
 * restart (an invitation names it). Asked of the OS, so it never collides with another listener.
 */
export async function freePort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return String(port);
}

/** How long a peer may take to exit after Ctrl-C, and a one-shot command to finish. */
const STOP_LIMIT_MS = 30_000;
const COMMAND_LIMIT_MS = 120_000;

/** The arguments after the script, to name a process in a failure. */
function described(child: ChildProcess): string {
  const args = child.spawnargs;
  return `gpow ${args.slice(args.indexOf(BIN) + 1).join(' ')}`;
}

/**
 * Stops one running peer the way a person does (Ctrl-C) and waits until it has exited. A peer
 * that does not exit in time is killed, and the test fails naming it: a hang here is a bug in
 * shutdown, and without the bound it would only show as the whole test timing out.
 */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
  child.kill('SIGINT');
  const timer = new Promise<boolean>((resolve) => setTimeout(resolve, STOP_LIMIT_MS, false));
  if (await Promise.race([exited, timer])) return;
  child.kill('SIGKILL');
  throw new Error(`${described(child)} did not exit within ${STOP_LIMIT_MS / 1000} s of Ctrl-C`);
}

function withOverrides(overrides: EnvOverrides): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export function cliHarness(): CliHarness {
  const running: ChildProcess[] = [];
  const logs = new Map<string, string>();
  const gpow: CliHarness['gpow'] = (args, overrides = {}) =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [...LOOPBACK, BIN, ...args], {
        env: withOverrides(overrides),
      });
      // A command that should have exited but runs on (a regression) is stopped by stopAll.
      running.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // A command that hangs fails with its name and what it printed, not a whole-test timeout.
      const limit = setTimeout(() => {
        stderr += `\n[test harness] ${described(child)} ran over ${COMMAND_LIMIT_MS / 1000} s`;
        child.kill('SIGKILL');
      }, COMMAND_LIMIT_MS);
      child.on('exit', (code) => {
        clearTimeout(limit);
        resolve({ code: code ?? 1, stdout, stderr });
      });
    });
  return {
    gpow,
    logs,
    json: async <T>(args: string[]): Promise<T> => {
      const result = await gpow([...args, '--json']);
      if (result.code !== 0) throw new Error(`gpow ${args.join(' ')} failed: ${result.stderr}`);
      return JSON.parse(result.stdout.trim().split('\n').pop()!) as T;
    },
    run: (home, extra = [], overrides = {}) => {
      return new Promise((resolve, reject) => {
        const args = [...LOOPBACK, BIN, '--home', home, 'run', ...extra];
        const child = spawn(process.execPath, args, { env: withOverrides(overrides) });
        running.push(child);
        child.stderr.on('data', (d: Buffer) =>
          logs.set(home, (logs.get(home) ?? '') + d.toString()),
        );
        const limit = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`${described(child)} printed nothing in ${COMMAND_LIMIT_MS / 1000} s`));
        }, COMMAND_LIMIT_MS);
        child.stdout.once('data', () => {
          clearTimeout(limit);
          resolve(child);
        });
        child.once('exit', (code) => {
          clearTimeout(limit);
          reject(new Error(`gpow run exited with ${code}: ${logs.get(home) ?? ''}`));
        });
      });
    },
    stopAll: async () => {
      for (const child of running) child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 500));
      for (const child of running) child.kill('SIGKILL');
    },
  };
}

/**
 * A harness for one test file, with a temporary folder for its homes: after the file's tests
 * (its afterAll, given 20 s) every peer is stopped and the folder, if one was made, removed.
 */
export function cliSuite(prefix: string): CliHarness & {
  /** Makes the folder, named from `prefix`, and returns its path. */
  readonly tempDir: () => Promise<string>;
} {
  const harness = cliHarness();
  let dir = '';
  afterAll(async () => {
    await harness.stopAll();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 20_000);
  return {
    ...harness,
    tempDir: async () => (dir = await mkdtemp(join(tmpdir(), prefix))),
  };
}
