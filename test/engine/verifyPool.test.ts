// The worker-thread signature pool gives exactly the verdicts one-by-one checks give, for large
// batches (on the workers) and small ones (inline), including bad signatures and bad keys.
import { afterAll, describe, expect, it } from 'vitest';
import { signMessage, publicKeyOf, createVerifier } from '../../shared/crypto/ed25519.ts';
import {
  INLINE_LIMIT,
  packSignatures,
  packTransactions,
  signedItemsOf,
  VerifyPool,
  type SignedItem,
} from '../../engine/verifyPool.ts';
import { decodeTx } from '../../shared/tx/registry.ts';
import { buildLargeLedger } from '../helpers/largeLedger.ts';
import { registry } from '../helpers/network.ts';
import { nodeBackend } from '../../node/crypto/nodeEd25519.ts';
import { nodeVerifyThread } from '../../node/platform/nodeVerify.ts';

const verifier = createVerifier(nodeBackend);
const pool = new VerifyPool(verifier, nodeVerifyThread, 2);
afterAll(() => pool.close());

function items(count: number): { items: SignedItem[]; expected: boolean[] } {
  const secret = new Uint8Array(32).fill(7);
  const authorKey = publicKeyOf(secret);
  const out: SignedItem[] = [];
  const expected: boolean[] = [];
  for (let i = 0; i < count; i++) {
    const signedMessage = new TextEncoder().encode(`message ${i}`);
    const signature = signMessage(secret, signedMessage);
    const kind = i % 7;
    if (kind === 3) signature[5] = (signature[5] as number) ^ 1; // tampered
    const key = kind === 5 ? new Uint8Array(32).fill(0xff) : authorKey; // not a valid point
    out.push({ signature, signedMessage, authorKey: key });
    expected.push(kind !== 3 && kind !== 5);
  }
  return { items: out, expected };
}

describe('packTransactions', () => {
  it('packs exactly what building each signed message would', async () => {
    const { txs } = await buildLargeLedger(300, 7);
    const decoded = txs.map((bytes) => {
      const d = decodeTx(bytes, registry);
      if (!d.ok) throw new Error(d.rejection.message);
      return d.tx;
    });
    expect(packTransactions(decoded)).toEqual(packSignatures(signedItemsOf(decoded)));
  });
});

describe('VerifyPool', () => {
  it('matches one-by-one verification on a large batch spread over workers', async () => {
    const { items: batch, expected } = items(INLINE_LIMIT * 3 + 11);
    expect(await pool.verifyAll(batch)).toEqual(expected);
  });

  it('checks a small batch inline, and an empty one', async () => {
    const { items: batch, expected } = items(20);
    expect(await pool.verifyAll(batch)).toEqual(expected);
    expect(await pool.verifyAll([])).toEqual([]);
  });

  it('refuses work once closed', async () => {
    const closed = new VerifyPool(verifier, nodeVerifyThread, 1);
    await closed.close();
    await expect(closed.verifyAll(items(1).items)).rejects.toThrow(/closed/);
  });

  it('checks a large batch on this thread, a slice at a time, where there are no threads', async () => {
    const { items: batch, expected } = items(INLINE_LIMIT * 2 + 5);
    const inline = new VerifyPool(verifier, null, 4);
    expect(await inline.verifyAll(batch)).toEqual(expected);
  });

  it('fails the batch of a thread that breaks, and starts new threads for the next', async () => {
    let spawned = 0;
    // A thread that fails on its first message, then threads that work.
    const flaky = () => {
      spawned++;
      const real = nodeVerifyThread();
      if (spawned > 1) return real;
      let fail: (error: Error) => void = () => undefined;
      return {
        post: () => setTimeout(() => fail(new Error('the thread broke'))),
        onMessage: () => undefined,
        onError: (listener: (error: Error) => void) => (fail = listener),
        terminate: () => real.terminate(),
      };
    };
    const breaking = new VerifyPool(verifier, flaky, 1);
    const { items: batch, expected } = items(INLINE_LIMIT + 3);
    await expect(breaking.verifyAll(batch)).rejects.toThrow(/broke/);
    expect(await breaking.verifyAll(batch)).toEqual(expected);
    await breaking.close();
  });
});
