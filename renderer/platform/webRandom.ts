// The RandomPort in a browser: crypto.getRandomValues, the platform CSPRNG.
import type { RandomPort } from '../../shared/ports.ts';

/** getRandomValues fills at most 65536 bytes per call. */
const MAX_CHUNK = 65536;

export const webRandom: RandomPort = {
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += MAX_CHUNK) {
      crypto.getRandomValues(out.subarray(offset, Math.min(offset + MAX_CHUNK, length)));
    }
    return out;
  },
};
