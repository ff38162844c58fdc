// The ledger's view of devices (docs/protocol.md §12): which chains act for which identity, which
// chains are closed by a revocation, and what a chain inherits when it claims one.
//
// The checks here read only a transaction's causal past, through ChainFacts, so every peer
// decides the same. The index is filled as transactions become valid and serves the queries that
// do depend on what a peer holds (finality of a revocation, the device list).
import { keyHexOf, txIdOf, type KeyHex, type TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import { DEVICE_TYPE, REVOKE_TYPE, type DeviceBody, type RevokeBody } from '../tx/device.ts';
import { reject, type Rejection } from '../tx/rejection.ts';

/** Chains a chain has inherited by claiming revocations: each closed chain and its last id. */
export type Succession = ReadonlyMap<KeyHex, TxId | null>;

export interface DeviceRecord {
  readonly key: KeyHex;
  readonly account: KeyHex;
  readonly id: TxId;
  readonly name: string;
  readonly allowance: bigint;
  readonly pairing: KeyHex | null;
  readonly time: number;
}

export interface Revocation {
  readonly id: TxId;
  /** The revocation's own one-time author key. */
  readonly author: KeyHex;
  readonly account: KeyHex;
  readonly target: KeyHex;
  readonly head: { readonly seq: number; readonly id: TxId } | null;
  readonly to: KeyHex;
  readonly by: KeyHex;
  readonly time: number;
}

/** The seq a revocation leaves standing: its head's, or -1 when the chain had nothing. */
export const capSeq = (r: Revocation): number => r.head?.seq ?? -1;

/** What the checks need from the ledger: facts about the causal past only. */
export interface ChainFacts {
  readonly founder: KeyHex;
  /** The witnesses of the transaction's own epoch (§13): what its causal past says. */
  readonly witnesses: ReadonlySet<KeyHex>;
  hasAllocation(key: KeyHex): boolean;
  valid(id: TxId): Tx | undefined;
  ancestorAt(id: TxId, seq: number): TxId | undefined;
  /** Whether votes among `candidates` of a quorum of one witness set cover `id`. */
  finalAmong(id: TxId, candidates: readonly TxId[]): boolean;
}

export function deviceRecordOf(tx: Tx): DeviceRecord {
  const body = tx.body as DeviceBody;
  return {
    key: tx.author,
    account: keyHexOf(body.account),
    id: tx.id,
    name: body.name,
    allowance: body.allowance,
    pairing: body.pairing === undefined ? null : keyHexOf(body.pairing),
    time: tx.time,
  };
}

export function revocationOf(tx: Tx): Revocation {
  const body = tx.body as RevokeBody;
  return {
    id: tx.id,
    author: tx.author,
    account: keyHexOf(body.account),
    target: keyHexOf(body.device),
    head: body.head === null ? null : { seq: body.head[0], id: txIdOf(body.head[1]) },
    to: keyHexOf(body.to),
    by: keyHexOf(body.by),
    time: tx.time,
  };
}

/** A `device` transaction: the first of a new key's chain, certified by the identity. */
export function checkDevice(tx: Tx, facts: ChainFacts): Rejection | null {
  if (tx.seq !== 0) return reject('bad-sequence', "a device's chain begins with its certificate");
  const record = deviceRecordOf(tx);
  if (record.account === tx.author)
    return reject('invalid-body', 'an identity cannot be a device of itself');
  if (
    facts.hasAllocation(tx.author) ||
    facts.witnesses.has(tx.author) ||
    tx.author === facts.founder
  )
    return reject(
      'invalid-body',
      'this key is already an identity of the network; a device needs a key of its own',
    );
  return null;
}

/** The `device` transaction among `tx`'s deps that makes `key` a device of `account`, if any. */
function deviceDep(tx: Tx, key: KeyHex, account: KeyHex, facts: ChainFacts): boolean {
  for (const dep of tx.deps) {
    const found = facts.valid(dep);
    if (
      found?.type === DEVICE_TYPE &&
      found.author === key &&
      deviceRecordOf(found).account === account
    )
      return true;
  }
  return false;
}

/**
 * A `device-revoke` transaction. It closes `device`'s chain after `head` and names the heir of
 * what that chain held. The head must be final in the revocation's deps, so everything the heir
 * inherits is fixed for good.
 */
export function checkRevoke(tx: Tx, facts: ChainFacts): Rejection | null {
  if (tx.seq !== 0)
    return reject('bad-sequence', 'a revocation is the only transaction of a one-time key');
  const r = revocationOf(tx);
  if (facts.witnesses.has(r.target))
    return reject(
      'invalid-body',
      "a witness's own chain cannot be revoked; the group replaces a witness",
    );
  if (r.to === r.target)
    return reject('invalid-body', 'a revoked chain cannot inherit from itself');
  const head = checkRevokedHead(tx, r, facts);
  if (head) return head;
  if (r.to !== r.account && !deviceDep(tx, r.to, r.account, facts))
    return reject(
      'invalid-body',
      'the heir must be the identity or one of its devices (its certificate in deps)',
    );
  if (r.by === r.account) return null;
  if (!deviceDep(tx, r.by, r.account, facts))
    return reject(
      'invalid-body',
      'the revocation must be authorised by the identity or one of its devices',
    );
  if (r.target === r.account || r.to !== r.account)
    return reject(
      'invalid-body',
      "a device may revoke another device only, and only back to the identity's own chain",
    );
  return null;
}

function checkRevokedHead(tx: Tx, r: Revocation, facts: ChainFacts): Rejection | null {
  if (r.head === null) {
    return r.target === r.account
      ? null
      : reject('invalid-body', "a device's chain always has its certificate: name its head");
  }
  const head = facts.valid(r.head.id);
  if (!tx.deps.includes(r.head.id) || !head || head.author !== r.target || head.seq !== r.head.seq)
    return reject(
      'invalid-body',
      'the head must be a dependency on the revoked chain, at its stated seq',
    );
  if (r.target !== r.account) {
    const first = facts.valid(facts.ancestorAt(r.head.id, 0) ?? ('' as TxId));
    if (first?.type !== DEVICE_TYPE || deviceRecordOf(first).account !== r.account)
      return reject('invalid-body', 'the revoked chain is not a device of this identity');
  }
  if (!facts.finalAmong(r.head.id, tx.deps))
    return reject(
      'invalid-body',
      "the revoked chain's head must be final: a quorum of votes covering it in deps",
    );
  return null;
}

/** Devices and revocations as the ledger has seen them, for queries and for the vote rule. */
export class DeviceIndex {
  readonly #devices = new Map<KeyHex, DeviceRecord>();
  readonly #byAccount = new Map<KeyHex, KeyHex[]>();
  readonly #revocationsOf = new Map<KeyHex, Revocation[]>();
  readonly #revocationBy = new Map<KeyHex, Revocation>();
  readonly #revocationsTo = new Map<KeyHex, Revocation[]>();

  /** Records a valid transaction of either device type; ignores every other type. */
  add(tx: Tx): void {
    if (tx.type === DEVICE_TYPE) this.#addDevice(deviceRecordOf(tx));
    else if (tx.type === REVOKE_TYPE) {
      const r = revocationOf(tx);
      this.#revocationBy.set(r.author, r);
      pushTo(this.#revocationsOf, r.target, r);
      pushTo(this.#revocationsTo, r.to, r);
    }
  }

  #addDevice(record: DeviceRecord): void {
    const known = this.#devices.get(record.key);
    // A device key that signed two certificates forked its own chain; keep one, the same on
    // every peer whatever the arrival order.
    if (known && known.id < record.id) return;
    this.#devices.set(record.key, record);
    if (known) this.#removeFrom(known.account, record.key);
    const list = this.#byAccount.get(record.account);
    if (list) list.push(record.key);
    else this.#byAccount.set(record.account, [record.key]);
  }

  #removeFrom(account: KeyHex, key: KeyHex): void {
    const list = this.#byAccount.get(account) ?? [];
    const at = list.indexOf(key);
    if (at >= 0) list.splice(at, 1);
  }

  device(key: KeyHex): DeviceRecord | undefined {
    return this.#devices.get(key);
  }

  /** The identity a chain acts for: the account of a device, or the key itself. */
  identityOf(key: KeyHex): KeyHex {
    return this.#devices.get(key)?.account ?? key;
  }

  devicesOf(account: KeyHex): readonly KeyHex[] {
    return this.#byAccount.get(account) ?? [];
  }

  revocationsOf(target: KeyHex): readonly Revocation[] {
    return this.#revocationsOf.get(target) ?? [];
  }

  /** Revocations naming `heir` as the one that inherits. */
  revocationsTo(heir: KeyHex): readonly Revocation[] {
    return this.#revocationsTo.get(heir) ?? [];
  }

  revocationBy(author: KeyHex): Revocation | undefined {
    return this.#revocationBy.get(author);
  }

  hasRevocations(): boolean {
    return this.#revocationBy.size > 0;
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
