// Ticket links on the inviter's side (docs/protocol.md §13.9): the door keeper. For every open
// ticket this peer sits in the ticket's door room, reads each knock, decides it by the rule of
// shared/net/tickets.ts and answers: the current join secret sealed to the newcomer, or a signed
// refusal. A door room is writable by every holder of its ticket, so its doc is bounded and
// each entry parsed from unknown; a door flooded past its bound stops answering and says so.
import type { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';
import { toHex } from '../shared/bytes.ts';
import type { KeyHex, NetworkId } from '../shared/ids.ts';
import {
  DOOR_ARRAY,
  encodeGrant,
  encodeRefusal,
  MAX_DOOR_ENTRY_BYTES,
  parseDoorEntry,
  type Knock,
} from '../shared/net/door.ts';
import { joinSecretBytesOf } from '../shared/net/invitation.ts';
import { guardWrtc, type WrtcLike } from '../shared/replication/guardedWrtc.ts';
import { screenChannelMessage } from '../shared/replication/screen.ts';
import {
  createTicket,
  decideKnock,
  findTicket,
  doorKeyOf,
  doorRoomOfRecord,
  isOpen,
  keptTickets,
  recordUse,
  ticketFields,
  type TicketRecord,
} from '../shared/net/tickets.ts';
import type { TicketInvitation } from '../shared/net/ticket.ts';
import type { Cancel, ClockPort, RandomPort, TimerPort } from './ports.ts';
import { joinPrivateRoom, leavePrivateRoom } from './privateRoom.ts';
import { DOOR_CHECK_MS } from './timing.ts';

/** Entries a door's doc may hold before the keeper stops reading it (honest use: 2 per guest). */
export const MAX_DOOR_ENTRIES = 256;

export interface DoorHost {
  readonly networkId: NetworkId;
  readonly clock: ClockPort;
  readonly timers: TimerPort;
  readonly random: RandomPort;
  readonly wrtc: WrtcLike;
  relays(): readonly string[];
  iceServers(): readonly unknown[];
  /** The join secret the network uses now (base64url): what a newcomer is let in with. */
  joinSecret(): string;
  /** The records changed: the platform keeps them. */
  save(records: readonly TicketRecord[]): void;
  /** A newcomer was let in, or a knock refused. */
  onKnock(record: TicketRecord, outcome: 'granted' | 'refused', who: KeyHex | null): void;
  warn(message: string): void;
}

export interface TicketView {
  readonly id: string;
  readonly once: boolean;
  readonly created: number;
  readonly expires: number;
  readonly state: 'open' | 'used' | 'expired' | 'revoked';
  readonly uses: ReadonlyArray<{ readonly at: number; readonly who: KeyHex | null }>;
}

interface Door {
  readonly doc: Y.Doc;
  readonly provider: WebrtcProvider;
  flooded: boolean;
}

export class DoorKeeper {
  readonly #host: DoorHost;
  readonly #wrtc: WrtcLike;
  #records: TicketRecord[];
  readonly #doors = new Map<string, Door>();
  #timer: Cancel | null = null;

  constructor(host: DoorHost, records: readonly TicketRecord[]) {
    this.#host = host;
    this.#records = [...records];
    this.#wrtc = guardWrtc(host.wrtc, {
      poll: (callback, ms) => host.timers.after(ms, callback),
      screen: (message) =>
        Promise.resolve(screenChannelMessage(message, DOOR_ARRAY, MAX_DOOR_ENTRY_BYTES)),
    });
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = this.#host.timers.every(DOOR_CHECK_MS, () => this.#sync());
    this.#sync();
  }

  /** A new ticket, its door opened now; returns its record and the link's ticket fields. */
  create(options: { once: boolean; expires: number }): {
    record: TicketRecord;
    fields: Pick<TicketInvitation, 'ticket' | 'door' | 'expires' | 'once'>;
  } {
    const now = this.#host.clock.now();
    const record = createTicket(this.#records, { ...options, now, random: this.#host.random });
    this.#records.push(record);
    this.#host.save(this.#records);
    this.#sync();
    return { record, fields: ticketFields(record) };
  }

  /** Withdraws a ticket: its door closes, and a newcomer holding it is not let in. */
  revoke(id: string): TicketRecord {
    const record = findTicket(this.#records, id);
    if (typeof record === 'string') throw new Error(record);
    if (record.revoked !== undefined) return record;
    const revoked = { ...record, revoked: this.#host.clock.now() };
    this.#replace(revoked);
    this.#sync();
    return revoked;
  }

  list(): TicketView[] {
    const now = this.#host.clock.now();
    return this.#records.map((r) => ({
      id: r.id,
      once: r.once,
      created: r.created,
      expires: r.expires,
      state:
        r.revoked !== undefined
          ? 'revoked'
          : now >= r.expires
            ? 'expired'
            : r.once && r.uses.length > 0
              ? 'used'
              : 'open',
      uses: r.uses.map((u) => ({ at: u.at, who: (u.who as KeyHex | undefined) ?? null })),
    }));
  }

  close(): void {
    this.#timer?.();
    this.#timer = null;
    for (const id of [...this.#doors.keys()]) this.#leave(id);
  }

  #replace(record: TicketRecord): void {
    this.#records = this.#records.map((r) => (r.id === record.id ? record : r));
    this.#host.save(this.#records);
  }

  /** Opens the doors of open tickets, closes the others, and forgets long-closed ones. */
  #sync(): void {
    const now = this.#host.clock.now();
    const kept = keptTickets(this.#records, now);
    if (kept.length !== this.#records.length) {
      this.#records = kept;
      this.#host.save(kept);
    }
    for (const record of this.#records) {
      const open = isOpen(record, now);
      if (open && !this.#doors.has(record.id)) this.#open(record);
      if (!open && this.#doors.has(record.id)) this.#leave(record.id);
    }
  }

  #open(record: TicketRecord): void {
    const doc = new Y.Doc();
    const { room, password } = doorRoomOfRecord(record, this.#host.networkId);
    const provider = joinPrivateRoom({
      room,
      password,
      doc,
      wrtc: this.#wrtc,
      relays: this.#host.relays(),
      iceServers: this.#host.iceServers(),
    });
    const door: Door = { doc, provider, flooded: false };
    this.#doors.set(record.id, door);
    const entries = doc.getArray<Uint8Array>(DOOR_ARRAY);
    entries.observe(() => this.#read(record.id, door, entries));
  }

  #leave(id: string): void {
    const door = this.#doors.get(id);
    if (!door) return;
    this.#doors.delete(id);
    leavePrivateRoom(door.provider);
    door.doc.destroy();
  }

  /** Answers every knock in the door's doc that has no answer yet. */
  #read(id: string, door: Door, entries: Y.Array<Uint8Array>): void {
    if (door.flooded) return;
    if (entries.length > MAX_DOOR_ENTRIES) {
      door.flooded = true;
      this.#host.warn(
        `The door of invitation ${id} holds more than ${MAX_DOOR_ENTRIES} messages and is no longer answered: someone holding the link is flooding it. Withdraw it (Withdraw in the Invite panel, or gpow invite revoke ${id}).`,
      );
      return;
    }
    const knocks: Knock[] = [];
    const answered = new Set<string>();
    for (const bytes of entries.toArray()) {
      const parsed = parseDoorEntry(bytes);
      if (!parsed.ok) continue;
      if (parsed.entry.kind === 'knock') knocks.push(parsed.entry.knock);
      else answered.add(toHex(parsed.entry.answer.to));
    }
    for (const knock of knocks) {
      const to = toHex(knock.to);
      if (answered.has(to)) continue;
      answered.add(to);
      // This runs inside a Yjs observer, on a remote peer's update: nothing may throw out of it.
      let answer: Uint8Array | null = null;
      try {
        answer = this.#answer(id, knock);
      } catch (error) {
        this.#host.warn(`A knock at invitation ${id} could not be answered: ${String(error)}`);
      }
      if (answer) entries.push([answer]);
    }
  }

  #answer(id: string, knock: Knock): Uint8Array | null {
    const record = this.#records.find((r) => r.id === id);
    if (!record) return null;
    const now = this.#host.clock.now();
    const to = toHex(knock.to);
    const who = knock.who ? (toHex(knock.who) as KeyHex) : null;
    const door = doorKeyOf(record);
    const decision = decideKnock(record, to, now);
    if (decision !== 'grant') {
      this.#host.onKnock(record, 'refused', who);
      return encodeRefusal(this.#host.networkId, door, knock.to, decision);
    }
    const secret = joinSecretBytesOf(this.#host.joinSecret());
    const grant = encodeGrant(this.#host.networkId, door, knock.to, secret, now, this.#host.random);
    const used = recordUse(record, { at: now, to, ...(who ? { who } : {}) });
    if (used !== record) this.#replace(used);
    this.#host.onKnock(used, 'granted', who);
    return grant;
  }
}
