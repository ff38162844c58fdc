// What several fuzz targets build on: a ledger with real signed transactions, the messages
// y-webrtc exchanges on a data channel, and a WebRTC implementation that behaves like a
// browser's as far as simple-peer can tell (no network: the fuzz targets feed it).
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
