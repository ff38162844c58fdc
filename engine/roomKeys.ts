// Rotating the join secret (docs/protocol.md §13.8), as the engine does it on every platform. A
// witness seals a fresh secret to every member's chains; each peer that can open its box moves
// its room to the new secret, a little later, so that the rotation still reaches the members
// that are in the old room. A peer with no box is told it was left outside. After a removal takes
// effect the proposing witness rotates by itself, and should it be offline, the other current
// witnesses do, one after the other (rotationDelay), until one rotation is seen.
import { fromHex } from '../shared/bytes.ts';
import type { KeyHex, TxId } from '../shared/ids.ts';
import type { Proposal } from '../shared/ledger/epochs.ts';
import type { Ledger } from '../shared/ledger/ledger.ts';
import { nextPosition } from '../shared/ledger/ledger.ts';
import { joinSecretOf } from '../shared/net/invitation.ts';
import { SSK_ALG_X25519_XCHACHA, sealKey } from '../shared/ssk/box.ts';
import {
  MAX_ROOM_KEY_BOXES,
  ROOM_KEY_PURPOSE,
  ROOM_KEY_TYPE,
  roomKeyBody,
  roomKeys,
  type RoomKey,
} from '../shared/ssk/roomKey.ts';
import type { VerifiedTx } from '../shared/tx/registry.ts';
import { EngineError, messageOf, type Compose } from './events.ts';
import type { Cancel, EnginePorts } from './ports.ts';
import { ROOM_CHECK_MS, ROOM_SWITCH_DELAY_MS, ROTATION_FALLBACK_MS } from './timing.ts';

export interface RoomKeyHost {
  readonly ports: Pick<EnginePorts, 'signer' | 'random' | 'clock' | 'timers'>;
  ledger(): Ledger | null;
  act(compose: Compose): Promise<{ tx: VerifiedTx } | null>;
  /** Moves the room to this secret. */
  useSecret(secret: string): Promise<void>;
  /** The platform keeps the new secret, so that a restart never joins the old room. */
  keepSecret(secret: string, generation: number): void;
  warn(message: string): void;
}

export interface Rotation {
  readonly generation: number;
  readonly secret: string;
  /** How many chains the secret was sealed to. */
  readonly recipients: number;
}

export class RoomKeyAgent {
  readonly #host: RoomKeyHost;
  #generation = 0;
  /** The rotation whose secret this peer holds: of two with one generation, the lower id wins. */
  #takenId: TxId | null = null;
  #secret: string;
  #timer: Cancel | null = null;
  /** Pending moves to a new room: cancelled on stop, so a closed peer joins nothing. */
  readonly #switches = new Set<Cancel>();
  readonly #told = new Set<TxId>();
  readonly #rotated = new Set<TxId>();
  /** When this peer first saw each removal in effect: the start of its wait (rotationDelay). */
  readonly #inEffectSince = new Map<TxId, number>();

  constructor(host: RoomKeyHost, secret: string) {
    this.#host = host;
    this.#secret = secret;
  }

  /** The join secret in use: what an invitation made now carries. */
  get secret(): string {
    return this.#secret;
  }

  /** The ledger arrived: move to its latest rotation at once (nothing is connected yet). */
  start(): void {
    this.#follow(true);
    this.#timer = this.#host.ports.timers.every(ROOM_CHECK_MS, () => this.#tick());
  }

  stop(): void {
    this.#timer?.();
    this.#timer = null;
    for (const cancel of this.#switches) cancel();
    this.#switches.clear();
  }

  /** Moves the room to `secret` after ROOM_SWITCH_DELAY_MS, unless stopped meanwhile. */
  #switchLater(secret: string): void {
    const cancel = this.#host.ports.timers.after(ROOM_SWITCH_DELAY_MS, () => {
      this.#switches.delete(cancel);
      void this.#host.useSecret(secret);
    });
    this.#switches.add(cancel);
  }

  #tick(): void {
    this.#follow(false);
    void this.#rotateAfterRemoval().catch((error: unknown) =>
      this.#host.warn(`rotating the join secret failed: ${messageOf(error)}`),
    );
  }

  /** Takes the latest rotation by a witness that this peer can open. */
  #follow(atStart: boolean): void {
    const ledger = this.#host.ledger();
    const signer = this.#host.ports.signer;
    if (!ledger || !signer) return;
    // Highest generation first, lowest id first among equals: the first better than the one
    // held. Two witnesses that rotate at once draw the same generation; every peer, each of
    // them included, then ends on the lower id, so the members do not split between two rooms.
    for (const rotation of roomKeys(ledger.indexes)) {
      if (rotation.generation < this.#generation) return;
      if (rotation.generation === this.#generation && rotation.id >= (this.#takenId ?? rotation.id))
        return;
      if (!ledger.isWitnessNow(rotation.author)) continue;
      const secret = this.#open(ledger, rotation, signer.key);
      if (secret === null) {
        this.#tellLockedOut(rotation);
        continue;
      }
      this.#generation = rotation.generation;
      this.#takenId = rotation.id;
      if (secret === this.#secret) return;
      this.#secret = secret;
      this.#host.keepSecret(secret, rotation.generation);
      if (atStart) void this.#host.useSecret(secret);
      else this.#switchLater(secret);
      return;
    }
  }

  /** The rotations this peer acts on: those of current witnesses. */
  #fromWitnesses(ledger: Ledger): RoomKey[] {
    return roomKeys(ledger.indexes).filter((r) => ledger.isWitnessNow(r.author));
  }

  #open(ledger: Ledger, rotation: RoomKey, me: KeyHex): string | null {
    const box = rotation.boxes.get(me);
    const signer = this.#host.ports.signer;
    if (!box || !signer?.openSskBox) return null;
    const opened = signer.openSskBox(box, {
      network: fromHex(ledger.networkId),
      sender: fromHex(rotation.author),
      recipient: fromHex(me),
      epoch: rotation.generation,
    });
    return opened.ok ? joinSecretOf(opened.key) : null;
  }

  #tellLockedOut(rotation: RoomKey): void {
    if (this.#told.has(rotation.id)) return;
    this.#told.add(rotation.id);
    this.#host.warn(
      `the network changed its join secret (generation ${rotation.generation}) without sealing it to this device: you were removed, or this device was not a member then. Ask a member for a new invitation if you should be in.`,
    );
  }

  /**
   * A removal took effect and no witness has rotated since: rotate once, so the removed stay
   * outside. The proposer does at once; each other current witness after its rotationDelay, so
   * one offline witness delays the rotation by a minute, and no two witnesses rotate together.
   */
  async #rotateAfterRemoval(): Promise<void> {
    const ledger = this.#host.ledger();
    const me = this.#host.ports.signer?.key;
    if (!ledger || !me || !ledger.isWitnessNow(me)) return;
    // Only a witness's rotation counts: a member about to be removed could name the change in
    // a rotation of their own, to make it look done.
    const rotations = this.#fromWitnesses(ledger);
    const now = this.#host.ports.clock.now();
    for (const p of ledger.proposals()) {
      if (p.remove.length === 0 || this.#rotated.has(p.id)) continue;
      if (ledger.epochs.open.epoch < p.epoch || !ledger.configOfChange(p.id)) continue;
      if (rotations.some((r) => rotatesAfter(ledger, r, p))) continue;
      const since = this.#inEffectSince.get(p.id) ?? now;
      this.#inEffectSince.set(p.id, since);
      if (now - since < rotationDelay(ledger.epochs.open.sorted, p.by, me)) continue;
      this.#rotated.add(p.id);
      await this.rotate(p.id);
    }
  }

  /** Seals a fresh join secret to every member's chains and publishes it. */
  async rotate(change: TxId | null = null): Promise<Rotation> {
    const ledger = this.#host.ledger();
    const me = this.#host.ports.signer?.key;
    if (!ledger || !me) throw new EngineError('to rotate the join secret, wait for the network');
    if (!ledger.isWitnessNow(me))
      throw new EngineError('only a witness can rotate the join secret');
    const recipients = memberChains(ledger);
    if (recipients.length > MAX_ROOM_KEY_BOXES)
      throw new EngineError(
        `the network has ${recipients.length} member devices; one rotation seals to at most ${MAX_ROOM_KEY_BOXES}`,
      );
    const { random, clock } = this.#host.ports;
    const bytes = random.bytes(32);
    const secret = joinSecretOf(bytes);
    // Rotations by non-witnesses are ignored, so they cannot push the generation out of range.
    const generation =
      Math.max(this.#generation, ...this.#fromWitnesses(ledger).map((r) => r.generation)) + 1;
    const network = fromHex(ledger.networkId);
    const meta = {
      epoch: generation,
      alg: SSK_ALG_X25519_XCHACHA,
      created: clock.now(),
      purpose: ROOM_KEY_PURPOSE,
    } as const;
    const boxes = recipients.map(
      (k) =>
        [
          k,
          sealKey(
            bytes,
            meta,
            { network, sender: fromHex(me), recipient: fromHex(k), epoch: generation },
            random,
          ),
        ] as const,
    );
    bytes.fill(0);
    const compose: Compose = (current, author) => {
      const position = nextPosition(current, author);
      if ('code' in position) return { ok: false, rejection: position };
      const body = roomKeyBody({ generation, boxes, change });
      const tx = {
        net: current.networkId,
        ...position,
        deps: [],
        type: ROOM_KEY_TYPE,
        body,
        time: clock.now(),
      };
      return { ok: true, tx };
    };
    const done = await this.#host.act(compose);
    if (!done) throw new EngineError('the rotation could not be signed now; try again');
    this.#generation = generation;
    this.#takenId = done.tx.id;
    this.#secret = secret;
    this.#host.keepSecret(secret, generation);
    this.#switchLater(secret);
    return { generation, secret, recipients: recipients.length };
  }
}

/** Every chain of every identity allowed to sign now, revoked devices left out. */
function memberChains(ledger: Ledger): KeyHex[] {
  const out = new Set<KeyHex>();
  for (const identity of [...ledger.activeIdentities(), ...ledger.witnesses]) {
    if (!ledger.mayActNow(identity)) continue;
    for (const chain of ledger.chainsOf(identity)) {
      if (!ledger.revocationsOf(chain).some((r) => r.final)) out.add(chain);
    }
  }
  return [...out].sort();
}

/**
 * Whether rotation `r` already shuts out those change `p` removed: it names the change, or it was
 * signed knowing the change in effect (its own epoch state), so its boxes leave them out.
 */
function rotatesAfter(ledger: Ledger, r: RoomKey, p: Proposal): boolean {
  return r.change === p.id || (ledger.epochsOf(r.id)?.open.epoch ?? -1) >= p.epoch;
}

/**
 * How long witness `me` waits after a removal proposed by `proposer` takes effect before it
 * rotates the join secret itself (§13.8): the proposer not at all; the other current witnesses
 * (`witnesses`, sorted) in turn, from the one after the proposer's place, ROTATION_FALLBACK_MS
 * apart. Every peer computes the same order, so each wait ends at a different time and the first
 * rotation is seen by the next witness before its own turn comes.
 */
export function rotationDelay(witnesses: readonly KeyHex[], proposer: KeyHex, me: KeyHex): number {
  if (me === proposer) return 0;
  const others = witnesses.filter((k) => k !== proposer);
  const after = others.findIndex((k) => k > proposer);
  const order = after <= 0 ? others : [...others.slice(after), ...others.slice(0, after)];
  const rank = order.indexOf(me);
  return rank < 0 ? Infinity : (rank + 1) * ROTATION_FALLBACK_MS;
}
