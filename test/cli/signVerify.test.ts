// `gpow sign` and `gpow verify` as real commands (docs/keys.md), and the promise that a block made
// in the CLI verifies in the app and the other way round: the app's own functions
// (renderer/state/signedMessages.ts, with browser mode's in-page vault as the signer and
// WebCrypto as the verifier) check the CLI's block, and `gpow verify` checks the app's.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAddress, type Address } from '../../shared/identity/address.ts';
import { identityFromMnemonic, generateMnemonic } from '../../shared/identity/mnemonic.ts';
import { InPageVault } from '../../renderer/bridge/inPageVault.ts';
import { signBlock, verifyBlock } from '../../renderer/state/signedMessages.ts';
import { UserError } from '../../renderer/state/errors.ts';
import { nodeRandom } from '../../node/platform/nodeRandom.ts';
import { main } from '../../node/cli/main.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gpow.js');
let dir = '';
let home = '';
let address = '';

const ENV = { GPOW_PASSPHRASE: 'correct horse battery staple' };

/**
 * `gpow ARGS` run in this process, as bin/gpow.js runs it (spawning takes ~2 s a command):
 * its exit code and what it wrote.
 */
async function gpow(args: string[]) {
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
  vi.stubEnv('GPOW_PASSPHRASE', ENV.GPOW_PASSPHRASE);
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    vi.unstubAllEnvs();
  }
}

async function json<T>(args: string[]): Promise<T> {
  const result = await gpow([...args, '--json']);
  if (result.code !== 0) throw new Error(`gpow ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** The real `gpow` command, in its own process, with `input` on stdin, as a pasted block arrives. */
function gpowWithStdin(args: string[], input: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...ENV } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** What `verifyBlock` (the app's check) refused with: its catalogue key and the core's sentence. */
async function appRefusal(block: string, expected?: Address) {
  try {
    await verifyBlock(block, expected);
    return 'accepted';
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { key: error.key, detail: error.params?.detail };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-sign-'));
  home = join(dir, 'home');
  ({ address } = await json<{ address: string }>([
    '--home',
    home,
    'identity',
    'create',
    '--fast-kdf',
  ]));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gpow sign and gpow verify', () => {
  it('signs with the home identity; gpow verify and the app both accept the block', async () => {
    const signed = await gpow(['--home', home, 'sign', 'I agree to pay Bob 5 units.\nAlice']);
    expect(signed.code, signed.stderr).toBe(0);
    const block = signed.stdout.trim();
    expect(block).toContain(`Address: ${address}`);

    const verified = await gpowWithStdin(['verify', '--from', address], `${block}\n`);
    expect(verified.stderr).toBe('');
    expect(verified.stdout).toBe(
      `Good signature by ${address} on this message:\nI agree to pay Bob 5 units.\nAlice\n`,
    );

    // The app's check, as the Verify panel calls it, on the block as the CLI printed it.
    const inApp = await verifyBlock(block, address as Address);
    expect(inApp.message).toBe('I agree to pay Bob 5 units.\nAlice');
    expect(await appRefusal(block.replace('5 units', '6 units'))).toMatchObject({
      key: 'signMessage.error.mismatch',
    });
  }, 30_000);

  it('verifies in the CLI what the app signed, and says who signed when it is not the one named', async () => {
    const mnemonic = generateMnemonic(nodeRandom);
    const vault = new InPageVault();
    vault.hold(identityFromMnemonic(mnemonic).secretKey);
    const block = signBlock('Signed in the browser.', vault.signer());
    const appAddress = block.match(/^Address: (.*)$/m)?.[1] ?? '';
    const file = join(dir, 'from-app.txt');
    await writeFile(file, block.replace(/\n/g, '\r\n'));

    const good = await json<{ valid: boolean; address: string; message: string }>([
      'verify',
      '--file',
      file,
    ]);
    expect(good).toEqual({ valid: true, address: appAddress, message: 'Signed in the browser.' });

    const wrong = await gpow(['verify', '--file', file, '--from', address]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      `gpow: The signature is valid, but it was made by ${appAddress}, not by ${address}.\n`,
    );
    // And the app says the same of the CLI's own identity, through its catalogue.
    expect(await appRefusal(block, address as Address)).toEqual({
      key: 'signMessage.error.wrongSigner',
      detail: `The signature is valid, but it was made by ${appAddress}, not by ${address}.`,
    });
    vault.lock();
    expect(() => signBlock('after lock', vault.signer())).toThrow(UserError);
  }, 30_000);

  it('refuses wrong input with one sentence and a non-zero exit', async () => {
    const cases: [string[], RegExp][] = [
      [['verify', 'hello'], /^gpow: This is not a GPoW signed message: it has no line -----BEGIN/],
      [['verify', '--from', 'gpow1nope', 'x'], /^gpow: "gpow1nope" is not a valid address/],
      [['verify', '--file', join(dir, 'absent')], /^gpow: cannot read .*absent/],
      [
        ['--home', home, 'sign', ' \n\t\n'],
        /^gpow: The message cannot be signed: it is empty\.\n$/,
      ],
      [['--home', join(dir, 'empty'), 'sign', 'hi'], /no identity here/],
      [['verify', 'a', 'b'], /give the signed block as one argument/],
    ];
    for (const [args, error] of cases) {
      const result = await gpow(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(error);
      expect(result.stdout).toBe('');
    }
    const damaged = await gpow(['verify', '-----BEGIN GPOW SIGNED MESSAGE-----\nhi\n']);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toBe(
      'gpow: The signed message is damaged: the line -----BEGIN GPOW SIGNATURE----- is missing.\n',
    );
    expect(parseAddress(address).ok).toBe(true);
  }, 30_000);

  it('signs a file as its text, without the byte-order mark a Windows editor puts first', async () => {
    const file = join(dir, 'statement.txt');
    await writeFile(file, '\uFEFFSold to Bob.\r\n');
    const signed = await json<{ message: string; block: string }>([
      '--home',
      home,
      'sign',
      '--file',
      file,
    ]);
    expect(signed.message).toBe('Sold to Bob.');
    expect(signed.block).toContain('-----BEGIN GPOW SIGNED MESSAGE-----\nSold to Bob.\n');
  });

  it('is in the help text', async () => {
    const help = await gpow(['--help']);
    expect(help.stdout).toMatch(/^ {2}sign \[TEXT\] \[--file PATH\]/m);
    expect(help.stdout).toMatch(/^ {2}verify \[BLOCK\] \[--file PATH\] \[--from ADDRESS\]/m);
  });
});
