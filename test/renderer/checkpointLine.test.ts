// The Sync panel's checkpoint line (renderer/ui/screens/CheckpointLine.tsx): what `gpow status`
// says, in the app's words: the latest certified checkpoint with its state's size and the start
// of its root, how many wait for certification, or how often witnesses make one. Then the
// Network screen of an app whose identity is the network's only witness, with the engine
// proposing every 3 transactions: no checkpoint at first, then a certified one after payments.
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import type { CheckpointStatus } from '../../engine/checkpointStatus.ts';
import type { KeyHex } from '../../shared/ids.ts';
import { CheckpointLine } from '../../renderer/ui/screens/CheckpointLine.tsx';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp } from './fixtures.ts';
import { at, render, renderIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

const ME = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const BOB = identity('checkpoint bob');

const line = (view: CheckpointStatus | null, base: number | null = null) =>
  renderIn(testApp('checkpoint line'), createElement(CheckpointLine, { view, base }));

const latest = { n: 3, root: '4f2a91c0' + 'ab'.repeat(28), size: 218_400, proposer: 'w' as KeyHex };

describe('the checkpoint line', () => {
  it('names the latest certified checkpoint, its state and root, and those pending', () => {
    expect(line({ latest, pending: 0, every: 10_000 })).toBe(
      '<p class="muted" data-testid="checkpoint">Checkpoint 3 certified (state 218 kB, root 4f2a91c0…).</p>',
    );
    expect(line({ latest, pending: 2, every: 10_000 })).toContain(
      'Checkpoint 3 certified (state 218 kB, root 4f2a91c0…). 2 more are waiting for the witnesses to certify them.',
    );
    expect(line({ latest, pending: 1, every: 10_000 })).toContain(
      '1 more is waiting for the witnesses to certify it.',
    );
    // A peer that started from a certified checkpoint (§14.10) says what it does not hold.
    expect(line({ latest, pending: 0, every: 10_000 }, 2)).toContain(
      'This peer started from checkpoint 2: the history before it is not held here',
    );
    expect(line({ latest, pending: 0, every: 10_000 })).not.toContain('started from');
  });

  it('says how often witnesses make one before the first, and nothing before the genesis', () => {
    expect(line({ latest: null, pending: 0, every: 10_000 })).toContain(
      'No checkpoint yet (witnesses make one every 10,000 transactions).',
    );
    expect(line({ latest: null, pending: 0, every: 0 })).toContain(
      'No checkpoint yet (this peer is set to propose none).',
    );
    expect(line(null)).toBe('');
  });
});

describe('the Network screen', () => {
  it('shows no checkpoint at first, then the one its witness certified', async () => {
    const app = testApp('checkpoint screen', undefined, { checkpointEvery: 3 });
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    await app.store.getState().createNetwork({
      name: 'Checkpoints',
      witnesses: [ME],
      allocations: [[ME, 1000n]],
      creditLimit: 0n,
    });
    const runtime = app.store.getState().runtime!;
    const refresh = () => app.store.setState({ status: runtime.status() });
    at('network');
    refresh();
    expect(render(app)).toContain('No checkpoint yet (witnesses make one every 3 transactions).');
    for (let i = 0; i < 3; i++) await app.store.getState().send(BOB.key, 1n);
    // The witness votes, then proposes on its next tick and certifies with its own vote.
    for (let i = 0; i < 200 && !runtime.status().checkpoints?.latest; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const latest = runtime.status().checkpoints?.latest;
    expect(latest, 'no checkpoint certified within 10 s').toBeTruthy();
    refresh();
    expect(render(app)).toContain(
      `Checkpoint 1 certified (state ${Math.max(1, Math.round(latest!.size / 1000))} kB, root ${latest!.root.slice(0, 8)}…).`,
    );
    // A peer that started from a checkpoint says so in the explorer too (this one did not).
    expect(render(app)).not.toContain('started from');
    app.store.setState({ status: { ...runtime.status(), base: 1 } });
    at('explorer');
    expect(render(app)).toContain(
      'This peer builds on the certified state of checkpoint 1: transactions before it are not held here (your own payments are, in your history)',
    );
    expect(render(app)).toContain('A member who runs an archive (gpow run --archive) holds');
    await app.store.getState().lock();
  }, 20_000);
});
