// A home with several identities while a peer runs, with the real `gpow` command in its own
// processes: the old one-identity home still runs and answers with its address and balance,
// `identity use` leaves the running peer alone, and `identity remove` refuses while it runs and
// otherwise wants the name typed.
import { spawn } from 'node:child_process';
import { cp, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliSuite, MODULE_CACHE, stop } from '../net/cliHarness.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'one-identity-home');
const OLD_ADDRESS = 'gpow1884332ha9kfktw3js70443mc93sxxjmmer3tdjaphvp6svfr2unqush502';
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gpow.js');
const { gpow, json, run, tempDir } = cliSuite('gpow-homes-peer-');

/** The real command with `input` on stdin, as a person types at the prompt. */
function gpowTyping(args: string[], input: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [...MODULE_CACHE, BIN, ...args], {
      env: { ...process.env, GPOW_PASSPHRASE: 'correct horse battery staple' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('several identities while a peer runs', () => {
  it('runs the old home, switches around it, and removes only what was typed', async () => {
    const home = join(await tempDir(), 'old');
    await cp(FIXTURE, home, { recursive: true });
    await json(['--home', home, 'identity', 'create', '--fast-kdf', '--name', 'work']);
    const peer = await run(home, ['--identity', 'main']);
    try {
      const balance = await json<{ address: string; available: string | number }>([
        '--home',
        home,
        '--identity',
        'main',
        'balance',
      ]);
      expect([balance.address, String(balance.available)]).toEqual([OLD_ADDRESS, '1000']);
      const status = await gpow(['--home', home, '--identity', 'main', 'status']);
      expect(status.code, status.stderr).toBe(0);
      await json(['--home', home, 'identity', 'use', 'main']);
      const used = await gpow(['--home', home, 'identity', 'use', 'work']);
      expect(used.stdout).toContain(
        'The peer running for "main" keeps running and serves "main" only; reach it with --identity main.',
      );
      const removing = await gpow(['--home', home, 'identity', 'remove', 'main', '--yes']);
      expect(removing.code).toBe(1);
      expect(removing.stderr.trim()).toBe(
        'gpow: the peer of "main" is running (network legacy): stop it first',
      );
    } finally {
      await stop(peer);
    }
    const wrong = await gpowTyping(['--home', home, 'identity', 'remove', 'work'], 'main\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(
      'gpow: nothing was removed: type the name "work" exactly, or pass --yes',
    );
    expect(await exists(join(home, 'identities', '1', 'identity.json'))).toBe(true);
    const typed = await gpowTyping(['--home', home, 'identity', 'remove', 'work'], 'work\n');
    expect(typed.stdout, typed.stderr).toContain('Removed "work". Now using "main".');
    expect(await exists(join(home, 'identities', '1'))).toBe(false);
  }, 120_000);
});
