// room-key: a new join secret, sealed to each member (docs/protocol.md §13.8).
//
// The join secret is what lets a peer into the network's room: y-webrtc encrypts signaling with
// it, so a peer without it cannot connect to anyone. Rotating it is how a removed member is left
// outside. A witness draws a fresh secret and seals it, with SSK's box (§10: X25519 + XChaCha20-
// Poly1305, bound to the network, the sender, the recipient and the generation), to every chain
// of every member; each peer that can open its box moves to the new secret. The transaction moves
// no money and decides nothing in the ledger; peers act on the latest generation from a witness.
import * as v from 'valibot';
import { fromHex } from '../bytes.ts';
import type { CborValue } from '../codec/cbor.ts';
import { keyHexOf, txIdOf, type KeyHex, type TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import { bytes32, maxBytes, sortedUnique, uint } from '../tx/schema.ts';
import {
  idListCodec,
  NO_EFFECTS,
  type IndexCodec,
  type IndexStore,
  type TxTypeDef,
} from '../tx/types.ts';
import { SSK_BOX_MAX_BYTES, SSK_MAX_EPOCH } from './box.ts';

export const ROOM_KEY_TYPE = 'room-key';
/** One box per chain; more members than this need another transaction (a stated limit). */
export const MAX_ROOM_KEY_BOXES = 256;
export const ROOM_KEY_PURPOSE = 'join secret';

export const roomKeySchema = v.strictObject({
  // An SSK box's epoch: 1 to 2^32 − 1, so that every generation can be sealed.
  generation: v.pipe(
    uint,
    v.minValue(1, 'the first rotation is generation 1'),
    v.maxValue(SSK_MAX_EPOCH, 'a generation is below 2^32'),
  ),
  boxes: v.pipe(
    v.array(v.strictTuple([bytes32, maxBytes(SSK_BOX_MAX_BYTES)])),
    v.minLength(1, 'a rotation seals the secret to at least one member'),
    v.maxLength(MAX_ROOM_KEY_BOXES, `at most ${MAX_ROOM_KEY_BOXES} boxes`),
    v.check(
      (list) => sortedUnique(list.map(([k]) => k)),
      'boxes must be sorted by recipient and unique',
    ),
  ),
  /** The change of the group that called for it (a removal), if any. */
  change: v.optional(bytes32),
});

export type RoomKeyBody = v.InferOutput<typeof roomKeySchema>;

export interface RoomKey {
  readonly id: TxId;
  readonly author: KeyHex;
  readonly generation: number;
  readonly change: TxId | null;
  readonly boxes: ReadonlyMap<KeyHex, Uint8Array>;
}

export const ROOM_KEY_INDEX_KEY = 'room-key';

const roomKeysOf = (indexes: IndexStore): RoomKey[] => indexes.index(ROOM_KEY_INDEX_KEY, () => []);

// ---- the index as snapshot data (docs/snapshots.md) --------------------------------------------

/** Every rotation, by id, its boxes by recipient (the live list is in arrival order). */
const roomKeyRow = v.strictTuple([
  bytes32,
  bytes32,
  roomKeySchema.entries.generation,
  v.nullable(bytes32),
  roomKeySchema.entries.boxes,
]);

export const roomKeyIndexCodec: IndexCodec = idListCodec<RoomKey, v.InferOutput<typeof roomKeyRow>>(
  {
    key: ROOM_KEY_INDEX_KEY,
    what: 'the room-key index',
    items: 'rotations',
    rows: v.array(roomKeyRow, 'a room-key snapshot is a list of rotations'),
    toRow: (r) => [
      fromHex(r.id),
      fromHex(r.author),
      r.generation,
      r.change === null ? null : fromHex(r.change),
      [...r.boxes].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, box]) => [fromHex(k), box]),
    ],
    fromRow: ([id, author, generation, change, boxes]) => ({
      id: txIdOf(id),
      author: keyHexOf(author),
      generation,
      change: change === null ? null : txIdOf(change),
      boxes: new Map(boxes.map(([k, box]) => [keyHexOf(k), box])),
    }),
  },
);

export const roomKeyType: TxTypeDef<RoomKeyBody> = {
  name: ROOM_KEY_TYPE,
  schema: roomKeySchema,
  index: roomKeyIndexCodec,
  effects: () => NO_EFFECTS,
  accepted(tx, ctx) {
    roomKeysOf(ctx.indexes).push(roomKeyOf(tx));
  },
};

function roomKeyOf(tx: Tx<RoomKeyBody>): RoomKey {
  return {
    id: tx.id,
    author: tx.author,
    generation: tx.body.generation,
    change: tx.body.change ? txIdOf(tx.body.change) : null,
    boxes: new Map(tx.body.boxes.map(([k, box]) => [keyHexOf(k), box])),
  };
}

/** Every rotation this ledger holds, highest generation first (lowest id first among equals). */
export function roomKeys(indexes: IndexStore): RoomKey[] {
  return [...roomKeysOf(indexes)].sort(
    (a, b) => b.generation - a.generation || (a.id < b.id ? -1 : 1),
  );
}

export function roomKeyBody(fields: {
  readonly generation: number;
  readonly boxes: ReadonlyArray<readonly [KeyHex, Uint8Array]>;
  readonly change: TxId | null;
}): CborValue {
  return {
    generation: fields.generation,
    boxes: [...fields.boxes]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, box]) => [fromHex(k), box]),
    ...(fields.change ? { change: fromHex(fields.change) } : {}),
  };
}
