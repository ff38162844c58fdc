import { describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/bytes.ts';
import type { KeyHex } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { InPageVault } from '../../renderer/bridge/inPageVault.ts';
import {
  authorsOf,
  chainOf,
  filterHistory,
  historyOf,
  memoOf,
} from '../../renderer/runtime/views.ts';
import { composeTransfer } from '../../shared/wallet/compose.ts';
import { admit, genesisOf, identity, registry } from '../helpers/network.ts';

const alice = identity('alice');
const bob = identity('bob');
const carol = identity('carol');

async function ledgerWithPayments(): Promise<Ledger> {
  const genesis = await genesisOf({
    witnesses: [alice],
    allocations: [
      [alice, 100n],
      [bob, 50n],
    ],
  });
  const started = Ledger.fromGenesis(genesis, registry);
  if (!started.ok) throw new Error('no ledger');
  const ledger = started.ledger;
  const vault = new InPageVault();
  vault.hold(alice.secret);
  for (const [to, amount, memo] of [
    [bob.key, 10n, 'lunch'],
    [carol.key, 5n, undefined],
  ] as const) {
    const composed = composeTransfer(ledger, {
      from: alice.key,
      to,
      amount,
      time: 1000 + Number(amount),
      ...(memo ? { memo: utf8(memo) } : {}),
    });
    if (!composed.ok) throw new Error(composed.rejection.message);
    expect(ledger.insert(await admit(vault.signer()!.sign(composed.tx))).status).toBe('accepted');
  }
  return ledger;
}

describe('ledger views', () => {
  it("list an account's payments, newest first, then its starting balance", async () => {
    const ledger = await ledgerWithPayments();
    const history = historyOf(ledger, alice.key);
    expect(history.map((e) => [e.kind, e.direction, e.amount, e.status])).toEqual([
      ['transfer', 'out', 10n, 'pending'],
      ['transfer', 'out', 5n, 'pending'],
      ['allocation', 'in', 100n, 'final'],
    ]);
    expect(historyOf(ledger, carol.key)).toHaveLength(1);
  });

  it('filter by direction, status and text (address, label, memo)', async () => {
    const ledger = await ledgerWithPayments();
    const history = historyOf(ledger, alice.key);
    const labels = (key: KeyHex) => (key === carol.key ? 'Carol' : undefined);
    const only = (filter: Parameters<typeof filterHistory>[1]) =>
      filterHistory(history, filter, labels).map((e) => e.amount);
    expect(only({ direction: 'out', status: 'all', text: '' })).toEqual([10n, 5n]);
    expect(only({ direction: 'in', status: 'final', text: '' })).toEqual([100n]);
    expect(only({ direction: 'all', status: 'all', text: 'LUNCH' })).toEqual([10n]);
    expect(only({ direction: 'all', status: 'all', text: 'carol' })).toEqual([5n]);
    expect(only({ direction: 'all', status: 'pending', text: 'nobody' })).toEqual([]);
  });

  it('describe authors and their chains for the explorer', async () => {
    const ledger = await ledgerWithPayments();
    const authors = authorsOf(ledger);
    expect(authors[0]).toMatchObject({ key: alice.key, transactions: 3, witness: true });
    expect(authors.find((a) => a.key === carol.key)).toMatchObject({ transactions: 0 });
    const chain = chainOf(ledger, alice.key);
    expect(chain.map((e) => [e.seq, e.type, e.transfer?.amount ?? null])).toEqual([
      [0, 'genesis', null],
      [1, 'transfer', 10n],
      [2, 'transfer', 5n],
    ]);
  });

  it('show memos that are text, and say when they are not', () => {
    expect(memoOf(undefined)).toEqual({ kind: 'none' });
    expect(memoOf(utf8('merci ✓'))).toEqual({ kind: 'text', text: 'merci ✓' });
    expect(memoOf(Uint8Array.of(0xff, 0xfe, 0x00))).toEqual({ kind: 'sealed' });
  });
});

describe('the in-page vault', () => {
  it('signs for the identity it holds, and nothing once locked', () => {
    const vault = new InPageVault();
    expect(vault.signer()).toBeNull();
    vault.hold(alice.secret);
    const signer = vault.signer()!;
    expect(signer.key).toBe(alice.key);
    const unsigned = {
      net: null,
      seq: 0,
      prev: null,
      deps: [],
      type: 'genesis',
      body: {},
      time: 0,
    };
    expect(signer.sign(unsigned)).toBeInstanceOf(Uint8Array);
    vault.lock();
    expect(vault.signer()).toBeNull();
    expect(() => signer.sign(unsigned)).toThrow('locked');
  });
});
