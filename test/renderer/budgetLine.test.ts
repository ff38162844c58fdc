// The Sync panel's budget line (renderer/ui/screens/BudgetLine.tsx, docs/protocol.md §15): the
// network's writing budget, and who writes at its pace now, as `gpow status` says it. Then the
// app itself on a network with a small budget: sending past it is refused with the sentence of
// when to try again, and the Network screen names the author that spent it.
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { identityFromMnemonic } from '../../shared/identity/mnemonic.ts';
import { keyHexOf } from '../../shared/ids.ts';
import type { BudgetStatus } from '../../shared/wallet/budget.ts';
import { BudgetLine } from '../../renderer/ui/screens/BudgetLine.tsx';
import { identity } from '../helpers/network.ts';
import { PHRASE, testApp } from './fixtures.ts';
import { at, render, renderIn, withStubbedGlobals } from './render.ts';

withStubbedGlobals();

const ME = keyHexOf(identityFromMnemonic(PHRASE).publicKey);
const BOB = identity('budget line bob');

const line = (view: BudgetStatus | null) =>
  renderIn(testApp('budget line'), createElement(BudgetLine, { view }));

describe('the budget line', () => {
  it('says the pace, and names each member writing at it, in number agreement', () => {
    const pace = 'Each member may write one transaction every 0.5 s, 120 at most at once';
    expect(line({ every: 500, burst: 120, strained: [] })).toContain(pace);
    const two = line({
      every: 500,
      burst: 120,
      strained: [
        { author: 'ab'.repeat(32), name: 'Mallory', left: 1 },
        { author: 'cd'.repeat(32), name: null, left: 3 },
      ],
    });
    expect(two).toContain('Mallory is writing at its budget’s pace: 1 more transaction now.');
    expect(two).toContain(
      `${'cd'.repeat(6)}… is writing at its budget’s pace: 3 more transactions now.`,
    );
    expect(line(null)).toBe('');
  });
});

describe('a network with a small budget, in the app', () => {
  it('refuses the send past it with when to try again, and shows who spent it', async () => {
    const app = testApp('budget screen');
    await app.store.getState().boot();
    await app.store.getState().createIdentity(PHRASE, 'correct horse');
    await app.store.getState().createNetwork({
      name: 'Budget',
      witnesses: [ME],
      allocations: [[ME, 1000n]],
      creditLimit: 0n,
      budget: { every: 60_000, burst: 2 },
    });
    const runtime = app.store.getState().runtime!;
    await app.store.getState().send(BOB.key, 1n);
    await app.store.getState().send(BOB.key, 1n);
    await expect(app.store.getState().send(BOB.key, 1n)).rejects.toThrow(
      /You have written as much as this network allows for now \(one transaction every 60 s, 2 at most at once\): you can write again in about \d+ s\./,
    );
    at('network');
    app.store.setState({ status: runtime.status() });
    expect(render(app)).toContain(
      'Each member may write one transaction every 60 s, 2 at most at once',
    );
    expect(render(app)).toMatch(/is writing at its budget’s pace: 0 more transactions now\./);
    await app.store.getState().lock();
  }, 20_000);
});
