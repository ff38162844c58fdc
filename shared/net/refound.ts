// network-refound: an announcement, on the old network, that a group has started again
// (docs/protocol.md §13.6). When more witnesses are gone for good than a quorum allows, no change
// of witnesses can be agreed (§13.4), so the only way on is a new network whose genesis carries
// the balances over. The announcement makes that visible to every member of the old network:
// who re-founded, under which new network id and witnesses, from which state. It moves no money
// and decides nothing; each member chooses to follow, and sees what they will hold there.
import * as v from 'valibot';
import { fromHex } from '../bytes.ts';
import type { CborValue } from '../codec/cbor.ts';
import type { KeyHex, TxId } from '../ids.ts';
import { keyHexOf, txIdOf } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import { MAX_WITNESSES } from '../tx/genesis.ts';
import { bytes32, HIDDEN_CHARACTERS, sortedUnique, uint } from '../tx/schema.ts';
import {
  idListCodec,
  NO_EFFECTS,
  type IndexCodec,
  type IndexStore,
  type TxTypeDef,
} from '../tx/types.ts';

export const REFOUND_TYPE = 'network-refound';

export const refoundSchema = v.strictObject({
  /** The new network's id: its genesis's id. */
  net: bytes32,
  name: v.pipe(
    v.string('the new network needs a name'),
    v.minLength(1, 'the new network needs a name'),
    v.maxLength(64, 'a network name has at most 64 characters'),
    v.check((name) => !HIDDEN_CHARACTERS.test(name), 'a network name has no hidden characters'),
  ),
  witnesses: v.pipe(
    v.array(bytes32),
    v.minLength(1, 'at least one witness is required'),
    v.maxLength(MAX_WITNESSES, `at most ${MAX_WITNESSES} witnesses`),
    v.check((list) => sortedUnique(list), 'witnesses must be sorted and unique'),
  ),
  /** The state root of this network where the balances were read. */
  root: bytes32,
});

export type RefoundBody = v.InferOutput<typeof refoundSchema>;

export interface Refounding {
  readonly id: TxId;
  readonly by: KeyHex;
  readonly time: number;
  readonly networkId: TxId;
  readonly name: string;
  readonly witnesses: readonly KeyHex[];
  readonly root: string;
}

export const REFOUND_INDEX_KEY = 'refound';

const refoundingsOf = (indexes: IndexStore): Refounding[] =>
  indexes.index(REFOUND_INDEX_KEY, () => []);

// ---- the index as snapshot data (docs/snapshots.md) --------------------------------------------

const refoundRow = v.strictTuple([
  bytes32,
  bytes32,
  uint,
  bytes32,
  refoundSchema.entries.name,
  refoundSchema.entries.witnesses,
  bytes32,
]);

/** Every announcement, by id (the live list is in arrival order; every reader sorts it). */
export const refoundIndexCodec: IndexCodec = idListCodec<
  Refounding,
  v.InferOutput<typeof refoundRow>
>({
  key: REFOUND_INDEX_KEY,
  what: 'the re-founding index',
  items: 'announcements',
  rows: v.array(refoundRow, 'a re-founding snapshot is a list of announcements'),
  toRow: (r) => [
    fromHex(r.id),
    fromHex(r.by),
    r.time,
    fromHex(r.networkId),
    r.name,
    r.witnesses.map((w) => fromHex(w)),
    fromHex(r.root),
  ],
  fromRow: ([id, by, time, net, name, witnesses, root]) => ({
    id: txIdOf(id),
    by: keyHexOf(by),
    time,
    networkId: txIdOf(net),
    name,
    witnesses: witnesses.map((w) => keyHexOf(w)),
    root: txIdOf(root),
  }),
});

export const refoundType: TxTypeDef<RefoundBody> = {
  name: REFOUND_TYPE,
  schema: refoundSchema,
  index: refoundIndexCodec,
  effects: () => NO_EFFECTS,
  accepted(tx, ctx) {
    refoundingsOf(ctx.indexes).push(refoundingOf(tx));
  },
};

function refoundingOf(tx: Tx<RefoundBody>): Refounding {
  return {
    id: tx.id,
    by: tx.author,
    time: tx.time,
    networkId: txIdOf(tx.body.net),
    name: tx.body.name,
    witnesses: tx.body.witnesses.map((w) => keyHexOf(w)),
    root: txIdOf(tx.body.root),
  };
}

/** Every re-founding announced on this network, earliest first. */
export function refoundings(indexes: IndexStore): readonly Refounding[] {
  return [...refoundingsOf(indexes)].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
}

/** The announcement's body, in canonical order. */
export function refoundBody(fields: {
  readonly networkId: TxId;
  readonly name: string;
  readonly witnesses: readonly KeyHex[];
  readonly root: string;
}): CborValue {
  return {
    net: fromHex(fields.networkId),
    name: fields.name,
    witnesses: [...fields.witnesses].sort().map((k) => fromHex(k)),
    root: fromHex(fields.root),
  };
}

/** What every member of the old network is told. */
export function refoundSentence(r: Refounding): string {
  return `${r.by.slice(0, 12)}… re-founded this network as "${r.name}" (network ${r.networkId.slice(0, 12)}…, ${r.witnesses.length} witness${r.witnesses.length === 1 ? '' : 'es'}), carrying the balances over. To move there: Follow on the app's Network screen, or, with "gpow run" stopped, "gpow network follow ${r.networkId.slice(0, 12)}".`;
}
