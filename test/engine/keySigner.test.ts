// The key signer (CLI, and browser mode's vault inside): its VRF proofs are made with the key
// that signs its chain, so they verify under the key the ledger knows the signer by.
import { describe, expect, it } from 'vitest';
import { fromHex, utf8 } from '../../shared/bytes.ts';
import { VRF_OUTPUT_BYTES, vrfOutput, vrfVerify } from '../../shared/crypto/vrf.ts';
import { keySigner } from '../../engine/keySigner.ts';

const CHAIN = new Uint8Array(32).fill(0x11);
const IDENTITY = new Uint8Array(32).fill(0x22);
const ALPHA = utf8('an accept id');

describe('keySigner proveVrf', () => {
  it("proves with the chain's key: the proof verifies under `key`", () => {
    const signer = keySigner(CHAIN);
    const proof = signer.proveVrf?.(ALPHA);
    if (proof === undefined) throw new Error('a key signer proves');
    const beta = vrfVerify(fromHex(signer.key), ALPHA, proof);
    expect(beta?.length).toBe(VRF_OUTPUT_BYTES);
    expect(beta).toEqual(vrfOutput(proof));
  });

  it("a device's signer proves with the device key, not the identity's", () => {
    const device = keySigner(CHAIN, IDENTITY);
    const proof = device.proveVrf?.(ALPHA);
    if (proof === undefined || device.identity === undefined) throw new Error('both keys held');
    expect(vrfVerify(fromHex(device.key), ALPHA, proof)).not.toBeNull();
    expect(vrfVerify(fromHex(device.identity.key), ALPHA, proof)).toBeNull();
  });
});
