// Starting from a certified checkpoint (shared/ledger/certificate.ts, fastForward.ts; docs/
// protocol.md §14.9): a peer with no history takes the latest certified state and then the rest
// of the history, and decides as a full peer does. Each hostile case of issue 17 is refused with
// a sentence: fewer than a quorum, a state that is not the stated one, another network, an older
// snapshot than the one held (a roll back), a cut contradicting what the peer holds as final, a
// broken chain; and damaged certificate bytes never throw.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../../shared/bytes.ts';
import type { TxId } from '../../shared/ids.ts';
import {
  decodeCertificate,
  encodeCertificate,
  certificateOf,
} from '../../shared/ledger/certificate.ts';
import { fromCertified } from '../../shared/ledger/fastForward.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { GenesisBody } from '../../shared/tx/genesis.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { mutate, mutationArb } from '../fuzz/fixtures.ts';
import { genesisOf, rawTransfer, registry, sign, transfer, verifier } from '../helpers/network.ts';
import {
  alice,
  bob,
  certifiedNetwork,
  witnesses,
  type CertifiedNetwork,
} from '../helpers/certifiedLedger.ts';

const MAX = 1 << 24;

let genesis: VerifiedTx<GenesisBody>;
let full: Ledger;
let states: ReadonlyMap<TxId, Uint8Array>;
let first: TxId;
let second: TxId;
let fresh: CertifiedNetwork['fresh'];
let settle: CertifiedNetwork['settle'];
let certificate: CertifiedNetwork['certificate'];

beforeAll(async () => {
  ({ genesis, full, states, first, second, fresh, settle, certificate } = await certifiedNetwork());
});

describe('starting from a certified checkpoint', () => {
  it('decides as a full peer once the rest of the history arrives, in any order', async () => {
    const bytes = encodeCertificate(certificate(second));
    const decoded = await decodeCertificate(bytes, registry, verifier);
    if (!decoded.ok) throw new Error(decoded.error);
    const started = fromCertified(genesis, registry, decoded.value, states.get(second)!, {
      maxBytes: MAX,
    });
    if (!started.ok) throw new Error(started.error);
    expect(started.n).toBe(2);
    const ledger = started.ledger;
    expect(ledger.latestCertified()?.id).toBe(second);
    // The whole history, newest first: what the state covers is neither stored nor counted.
    const history = full.validIds().map((id) => full.get(id) as VerifiedTx);
    for (const tx of [...history].reverse()) ledger.insert(tx);
    expect(ledger.counts().waiting).toBe(0);
    for (const who of [alice, bob, ...witnesses])
      expect(ledger.account(who.key)).toEqual(full.account(who.key));
    expect(ledger.audit()).toEqual({ ok: true });
    expect(ledger.validIds().length).toBeLessThan(full.validIds().length);
    // It goes on like any peer: a payment composed on it is valid on the full ledger.
    const { tx } = await transfer(ledger, alice, bob, 5n);
    expect(full.insert(tx).status).toBe('accepted');
  });

  it('takes votes that name a later transaction of the proposer, with the chain to it', () => {
    const c = certificateOf(full, first);
    if (!c) throw new Error('not certified');
    expect(c.chain.length).toBeGreaterThan(0);
    const decoded = fromCertified(genesis, registry, c, states.get(first)!, { maxBytes: MAX });
    expect(decoded).toMatchObject({ ok: true, n: 1 });
  });

  it('refuses a certificate with fewer than a quorum of witnesses', () => {
    const c = certificate(second);
    const short = { ...c, votes: c.votes.slice(0, 2) };
    expect(fromCertified(genesis, registry, short, states.get(second)!, { maxBytes: MAX })).toEqual(
      {
        ok: false,
        error: 'the checkpoint is certified by 2 witnesses, and 3 are needed',
      },
    );
    // Three votes of one witness are one witness.
    const same = { ...c, votes: [c.votes[0]!, c.votes[0]!, c.votes[0]!] };
    expect(
      fromCertified(genesis, registry, same, states.get(second)!, { maxBytes: MAX }),
    ).toMatchObject({
      ok: false,
      error: 'the checkpoint is certified by 1 witness, and 3 are needed',
    });
  });

  it('refuses a state whose root is not the stated one', () => {
    const damaged = Uint8Array.from(states.get(second)!);
    damaged[damaged.length >> 1]! ^= 1;
    expect(
      fromCertified(genesis, registry, certificate(second), damaged, { maxBytes: MAX }),
    ).toEqual({
      ok: false,
      error:
        'the state offered for checkpoint 2 is not the one it states (its root or size differs)',
    });
    // The state of the other checkpoint is no better.
    expect(
      fromCertified(genesis, registry, certificate(second), states.get(first)!, { maxBytes: MAX }),
    ).toMatchObject({ ok: false });
  });

  it('refuses a checkpoint of another network', async () => {
    const other = (await genesisOf({
      witnesses,
      allocations: [[alice, 5n]],
    })) as VerifiedTx<GenesisBody>;
    expect(
      fromCertified(other, registry, certificate(second), states.get(second)!, { maxBytes: MAX }),
    ).toEqual({ ok: false, error: 'the checkpoint belongs to another network' });
  });

  it('refuses an older snapshot than the one the peer has', () => {
    expect(
      fromCertified(genesis, registry, certificate(first), states.get(first)!, {
        maxBytes: MAX,
        newerThan: 2,
      }),
    ).toEqual({
      ok: false,
      error:
        'this snapshot (checkpoint 1) is not newer than the one this peer has (checkpoint 2): an older snapshot cannot roll it back',
    });
    expect(
      fromCertified(genesis, registry, certificate(first), states.get(first)!, {
        maxBytes: MAX,
        newerThan: 0,
      }).ok,
    ).toBe(true);
  });

  it('refuses a cut that contradicts what the peer holds as final', async () => {
    // A peer whose witnesses (more than f of them lying) made final another payment of alice's
    // at the place the state keeps: the snapshot and what it holds cannot both be right.
    const c = certificate(first);
    const restored = fromCertified(genesis, registry, c, states.get(first)!, { maxBytes: MAX });
    if (!restored.ok) throw new Error(restored.error);
    const kept = restored.ledger
      .validIds()
      .map((id) => restored.ledger.get(id)!)
      .find((tx) => tx.author === alice.key && tx.type === 'transfer');
    if (!kept) throw new Error('no payment of alice kept');
    const held = fresh();
    for (const id of full.validIds()) {
      const tx = full.get(id)!;
      if (tx.author === alice.key && tx.seq >= kept.seq) break;
      held.insert(tx as VerifiedTx);
    }
    const rival = await sign(
      alice,
      rawTransfer(held, { seq: kept.seq, prev: kept.prev }, bob, 999n),
    );
    expect(held.insert(rival).status).toBe('accepted');
    await settle(held);
    expect(held.isFinal(rival.id)).toBe(true);
    expect(
      fromCertified(genesis, registry, c, states.get(first)!, { maxBytes: MAX, holds: held }),
    ).toEqual({
      ok: false,
      error: `the snapshot contradicts transaction ${rival.id.slice(0, 12)}, which this peer holds as final: it is refused`,
    });
  });

  it('refuses a chain that does not follow the checkpoint', () => {
    const c = certificate(second);
    // The first votes name the checkpoint itself: no chain is needed. One that is not the
    // proposer's next transaction is refused.
    expect(c.chain).toEqual([]);
    const next = full.idsAt(c.checkpoint.author, c.checkpoint.seq + 2)[0];
    const broken = { ...c, chain: [full.get(next!) as VerifiedTx] };
    expect(
      fromCertified(genesis, registry, broken, states.get(second)!, { maxBytes: MAX }),
    ).toEqual({
      ok: false,
      error: "the certificate's chain does not follow the checkpoint",
    });
  });

  it('reads damaged certificate bytes without throwing, and never takes them for others', async () => {
    const bytes = encodeCertificate(certificate(second));
    const garbage = await decodeCertificate(Uint8Array.of(1, 2, 3), registry, verifier);
    expect(!garbage.ok && garbage.error).toMatch(/^this is not a checkpoint certificate/);
    await fc.assert(
      fc.asyncProperty(mutationArb, async (m) => {
        const mutated = mutate(bytes, m);
        const decoded = await decodeCertificate(mutated, registry, verifier);
        if (decoded.ok) expect(bytesEqual(encodeCertificate(decoded.value), mutated)).toBe(true);
        else expect(decoded.error.length).toBeLessThan(400);
      }),
      { seed: 0x6666, numRuns: 200 },
    );
  });
});
