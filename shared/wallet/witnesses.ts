// A person's side of changing the witnesses (docs/protocol.md §13): plan a change, say why one
// cannot be made now, and compose the proposal that a current witness authorises.
import { fromHex } from '../bytes.ts';
import type { KeyHex, TxId } from '../ids.ts';
import { changing } from '../ledger/epochs.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { UnsignedTx } from '../tx/envelope.ts';
import { MAX_WITNESSES } from '../tx/genesis.ts';
import { reject } from '../tx/rejection.ts';
import { quorumOf } from '../ledger/votes.ts';
import { WITNESS_SET_TYPE, witnessSetMessage } from '../tx/witnessSet.ts';
import type { Refusal } from './devices.ts';

export type WitnessChange =
  | { readonly kind: 'add'; readonly key: KeyHex }
  | { readonly kind: 'remove'; readonly key: KeyHex }
  | { readonly kind: 'replace'; readonly old: KeyHex; readonly key: KeyHex }
  // Membership (§13.7): the same change, decided by the same quorum.
  | { readonly kind: 'admit'; readonly key: KeyHex }
  | { readonly kind: 'remove-member'; readonly key: KeyHex }
  | { readonly kind: 'close' };

export interface WitnessPlan {
  readonly networkId: TxId;
  readonly epoch: number;
  readonly before: readonly KeyHex[];
  readonly witnesses: readonly KeyHex[];
  /** The current witness who proposes it. */
  readonly by: KeyHex;
  readonly deps: readonly TxId[];
  readonly admit: readonly KeyHex[];
  readonly remove: readonly KeyHex[];
  readonly close: boolean;
}

const refuse = (message: string): Refusal => ({
  ok: false,
  rejection: reject('invalid-body', message),
});

type Planned = Pick<WitnessPlan, 'witnesses' | 'admit' | 'remove' | 'close'>;

/** What a change of membership leaves (§13.7), or the sentence that says why it cannot be made. */
function applyMembership(
  ledger: Ledger,
  change: Extract<WitnessChange, { kind: 'admit' | 'remove-member' | 'close' }>,
): Planned | Refusal {
  const witnesses = [...ledger.witnesses].sort();
  const base = { witnesses, admit: [] as KeyHex[], remove: [] as KeyHex[], close: false };
  const { membership } = ledger.epochs.open;
  if (change.kind === 'close') {
    if (membership.closed) return refuse('this network is already closed');
    // Everyone who has signed anything and is not removed stays a member.
    const admit = ledger.activeIdentities().filter((k) => !membership.removed.has(k));
    return { ...base, admit, close: true };
  }
  if (ledger.device(change.key) !== undefined)
    return refuse("that is a device key; name the identity's own address");
  if (isOneTimeKey(ledger, change.key)) return refuse('that key is not an identity');
  if (change.kind === 'admit') {
    if (ledger.mayActNow(change.key)) return refuse('that identity is already a member');
    return { ...base, admit: [change.key] };
  }
  if (!ledger.mayActNow(change.key)) return refuse('that identity is not a member now');
  const rest = witnesses.filter((w) => w !== change.key);
  if (rest.length === 0) return refuse('a network needs at least one witness');
  return { ...base, witnesses: rest, remove: [change.key] };
}

/** A proposal's or a revocation's one-time key: never an identity. */
const isOneTimeKey = (ledger: Ledger, key: KeyHex): boolean =>
  ledger.proposals().some((p) => p.author === key) || ledger.revocationBy(key) !== undefined;

/** The witness set a change leaves, or the sentence that says why it cannot be made. */
function applyChange(
  ledger: Ledger,
  change: Extract<WitnessChange, { kind: 'add' | 'remove' | 'replace' }>,
): KeyHex[] | Refusal {
  const set = new Set(ledger.witnesses);
  const isDevice = (key: KeyHex) => ledger.device(key) !== undefined;
  if (change.kind === 'remove') {
    if (!set.has(change.key)) return refuse('that key is not a witness');
    set.delete(change.key);
    if (set.size === 0) return refuse('a network needs at least one witness');
    return [...set].sort();
  }
  if (change.kind === 'replace') {
    if (!set.has(change.old)) return refuse('the witness to replace is not a witness');
    set.delete(change.old);
  }
  if (set.has(change.key) || (change.kind === 'replace' && change.key === change.old))
    return refuse('that key is already a witness');
  if (isDevice(change.key))
    return refuse("a device key cannot be a witness; name the identity's own address");
  if (isOneTimeKey(ledger, change.key)) return refuse('that key is not an identity');
  if (!ledger.mayActNow(change.key)) return refuse('that identity is not a member now');
  set.add(change.key);
  if (set.size > MAX_WITNESSES) return refuse(`a network has at most ${MAX_WITNESSES} witnesses`);
  return [...set].sort();
}

/** Decides what a change of the witnesses proposes, or says why it cannot be proposed now. */
export function planWitnessChange(
  ledger: Ledger,
  by: KeyHex,
  change: WitnessChange,
): { ok: true; plan: WitnessPlan } | Refusal {
  const epochs = ledger.epochs;
  if (changing(epochs)) {
    return refuse(
      `the witnesses of epoch ${epochs.seen.epoch} are still taking over; propose again once they have`,
    );
  }
  if (!ledger.witnesses.has(by))
    return refuse('only a current witness can propose a change of the witnesses');
  const next = epochs.open.epoch + 1;
  const pending = ledger.proposals().filter((p) => p.epoch === next);
  if (pending.length > 0) {
    const id = (pending[0] as { id: TxId }).id;
    return refuse(
      `change ${id.slice(0, 12)} for epoch ${next} is already proposed: back it with \`gpow witness approve ${id.slice(0, 12)}\`, or wait for it`,
    );
  }
  let planned: Planned | Refusal;
  if (change.kind === 'admit' || change.kind === 'remove-member' || change.kind === 'close') {
    planned = applyMembership(ledger, change);
  } else {
    const witnesses = applyChange(ledger, change);
    planned = Array.isArray(witnesses)
      ? { witnesses, admit: [], remove: [], close: false }
      : witnesses;
  }
  if ('ok' in planned) return planned;
  return {
    ok: true,
    plan: {
      networkId: ledger.networkId,
      epoch: next,
      before: [...epochs.open.sorted],
      by,
      deps: [ledger.epochTx],
      ...planned,
    },
  };
}

/** What `plan.by` signs, for a proposal whose one-time author key is `author`. */
export function witnessSetSigningMessage(plan: WitnessPlan, author: KeyHex): Uint8Array {
  return witnessSetMessage({
    net: fromHex(plan.networkId),
    author: fromHex(author),
    epoch: plan.epoch,
    witnesses: plan.witnesses.map((k) => fromHex(k)),
    admit: plan.admit.map((k) => fromHex(k)),
    remove: plan.remove.map((k) => fromHex(k)),
    close: plan.close,
  });
}

/** The proposal itself, to be signed by its one-time author key. */
export function composeWitnessSet(plan: WitnessPlan, sig: Uint8Array, time: number): UnsignedTx {
  return {
    net: plan.networkId,
    seq: 0,
    prev: null,
    deps: plan.deps,
    type: WITNESS_SET_TYPE,
    body: {
      epoch: plan.epoch,
      witnesses: plan.witnesses.map((k) => fromHex(k)),
      by: fromHex(plan.by),
      sig,
      ...(plan.admit.length > 0 ? { admit: plan.admit.map((k) => fromHex(k)) } : {}),
      ...(plan.remove.length > 0 ? { remove: plan.remove.map((k) => fromHex(k)) } : {}),
      ...(plan.close ? { close: true } : {}),
    },
    time,
  };
}

/** How many witnesses a set needs for finality, for sentences about a planned change. */
export const quorumFor = (witnesses: readonly KeyHex[]): number => quorumOf(witnesses.length);
