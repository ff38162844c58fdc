// Ticket links on the newcomer's side (docs/protocol.md §13.9): knock at the door named by the
// link, wait for the inviter's peer to answer, and come back with the join secret or with the
// one sentence that says why not. Used by `gpow join` and by the app's Join screen alike.
import type { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';
import { bytesEqual, fromHex } from '../shared/bytes.ts';
import { publicKeyOf, type SignatureVerifier } from '../shared/crypto/ed25519.ts';
import type { KeyHex } from '../shared/ids.ts';
import {
  DOOR_ARRAY,
  doorRoomOf,
  encodeKnock,
  MAX_DOOR_ENTRY_BYTES,
  parseDoorEntry,
  readAnswer,
  refusalSentence,
  type DoorKey,
} from '../shared/net/door.ts';
import { joinSecretOf } from '../shared/net/invitation.ts';
import { keyBytesOf, ticketExpiredError, type TicketInvitation } from '../shared/net/ticket.ts';
import { guardWrtc, type WrtcLike } from '../shared/replication/guardedWrtc.ts';
import { screenChannelMessage } from '../shared/replication/screen.ts';
import type { Cancel, ClockPort, RandomPort, TimerPort } from './ports.ts';
import { connectedIn, joinPrivateRoom, leavePrivateRoom } from './privateRoom.ts';
import { KNOCK_REJOIN_MS, KNOCK_TIMEOUT_MS } from './timing.ts';

export interface KnockOptions {
  readonly ticket: TicketInvitation;
  readonly clock: ClockPort;
  readonly timers: TimerPort;
  readonly random: RandomPort;
  readonly wrtc: WrtcLike;
  readonly verifier: SignatureVerifier;
  readonly iceServers?: readonly unknown[];
  /** The identity joining, shown in the inviter's list. */
  readonly who?: KeyHex;
  /** How long to wait for an answer (default KNOCK_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  readonly onProgress?: (stage: 'connecting' | 'knocking' | 'answered') => void;
  /** Settles when the person gives up waiting: the knock ends with KNOCK_CANCELLED. */
  readonly cancelled?: Promise<unknown>;
}

/** The error of a knock the person cancelled (the UI shows no sentence for it). */
export const KNOCK_CANCELLED = 'cancelled';

export type KnockResult = { ok: true; secret: string } | { ok: false; error: string };

/** Knocks at the ticket's door; never rejects. */
export function knockAtDoor(options: KnockOptions): Promise<KnockResult> {
  const { ticket } = options;
  const expired = ticketExpiredError(ticket, options.clock.now());
  if (expired !== null) return Promise.resolve({ ok: false, error: expired });
  if (ticket.relays.length === 0) {
    return Promise.resolve({
      ok: false,
      error:
        'this invitation names no relay, so its door cannot be found: ask the inviter for a link made while their peer runs',
    });
  }
  return new Promise((resolve) => new Knocker(options, resolve).start());
}

class Knocker {
  readonly #o: KnockOptions;
  readonly #resolve: (result: KnockResult) => void;
  readonly #doc = new Y.Doc();
  readonly #mine: DoorKey;
  readonly #door: Uint8Array;
  readonly #wrtc: WrtcLike;
  #provider: WebrtcProvider | null = null;
  #timers: Cancel[] = [];
  #done = false;
  #lastError: string | null = null;

  constructor(options: KnockOptions, resolve: (result: KnockResult) => void) {
    this.#o = options;
    this.#resolve = resolve;
    const secret = options.random.bytes(32);
    this.#mine = { secret, public: publicKeyOf(secret) };
    this.#door = keyBytesOf(options.ticket.door);
    this.#wrtc = guardWrtc(options.wrtc, {
      poll: (callback, ms) => options.timers.after(ms, callback),
      screen: (message) =>
        Promise.resolve(screenChannelMessage(message, DOOR_ARRAY, MAX_DOOR_ENTRY_BYTES)),
    });
  }

  start(): void {
    const entries = this.#doc.getArray<Uint8Array>(DOOR_ARRAY);
    entries.observe(() => void this.#read(entries));
    const who = this.#o.who;
    entries.push([encodeKnock({ to: this.#mine.public, ...(who ? { who: fromHex(who) } : {}) })]);
    this.#o.onProgress?.('connecting');
    this.#join();
    void this.#o.cancelled?.then(
      () => this.#finish({ ok: false, error: KNOCK_CANCELLED }),
      () => this.#finish({ ok: false, error: KNOCK_CANCELLED }),
    );
    const timeout = this.#o.timeoutMs ?? KNOCK_TIMEOUT_MS;
    this.#timers.push(
      this.#o.timers.after(timeout, () =>
        this.#finish({ ok: false, error: this.#timeoutSentence(timeout) }),
      ),
      // y-webrtc can leave an attempt hanging: a door with nobody connected is joined afresh.
      this.#o.timers.every(KNOCK_REJOIN_MS, () => {
        if (connectedIn(this.#provider) === 0) this.#join();
      }),
    );
  }

  #join(): void {
    leavePrivateRoom(this.#provider);
    const { room, password } = doorRoomOf(
      keyBytesOf(this.#o.ticket.ticket),
      this.#o.ticket.networkId,
    );
    this.#provider = joinPrivateRoom({
      room,
      password,
      doc: this.#doc,
      wrtc: this.#wrtc,
      relays: this.#o.ticket.relays,
      iceServers: this.#o.iceServers ?? [],
      onPeers: () => {
        if (connectedIn(this.#provider) > 0) this.#o.onProgress?.('knocking');
      },
    });
  }

  async #read(entries: Y.Array<Uint8Array>): Promise<void> {
    for (const bytes of entries.toArray()) {
      if (this.#done) return;
      const parsed = parseDoorEntry(bytes);
      if (!parsed.ok || parsed.entry.kind !== 'answer') continue;
      const answer = parsed.entry.answer;
      if (!bytesEqual(answer.to, this.#mine.public)) continue;
      const { networkId } = this.#o.ticket;
      const result = await readAnswer(answer, networkId, this.#door, this.#mine, this.#o.verifier);
      if (result.ok) {
        this.#o.onProgress?.('answered');
        this.#finish({ ok: true, secret: joinSecretOf(result.secret) });
      } else if (result.refused !== undefined) {
        this.#finish({ ok: false, error: refusalSentence(result.refused) });
      } else this.#lastError = result.error;
    }
  }

  #timeoutSentence(ms: number): string {
    const seconds = Math.round(ms / 1000);
    const after =
      this.#lastError === null ? '' : ` (the only answer was unusable: ${this.#lastError})`;
    return `nobody answered at the invitation's door within ${seconds} s${after}: the inviter's peer must be running (gpow run, or the app open) and reachable through ${this.#o.ticket.relays.join(', ')}, and the invitation not withdrawn. Try again later, or ask for a new invitation`;
  }

  #finish(result: KnockResult): void {
    if (this.#done) return;
    this.#done = true;
    for (const cancel of this.#timers) cancel();
    leavePrivateRoom(this.#provider);
    this.#provider = null;
    this.#doc.destroy();
    this.#resolve(result);
  }
}
