// SSK on the ledger: the ssk transaction, which key is current (deterministically, under
// concurrent resets), who can open what, and the private channel over two replicated docs.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { fromHex } from '../../shared/bytes.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { ClockPort } from '../../shared/ports.ts';
import { PrivateChannel, type ChannelEvent, CHANNEL_ARRAY } from '../../shared/ssk/channel.ts';
import { SskDirectory } from '../../shared/ssk/directory.ts';
import { openField, sealField } from '../../shared/ssk/field.ts';
import { SskKeyring } from '../../shared/ssk/keyring.ts';
import { composeSskRevoke, composeSskShare } from '../../shared/ssk/share.ts';
import { sealMessage } from '../../shared/ssk/message.ts';
import { encodeCanonical } from '../../shared/codec/cbor.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { identity, newLedger, sign, type TestIdentity } from '../helpers/network.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';

const alice = identity('ssk-alice');
const bob = identity('ssk-bob');
const carol = identity('ssk-carol');
const w = identity('ssk-witness');
const clock: ClockPort = { now: () => 1_700_000_000_000 };

async function world() {
  return newLedger({ founder: w, witnesses: [w], allocations: [] });
}

async function share(
  ledger: Ledger,
  from: TestIdentity,
  to: TestIdentity,
  seed: string,
  expires?: number,
): Promise<VerifiedTx> {
  const directory = new SskDirectory(ledger);
  const composed = composeSskShare(
    ledger,
    directory,
    {
      from: from.key,
      to: to.key,
      purpose: 'messages',
      time: 1,
      ...(expires !== undefined ? { expires } : {}),
    },
    deterministicRandom(seed),
  );
  if (!composed.ok) throw new Error(composed.rejection.message);
  const tx = await sign(from, composed.tx);
  expect(ledger.insert(tx).status).toBe('accepted');
  return tx;
}

const keyringOf = (ledger: Ledger, who: TestIdentity) =>
  new SskKeyring(new SskDirectory(ledger), ledger.networkId, who.key, who.secret, clock);

describe('the ssk transaction', () => {
  it('shares a key that the recipient and the sender can open, and nobody else', async () => {
    const ledger = await world();
    await share(ledger, alice, bob, 'one');
    const a = keyringOf(ledger, alice).current(bob.key);
    const b = keyringOf(ledger, bob).current(alice.key);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(b.ssk.key).toEqual(a.ssk.key);
    expect(b.ssk.meta).toMatchObject({ epoch: 1, alg: 1, purpose: 'messages' });
    // Carol sees the transaction but cannot open it.
    const directory = new SskDirectory(ledger);
    const theShare = directory.current(alice.key, bob.key)!;
    expect(keyringOf(ledger, carol).open(theShare)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/two other identities/) as string,
    });
    expect(keyringOf(ledger, carol).current(alice.key)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/no key/) as string,
    });
  });

  it('refuses a share with oneself, with a key that cannot receive, or with empty boxes', async () => {
    const ledger = await world();
    const base = { net: ledger.networkId, seq: 0, prev: null, deps: [], type: 'ssk', time: 1 };
    const box = new Uint8Array(100);
    const cases: Array<[Uint8Array, Uint8Array, RegExp]> = [
      [fromHex(alice.key), box, /someone else/],
      [fromHex('01' + '00'.repeat(31)), box, /cannot receive|receive/], // a small-order point
      [fromHex('ff'.repeat(32)), box, /receive/], // not canonical
      [fromHex(bob.key), new Uint8Array(10), /too short/],
    ];
    for (const [to, b, reason] of cases) {
      const tx = await sign(alice, {
        ...base,
        body: { action: 'share', to, epoch: 1, box: b, self: b },
      });
      const outcome = ledger.insert(tx);
      expect(outcome.status).toBe('rejected');
      if (outcome.status === 'rejected') expect(outcome.rejection.message).toMatch(reason);
    }
  });
});

describe('which key is current', () => {
  it('advances the epoch on a reset, keeps old epochs openable, and honours a revoke', async () => {
    const ledger = await world();
    await share(ledger, alice, bob, 'first');
    const first = keyringOf(ledger, bob).current(alice.key);
    await share(ledger, bob, alice, 'second'); // either side may reset
    const directory = new SskDirectory(ledger);
    expect(directory.current(alice.key, bob.key)?.epoch).toBe(2);
    expect(directory.nextEpoch(alice.key, bob.key)).toBe(3);
    const ring = keyringOf(ledger, alice);
    const second = ring.current(bob.key);
    expect(first.ok && second.ok && first.ssk.key).not.toEqual(second.ok && second.ssk.key);
    expect(ring.keysAt(bob.key, 1)[0]?.key).toEqual(first.ok ? first.ssk.key : undefined);
    // Revoke epoch 2: it is not used for new messages, and the next share is epoch 3.
    const revoke = composeSskRevoke(ledger, directory, alice.key, bob.key, 1);
    if (!revoke.ok) throw new Error(revoke.rejection.message);
    ledger.insert(await sign(alice, revoke.tx));
    const after = new SskDirectory(ledger);
    expect(after.isRevoked(alice.key, bob.key, 2)).toBe(true);
    expect(after.current(alice.key, bob.key)?.epoch).toBe(1);
    expect(after.nextEpoch(alice.key, bob.key)).toBe(3);
  });

  it('resolves concurrent resets the same way on every peer, whatever the arrival order', async () => {
    const origin = await world();
    await share(origin, alice, bob, 'base');
    // Alice and Bob both reset at epoch 2, each without seeing the other.
    const fromAlice = composeSskShare(
      origin,
      new SskDirectory(origin),
      { from: alice.key, to: bob.key, purpose: 'x', time: 2 },
      deterministicRandom('a2'),
    );
    const fromBob = composeSskShare(
      origin,
      new SskDirectory(origin),
      { from: bob.key, to: alice.key, purpose: 'x', time: 2 },
      deterministicRandom('b2'),
    );
    if (!fromAlice.ok || !fromBob.ok) throw new Error('compose');
    expect(fromAlice.epoch).toBe(2);
    expect(fromBob.epoch).toBe(2);
    const ta = await sign(alice, fromAlice.tx);
    const tb = await sign(bob, fromBob.tx);
    const seen = [origin.validIds().map((id) => origin.get(id)!)] as const;
    const one = await world();
    const two = await world();
    for (const tx of seen[0])
      if (tx.type !== 'genesis') {
        one.insert(tx as VerifiedTx);
        two.insert(tx as VerifiedTx);
      }
    one.insert(ta);
    one.insert(tb);
    two.insert(tb);
    two.insert(ta);
    const winner = [ta.id, tb.id].sort().at(-1);
    expect(new SskDirectory(one).current(alice.key, bob.key)?.id).toBe(winner);
    expect(new SskDirectory(two).current(alice.key, bob.key)?.id).toBe(winner);
    // Both keys of epoch 2 stay available for opening.
    expect(keyringOf(one, alice).keysAt(bob.key, 2)).toHaveLength(2);
  });

  it('refuses an expired key for new traffic', async () => {
    const ledger = await world();
    await share(ledger, alice, bob, 'exp', clock.now() - 1);
    expect(keyringOf(ledger, alice).current(bob.key)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/expired/) as string,
    });
  });
});

describe('sealed fields on the ledger', () => {
  it('seal a memo that only the pair can open, after a reset too', async () => {
    const ledger = await world();
    await share(ledger, alice, bob, 'memo');
    const a = keyringOf(ledger, alice).current(bob.key);
    if (!a.ok) throw new Error(a.error);
    const ctx = {
      network: fromHex(ledger.networkId),
      sender: fromHex(alice.key),
      recipient: fromHex(bob.key),
      epoch: 1,
      label: 'memo',
    };
    const sealed = sealField(
      a.ssk.key,
      ctx,
      new TextEncoder().encode('rent for May'),
      deterministicRandom('f'),
    );
    await share(ledger, alice, bob, 'memo-reset');
    const [old] = keyringOf(ledger, bob).keysAt(alice.key, 1);
    const opened = openField(old!.key, ctx, sealed);
    expect(opened.ok && new TextDecoder().decode(opened.plaintext)).toBe('rent for May');
    // Carol, holding some other key, cannot.
    expect(openField(new Uint8Array(32).fill(7), ctx, sealed).ok).toBe(false);
  });
});

describe('the private channel', () => {
  async function pair() {
    const ledger = await world();
    await share(ledger, alice, bob, 'channel');
    const docs = [new Y.Doc(), new Y.Doc()] as const;
    // Replicate both ways, as y-webrtc would.
    docs[0].on(
      'update',
      (u: Uint8Array, origin: unknown) =>
        origin !== 'remote' && Y.applyUpdate(docs[1], u, 'remote'),
    );
    docs[1].on(
      'update',
      (u: Uint8Array, origin: unknown) =>
        origin !== 'remote' && Y.applyUpdate(docs[0], u, 'remote'),
    );
    const events: [ChannelEvent[], ChannelEvent[]] = [[], []];
    const make = (
      doc: Y.Doc,
      me: TestIdentity,
      other: TestIdentity,
      sink: ChannelEvent[],
      seed: string,
    ) =>
      new PrivateChannel({
        doc,
        me: me.key,
        other: other.key,
        keyring: keyringOf(ledger, me),
        random: deterministicRandom(seed),
        clock,
        onEvent: (e) => sink.push(e),
      });
    const a = make(docs[0], alice, bob, events[0], 'ca');
    const b = make(docs[1], bob, alice, events[1], 'cb');
    return { ledger, docs, a, b, events };
  }

  it('carries chat both ways', async () => {
    const { a, b } = await pair();
    a.sendText('hello Bob');
    b.sendText('hi Alice ✓');
    expect(b.texts.map((t) => [t.from, t.text])).toEqual([
      [alice.key, 'hello Bob'],
      [bob.key, 'hi Alice ✓'],
    ]);
    expect(a.texts.map((t) => t.text)).toEqual(['hello Bob', 'hi Alice ✓']);
  });

  it('transfers a file in chunks with progress, checked against its hash', async () => {
    const { a, b, events } = await pair();
    const file = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
    const progress: number[] = [];
    const id = a.sendFile('photo.jpg', file, (sent) => progress.push(sent));
    expect(progress.at(-1)).toBe(Math.ceil(file.length / (32 * 1024)));
    const received = b.files.get(id);
    expect(received?.complete).toBe(true);
    expect(events[1].some((e) => e.type === 'file-progress')).toBe(true);
    const done = events[1].find((e) => e.type === 'file-complete');
    expect(done && done.type === 'file-complete' && done.bytes).toEqual(file);
  });

  it('refuses entries a third party injects, and replays', async () => {
    const { docs, b, events, ledger } = await pair();
    // Carol writes into the doc with a key of her own.
    const forged = sealMessage(
      new Uint8Array(32).fill(3),
      { sender: fromHex(alice.key), recipient: fromHex(bob.key), epoch: 1, label: 'chat' },
      1,
      new TextEncoder().encode('fake'),
      deterministicRandom('x'),
    );
    docs[0]
      .getArray(CHANNEL_ARRAY)
      .push([encodeCanonical({ from: fromHex(alice.key), msg: forged })]);
    expect(events[1].at(-1)).toMatchObject({
      type: 'refused',
      reason: expect.stringMatching(/does not open/) as string,
    });
    docs[0]
      .getArray(CHANNEL_ARRAY)
      .push([encodeCanonical({ from: fromHex(carol.key), msg: forged })]);
    expect(events[1].at(-1)).toMatchObject({
      type: 'refused',
      reason: expect.stringMatching(/third sender/) as string,
    });
    docs[0].getArray(CHANNEL_ARRAY).push(['plain text']);
    expect(events[1].at(-1)).toMatchObject({ type: 'refused' });
    // A genuine message copied in again is dropped as a replay.
    const a = new PrivateChannel({
      doc: docs[0],
      me: alice.key,
      other: bob.key,
      keyring: keyringOf(ledger, alice),
      random: deterministicRandom('r'),
      clock,
    });
    a.sendText('once');
    const last = docs[0].getArray<Uint8Array>(CHANNEL_ARRAY).toArray().at(-1)!;
    docs[0].getArray(CHANNEL_ARRAY).push([last]);
    expect(b.texts.filter((t) => t.text === 'once')).toHaveLength(1);
    expect(events[1].at(-1)).toMatchObject({
      type: 'refused',
      reason: expect.stringMatching(/replayed/) as string,
    });
  });

  it('keeps communicating across a reset, and still reads older messages', async () => {
    const { ledger, a, b, docs } = await pair();
    a.sendText('epoch one');
    await share(ledger, alice, bob, 'reset');
    // Fresh views pick up the reset.
    const a2 = new PrivateChannel({
      doc: docs[0],
      me: alice.key,
      other: bob.key,
      keyring: keyringOf(ledger, alice),
      random: deterministicRandom('a2'),
      clock,
    });
    a2.sendText('epoch two');
    const b2 = new PrivateChannel({
      doc: docs[1],
      me: bob.key,
      other: alice.key,
      keyring: keyringOf(ledger, bob),
      random: deterministicRandom('b2'),
      clock,
    });
    expect(b2.texts.map((t) => [t.text, t.epoch])).toEqual([
      ['epoch one', 1],
      ['epoch two', 2],
    ]);
    expect(b.texts.map((t) => t.text)).toContain('epoch one');
  });
});
