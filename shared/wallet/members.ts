// The member directory (docs/profiles.md): who is in the network as this peer's ledger shows
// it, with each member's name, roles, devices, when it was last seen and, where its profile
// allows, its balance. A pure query over the ledger; only the list of chain authors is cached
// per ledger, since the ledger keeps no public list of them and a scan per call would redo the
// whole history on every change the UI hears of.
import { WITNESS_SET_TYPE } from '../tx/witnessSet.ts';
import { keyHexOf, type KeyHex } from '../ids.ts';
import { encodeAddress } from '../identity/address.ts';
import { isMixedScript, shownName, skeleton } from '../identity/displayName.ts';
import { avatarTypeOf, latestProfile, type AvatarType, type Profile } from '../identity/profile.ts';
import { market } from '../dnec/queries.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { fromHex } from '../bytes.ts';
import { REVOKE_TYPE } from '../tx/device.ts';

export type Role = 'witness' | 'validator' | 'provider';

export interface MemberDevice {
  readonly key: KeyHex;
  readonly name: string;
  readonly revoked: boolean;
}

export interface Member {
  /** The identity (its own chain's key). */
  readonly key: KeyHex;
  readonly address: string;
  /** The display name from its latest profile (NFKC), or null without one. */
  readonly name: string | null;
  /** Set when the name must be told apart: the first hex characters of the key. */
  readonly suffix: string | null;
  /** How lists show the member: "Ana", "Ana · 3f9a", or the short address without a name. */
  readonly label: string;
  /** The name mixes scripts the way impersonation does (UTS #39): shown with a warning. */
  readonly mixedScript: boolean;
  readonly roles: readonly Role[];
  readonly devices: readonly MemberDevice[];
  /** The time of its latest transaction on any of its chains (the author's clock), or null. */
  readonly lastSeen: number | null;
  /** Only when its latest profile says showBalance: its money over all of its chains. */
  readonly balance: bigint | null;
  readonly note: string | null;
  readonly avatar: AvatarType | null;
  /** The profile transaction shown, or null. */
  readonly profile: string | null;
}

/** The first transaction type of each chain author, kept up to date per ledger. */
const chainStarts = new WeakMap<Ledger, Map<KeyHex, string>>();

function authorsOf(ledger: Ledger): ReadonlyMap<KeyHex, string> {
  let starts = chainStarts.get(ledger);
  if (starts) return starts;
  const made = new Map<KeyHex, string>();
  const note = (author: KeyHex, seq: number, type: string) => {
    if (seq === 0) made.set(author, type);
    else if (!made.has(author)) made.set(author, '');
  };
  for (const id of ledger.validIds()) {
    const tx = ledger.get(id);
    if (tx) note(tx.author, tx.seq, tx.type);
  }
  ledger.onAccepted((tx) => note(tx.author, tx.seq, tx.type));
  starts = made;
  chainStarts.set(ledger, starts);
  return starts;
}

/** Every identity that has a chain, a profile, an allocation or is a witness. */
export function memberKeys(ledger: Ledger): KeyHex[] {
  const keys = new Set<KeyHex>();
  for (const [author, first] of authorsOf(ledger)) {
    // A revocation's or a proposed change's one-time key authors one transaction and is nobody.
    if (first !== REVOKE_TYPE && first !== WITNESS_SET_TYPE) keys.add(ledger.identityOf(author));
  }
  for (const [key] of ledger.genesis.body.allocations) keys.add(keyHexOf(key));
  for (const witness of ledger.witnesses) keys.add(ledger.identityOf(witness));
  keys.add(ledger.founder);
  return [...keys].sort();
}

/** Identities bonded in the DNEC validator pool, and those with an open offer. */
function marketRoles(ledger: Ledger): { validators: Set<KeyHex>; providers: Set<KeyHex> } {
  const index = market(ledger);
  const validators = new Set<KeyHex>();
  for (const bond of index.bonds.values()) {
    if (index.actions(bond.id, 'unbond').length > 0 || ledger.isFrozen(bond.validator)) continue;
    validators.add(ledger.identityOf(bond.validator));
  }
  const providers = new Set<KeyHex>();
  for (const provider of index.providers()) {
    const offers = index.latestSnapshot(provider)?.offers;
    if (ledger.isFrozen(provider) || !offers) continue;
    if ([...offers.values()].some((o) => o.capacity > 0n))
      providers.add(ledger.identityOf(provider));
  }
  return { validators, providers };
}

function lastSeenOf(ledger: Ledger, chains: readonly KeyHex[]): number | null {
  let last: number | null = null;
  for (const chain of chains) {
    const head = ledger.head(chain);
    const time = head ? ledger.get(head.id)?.time : undefined;
    if (time !== undefined && (last === null || time > last)) last = time;
  }
  return last;
}

const shortAddress = (address: string): string => `${address.slice(0, 13)}…${address.slice(-6)}`;

/**
 * Suffixes for names that could be taken for another: every member whose skeleton it shares
 * with another, and every mixed-script name. The suffix is the first 4 hex characters of the
 * key, longer where two keys in one group share them.
 */
export function suffixes(named: ReadonlyArray<{ key: KeyHex; name: string }>): Map<KeyHex, string> {
  const groups = new Map<string, KeyHex[]>();
  for (const { key, name } of named) {
    const group = skeleton(name);
    groups.set(group, [...(groups.get(group) ?? []), key]);
  }
  const out = new Map<KeyHex, string>();
  const mixed = new Set(named.filter((n) => isMixedScript(n.name)).map((n) => n.key));
  for (const keys of groups.values()) {
    const marked = keys.length > 1 ? keys : keys.filter((k) => mixed.has(k));
    if (marked.length === 0) continue;
    let length = 4;
    while (length < 64 && new Set(keys.map((k) => k.slice(0, length))).size < keys.length) length++;
    for (const key of marked) out.set(key, key.slice(0, length));
  }
  return out;
}

function devicesOf(ledger: Ledger, key: KeyHex): MemberDevice[] {
  return ledger.devicesOf(key).map((device) => ({
    key: device,
    name: ledger.device(device)?.name ?? '',
    revoked: ledger.revocationsOf(device).some((r) => r.final),
  }));
}

/** The whole directory, sorted by label. */
export function members(ledger: Ledger): Member[] {
  const keys = memberKeys(ledger);
  const profiles = new Map<KeyHex, Profile>();
  for (const key of keys) {
    const profile = latestProfile(ledger, key);
    if (profile) profiles.set(key, profile);
  }
  const named = [...profiles].map(([key, p]) => ({ key, name: shownName(p.body.name) }));
  const suffixOf = suffixes(named);
  const { validators, providers } = marketRoles(ledger);
  const rows = keys.map((key): Member => {
    const profile = profiles.get(key) ?? null;
    const name = profile ? shownName(profile.body.name) : null;
    const suffix = suffixOf.get(key) ?? null;
    const address = encodeAddress(fromHex(key));
    const roles: Role[] = [];
    if (ledger.witnesses.has(key)) roles.push('witness');
    if (validators.has(key)) roles.push('validator');
    if (providers.has(key)) roles.push('provider');
    return {
      key,
      address,
      name,
      suffix,
      label: name === null ? shortAddress(address) : suffix ? `${name} · ${suffix}` : name,
      mixedScript: name !== null && isMixedScript(name),
      roles,
      devices: devicesOf(ledger, key),
      lastSeen: lastSeenOf(ledger, ledger.chainsOf(key)),
      balance: profile?.body.showBalance ? ledger.identityAccount(key).balance : null,
      note: profile?.body.note ?? null,
      avatar: profile?.body.avatar ? avatarTypeOf(profile.body.avatar) : null,
      profile: profile?.id ?? null,
    };
  });
  return rows.sort((a, b) => a.label.localeCompare(b.label) || (a.key < b.key ? -1 : 1));
}

/**
 * A lookup from any chain key (an identity or one of its devices) to the label of the member
 * who signed a profile (suffix included, so a look-alike stays told apart), else null: what a
 * list that shows addresses puts beside them.
 */
export function namesOf(ledger: Ledger): (key: KeyHex) => string | null {
  const named = new Map(
    members(ledger).flatMap((m) => (m.name === null ? [] : [[m.key, m.label]])),
  );
  return (key) => named.get(ledger.identityOf(key)) ?? null;
}
