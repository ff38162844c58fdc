// A reproducible RandomPort for tests: SHA-256 in counter mode over a label. Never for real keys.
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, utf8 } from '../../shared/bytes.ts';
import type { RandomPort } from '../../shared/ports.ts';

export function deterministicRandom(label: string): RandomPort {
  let counter = 0;
  return {
    bytes(length: number): Uint8Array {
      const out = new Uint8Array(length);
      for (let filled = 0; filled < length; filled += 32) {
        const block = sha256(
          concat(
            utf8(label),
            Uint8Array.of(counter >>> 24, counter >>> 16, counter >>> 8, counter),
          ),
        );
        counter++;
        out.set(block.subarray(0, length - filled), filled);
      }
      return out;
    },
  };
}
