// The certified states a pruning peer that is no witness needs (engine/certifiedStates.ts,
// docs/protocol.md §14.12): taken from the snapshot room when a holder offers one that checks
// out, for a checkpoint the peer holds certified, instead of computing it from the whole
// history; computed as before when nobody offers it or the offer is refused (in a sentence).
// What is computed is counted through the real checkpointState, wrapped.
import type * as CutState from '../../shared/ledger/cutState.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CertifiedStates, type CertifiedStatesHost } from '../../engine/certifiedStates.ts';
import { keySigner } from '../../engine/keySigner.ts';
import { nodeClock, nodeTimers } from '../../node/platform/nodeTimers.ts';
import { nodeVerify } from '../../node/platform/nodeVerify.ts';
import type { TxId } from '../../shared/ids.ts';
import { encodeCertificate } from '../../shared/ledger/certificate.ts';
import {
  offerEntries,
  offeredSnapshots,
  type OfferedSnapshot,
} from '../../shared/replication/snapshotDoc.ts';
import { MemoryLogStore } from '../../shared/storage/memoryStore.ts';
import { certifiedNetwork, witnesses, type CertifiedNetwork } from '../helpers/certifiedLedger.ts';

const computed = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../shared/ledger/cutState.ts', async (importOriginal) => {
  const real = await importOriginal<typeof CutState>();
  return {
    ...real,
    checkpointState: (...args: Parameters<typeof real.checkpointState>) => {
      computed.count++;
      return real.checkpointState(...args);
    },
  };
});

const verify = nodeVerify();
afterAll(() => verify.close());
let net: CertifiedNetwork;
beforeAll(async () => {
  net = await certifiedNetwork();
});

/** What the room offers when a holder wrote checkpoint `id`, its first part damaged or not. */
function room(id: TxId, damaged = false): OfferedSnapshot[] {
  const offer = {
    n: net.full.checkpoint(id)!.n,
    certificate: encodeCertificate(net.certificate(id)),
    state: Uint8Array.from(net.states.get(id)!),
  };
  if (damaged) offer.state[7] = (offer.state[7]! + 1) % 256;
  return offeredSnapshots(offerEntries(offer));
}

/**
 * A CertifiedStates over the whole history, whose room answers each look with the next of
 * `looks` (the last one again after that); resolves with what it said once it knew a state.
 */
async function run(looks: OfferedSnapshot[][], signer = false) {
  computed.count = 0;
  const said: string[] = [];
  const certified: Array<{ id: TxId; state: Uint8Array }> = [];
  let asked = 0;
  const host: CertifiedStatesHost = {
    ports: {
      clock: nodeClock,
      timers: nodeTimers,
      store: new MemoryLogStore(),
      verify,
      signer: signer ? keySigner(witnesses[0]!.secret, 'self') : null,
    },
    votes: true,
    ledger: () => net.full,
    offers: () => Promise.resolve(looks[Math.min(asked++, looks.length - 1)]!),
    // Two looks, 100 ms apart, before the state is computed (three, 10 s apart, in a peer).
    looks: { count: 2, everyMs: 100 },
    base: () => null,
    onCertified: (id, state) => certified.push({ id, state }),
    warn: (message) => said.push(message),
  };
  const states = new CertifiedStates(host);
  states.start();
  try {
    const deadline = Date.now() + (signer ? 2_500 : 10_000);
    while (certified.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    states.close();
  }
  return { said, certified, asked, computed: computed.count };
}

describe('the certified states of a pruning peer that is no witness', () => {
  it('takes the latest certified state from the snapshot room instead of computing it', async () => {
    const { certified, computed: count, said } = await run([room(net.second)]);
    expect(certified).toEqual([{ id: net.second, state: net.states.get(net.second) }]);
    expect(count).toBe(0);
    expect(said).toEqual([]);
  });

  it('looks again when the first look finds no offer (a witness offers once it sees it certified)', async () => {
    const { certified, computed: count, asked } = await run([[], room(net.second)]);
    expect(asked).toBe(2);
    expect(certified).toEqual([{ id: net.second, state: net.states.get(net.second) }]);
    expect(count).toBe(0);
  });

  it('computes it from its history when nobody offers it', async () => {
    const { certified, computed: count, asked } = await run([[]]);
    expect(asked).toBe(2);
    expect(certified).toEqual([{ id: net.second, state: net.states.get(net.second) }]);
    // Checkpoint 1's state, then 2's built on it.
    expect(count).toBe(2);
  });

  it('refuses an offer that does not check out, in a sentence, and computes the state', async () => {
    const { certified, computed: count, said, asked } = await run([room(net.second, true)]);
    // Said once, when it gives up looking.
    expect(asked).toBe(2);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      /^No state offered in the snapshot room could be used \(checkpoint 2: .+\): this peer computes the state of checkpoint 2 from its history\.$/,
    );
    expect(certified).toEqual([{ id: net.second, state: net.states.get(net.second) }]);
    expect(count).toBe(2);
  });

  it('builds a later checkpoint on an earlier one taken from the room', async () => {
    const { certified, computed: count } = await run([room(net.first)]);
    expect(certified).toEqual([{ id: net.second, state: net.states.get(net.second) }]);
    // Only checkpoint 2's state, on the one taken: not the history before checkpoint 1.
    expect(count).toBe(1);
  });

  it('leaves a witness to its witness duty: it neither looks nor computes', async () => {
    const { certified, computed: count, asked } = await run([room(net.second)], true);
    expect({ certified, count, asked }).toEqual({ certified: [], count: 0, asked: 0 });
  });
});
