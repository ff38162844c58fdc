// The y-webrtc rooms only holders of a key can find: an SSK pair's channel (channel.ts) and a
// ticket link's door (shared/net/door.ts).
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64urlnopad } from '@scure/base';
import { fromHex, toHex, utf8 } from '../bytes.ts';

/** The room and password the pair meets in, derived from their current key. */
export function channelRoomOf(
  key: Uint8Array,
  networkId: string,
): { room: string; password: string } {
  return keyedRoom('ssk', key, networkId);
}

/**
 * A y-webrtc room that only holders of `key` can find: its name and password are HKDF-SHA256 of
 * the key, salted with the network id, under labels of their own per kind of room (an SSK
 * channel; a ticket link's door, shared/net/door.ts).
 */
export function keyedRoom(
  kind: 'ssk' | 'door',
  key: Uint8Array,
  networkId: string,
): { room: string; password: string } {
  const salt = fromHex(networkId);
  const room = hkdf(sha256, key, salt, utf8(`GPoW/${kind}-room/v1`), 16);
  const password = hkdf(sha256, key, salt, utf8(`GPoW/${kind}-room-password/v1`), 32);
  return { room: `gpow-${kind}-${toHex(room)}`, password: base64urlnopad.encode(password) };
}
