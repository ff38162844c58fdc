// Checkpoints on the command line (node/cli/checkpoint.ts): `gpow run --checkpoint-every N`
// takes a whole number of transactions, 0 for none, and refuses anything else with a sentence
// before it opens the home; `gpow status` says the latest certified checkpoint in one line.
// test/net/checkpoints.test.ts runs both with real peers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../node/cli/home.ts';
import {
  checkpointEveryOf,
  checkpointLine,
  pruneAfterOf,
  sizeText,
} from '../../node/cli/checkpoint.ts';
import { cliHarness } from '../net/cliHarness.ts';

const { gpow, stopAll } = cliHarness();
let home = '';

afterAll(async () => {
  await stopAll();
  if (home) await rm(home, { recursive: true, force: true });
});

const SENTENCE = '--checkpoint-every must be a whole number of transactions (0 for no checkpoints)';

describe('--checkpoint-every', () => {
  it('takes a whole number of transactions, 0 included, and nothing when absent', () => {
    expect(checkpointEveryOf(undefined)).toBeUndefined();
    expect(checkpointEveryOf('0')).toBe(0);
    expect(checkpointEveryOf('12')).toBe(12);
    expect(checkpointEveryOf(' 10000 ')).toBe(10_000);
  });

  it('refuses what is not a whole number of transactions, with a sentence', () => {
    for (const bad of ['', 'abc', '-1', '1.5', '1e3', '0x10', '12 tx', '9999999999999']) {
      let caught: unknown;
      try {
        checkpointEveryOf(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught, `"${bad}" was taken`).toBeInstanceOf(CliError);
      expect((caught as Error).message).toBe(`${SENTENCE}, not "${bad}"`);
    }
  });

  it('is refused by "gpow run" before anything else, and is in the help', async () => {
    home = await mkdtemp(join(tmpdir(), 'gpow-checkpoint-'));
    // A fresh home has no network: the option's sentence comes first all the same.
    const result = await gpow(['--home', home, 'run', '--checkpoint-every=-5']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${SENTENCE}, not "-5"`);
    const help = await gpow(['--help']);
    expect(help.stdout).toContain('--checkpoint-every N');
  });
});

describe('--prune-after', () => {
  const PRUNE = '--prune-after must be a whole number of records, at least 1';
  it('takes a whole number of records from 1, and nothing when absent', () => {
    expect(pruneAfterOf(undefined)).toBeUndefined();
    expect(pruneAfterOf('1')).toBe(1);
    expect(pruneAfterOf(' 50000 ')).toBe(50_000);
  });

  it('refuses 0 and what is not a whole number, with a sentence', () => {
    for (const bad of ['0', '', 'abc', '-1', '1.5', '1e3']) {
      let caught: unknown;
      try {
        pruneAfterOf(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught, `"${bad}" was taken`).toBeInstanceOf(CliError);
      expect((caught as Error).message).toBe(`${PRUNE}, not "${bad}"`);
    }
  });

  it('is refused by "gpow run" with --archive, which keeps everything, and is in the help', async () => {
    home ||= await mkdtemp(join(tmpdir(), 'gpow-checkpoint-'));
    const bad = await gpow(['--home', home, 'run', '--prune-after', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${PRUNE}, not "x"`);
    const both = await gpow(['--home', home, 'run', '--archive', '--prune-after', '5']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--archive keeps the whole history: drop --prune-after');
    expect((await gpow(['--help'])).stdout).toContain('[--prune-after N]');
  });
});

describe('the checkpoint line of "gpow status"', () => {
  const root = '4f2a91c0' + 'ab'.repeat(28);

  it('names the latest certified checkpoint, its state and root, and what is pending', () => {
    const latest = { n: 3, root, size: 218_000, proposer: 'k' };
    expect(checkpointLine({ latest, pending: 1, every: 10_000 })).toBe(
      'Checkpoint 3 certified (state 218 kB, root 4f2a91c0…), 1 pending',
    );
    expect(checkpointLine({ latest, pending: 0, every: 10_000 })).toBe(
      'Checkpoint 3 certified (state 218 kB, root 4f2a91c0…)',
    );
  });

  it('says when witnesses make one while there is none', () => {
    expect(checkpointLine({ latest: null, pending: 0, every: 10_000 })).toBe(
      'No checkpoint yet (witnesses make one every 10,000 transactions)',
    );
    expect(checkpointLine({ latest: null, pending: 1, every: 12 })).toBe(
      'No checkpoint yet (witnesses make one every 12 transactions), 1 pending',
    );
    expect(checkpointLine({ latest: null, pending: 0, every: 0 })).toBe(
      'No checkpoint yet (this peer proposes none: --checkpoint-every 0)',
    );
  });

  it('writes sizes as a person reads them', () => {
    expect(sizeText(512)).toBe('512 bytes');
    expect(sizeText(218_400)).toBe('218 kB');
    expect(sizeText(4_200_000)).toBe('4.2 MB');
  });
});
