// Fuzz target: the snapshot room (docs/protocol.md §14.10). Every entry of its doc is written by
// whoever holds the join secret, so what a newcomer reads there is untrusted: keys of any form,
// values of any kind, parts changed, dropped, renamed or duplicated, certificates damaged or
// moved to another number. Whatever the room holds:
// - reading it (offeredSnapshots, assembleState) and weighing it (takeOffer) never throws;
// - a newcomer takes a state only when it is byte for byte the state of the certified checkpoint
//   it is taken as (the root check stands between the room and the ledger);
// - every refusal is one short sentence naming the checkpoint number it was offered under.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeOffer } from '../../engine/fastForward.ts';
import { nodeVerify } from '../../node/platform/nodeVerify.ts';
import { bytesEqual } from '../../shared/bytes.ts';
import { encodeCertificate } from '../../shared/ledger/certificate.ts';
import {
  assembleState,
  offeredSnapshots,
  offerEntries,
} from '../../shared/replication/snapshotDoc.ts';
import { certifiedNetwork, type CertifiedNetwork } from '../helpers/certifiedLedger.ts';
import { mutate, mutationArb } from './fixtures.ts';
import { fuzz, runs, Watchdog } from './harness.ts';

const watchdog = new Watchdog();
const verify = nodeVerify();
let net: CertifiedNetwork;
/** The real entries of both checkpoints, as honest holders write them. */
const honest: Array<[string, Uint8Array]> = [];
const seen = { taken: 0, refused: 0, none: 0, intact: 0 };

beforeAll(async () => {
  watchdog.install();
  net = await certifiedNetwork();
  for (const id of [net.first, net.second]) {
    const n = net.full.checkpoint(id)!.n;
    const offer = {
      n,
      certificate: encodeCertificate(net.certificate(id)),
      state: net.states.get(id)!,
    };
    honest.push(...offerEntries(offer));
  }
});
afterAll(async () => {
  watchdog.uninstall();
  await verify.close();
});

type Change =
  | { readonly kind: 'keep' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'mutate'; readonly ms: readonly Parameters<typeof mutate>[1][] }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'rename'; readonly key: string };

const keyArb = fc.oneof(
  fc
    .tuple(fc.nat(12), fc.oneof(fc.constant('cert'), fc.nat(3).map(String)))
    .map(([n, s]) => `${n}:${s}`),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('1:cert', '2:cert', '2:0', '1:0', '01:cert', '2:00', '-1:0', '2:cert '),
);
const changeArb: fc.Arbitrary<Change> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'keep' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'drop' as const }) },
  {
    weight: 2,
    arbitrary: fc
      .array(mutationArb, { minLength: 1, maxLength: 3 })
      .map((ms) => ({ kind: 'mutate' as const, ms })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.string(), fc.integer(), fc.constant(null), fc.uint8Array({ maxLength: 64 }))
      .map((value) => ({ kind: 'value' as const, value })),
  },
  { weight: 1, arbitrary: keyArb.map((key) => ({ kind: 'rename' as const, key })) },
);

/** The room as a hostile member left it: the honest entries changed, and junk added. */
function roomOf(changes: readonly Change[], extra: ReadonlyArray<[string, Uint8Array]>) {
  const entries = new Map<string, unknown>();
  honest.forEach(([key, value], i) => {
    const change = changes[i % changes.length] ?? { kind: 'keep' };
    if (change.kind === 'keep') entries.set(key, value);
    if (change.kind === 'mutate') entries.set(key, change.ms.reduce(mutate, value));
    if (change.kind === 'value') entries.set(key, change.value);
    if (change.kind === 'rename') entries.set(change.key, value);
  });
  for (const [key, value] of extra) entries.set(key, value);
  return entries;
}

async function weigh(entries: Map<string, unknown>): Promise<void> {
  const offers = offeredSnapshots(entries);
  for (const offer of offers) assembleState(offer, Number.MAX_SAFE_INTEGER);
  const taken = await takeOffer(net.genesis, offers, verify.verifier);
  if (!taken.ledger) {
    if (offers.length === 0) seen.none++;
    else seen.refused++;
    expect(taken.refusals).toHaveLength(offers.length);
    taken.refusals.forEach((refusal, i) => {
      expect(refusal.startsWith(`checkpoint ${offers[i]!.n}: `)).toBe(true);
      expect(refusal.length).toBeLessThan(300);
    });
    return;
  }
  seen.taken++;
  // Taken only as what it is: the state of the certified checkpoint of that number.
  const id = taken.base.n === 1 ? net.first : net.second;
  expect(taken.base.certificate.checkpoint.id).toBe(id);
  expect(bytesEqual(taken.base.state, net.states.get(id)!)).toBe(true);
  expect(taken.ledger.latestCertified()?.id).toBe(id);
  if (bytesEqual(taken.base.state, net.states.get(net.second)!)) seen.intact++;
}

describe('the snapshot room, as a hostile member leaves it', () => {
  it('never throws, and a newcomer takes only a certified state, byte for byte', async () => {
    await fuzz(
      'snapshot room entries',
      fc.asyncProperty(
        fc.array(changeArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(keyArb, fc.uint8Array({ maxLength: 48 })), { maxLength: 4 }),
        (changes, extra) =>
          watchdog.run('a snapshot room', () => weigh(roomOf(changes, extra)), { boundMs: 1_000 }),
      ),
      1410,
      300,
    );
  });

  it(`ran ${runs(300)} cases, and saw what it means to`, () => {
    expect(watchdog.cases).toBe(runs(300));
    expect(seen.taken).toBeGreaterThan(runs(300) / 10);
    expect(seen.refused).toBeGreaterThan(runs(300) / 10);
    expect(seen.intact).toBeGreaterThan(0);
  });
});
