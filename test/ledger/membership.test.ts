// Membership (docs/protocol.md §13.7): a closed network refuses transactions by identities it
// never admitted; a quorum of the witnesses admits and removes members with the same change that
// changes witnesses; a removed member's later transactions are refused once the removal is in
// their past, and honest witnesses stop backing what it signs after the change.
import { describe, expect, it } from 'vitest';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { genesisBody } from '../../shared/tx/genesis.ts';
import { composeTransfer } from '../../shared/wallet/compose.ts';
import { Ledger as LedgerClass } from '../../shared/ledger/ledger.ts';
import { planWitnessChange } from '../../shared/wallet/witnesses.ts';
import {
  admit,
  identity,
  newLedger,
  rawTransfer,
  registry,
  sign,
  transfer,
  type TestIdentity,
} from '../helpers/network.ts';
import { proposeTx, settle } from '../helpers/witnessSets.ts';

const w = [0, 1, 2, 3].map((i) => identity(`member witness ${i}`));
const alice = identity('alice');
const bob = identity('bob');
const carol = identity('carol');
let proposals = 0;
const once = () => identity(`membership change ${proposals++}`);

async function closedNetwork(): Promise<Ledger> {
  const tx = await admit(
    signTx((w[0] as TestIdentity).secret, {
      net: null,
      seq: 0,
      prev: null,
      deps: [],
      type: 'genesis',
      body: genesisBody({
        name: 'closed',
        witnesses: w.map((x) => x.key),
        allocations: [
          [alice.key, 100n],
          [bob.key, 100n],
        ],
        creditLimit: 50n,
        closed: true,
      }),
      time: 0,
    }),
  );
  const started = LedgerClass.fromGenesis(tx, registry);
  if (!started.ok) throw new Error(started.rejection.message);
  return started.ledger;
}

/** A change proposed by witness 0 and backed by three of four, in effect. */
async function enact(ledger: Ledger, change: Parameters<typeof proposeTx>[3]): Promise<void> {
  const tx = await proposeTx(ledger, w[0] as TestIdentity, once(), change);
  expect(ledger.insert(tx).status).toBe('accepted');
  const before = ledger.epochs.open.epoch;
  await settle(ledger, w.slice(0, 3), [tx.id]);
  expect(ledger.epochs.open.epoch).toBe(before + 1);
}

describe('a closed network', () => {
  it('refuses an identity it never admitted, and takes it once a quorum admits it', async () => {
    const ledger = await closedNetwork();
    const outsider = await sign(carol, rawTransfer(ledger, { seq: 0, prev: null }, alice, 1n));
    expect(ledger.insert(outsider)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'not-member' },
    });
    // Mutual credit would let her pay; membership is what refuses her.
    expect(
      composeTransfer(ledger, { from: carol.key, to: alice.key, amount: 1n, time: 1 }),
    ).toMatchObject({
      ok: false,
      rejection: { code: 'not-member' },
    });
    await enact(ledger, { kind: 'admit', key: carol.key });
    const { outcome } = await transfer(ledger, carol, alice, 10n);
    expect(outcome.status).toBe('accepted');
  });

  it('removes a member: their later transactions are refused or never final', async () => {
    const ledger = await closedNetwork();
    const { tx: before } = await transfer(ledger, bob, alice, 5n);
    // Bob signs one more payment that the change does not know of.
    const head = ledger.head(bob.key);
    const stale = await sign(
      bob,
      rawTransfer(ledger, { seq: (head?.seq ?? -1) + 1, prev: head?.id ?? null }, alice, 7n),
    );
    await enact(ledger, { kind: 'remove-member', key: bob.key });
    expect(ledger.isFinal(before.id)).toBe(true);
    // The wallet refuses to sign for him, with a sentence.
    const refused = composeTransfer(ledger, { from: bob.key, to: alice.key, amount: 1n, time: 1 });
    expect(refused).toMatchObject({ ok: false, rejection: { code: 'not-member' } });
    // A payment that knows of the removal is refused by every peer.
    const next = ledger.head(bob.key);
    const late = await sign(
      bob,
      rawTransfer(ledger, { seq: (next?.seq ?? -1) + 1, prev: next?.id ?? null }, alice, 3n, [
        ledger.epochTx,
      ]),
    );
    expect(ledger.insert(late)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'not-member' },
    });
    // One that does not know of it is valid, but honest witnesses no longer back it.
    expect(ledger.insert(stale).status).toBe('accepted');
    await settle(ledger, w);
    expect(ledger.isFinal(stale.id)).toBe(false);
    // What Bob held stays his, visibly; the stale payment stays pending for good.
    expect(ledger.account(bob.key).balance).toBe(88n);
    expect(ledger.status(stale.id).state).toBe('pending');
    expect(ledger.audit()).toEqual({ ok: true });
  });

  it('plans refuse what makes no sense, each with a sentence', async () => {
    const ledger = await closedNetwork();
    const cases = [
      [{ kind: 'admit', key: alice.key }, /already a member/],
      [{ kind: 'remove-member', key: carol.key }, /not a member now/],
      [{ kind: 'close' }, /already closed/],
      [{ kind: 'add', key: carol.key }, /not a member now/],
    ] as const;
    for (const [change, message] of cases) {
      const plan = planWitnessChange(ledger, (w[0] as TestIdentity).key, change);
      expect(plan.ok).toBe(false);
      if (!plan.ok) expect(plan.rejection.message).toMatch(message);
    }
  });
});

describe('an open network', () => {
  it('can remove a member, admit them again, and close', async () => {
    const ledger = await newLedger({
      founder: w[0],
      witnesses: w,
      allocations: [
        [alice, 100n],
        [bob, 100n],
      ],
    });
    await enact(ledger, { kind: 'remove-member', key: bob.key });
    expect(
      composeTransfer(ledger, { from: bob.key, to: alice.key, amount: 1n, time: 1 }),
    ).toMatchObject({
      ok: false,
      rejection: { code: 'not-member' },
    });
    await enact(ledger, { kind: 'admit', key: bob.key });
    expect((await transfer(ledger, bob, alice, 1n)).outcome.status).toBe('accepted');
    await enact(ledger, { kind: 'close' });
    expect(ledger.epochs.open.membership.closed).toBe(true);
    // Everyone who had signed stays a member; a newcomer is refused.
    expect((await transfer(ledger, alice, bob, 1n)).outcome.status).toBe('accepted');
    const newcomer = await sign(
      carol,
      rawTransfer(ledger, { seq: 0, prev: null }, alice, 1n, [ledger.epochTx]),
    );
    expect(ledger.insert(newcomer)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'not-member' },
    });
  });
});
