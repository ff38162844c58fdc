// The RandomPort on Node: the operating system's CSPRNG through node:crypto. Keys, salts and
// nonces all come from here in the desktop app's main process.
import { randomBytes } from 'node:crypto';
import type { RandomPort } from '../../shared/ports.ts';

export const nodeRandom: RandomPort = {
  bytes(length: number): Uint8Array {
    // A fresh Uint8Array rather than the Buffer itself: Buffers may share a pooled ArrayBuffer.
    return new Uint8Array(randomBytes(length));
  },
};
