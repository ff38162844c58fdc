// The DNEC market's per-ledger index: service registrations, bonds, requests, and every
// life-cycle action by request and by author. The rules (rules.ts) and the outcome (outcome.ts)
// read it; it is only ever extended, by TxTypeDef.accepted hooks, as transactions become valid.
//
// Chain-local facts ("has this provider already accepted R on this branch?", "how much of its
// capacity is in use at this point of its chain?") are answered from the author's own chain:
// the same on every peer, whatever else the peer holds.
import { keyHexOf, txIdOf, type KeyHex, type TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import type { IndexStore, LedgerReader } from '../tx/types.ts';
import type { OfferBody, RequestBody } from './bodies.ts';
import type { ServiceDef } from './services.ts';

export type ActionKind =
  | 'accept'
  | 'decline'
  | 'abandon'
  | 'reveal'
  | 'deliver'
  | 'review'
  | 'verdict'
  | 'settle'
  | 'unbond'
  | 'beacon';

export interface RequestInfo {
  readonly id: TxId;
  readonly consumer: KeyHex;
  readonly provider: KeyHex;
  readonly body: RequestBody;
  readonly service: ServiceDef;
  /** rate × volume: what the provider earns. */
  readonly price: bigint;
  /** price + m × fee: what the request locks. */
  readonly escrow: bigint;
  /** Validator keys of the pool's bonds, sorted. */
  readonly pool: readonly KeyHex[];
  readonly time: number;
}

export interface OfferState {
  readonly capacity: bigint;
  readonly rate: bigint;
  readonly offer: TxId;
  readonly time: number;
}

/** A provider's market state at one point of its chain. */
export interface ProviderSnapshot {
  readonly id: TxId;
  readonly seq: number;
  readonly offers: ReadonlyMap<string, OfferState>;
  /** Volume of accepted instances not yet delivered or given up, per service. */
  readonly active: ReadonlyMap<string, bigint>;
}

/** One valid life-cycle action: transaction `id` by `author`, of `kind`, on `subject`. */
export interface ActionRecord {
  readonly id: TxId;
  readonly author: KeyHex;
  /** The request it acts on (for an unbond, the bond). */
  readonly subject: TxId;
  readonly kind: ActionKind;
}

export interface Bond {
  readonly id: TxId;
  readonly validator: KeyHex;
  readonly amount: bigint;
}

const EMPTY_SNAPSHOT: Omit<ProviderSnapshot, 'id' | 'seq'> = {
  offers: new Map(),
  active: new Map(),
};

export class MarketIndex {
  readonly services = new Map<TxId, ServiceDef>();
  readonly bonds = new Map<TxId, Bond>();
  readonly requests = new Map<TxId, RequestInfo>();
  /** Every valid action on a request, by kind. */
  readonly #byRequest = new Map<TxId, Map<ActionKind, TxId[]>>();
  /** author|subject|kind → the author's transactions of that kind for that subject. */
  readonly #byAuthor = new Map<string, TxId[]>();
  readonly #snapshots = new Map<KeyHex, ProviderSnapshot[]>();

  actions(request: TxId, kind: ActionKind): readonly TxId[] {
    return this.#byRequest.get(request)?.get(kind) ?? [];
  }

  recordAction(tx: Tx, subject: TxId, kind: ActionKind): void {
    this.recordActionOf({ id: tx.id, author: tx.author, subject, kind });
  }

  /** Records an action known by its parts (what restoring a snapshot does). */
  recordActionOf(action: ActionRecord): void {
    const { id, author, subject, kind } = action;
    let kinds = this.#byRequest.get(subject);
    if (!kinds) this.#byRequest.set(subject, (kinds = new Map<ActionKind, TxId[]>()));
    push(kinds, kind, id);
    push(this.#byAuthor, `${author}|${subject}|${kind}`, id);
  }

  /** Every recorded action, in no particular order (each valid action appears once). */
  *actionRecords(): IterableIterator<ActionRecord> {
    for (const [key, ids] of this.#byAuthor) {
      const [author, subject, kind] = key.split('|') as [KeyHex, TxId, ActionKind];
      for (const id of ids) yield { id, author, subject, kind };
    }
  }

  /** The provider's recorded states, lowest seq first (a fork's states in arrival order). */
  history(provider: KeyHex): readonly ProviderSnapshot[] {
    return this.#snapshots.get(provider) ?? [];
  }

  /** Appends a recorded state, as restoring a snapshot does (in seq order). */
  restoreState(provider: KeyHex, state: ProviderSnapshot): void {
    let list = this.#snapshots.get(provider);
    if (!list) this.#snapshots.set(provider, (list = []));
    list.push(state);
  }

  /** The author's earlier action of `kind` on `subject` on the chain ending at `at`, if any. */
  doneOnChain(
    reader: LedgerReader,
    author: KeyHex,
    subject: TxId,
    kind: ActionKind,
    at: TxId | null,
  ): TxId | undefined {
    if (at === null) return undefined;
    const ids = this.#byAuthor.get(`${author}|${subject}|${kind}`) ?? [];
    return ids.find((id) => reader.isAncestorOrEqual(id, at));
  }

  /** The provider's state on the chain ending at `at` (its state before its next transaction). */
  snapshotAt(
    reader: LedgerReader,
    provider: KeyHex,
    at: TxId | null,
  ): Omit<ProviderSnapshot, 'id' | 'seq'> {
    if (at === null) return EMPTY_SNAPSHOT;
    const list = this.#snapshots.get(provider) ?? [];
    const atSeq = reader.valid(at)?.seq ?? -1;
    for (let i = list.length - 1; i >= 0; i--) {
      const snapshot = list[i] as ProviderSnapshot;
      if (snapshot.seq <= atSeq && reader.isAncestorOrEqual(snapshot.id, at)) return snapshot;
    }
    return EMPTY_SNAPSHOT;
  }

  /** The provider's state after its highest transaction (what negotiation shows). */
  latestSnapshot(provider: KeyHex): ProviderSnapshot | undefined {
    const list = this.#snapshots.get(provider);
    return list?.[list.length - 1];
  }

  providers(): KeyHex[] {
    return [...this.#snapshots.keys()].sort();
  }

  /** Records the provider's state after `tx`, derived from its state before it. */
  updateSnapshot(
    reader: LedgerReader,
    tx: Tx,
    change: (offers: Map<string, OfferState>, active: Map<string, bigint>) => void,
  ): void {
    const base = this.snapshotAt(reader, tx.author, tx.prev);
    const offers = new Map(base.offers);
    const active = new Map(base.active);
    change(offers, active);
    let list = this.#snapshots.get(tx.author);
    if (!list) this.#snapshots.set(tx.author, (list = []));
    let at = list.length;
    while (at > 0 && (list[at - 1] as ProviderSnapshot).seq > tx.seq) at--;
    list.splice(at, 0, { id: tx.id, seq: tx.seq, offers, active });
  }
}

function push<K>(map: Map<K, TxId[]>, key: K, id: TxId): void {
  const list = map.get(key);
  if (list) list.push(id);
  else map.set(key, [id]);
}

export const marketOf = (indexes: IndexStore): MarketIndex =>
  indexes.index('dnec', () => new MarketIndex());

export function offerState(tx: Tx<OfferBody>): OfferState {
  return { capacity: tx.body.capacity, rate: tx.body.rate, offer: tx.id, time: tx.time };
}

export const keyOf = (bytes: Uint8Array): KeyHex => keyHexOf(bytes);
export const idOf = (bytes: Uint8Array): TxId => txIdOf(bytes);
