// Fuzz target: the VRF (shared/crypto/vrf.ts). A witness's proof arrives from the network, so
// vrfVerify and vrfOutput see any bytes: random keys, proofs and alphas, real proofs with bytes
// changed, keys and proofs of the wrong length. They must never throw, must answer null or
// exactly 64 bytes, and a changed proof must never verify (its output would be one the key
// holder did not make).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../../shared/bytes.ts';
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import {
  VRF_OUTPUT_BYTES,
  VRF_PROOF_BYTES,
  vrfOutput,
  vrfProve,
  vrfVerify,
} from '../../shared/crypto/vrf.ts';
import { fuzz, Watchdog } from './harness.ts';

const watchdog = new Watchdog();
beforeAll(() => watchdog.install());
afterAll(() => watchdog.uninstall());

/** Mostly the right lengths (so the curve code runs), sometimes any length. */
const bytesNear = (length: number): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array({ minLength: length, maxLength: length }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: length * 2 }) },
  );

const secretArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const alphaArb = fc.uint8Array({ maxLength: 64 });
/** One byte changed: at an index, XOR a non-zero value. */
const editArb = fc.tuple(fc.nat(VRF_PROOF_BYTES - 1), fc.integer({ min: 1, max: 255 }));

/** null, or an output of the promised length: never a throw. */
function expectAnswer(beta: Uint8Array | null): void {
  if (beta !== null) expect(beta.length).toBe(VRF_OUTPUT_BYTES);
}

describe('fuzz: VRF', () => {
  it('answers random keys, alphas and proofs without throwing', async () => {
    await fuzz(
      'vrf random inputs',
      fc.asyncProperty(bytesNear(32), alphaArb, bytesNear(VRF_PROOF_BYTES), (key, alpha, proof) =>
        watchdog.run('a random VRF proof', () => {
          expectAnswer(vrfVerify(key, alpha, proof));
          expectAnswer(vrfOutput(proof));
        }),
      ),
      3501,
      300,
    );
  });

  it('refuses every real proof with a byte changed, and keeps its output for the real one', async () => {
    await fuzz(
      'vrf mutated proofs',
      fc.asyncProperty(
        secretArb,
        alphaArb,
        fc.array(editArb, { minLength: 1, maxLength: 3 }),
        (secret, alpha, edits) =>
          watchdog.run('a mutated VRF proof', () => {
            const key = publicKeyOf(secret);
            const proof = vrfProve(secret, alpha);
            const beta = vrfVerify(key, alpha, proof);
            expect(beta && bytesEqual(beta, vrfOutput(proof) ?? new Uint8Array())).toBe(true);
            const changed = proof.slice();
            for (const [index, flip] of edits) changed[index] = (changed[index] as number) ^ flip;
            if (bytesEqual(changed, proof)) return; // the edits cancelled out
            expect(vrfVerify(key, alpha, changed)).toBeNull();
            expectAnswer(vrfOutput(changed));
          }),
      ),
      3502,
      60,
    );
  });

  it('refuses a real proof under a random key or another alpha', async () => {
    await fuzz(
      'vrf wrong key or alpha',
      fc.asyncProperty(secretArb, alphaArb, bytesNear(32), alphaArb, (secret, alpha, key, other) =>
        watchdog.run('a VRF proof checked against the wrong key or alpha', () => {
          const proof = vrfProve(secret, alpha);
          const own = publicKeyOf(secret);
          if (!bytesEqual(key, own)) expect(vrfVerify(key, alpha, proof)).toBeNull();
          if (!bytesEqual(other, alpha)) expect(vrfVerify(own, other, proof)).toBeNull();
        }),
      ),
      3503,
      60,
    );
  });
});
