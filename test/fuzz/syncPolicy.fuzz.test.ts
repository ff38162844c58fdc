// Fuzz target: the sync policy (shared/replication/syncPolicy.ts), which reads what a connected
// room member sends (its ask, with any state vector it likes; its updates; anything at all)
// before y-protocols does. Whatever a link sends, the policy never throws, never makes us
// withhold from an honest link what it lacks, and a link that lies about what it holds changes
// only what is sent to that link.
import fc from 'fast-check';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MAX_KEPT_CLIENTS, SyncPolicy } from '../../shared/replication/syncPolicy.ts';
import { fuzz, Watchdog } from './harness.ts';

const watchdog = new Watchdog();
beforeAll(() => watchdog.install());
afterAll(() => watchdog.uninstall());

const noTimers = { after: () => () => undefined };
/** Every update cut, however small: the fuzz covers the cutting. */
const options = { after: noTimers.after, liveBytes: 0 };

/** A sync message of `kind` carrying `payload`, as the policy receives it. */
function syncMessage(kind: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, kind);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

/** A state vector of any clients and clocks, including Yjs's extremes. */
const vectorArb = fc.array(
  fc.tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.oneof(fc.nat({ max: 50 }), fc.nat())),
  { maxLength: 20 },
);

/** What a hostile link may send: asks with any vector, updates of garbage, garbage. */
const messageArb = fc.oneof(
  vectorArb.map((entries) => syncMessage(0, Y.encodeStateVector(new Map(entries)))),
  fc
    .tuple(fc.constantFrom(0, 1, 2, 3, 99), fc.uint8Array({ maxLength: 64 }))
    .map(([k, p]) => syncMessage(k, p)),
  fc.uint8Array({ maxLength: 64 }),
);

/** The update a piece of an answer carries (a sync message: its kind, then the update). */
function pieceUpdate(piece: Uint8Array): Uint8Array {
  const decoder = decoding.createDecoder(piece);
  decoding.readVarUint(decoder);
  return decoding.readVarUint8Array(decoder);
}

function filled(count: number): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (let i = 0; i < count; i++) doc.getMap('txs').set(`tx-${i}`, new Uint8Array([i]));
  });
  return doc;
}

describe('fuzz: the sync policy', () => {
  it('never throws, and an honest link still gets what it lacks', async () => {
    await fuzz(
      'syncPolicy',
      fc.asyncProperty(
        fc.array(messageArb, { maxLength: 12 }),
        fc.nat({ max: 30 }),
        (messages, n) =>
          watchdog.run('sync policy messages', () => {
            const policy = new SyncPolicy(options);
            const [hostile, honest] = [{}, {}];
            policy.connected(hostile, () => undefined);
            policy.connected(honest, () => undefined);
            const honestDoc = new Y.Doc();
            policy.received(honest, syncMessage(0, Y.encodeStateVector(honestDoc)));
            const mine = filled(n);
            for (const m of messages) {
              policy.received(hostile, m);
              // An ask is answered in pieces Yjs can apply; anything else is left to y-protocols.
              for (const piece of policy.answer(hostile, mine, m) ?? [])
                Y.applyUpdate(new Y.Doc(), pieceUpdate(piece));
            }
            const update = Y.encodeStateAsUpdate(mine);
            // To the hostile link: anything, or nothing; it must be an update Yjs can apply.
            const toHostile = policy.outgoing(hostile, update);
            if (toHostile) Y.applyUpdate(new Y.Doc(), toHostile);
            // To the honest link: exactly what it lacks.
            const toHonest = policy.outgoing(honest, update);
            if (toHonest) Y.applyUpdate(honestDoc, toHonest);
            expect(honestDoc.getMap('txs').size).toBe(n);
          }),
      ),
      1701,
      10_000,
    );
  });

  it('keeps no state vector larger than its bound', () => {
    const policy = new SyncPolicy(options);
    const link = {};
    policy.connected(link, () => undefined);
    const huge = new Map<number, number>();
    for (let c = 0; c <= MAX_KEPT_CLIENTS; c++) huge.set(c + 1, 1_000_000);
    policy.received(link, syncMessage(0, Y.encodeStateVector(huge)));
    // Not kept: the link counts as unknown, and is sent everything.
    const update = Y.encodeStateAsUpdate(filled(3));
    expect(policy.outgoing(link, update)).toBe(update);
  });
});
