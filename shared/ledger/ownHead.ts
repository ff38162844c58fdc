// A peer never signs blind: it signs only when it knows its own chain's latest position.
//
// Signing at a position already used (the same seq twice) is an equivocation, and the ledger
// freezes an equivocating identity for good. A peer that lost part of its own history (a
// damaged log, a cut tail, a backup restored over newer data) and signed from what it still
// had would do exactly that. So each log store keeps a seal: the latest position this identity
// signed there, and which stored log it was written for (LoadedLog.instance, the file's
// identity). It is written after the transaction is durable in the log and before the
// transaction is published, so the seal is never behind anything the network may have seen.
//
// At start the head is known when the seal's log is this log, nothing was damaged, and the log
// still holds the sealed position. Otherwise it is unknown until a full sync with another
// member has run through the ledger: the network then holds whatever we published. While it is
// unknown the peer refuses to sign, with a sentence that says why, and a witness does not vote.
// docs/storage.md ("Knowing your own chain's latest position") has the whole argument.
import * as v from 'valibot';
import { decodeCanonical, encodeCanonical } from '../codec/cbor.ts';
import type { KeyHex, TxId } from '../ids.ts';
import type { LogStore } from '../storage/port.ts';

export const OWN_HEAD_META_KEY = 'own-head';
const MAX_SEAL_BYTES = 512;

/** The latest position an identity signed in one stored log. */
export interface OwnHeadSeal {
  readonly author: KeyHex;
  /** -1 when the identity has signed nothing in this network yet. */
  readonly seq: number;
  readonly id: TxId | null;
  /** LoadedLog.instance of the log it was written for; null where the store has none. */
  readonly instance: string | null;
}

const HEX64 = /^[0-9a-f]{64}$/;
const SealSchema = v.strictObject({
  v: v.literal(1),
  author: v.pipe(v.string(), v.regex(HEX64)),
  seq: v.pipe(v.number(), v.integer(), v.minValue(-1)),
  id: v.nullable(v.pipe(v.string(), v.regex(HEX64))),
  instance: v.nullable(v.pipe(v.string(), v.maxLength(256))),
});

export function encodeSeal(seal: OwnHeadSeal): Uint8Array {
  return encodeCanonical({ v: 1, ...seal });
}

/** The seal in `bytes`, or null when they are not a seal (a damaged meta value). */
export function decodeSeal(bytes: Uint8Array): OwnHeadSeal | null {
  const decoded = decodeCanonical(bytes, MAX_SEAL_BYTES);
  if (!decoded.ok) return null;
  const parsed = v.safeParse(SealSchema, decoded.value);
  if (!parsed.success) return null;
  const { author, seq, id, instance } = parsed.output;
  if ((seq === -1) !== (id === null)) return null;
  return { author: author as KeyHex, seq, id: id as TxId | null, instance };
}

/** What the log store said about itself when it was loaded. */
export interface LoadFacts {
  readonly instance: string | undefined;
  /** The store found damage (not just a torn tail) and repaired it. */
  readonly damaged: boolean;
}

/** The part of a ledger this needs: our chain's head, and whether a transaction is held. */
export interface ChainView {
  head(author: KeyHex): { readonly id: TxId; readonly seq: number } | undefined;
  has(id: TxId): boolean;
}

export type OwnHeadState = { readonly known: true } | { readonly known: false; reason: string };

const KNOWN: OwnHeadState = { known: true };
const unknown = (reason: string): OwnHeadState => ({ known: false, reason });

/**
 * Whether the latest position of `author`'s chain is known from local storage alone.
 * `seal` is undefined when none was stored, null when the stored one is unreadable.
 */
export function judgeOwnHead(
  author: KeyHex,
  seal: OwnHeadSeal | null | undefined,
  facts: LoadFacts,
  ledger: ChainView | null,
): OwnHeadState {
  if (facts.damaged) return unknown('its ledger log was damaged and repaired');
  if (seal === null) return unknown('the record of its latest position is damaged');
  if (seal === undefined || seal.author !== author) {
    return unknown('this data folder has no record of its latest position in this network');
  }
  if (seal.instance !== null && facts.instance !== undefined && seal.instance !== facts.instance) {
    return unknown(
      'its ledger log is not the file it last wrote (restored from a backup, copied or moved)',
    );
  }
  if (seal.id === null) return KNOWN;
  const head = ledger?.head(author);
  if (ledger === null || !ledger.has(seal.id) || head === undefined || head.seq < seal.seq) {
    return unknown('its ledger log has lost transactions it signed (an older copy, or a cut file)');
  }
  return KNOWN;
}

/** Thrown instead of signing while the head is unknown. */
export class BlindSigningError extends Error {
  override name = 'BlindSigningError';
}

/** The sentence a user sees while signing is refused. */
export const blindSigningMessage = (reason: string): string =>
  `This peer will not sign yet: ${reason}, so it does not know the latest position of your ` +
  `chain, and signing now could reuse one and freeze your identity. Connect to another member ` +
  `of the network (gpow run, or go online in the app); signing resumes by itself after the ` +
  `first full sync.`;

/**
 * The seal and the verdict for one identity in one log store. Every platform's peer holds one
 * and asks it before each signature (see the top of this file).
 */
export class OwnHead {
  readonly #store: Pick<LogStore, 'putMeta'>;
  readonly #author: KeyHex;
  #instance: string | null;
  /** What the seal holds now, as far as this object knows: written again when the log moves. */
  #sealed: { readonly seq: number; readonly id: TxId | null } | null;
  #state: OwnHeadState;
  readonly #waiters: Array<() => void> = [];

  private constructor(
    store: Pick<LogStore, 'putMeta'>,
    author: KeyHex,
    instance: string | null,
    state: OwnHeadState,
    sealed: { readonly seq: number; readonly id: TxId | null } | null = null,
  ) {
    this.#store = store;
    this.#author = author;
    this.#instance = instance;
    this.#state = state;
    this.#sealed = sealed;
  }

  /** Reads the seal of a loaded store and judges it against the ledger read from that store. */
  static async open(
    store: Pick<LogStore, 'getMeta' | 'putMeta'>,
    author: KeyHex,
    facts: LoadFacts,
    ledger: ChainView | null,
  ): Promise<OwnHead> {
    const raw = await store.getMeta(OWN_HEAD_META_KEY);
    const seal = raw === undefined ? undefined : decodeSeal(raw);
    const state = judgeOwnHead(author, seal, facts, ledger);
    const sealed = seal && seal.author === author ? { seq: seal.seq, id: seal.id } : null;
    return new OwnHead(store, author, facts.instance ?? null, state, sealed);
  }

  /**
   * For an identity that starts a network's chain in a fresh store (the founder writing the
   * genesis): nothing can exist before, so its head is known. Call record() for the genesis.
   */
  static fresh(store: Pick<LogStore, 'putMeta'>, author: KeyHex, instance: string | undefined) {
    return new OwnHead(store, author, instance ?? null, KNOWN);
  }

  get state(): OwnHeadState {
    return this.#state;
  }

  get known(): boolean {
    return this.#state.known;
  }

  /** The sentence for a refused signature, or null when signing may go ahead. */
  problem(): string | null {
    return this.#state.known ? null : blindSigningMessage(this.#state.reason);
  }

  /**
   * Resolves once the head is known (at once if it is). A peer in the middle of its first sync
   * waits on this, bounded by its own timer, rather than refusing an action a moment too early.
   */
  whenKnown(): Promise<void> {
    if (this.#state.known) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Throws BlindSigningError while the head is unknown; call before every signature. */
  assertCanSign(): void {
    const problem = this.problem();
    if (problem !== null) throw new BlindSigningError(problem);
  }

  /**
   * Records one of our transactions: call once it is durable in the log, before publishing it.
   * Others' transactions are ignored.
   */
  async record(tx: { readonly author: KeyHex; readonly seq: number; readonly id: TxId }) {
    if (tx.author !== this.#author) return;
    await this.#seal(tx.seq, tx.id);
  }

  /**
   * A full sync with another member has gone through the ledger: our head is now whatever the
   * network holds. Seals it and allows signing again.
   */
  async learned(ledger: ChainView): Promise<void> {
    const head = ledger.head(this.#author);
    await this.#seal(head?.seq ?? -1, head?.id ?? null);
    this.#state = KNOWN;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /**
   * The store rewrote the log (a prune, engine/pruning.ts) and it is a new file now: the seal
   * names the new one, so the next start does not take it for a copy. Only while the head is
   * known: an unknown head stays unknown whatever the seal says.
   */
  async moved(instance: string | undefined): Promise<void> {
    this.#instance = instance ?? null;
    if (this.#state.known && this.#sealed) await this.#seal(this.#sealed.seq, this.#sealed.id);
  }

  async #seal(seq: number, id: TxId | null): Promise<void> {
    const seal = { author: this.#author, seq, id, instance: this.#instance };
    await this.#store.putMeta(OWN_HEAD_META_KEY, encodeSeal(seal));
    this.#sealed = { seq, id };
  }
}

/**
 * Seals the founder's chain in the fresh store that holds only the genesis it just signed:
 * nothing can precede a new network's genesis, so the founder may sign offline at once.
 */
export async function sealGenesis(
  store: Pick<LogStore, 'load' | 'putMeta'>,
  genesis: { readonly author: KeyHex; readonly seq: number; readonly id: TxId },
): Promise<void> {
  const { records, instance } = await store.load();
  if (records.length !== 1) {
    throw new Error('only a store that holds nothing but the new genesis can be sealed for it');
  }
  await OwnHead.fresh(store, genesis.author, instance).record(genesis);
}
