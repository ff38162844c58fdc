// y-webrtc's signaling encryption (its src/crypto.js, not exported by the package), for tests
// that speak to a room as a member, or as someone with the wrong secret, would: PBKDF2 of the
// secret salted with the room name, AES-GCM, and lib0's encoding of the algorithm, iv and
// ciphertext.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export async function roomKey(secret: string, room: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', salt: new TextEncoder().encode(room), iterations: 100_000, hash: 'SHA-256' },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** A signaling payload sealed as y-webrtc seals it, in base64 as it travels in `publish`. */
export async function sealSignal(key: CryptoKey, data: unknown): Promise<string> {
  const plain = encoding.createEncoder();
  encoding.writeAny(plain, data as never);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const cipher = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    key,
    encoding.toUint8Array(plain),
  );
  const out = encoding.createEncoder();
  encoding.writeVarString(out, 'AES-GCM');
  encoding.writeVarUint8Array(out, iv);
  encoding.writeVarUint8Array(out, new Uint8Array(cipher));
  return Buffer.from(encoding.toUint8Array(out)).toString('base64');
}

/** Opens what sealSignal made; throws when it was sealed with another key or is no seal. */
export async function openSignal(key: CryptoKey, data: string): Promise<unknown> {
  const decoder = decoding.createDecoder(new Uint8Array(Buffer.from(data, 'base64')));
  if (decoding.readVarString(decoder) !== 'AES-GCM') throw new Error('not AES-GCM');
  const iv = decoding.readVarUint8Array(decoder);
  const cipher = decoding.readVarUint8Array(decoder);
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, cipher);
  return decoding.readAny(decoding.createDecoder(new Uint8Array(plain)));
}
