// `gpow network remove NAME` (node/cli/networkRemove.ts, docs/keys.md): an identity leaves one of
// its networks, after typing its name or with --yes; the network the identity acts on now is
// refused with the command to run first; nothing is deleted: the network's files move to a dated
// folder under the home's removed-networks/, from which they can be moved back.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { REMOVED_DIR } from '../../node/cli/networkRemove.ts';
import { cliHarness } from '../net/cliHarness.ts';
import { exists, inProcessGpow, OLD_ADDRESS, OLD_HOME, type CliRun } from './inProcess.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gpow.js');

let scratch = '';
let home = '';
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});
beforeEach(async () => {
  scratch ||= await mkdtemp(join(tmpdir(), 'gpow-network-remove-'));
  home = await mkdtemp(join(scratch, 'h-'));
  await cp(OLD_HOME, home, { recursive: true });
});

const { gpow, json, refused } = inProcessGpow(() => home);

interface Net {
  name: string;
  current: boolean;
}
interface Removed {
  removed: string;
  networkId: string;
  kept: string;
}
/** The real command with `input` typed on its stdin, as a person answers the question. */
function typed(args: string[], input: string): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, '--home', home, ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })),
  );
}

const names = async () => (await json<Net[]>(['network', 'list'])).map((n) => n.name);

describe('gpow network remove', () => {
  it('refuses the network in use, saying which "network use" to run first', async () => {
    await json(['network', 'create', '--name', 'beta']);
    expect(await refused(['network', 'remove', 'beta', '--yes'])).toBe(
      'gpow: "beta" is the network "main" acts on now: run "gpow network use legacy" first',
    );
    expect(await refused(['network', 'remove', 'gamma', '--yes'])).toContain(
      'it belongs to "legacy", "beta"',
    );
    expect(await names()).toEqual(['legacy', 'beta']);
  });

  it('asks for the name, and removes nothing without it', async () => {
    await json(['network', 'create', '--name', 'beta']);
    await json(['network', 'use', 'beta']);
    const wrong = await typed(['network', 'remove', 'legacy'], 'Legacy\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Removing "legacy" takes it off "main" in this home.');
    expect(wrong.stderr).toContain('Type "legacy" to remove it: ');
    expect(wrong.stderr).toContain('nothing was removed: type the name "legacy" exactly');
    expect(await names()).toEqual(['legacy', 'beta']);
    const right = await typed(['network', 'remove', 'legacy'], 'legacy\n');
    expect(right.code, right.stderr).toBe(0);
    expect(await names()).toEqual(['beta']);
  }, 60_000);

  it('moves the network aside, keeping its data, its secret and its invitations', async () => {
    const before = await readFile(join(home, 'data', 'ledger.log'));
    const network = await readFile(join(home, 'network.json'), 'utf8');
    await json(['network', 'create', '--name', 'beta']);
    await json(['network', 'use', 'beta']);
    const removed = await json<Removed>(['network', 'remove', 'legacy', '--yes']);
    expect(removed.removed).toBe('legacy');
    expect(removed.kept.startsWith(join(home, REMOVED_DIR))).toBe(true);
    expect(removed.kept).toMatch(/\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-legacy-[0-9a-f]{12}$/);
    // Kept, byte for byte; gone from the identity's networks; its keys untouched.
    expect(await readFile(join(removed.kept, 'data', 'ledger.log'))).toEqual(before);
    expect(await readFile(join(removed.kept, 'network.json'), 'utf8')).toBe(network);
    expect(await exists(join(home, 'network.json'))).toBe(false);
    expect(await exists(join(home, 'data'))).toBe(false);
    expect(await names()).toEqual(['beta']);
    expect((await json<{ address: string }>(['balance'])).address).toBe(OLD_ADDRESS);

    // Moving the files back brings the network back, with its balance.
    for (const file of await readdir(removed.kept))
      await rename(join(removed.kept, file), join(home, file));
    expect(await names()).toEqual(['legacy', 'beta']);
    const balance = await json<{ available: string }>(['balance', '--network', 'legacy']);
    expect(String(balance.available)).toBe('1000');
  });

  it('removes a later network’s whole slot, and an only network leaves none', async () => {
    await json(['network', 'create', '--name', 'beta']);
    await json(['network', 'use', 'legacy']);
    const human = await gpow(['network', 'remove', 'beta', '--yes']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^Removed "beta" from "main"\. Kept in .*removed-networks\//);
    expect(await exists(join(home, 'networks', '1'))).toBe(false);
    const only = await gpow(['network', 'remove', 'legacy', '--yes']);
    expect(only.stdout).toContain('"main" now belongs to no network.');
    expect(await names()).toEqual([]);
    expect(await readdir(join(home, REMOVED_DIR))).toHaveLength(2);
  });
});

describe('gpow network remove while its peer runs', () => {
  const cli = cliHarness();
  afterAll(() => cli.stopAll(), 60_000);

  it('refuses, saying to stop the peer first, and keeps the network', async () => {
    const own = join(scratch, 'running');
    await cli.json(['--home', own, 'identity', 'create', '--fast-kdf']);
    await cli.json(['--home', own, 'network', 'create', '--name', 'live']);
    await cli.run(own);
    const result = await cli.gpow(['--home', own, 'network', 'remove', 'live', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('gpow: the peer of network "live" is running: stop it first');
    expect(await exists(join(own, 'network.json'))).toBe(true);
  }, 120_000);
});
