// What several fuzz targets build on: a ledger with real signed transactions, the messages
// y-webrtc exchanges on a data channel, and a WebRTC implementation that behaves like a
// browser's as far as simple-peer can tell (no network: the fuzz targets feed it).
import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { fromHex, toHex } from '../../shared/bytes.ts';
import { sha256 } from '../../shared/crypto/sha256.ts';
import type { TxId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { LEDGER_MAP, type ScreenContext } from '../../shared/replication/screen.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { admitTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import {
  admit,
  genesisOf,
  identity,
  newLedger,
  registry,
  transfer,
  verifier,
  vote,
} from '../helpers/network.ts';

// ---- a ledger with real transactions --------------------------------------------------------------

export interface LedgerWorld {
  readonly genesis: VerifiedTx;
  /** Valid transactions in an order the ledger takes them: genesis first. */
  readonly valid: readonly VerifiedTx[];
  /** Correctly signed and of this network, but against the rules (an overspend). */
  readonly overspend: VerifiedTx;
  /** Correctly signed, of another network. */
  readonly foreign: VerifiedTx;
  /** A valid transaction with one bit of its signature flipped. */
  readonly forged: Uint8Array;
  /** A ledger holding the genesis only. */
  fresh(): Ledger;
  /** The full intake check, as peers run it. */
  readonly admit: ScreenContext['admit'];
}

const alice = identity('alice');
const bob = identity('bob');
const carol = identity('carol');
const w1 = identity('w1');

export async function ledgerWorld(): Promise<LedgerWorld> {
  const spec = { witnesses: [w1], allocations: [[alice, 100n] as const, [carol, 50n] as const] };
  const ledger = await newLedger(spec);
  const valid: VerifiedTx[] = [ledger.genesis];
  for (let i = 0; i < 4; i++) valid.push((await transfer(ledger, alice, bob, 1n + BigInt(i))).tx);
  const first = await vote(ledger, w1);
  if (first) valid.push(first);
  valid.push((await transfer(ledger, carol, alice, 5n)).tx);
  const second = await vote(ledger, w1);
  if (second) valid.push(second);
  const overspend = await admit(
    signTx(bob.secret, {
      net: ledger.networkId,
      seq: 0,
      prev: null,
      deps: [],
      type: 'transfer',
      body: { to: fromHex(alice.key), amount: 999_999n },
      time: 1,
    }),
  );
  const foreign = await genesisOf({ ...spec, name: 'another network' });
  const forged = Uint8Array.from(valid[1]?.bytes ?? []);
  forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
  const genesis = ledger.genesis;
  return {
    genesis,
    valid,
    overspend,
    foreign,
    forged,
    fresh: () => {
      const result = Ledger.fromGenesis(genesis, registry);
      if (!result.ok) throw new Error(result.rejection.message);
      return result.ledger;
    },
    admit: (bytes) => admitTx(bytes, registry, verifier),
  };
}

export const txIdOf = (bytes: Uint8Array): TxId => toHex(sha256(bytes)) as TxId;

/**
 * The ledger's state: its valid set, balances, frozen authors and finality, as one hash. What
 * it merely recorded (rejections, entries waiting for parents) is not state.
 */
export const ledgerState = (ledger: Ledger): string => ledger.stateRoot();

/** How many of the world's valid transactions the local peer holds to begin with. */
export const BASE = 3;

// ---- hostile Yjs updates -------------------------------------------------------------------------------

type Entry =
  | { readonly kind: 'valid'; readonly index: number }
  | { readonly kind: 'overspend' | 'foreign' | 'forged' }
  | { readonly kind: 'garbage'; readonly bytes: Uint8Array };

type Op =
  | { readonly op: 'set'; readonly entry: Entry; readonly key: 'id' | 'wrong' | 'other-id' }
  | {
      readonly op: 'set-value';
      readonly key: 'base' | 'fresh';
      readonly value: 'string' | 'number' | 'map' | 'array' | 'null' | 'undefined' | 'json';
    }
  | { readonly op: 'delete'; readonly index: number }
  | { readonly op: 'other-root'; readonly kind: 'array' | 'text' | 'map' }
  | { readonly op: 'nested'; readonly entry: Entry };

const entryArb: fc.Arbitrary<Entry> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('valid' as const), index: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('overspend' as const, 'foreign' as const, 'forged' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('garbage' as const),
      bytes: fc.uint8Array({ maxLength: 40 }),
    }),
  },
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('set' as const),
      entry: entryArb,
      key: fc.constantFrom('id' as const, 'wrong' as const, 'other-id' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('set-value' as const),
      key: fc.constantFrom('base' as const, 'fresh' as const),
      value: fc.constantFrom(
        'string' as const,
        'number' as const,
        'map' as const,
        'array' as const,
        'null' as const,
        'json' as const,
        'undefined' as const,
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), index: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('other-root' as const),
      kind: fc.constantFrom('array' as const, 'text' as const, 'map' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('nested' as const), entry: entryArb }) },
);

function bytesOf(entry: Entry, world: LedgerWorld): Uint8Array {
  switch (entry.kind) {
    case 'valid':
      return (world.valid[entry.index % world.valid.length] as VerifiedTx).bytes;
    case 'overspend':
      return world.overspend.bytes;
    case 'foreign':
      return world.foreign.bytes;
    case 'forged':
      return world.forged;
    case 'garbage':
      return entry.bytes;
  }
}

function write(map: Y.Map<unknown>, doc: Y.Doc, ops: readonly Op[], world: LedgerWorld): void {
  const base = world.valid.slice(0, BASE);
  for (const op of ops) {
    switch (op.op) {
      case 'set': {
        const bytes = bytesOf(op.entry, world);
        const key =
          op.key === 'id'
            ? txIdOf(bytes)
            : op.key === 'wrong'
              ? '00'.repeat(32)
              : (world.valid[0] as VerifiedTx).id;
        map.set(key, bytes);
        break;
      }
      case 'set-value': {
        const key = op.key === 'base' ? (base[1] as VerifiedTx).id : 'ff'.repeat(32);
        const values = {
          string: () => 'not bytes',
          number: () => 42,
          map: () => new Y.Map(),
          array: () => Y.Array.from([Uint8Array.of(1)]),
          null: () => null,
          undefined: () => undefined,
          json: () => ({ nested: [1, 'two'] }),
        };
        map.set(key, values[op.value]());
        break;
      }
      case 'delete': {
        map.delete((base[op.index % base.length] as VerifiedTx).id);
        break;
      }
      case 'other-root':
        if (op.kind === 'array')
          doc.getArray('other-array').push([(world.valid[3] as VerifiedTx).bytes]);
        else if (op.kind === 'text') doc.getText('text').insert(0, 'hello');
        else
          doc
            .getMap('other')
            .set((world.valid[3] as VerifiedTx).id, (world.valid[3] as VerifiedTx).bytes);
        break;
      case 'nested': {
        const inner = new Y.Map<unknown>();
        map.set('nested', inner);
        const bytes = bytesOf(op.entry, world);
        inner.set(txIdOf(bytes), bytes);
        break;
      }
    }
  }
}

export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 6 }),
  }),
);

export function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = m.at % Math.max(bytes.length, 1);
  switch (m.kind) {
    case 'flip': {
      const out = Uint8Array.from(bytes);
      out[at] = (out[at] ?? 0) ^ (1 << m.bit);
      return out;
    }
    case 'set': {
      const out = Uint8Array.from(bytes);
      out[at] = m.value;
      return out;
    }
    case 'truncate':
      return bytes.subarray(0, at);
    case 'insert':
      return Uint8Array.from([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
    case 'delete':
      return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + m.length)]);
  }
}

/** A hostile update: random bytes, or written by a remote doc, maybe damaged after. */
export interface HostileUpdate {
  readonly source:
    | { readonly kind: 'random'; readonly bytes: Uint8Array }
    | {
        readonly kind: 'written';
        readonly ops: readonly Op[];
        readonly ahead: boolean;
        readonly fromEmpty: boolean;
      }
    | {
        readonly kind: 'crafted';
        readonly sections: readonly CraftedSection[];
        readonly ds: readonly CraftedRange[];
      };
  readonly mutations: readonly Mutation[];
  readonly path: 'screen' | 'direct';
}

/**
 * Structs written by hand, as no Yjs would write them: GC, Skip and deleted items of any length
 * (zero too), binary items carrying transactions, at any clock, of our own client or another.
 */
export interface CraftedSection {
  readonly client: number;
  readonly clock: number;
  readonly structs: ReadonlyArray<
    | { readonly kind: 'gc' | 'skip' | 'deleted'; readonly length: number }
    | { readonly kind: 'binary'; readonly entry: Entry }
  >;
}
export interface CraftedRange {
  readonly client: number;
  readonly clock: number;
  readonly length: number;
}

/** Stands for the local peer's own client id (known only to the target). */
export const LOCAL_CLIENT_MARK = -1;
/** Stands for the client that wrote the local peer's starting state. */
export const BASE_AUTHOR_MARK = -2;

const craftedClient = fc.oneof(
  fc.constantFrom(5_000, 5_001, LOCAL_CLIENT_MARK, BASE_AUTHOR_MARK),
  fc.nat(),
);
const craftedLength = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 32, 2 ** 52) },
);
const craftedClock = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 32, 2 ** 52) },
);
const craftedArb = fc.record({
  kind: fc.constant('crafted' as const),
  sections: fc.array(
    fc.record({
      client: craftedClient,
      clock: craftedClock,
      structs: fc.array(
        fc.oneof(
          fc.record({
            kind: fc.constantFrom('gc' as const, 'skip' as const, 'deleted' as const),
            length: craftedLength,
          }),
          fc.record({ kind: fc.constant('binary' as const), entry: entryArb }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  ds: fc.array(fc.record({ client: craftedClient, clock: craftedClock, length: craftedLength }), {
    maxLength: 2,
  }),
});

/** Encodes crafted structs as a v1 update (marks replaced by the real client ids). */
function craftedUpdate(
  crafted: { sections: readonly CraftedSection[]; ds: readonly CraftedRange[] },
  world: LedgerWorld,
  clients: { local: number; baseAuthor: number },
): Uint8Array {
  const real = (c: number) =>
    c === LOCAL_CLIENT_MARK ? clients.local : c === BASE_AUTHOR_MARK ? clients.baseAuthor : c;
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, crafted.sections.length);
  for (const section of crafted.sections) {
    encoding.writeVarUint(e, section.structs.length);
    encoding.writeVarUint(e, real(section.client));
    encoding.writeVarUint(e, section.clock);
    for (const struct of section.structs) {
      switch (struct.kind) {
        case 'gc':
          encoding.writeUint8(e, 0);
          encoding.writeVarUint(e, struct.length);
          break;
        case 'skip':
          encoding.writeUint8(e, 10);
          encoding.writeVarUint(e, struct.length);
          break;
        case 'deleted':
          encoding.writeUint8(e, 1); // ContentDeleted, no origins: the parent follows
          encoding.writeVarUint(e, 1);
          encoding.writeVarString(e, LEDGER_MAP);
          encoding.writeVarUint(e, struct.length);
          break;
        case 'binary': {
          const bytes = bytesOf(struct.entry, world);
          encoding.writeUint8(e, 3 | 0x20); // ContentBinary with a key
          encoding.writeVarUint(e, 1);
          encoding.writeVarString(e, LEDGER_MAP);
          encoding.writeVarString(e, txIdOf(bytes));
          encoding.writeVarUint8Array(e, bytes);
          break;
        }
      }
    }
  }
  encoding.writeVarUint(e, crafted.ds.length);
  for (const range of crafted.ds) {
    encoding.writeVarUint(e, real(range.client));
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, range.clock);
    encoding.writeVarUint(e, range.length);
  }
  return encoding.toUint8Array(e);
}

export const hostileUpdateArb: fc.Arbitrary<HostileUpdate> = fc.record({
  source: fc.oneof(
    { weight: 2, arbitrary: craftedArb },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('random' as const),
        bytes: fc.uint8Array({ maxLength: 120 }),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('written' as const),
        ops: fc.array(opArb, { minLength: 1, maxLength: 6 }),
        // The remote made an edit it does not send: what it sends depends on what we lack.
        ahead: fc.boolean(),
        // The remote never saw our state: its update is a whole doc of its own.
        fromEmpty: fc.boolean(),
      }),
    },
  ),
  mutations: fc.oneof(
    { weight: 2, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) },
  ),
  path: fc.constantFrom('screen' as const, 'direct' as const),
});

/** The bytes of a hostile update, for a peer whose doc holds `baseUpdate`. */
export function updateFor(
  hostile: HostileUpdate,
  world: LedgerWorld,
  baseUpdate: Uint8Array,
  clients: { local: number; baseAuthor: number } = { local: 0, baseAuthor: 0 },
): Uint8Array {
  let update: Uint8Array;
  if (hostile.source.kind === 'random') update = hostile.source.bytes;
  else if (hostile.source.kind === 'crafted')
    update = craftedUpdate(hostile.source, world, clients);
  else {
    const { ops, ahead, fromEmpty } = hostile.source;
    const start = fromEmpty ? undefined : baseUpdate;
    if (ahead) {
      const remote = new Y.Doc();
      remote.clientID = 2_000;
      if (start) Y.applyUpdate(remote, start);
      remote.getMap(LEDGER_MAP).set('unsent', Uint8Array.of(1));
      const skipped = Y.encodeStateVector(remote);
      remote.transact(() => write(remote.getMap(LEDGER_MAP), remote, ops, world));
      update = Y.encodeStateAsUpdate(remote, skipped);
    } else update = updateOf((map, doc) => write(map, doc, ops, world), start, 2_000);
  }
  return hostile.mutations.reduce(mutate, update);
}

/** The ids of transaction bytes an update carries, if it decodes. */
export function carriedIds(update: Uint8Array): Set<TxId> | null {
  try {
    const ids = new Set<TxId>();
    for (const struct of Y.decodeUpdate(update).structs) {
      if (struct instanceof Y.Item && struct.content instanceof Y.ContentBinary)
        ids.add(txIdOf(struct.content.content));
    }
    return ids;
  } catch {
    return null;
  }
}

// ---- y-webrtc's data-channel messages -------------------------------------------------------------

const message = (write: (e: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
};

export const yMessages = {
  syncStep1: (stateVector: Uint8Array) =>
    message((e) => {
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint8Array(e, stateVector);
    }),
  syncStep2: (update: Uint8Array) =>
    message((e) => {
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint8Array(e, update);
    }),
  syncUpdate: (update: Uint8Array) =>
    message((e) => {
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, 2);
      encoding.writeVarUint8Array(e, update);
    }),
  awareness: (update: Uint8Array) =>
    message((e) => {
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint8Array(e, update);
    }),
  queryAwareness: () => message((e) => encoding.writeVarUint(e, 3)),
  bcPeerId: (add: boolean, peer: string) =>
    message((e) => {
      encoding.writeVarUint(e, 4);
      encoding.writeUint8(e, add ? 1 : 0);
      encoding.writeVarString(e, peer);
    }),
};

/** An awareness update as y-protocols encodes it, with any states (as JSON text) and clocks. */
export function awarenessUpdate(
  entries: ReadonlyArray<{ client: number; clock: number; state: string }>,
): Uint8Array {
  return message((e) => {
    encoding.writeVarUint(e, entries.length);
    for (const { client, clock, state } of entries) {
      encoding.writeVarUint(e, client);
      encoding.writeVarUint(e, clock);
      encoding.writeVarString(e, state);
    }
  });
}

/** The update a remote doc, built on `base`, makes by `write`; its client id is fixed. */
export function updateOf(
  write: (map: Y.Map<unknown>, doc: Y.Doc) => void,
  base?: Uint8Array,
  clientID = 1_000,
): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  if (base) Y.applyUpdate(doc, base);
  const before = Y.encodeStateVector(doc);
  doc.transact(() => write(doc.getMap(LEDGER_MAP), doc));
  return Y.encodeStateAsUpdate(doc, before);
}

// ---- a browser-like WebRTC without a network ---------------------------------------------------------

const SDP_TYPES = new Set(['offer', 'answer', 'pranswer', 'rollback']);

/** RTCSessionDescription and RTCIceCandidate validate as browsers do: a bad one throws. */
export class FakeDescription {
  readonly type: string;
  readonly sdp: string;
  constructor(init: { type?: unknown; sdp?: unknown }) {
    if (typeof init.type !== 'string' || !SDP_TYPES.has(init.type))
      throw new TypeError(`'${String(init.type)}' is not a valid RTCSdpType`);
    this.type = init.type;
    this.sdp = typeof init.sdp === 'string' ? init.sdp : '';
  }
}

export class FakeCandidate {
  constructor(init: { sdpMid?: unknown; sdpMLineIndex?: unknown }) {
    if ((init.sdpMid ?? null) === null && (init.sdpMLineIndex ?? null) === null)
      throw new TypeError('sdpMid and sdpMLineIndex are both null');
  }
}

export class FakeDataChannel {
  binaryType = 'blob';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readyState = 'connecting';
  readonly label: string;
  readonly sent: Uint8Array[] = [];
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onbufferedamountlow: (() => void) | null = null;
  constructor(label: string) {
    this.label = label;
  }
  send(data: ArrayBuffer | Uint8Array): void {
    if (this.readyState !== 'open') throw new Error('InvalidStateError: the channel is not open');
    this.sent.push(data instanceof Uint8Array ? data.slice() : new Uint8Array(data.slice(0)));
  }
  close(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.onclose?.();
  }
  open(): void {
    this.readyState = 'open';
    this.onopen?.();
  }
}

/** What simple-peer asks of an RTCPeerConnection, behaving as a browser's would. */
export class FakePeerConnection {
  static created = 0;
  static last: FakePeerConnection | null = null;
  localDescription: FakeDescription | null = null;
  remoteDescription: FakeDescription | null = null;
  signalingState = 'stable';
  iceConnectionState = 'new';
  iceGatheringState = 'new';
  connectionState = 'new';
  onicecandidate = null;
  ondatachannel: ((event: { channel: unknown }) => void) | null = null;
  constructor() {
    FakePeerConnection.created++;
    FakePeerConnection.last = this;
  }
  createDataChannel(label: string): FakeDataChannel {
    return new FakeDataChannel(label);
  }
  createOffer(): Promise<{ type: string; sdp: string }> {
    return Promise.resolve({ type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n' });
  }
  createAnswer(): Promise<{ type: string; sdp: string }> {
    return Promise.resolve({ type: 'answer', sdp: 'v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\n' });
  }
  setLocalDescription(description: { type: string; sdp: string }): Promise<void> {
    this.localDescription = new FakeDescription(description);
    return Promise.resolve();
  }
  setRemoteDescription(description: FakeDescription): Promise<void> {
    if (!description.sdp.startsWith('v=0')) return Promise.reject(new Error('Failed to parse SDP'));
    this.remoteDescription = description;
    return Promise.resolve();
  }
  addIceCandidate(): Promise<void> {
    return this.remoteDescription
      ? Promise.resolve()
      : Promise.reject(new Error('no remote description'));
  }
  getStats(): Promise<Map<string, unknown>> {
    return Promise.resolve(new Map<string, unknown>());
  }
  getTransceivers(): unknown[] {
    return [];
  }
  addTransceiver(): void {}
  close(): void {
    this.signalingState = 'closed';
  }
}

export const fakeWrtc = {
  RTCPeerConnection: FakePeerConnection,
  RTCSessionDescription: FakeDescription,
  RTCIceCandidate: FakeCandidate,
};

// ---- hostile awareness updates --------------------------------------------------------------------

/** Stands for the receiving peer's own client id, known only at run time. */
export const OWN_CLIENT = -1;

/** One entry of an awareness update: any client (ours too), any clock, any state text. */
export interface AwarenessEntry {
  readonly client: number;
  readonly clock: number;
  readonly state: string;
}

const stateTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('null', '{}', '{"user":{"name":"mallory"}}', '"x"', '0'),
  },
  {
    weight: 2,
    // Deep states: up to 30,000 levels still fit the screen's 64 KiB bound on awareness.
    arbitrary: fc
      .tuple(
        fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1_000, max: 30_000 })),
        fc.constantFrom<'array' | 'object'>('array', 'object'),
      )
      .map(([depth, kind]) =>
        kind === 'array'
          ? `${'['.repeat(depth)}0${']'.repeat(depth)}`
          : `${'{"a":'.repeat(Math.min(depth, 10_000))}0${'}'.repeat(Math.min(depth, 10_000))}`,
      ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 60_000, max: 70_000 }).map((n) => `"${'x'.repeat(n)}"`),
  },
);

export const awarenessEntryArb: fc.Arbitrary<AwarenessEntry> = fc.record({
  client: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(OWN_CLIENT, 1, 2, 3) },
    { weight: 1, arbitrary: fc.constantFrom(0, 2 ** 31, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER) },
  ),
  clock: fc.oneof(fc.nat(5), fc.constantFrom(2 ** 32, Number.MAX_SAFE_INTEGER)),
  state: stateTextArb,
});

/** A hostile awareness update: well-encoded entries, or bytes. */
export type HostileAwareness =
  | {
      readonly kind: 'entries';
      readonly entries: readonly AwarenessEntry[];
      readonly cut: number | null;
    }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array };

export const hostileAwarenessArb: fc.Arbitrary<HostileAwareness> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('entries' as const),
      entries: fc.array(awarenessEntryArb, { minLength: 1, maxLength: 4 }),
      cut: fc.option(fc.nat(), { freq: 6 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('bytes' as const),
      bytes: fc.uint8Array({ maxLength: 40 }),
    }),
  },
);

/** The bytes of a hostile awareness update, with OWN_CLIENT made `own`. */
export function awarenessBytes(hostile: HostileAwareness, own: number): Uint8Array {
  if (hostile.kind === 'bytes') return hostile.bytes;
  const bytes = awarenessUpdate(
    hostile.entries.map((e) => ({ ...e, client: e.client === OWN_CLIENT ? own : e.client })),
  );
  return hostile.cut === null ? bytes : bytes.subarray(0, hostile.cut % (bytes.length + 1));
}
