// Devices (docs/protocol.md §12): certificates, per-device spending, revocation and the vote rule
// that keeps a revocation and what it revokes from both being final.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { signMessage } from '../../shared/crypto/ed25519.ts';
import { Ledger, nextPosition } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { admitTx } from '../../shared/tx/registry.ts';
import { claimDeps, composeVote } from '../../shared/wallet/compose.ts';
import { composeDevice, deviceCertMessage } from '../../shared/wallet/devices.ts';
import { addDevice, deviceTx, revokeTx } from '../helpers/devices.ts';
import {
  finalizeAll,
  identity,
  newLedger,
  registry,
  sign,
  transfer,
  verifier,
  type TestIdentity,
} from '../helpers/network.ts';

const alice = identity('alice');
const bob = identity('bob');
const laptop = identity('alice laptop');
const phone = identity('alice phone');
const w0 = identity('w0');
const w1 = identity('w1');
const w = [w0, w1, identity('w2'), identity('w3')];

async function network(creditLimit = 0n): Promise<Ledger> {
  return newLedger({
    founder: w0,
    witnesses: w,
    allocations: [
      [alice, 1000n],
      [bob, 1000n],
    ],
    creditLimit,
  });
}

async function paired(ledger: Ledger, device: TestIdentity, allowance: bigint): Promise<void> {
  expect((await addDevice(ledger, alice, device, { allowance })).status).toBe('accepted');
  if (allowance > 0n) await transfer(ledger, alice, device, allowance);
  await finalizeAll(ledger, w);
}

describe('device certificates', () => {
  it('makes a certified key act for its identity, with the money counted once', async () => {
    const ledger = await network();
    await paired(ledger, laptop, 200n);
    expect(ledger.identityOf(laptop.key)).toBe(alice.key);
    expect(ledger.devicesOf(alice.key)).toEqual([laptop.key]);
    expect(ledger.device(laptop.key)?.allowance).toBe(200n);
    expect(ledger.identityAccount(alice.key).balance).toBe(1000n);
    expect(ledger.spendable(laptop.key)).toBe(200n);
  });

  it('pairs through a one-time key that the identity certified', async () => {
    const ledger = await network();
    const link = identity('pairing link');
    const outcome = await addDevice(ledger, alice, phone, { pairing: link });
    expect(outcome.status).toBe('accepted');
    expect(ledger.device(phone.key)?.pairing).toBe(link.key);
  });

  it('refuses a forged certificate, a wrong pairing proof and a link of another network', async () => {
    const ledger = await network();
    const other = await network(5n);
    const mallory = identity('mallory');
    // Forged: the certificate is signed by mallory, not by alice.
    const forged = signMessage(
      mallory.secret,
      deviceCertMessage(ledger.networkId, {
        account: alice.key,
        key: phone.key,
        name: 'x',
        allowance: 0n,
      }),
    );
    const composed = composeDevice(ledger, {
      device: phone.key,
      account: alice.key,
      name: 'x',
      allowance: 0n,
      cert: forged,
      time: 1,
    });
    if (!composed.ok) throw new Error(composed.rejection.message);
    const result = await admitTx(signTx(phone.secret, composed.tx), registry, verifier);
    expect(result.ok ? 'accepted' : result.rejection.code).toBe('bad-signature');
    // A certificate made for another network does not verify in this one.
    const elsewhere = await deviceTx(other, alice, phone);
    const moved = {
      ...composed.tx,
      body: {
        ...(composed.tx.body as object),
        cert: (elsewhere.body as { cert: Uint8Array }).cert,
      },
    };
    const replayed = await admitTx(signTx(phone.secret, moved), registry, verifier);
    expect(replayed.ok ? 'accepted' : replayed.rejection.code).toBe('bad-signature');
    // A pairing proof by the wrong key.
    const link = identity('link');
    const tx = await deviceTx(ledger, alice, phone, { pairing: link });
    const body = tx.body as { proof: Uint8Array };
    const badProof = {
      ...composed.tx,
      body: {
        ...(tx.body as object),
        proof: signMessage(mallory.secret, body.proof.subarray(0, 32)),
      },
    };
    const refused = await admitTx(signTx(phone.secret, badProof), registry, verifier);
    expect(refused.ok ? 'accepted' : refused.rejection.code).toBe('bad-signature');
  });

  it('refuses a device key that is already an identity, or one reused for a second identity', async () => {
    const ledger = await network();
    const asDevice = await deviceTx(ledger, alice, bob);
    expect(ledger.insert(asDevice)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'invalid-body' },
    });
    await paired(ledger, laptop, 10n);
    const cert = signMessage(
      bob.secret,
      deviceCertMessage(ledger.networkId, {
        account: bob.key,
        key: laptop.key,
        name: 'l',
        allowance: 0n,
      }),
    );
    const reuse = composeDevice(ledger, {
      device: laptop.key,
      account: bob.key,
      name: 'l',
      allowance: 0n,
      cert,
      time: 1,
    });
    expect(reuse.ok ? '' : reuse.rejection.message).toMatch(/already has transactions/u);
  });
});

describe('spending from several devices', () => {
  it('gives a device no credit line: it spends only what it holds', async () => {
    const ledger = await network(100n);
    await paired(ledger, laptop, 50n);
    await expect(transfer(ledger, laptop, bob, 51n)).rejects.toThrow(/insufficient-funds/u);
    expect((await transfer(ledger, laptop, bob, 50n)).outcome.status).toBe('accepted');
    expect(ledger.creditLineOf(laptop.key)).toBe(0n);
    expect(ledger.creditLineOf(alice.key)).toBe(100n);
  });

  it('lets the identity and two devices pay at the same moment with no freeze', async () => {
    const ledger = await network();
    await paired(ledger, laptop, 100n);
    await paired(ledger, phone, 100n);
    const pays = [
      await transfer(ledger, alice, bob, 300n),
      await transfer(ledger, laptop, bob, 100n),
      await transfer(ledger, phone, bob, 100n),
    ];
    await finalizeAll(ledger, w);
    for (const pay of pays) expect(ledger.status(pay.tx.id).state).toBe('final');
    expect(ledger.equivocations()).toEqual([]);
    expect(ledger.identityAccount(alice.key).balance).toBe(500n);
    expect(ledger.account(bob.key).balance).toBe(1500n);
    expect(ledger.audit()).toEqual({ ok: true });
  });
});

describe('revocation', () => {
  it('closes a lost device: later transactions are void, and the identity inherits its money', async () => {
    const ledger = await network();
    await paired(ledger, laptop, 100n);
    const revoke = await revokeTx(ledger, {
      account: alice,
      target: laptop.key,
      to: alice.key,
      by: alice,
      author: identity('r1'),
    });
    expect(ledger.insert(revoke).status).toBe('accepted');
    await finalizeAll(ledger, w);
    expect(ledger.status(revoke.id).state).toBe('final');
    expect(nextPosition(ledger, laptop.key)).toMatchObject({ code: 'revoked-device' });
    // The stolen laptop signs anyway: valid bytes, but void, and it moves no money.
    const head = ledger.head(laptop.key);
    const { deps } = claimDeps(ledger, laptop.key, 64, head?.id ?? null);
    const late = await sign(laptop, {
      net: ledger.networkId,
      seq: (head?.seq ?? 0) + 1,
      prev: head?.id ?? null,
      deps: [...deps],
      type: 'transfer',
      body: { to: fromHex(bob.key), amount: 40n },
      time: 1,
    });
    ledger.insert(late);
    await finalizeAll(ledger, w);
    expect(ledger.status(late.id)).toMatchObject({
      state: 'void',
      rejection: { code: 'revoked-device' },
    });
    // Bob pays the revoked laptop: the identity's chain claims it, with the laptop's 100.
    await transfer(ledger, bob, laptop, 25n);
    await finalizeAll(ledger, w);
    expect(ledger.spendable(alice.key)).toBe(1000n + 25n);
    const all = await transfer(ledger, alice, bob, 1025n);
    expect(all.outcome.status === 'rejected' ? all.outcome.rejection.message : 'ok').toBe('ok');
    expect(ledger.audit()).toEqual({ ok: true });
    expect(ledger.identityAccount(alice.key).balance).toBe(0n);
  });

  it('replaces a lost identity chain: the heir device takes its money, credit line and later payments', async () => {
    const ledger = await network(100n);
    await paired(ledger, phone, 0n);
    const revoke = await revokeTx(ledger, {
      account: alice,
      target: alice.key,
      to: phone.key,
      by: alice,
      author: identity('r2'),
    });
    expect(ledger.insert(revoke).status).toBe('accepted');
    await finalizeAll(ledger, w);
    await transfer(ledger, bob, alice, 30n);
    await finalizeAll(ledger, w);
    expect(ledger.creditLineOf(phone.key)).toBe(100n);
    expect(ledger.spendable(phone.key)).toBe(1030n);
    expect((await transfer(ledger, phone, bob, 1130n)).outcome.status).toBe('accepted');
    await finalizeAll(ledger, w);
    expect(ledger.identityAccount(alice.key).balance).toBe(-100n);
    await expect(transfer(ledger, phone, bob, 1n)).rejects.toThrow(/insufficient-funds/u);
    expect(nextPosition(ledger, alice.key)).toMatchObject({ code: 'revoked-device' });
    expect(ledger.audit()).toEqual({ ok: true });
  });

  it('lets a device revoke another device back to the identity only', async () => {
    const ledger = await network();
    await paired(ledger, laptop, 10n);
    await paired(ledger, phone, 10n);
    await expect(
      revokeTx(ledger, {
        account: alice,
        target: alice.key,
        to: phone.key,
        by: phone,
        author: identity('r3'),
      }),
    ).rejects.toThrow(/only back to the identity/u);
    const ok = await revokeTx(ledger, {
      account: alice,
      target: laptop.key,
      to: alice.key,
      by: phone,
      author: identity('r4'),
    });
    expect(ledger.insert(ok).status).toBe('accepted');
  });

  it('never finalizes both a revocation and a payment of the revoked device above its head', async () => {
    const ledger = await network();
    await paired(ledger, laptop, 100n);
    const revoke = await revokeTx(ledger, {
      account: alice,
      target: laptop.key,
      to: alice.key,
      by: alice,
      author: identity('r5'),
    });
    // At the same moment, the device pays.
    const pay = (await transfer(ledger, laptop, bob, 60n)).tx;
    ledger.insert(revoke);
    // Witness 0 saw the payment first and backs it on its chain.
    const first = composeVote(ledger, w0.key, 1);
    if (!first?.ok) throw new Error('no vote');
    const heads = (first.tx.body as { heads: Array<[Uint8Array, number, Uint8Array]> }).heads;
    const backsRevocation = heads.some(([author]) =>
      ledger
        .revocationsOf(laptop.key)
        .some((r) => r.author === Buffer.from(author).toString('hex')),
    );
    // Free to choose, an honest witness backs the revocation, not the payment above its head.
    expect(backsRevocation).toBe(true);
    expect(
      heads.some(([author, seq]) => Buffer.from(author).toString('hex') === laptop.key && seq > 1),
    ).toBe(false);
    // A vote that names both is refused by every peer.
    const both = await sign(w1, {
      net: ledger.networkId,
      seq: (ledger.head(w1.key)?.seq ?? -1) + 1,
      prev: ledger.head(w1.key)?.id ?? null,
      deps: [revoke.id, pay.id].sort(),
      type: 'vote',
      body: {
        heads: [
          [fromHex(revoke.author), 0, fromHex(revoke.id)],
          [fromHex(laptop.key), pay.seq, fromHex(pay.id)],
        ].sort((a, b) =>
          Buffer.compare(Buffer.from(a[0] as Uint8Array), Buffer.from(b[0] as Uint8Array)),
        ),
      },
      time: 1,
    });
    expect(ledger.insert(both)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'conflicting-vote' },
    });
    await finalizeAll(ledger, w);
    expect(ledger.isFinal(revoke.id)).toBe(true);
    expect(ledger.isFinal(pay.id)).toBe(false);
    expect(ledger.status(pay.id).state).toBe('void');
    expect(ledger.audit()).toEqual({ ok: true });
  });

  it('keeps two revocations of one device at one head from both being final', async () => {
    const ledger = await network();
    await paired(ledger, laptop, 100n);
    const a = await revokeTx(ledger, {
      account: alice,
      target: laptop.key,
      to: alice.key,
      by: alice,
      author: identity('ra'),
    });
    const b = await revokeTx(ledger, {
      account: alice,
      target: laptop.key,
      to: alice.key,
      by: alice,
      author: identity('rb'),
    });
    ledger.insert(a);
    ledger.insert(b);
    await finalizeAll(ledger, w);
    expect([ledger.isFinal(a.id), ledger.isFinal(b.id)].filter(Boolean)).toHaveLength(1);
    // The heir inherits once.
    expect(ledger.spendable(alice.key)).toBe(900n + 100n);
  });

  it('gives the same state whatever the arrival order', async () => {
    const ledger = await network(50n);
    await paired(ledger, laptop, 100n);
    await transfer(ledger, laptop, bob, 40n);
    const revoke = await revokeTx(ledger, {
      account: alice,
      target: alice.key,
      to: laptop.key,
      by: alice,
      author: identity('r6'),
    });
    ledger.insert(revoke);
    await finalizeAll(ledger, w);
    await transfer(ledger, bob, alice, 70n);
    await finalizeAll(ledger, w);
    await transfer(ledger, laptop, bob, 1000n);
    await finalizeAll(ledger, w);
    const txs = ledger
      .validIds()
      .map((id) => ledger.get(id))
      .filter((tx): tx is VerifiedTx => tx !== undefined && tx.type !== 'genesis');
    // Seeded shuffles: every order must give the same root, waiting parents and all.
    fc.assert(
      fc.property(fc.shuffledSubarray(txs, { minLength: txs.length }), (order) => {
        const copy = Ledger.fromGenesis(ledger.genesis, registry);
        if (!copy.ok) throw new Error(copy.rejection.message);
        for (const tx of order) copy.ledger.insert(tx);
        expect(copy.ledger.stateRoot()).toBe(ledger.stateRoot());
      }),
      { seed: 0x6770_0d02, numRuns: 20 },
    );
    expect(ledger.audit()).toEqual({ ok: true });
  });
});
