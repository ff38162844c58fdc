// A compact state (compact.ts) as bytes, and back; and its root. The bytes are canonical CBOR
// with every table sorted by its key, so the same compact state gives the same bytes, and the
// same root, on every peer whatever the order its transactions arrived in. What is this peer's
// own (its witness policy's removal caps) is written apart and is not in the root.
//
// Reading is total: the bytes are parsed from `unknown` with a schema and every transaction is
// decoded strictly; anything else is refused with a sentence. Signatures are not checked again:
// the caller trusts these bytes because it wrote them, or because a quorum certified their root.
//
// Version 1 holds what compact() builds today: the types of compact.ts's COMPACTABLE under the
// genesis witness set (one epoch state, votes' counted set derived as validation does), each
// entry with the closed chains it inherited (§12).
import { sha256 } from '@noble/hashes/sha2.js';
import * as v from 'valibot';
import { concat, fromHex, toHex } from '../bytes.ts';
import { decodeCanonical, encodeCanonical, type CborValue } from '../codec/cbor.ts';
import { keyHexOf, txIdOf, type KeyHex, type NetworkId, type TxId } from '../ids.ts';
import type { TypeRegistry } from '../tx/registry.ts';
import { decodeTx } from '../tx/registry.ts';
import { bytes32, uint } from '../tx/schema.ts';
import type { Effects } from '../tx/types.ts';
import { budgetRule } from './budget.ts';
import { COMPACTABLE, type CompactState } from './compact.ts';
import { countingConfig, type EpochState } from './epochs.ts';
import type { ValidEntry } from './state.ts';

export const COMPACT_VERSION = 1;
/** A root is over chunks of this many bytes, so a joiner checks each as it comes. */
export const COMPACT_CHUNK_BYTES = 1024 * 1024;

const hexSort = <T extends readonly [string, ...unknown[]]>(rows: T[]): T[] =>
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

// ---- writing -----------------------------------------------------------------------------

function entryRow(e: ValidEntry): CborValue {
  const { effects } = e;
  // A network without budgets (§15) writes its rows as it did before them, so that the roots
  // its witnesses certified then are the roots computed now.
  const budget = e.budget ? [[e.budget.floor, e.budget.clock, e.budget.level]] : [];
  return [
    e.tx.bytes,
    e.claimed,
    e.debited,
    [
      effects.debit,
      effects.credits.map((c) => [fromHex(c.to), c.amount]),
      effects.lock ?? null,
      effects.release ? [fromHex(effects.release.from), effects.release.amount] : null,
    ],
    e.claims.map((id) => fromHex(id)),
    e.heads ? e.heads.map((h) => [fromHex(h.author), h.seq, fromHex(h.id)]) : null,
    e.voteTime,
    e.line,
    e.applied,
    e.succession
      ? hexSort([...e.succession]).map(([k, cap]) => [
          fromHex(k),
          cap === null ? null : fromHex(cap),
        ])
      : null,
    ...budget,
  ];
}

const positionRows = (map: ReadonlyMap<KeyHex, { id: TxId; seq: number }>) =>
  hexSort([...map].map(([k, p]) => [k, p.id, p.seq] as const)).map(([k, id, seq]) => [
    fromHex(k),
    fromHex(id),
    seq,
  ]);

const amountRows = (map: ReadonlyMap<string, bigint>) =>
  hexSort([...map]).map(([k, amount]) => [fromHex(k), amount]);

/** The canonical bytes of a compact state of network `networkId` (local state left out). */
export function encodeCompact(networkId: NetworkId, c: CompactState): Uint8Array {
  const entries = [...c.entries].sort((a, b) => (a.tx.id < b.tx.id ? -1 : 1));
  return encodeCanonical({
    v: COMPACT_VERSION,
    net: fromHex(networkId),
    entries: entries.map(entryRow),
    stubs: hexSort([...c.stubs]).map(([id, l]) => [fromHex(id), fromHex(l.author), l.seq]),
    heads: [...c.maxima.heads]
      .map(([a, w, seq]) => [a + w, a, w, seq] as const)
      .sort((x, y) => (x[0] < y[0] ? -1 : 1))
      .map(([, a, w, seq]) => [fromHex(a), fromHex(w), seq]),
    counted: [...c.maxima.counted]
      .map(([set, a, w, seq]) => [`${set}/${a}/${w}`, set, a, w, seq] as const)
      .sort((x, y) => (x[0] < y[0] ? -1 : 1))
      .map(([, set, a, w, seq]) => [set, fromHex(a), fromHex(w), seq]),
    balance: amountRows(c.balance),
    escrow: amountRows(c.escrow),
    settled: amountRows(c.settled),
    lastNonVote: positionRows(c.lastNonVote),
    latestVote: positionRows(c.latestVote),
  });
}

/**
 * The root of a compact state's bytes: a Merkle tree over chunks of COMPACT_CHUNK_BYTES, leaves
 * and nodes hashed apart (RFC 6962's 0x00 and 0x01 prefixes), an odd node carried up as is.
 */
export function compactRoot(bytes: Uint8Array): string {
  let level: Uint8Array[] = [];
  for (let at = 0; at < Math.max(bytes.length, 1); at += COMPACT_CHUNK_BYTES)
    level.push(sha256(concat(Uint8Array.of(0), bytes.subarray(at, at + COMPACT_CHUNK_BYTES))));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const [left, right] = [level[i] as Uint8Array, level[i + 1]];
      next.push(right ? sha256(concat(Uint8Array.of(1), left, right)) : left);
    }
    level = next;
  }
  return toHex(level[0] as Uint8Array);
}

// ---- reading -----------------------------------------------------------------------------

const int = v.pipe(v.number(), v.safeInteger());
/** A signed amount: balances go below zero within the credit line. */
const signed = v.pipe(
  v.union([v.pipe(v.number(), v.safeInteger()), v.bigint()], 'expected an integer amount'),
  v.transform((n) => BigInt(n)),
  v.check((n) => n >= -(1n << 64n) && n < 1n << 64n, 'amount out of range'),
);
const id = v.pipe(
  bytes32,
  v.transform((b) => txIdOf(b)),
);
const key = v.pipe(
  bytes32,
  v.transform((b) => keyHexOf(b)),
);
const bytes = v.instance(Uint8Array, 'expected bytes');

const entryFields = [
  bytes,
  signed,
  signed,
  v.strictTuple([
    signed,
    v.array(v.strictTuple([key, signed])),
    v.nullable(signed),
    v.nullable(v.strictTuple([id, signed])),
  ]),
  v.array(id),
  v.nullable(v.array(v.strictTuple([key, uint, id]))),
  int,
  v.boolean(),
  v.boolean(),
  v.nullable(v.array(v.strictTuple([key, v.nullable(id)]))),
] as const;
/** An entry's row: with its budget mark (floor, clock, level) in a network that has budgets. */
const entrySchema = v.union([
  v.strictTuple(entryFields),
  v.strictTuple([...entryFields, v.strictTuple([int, int, int])]),
]);
const position = v.strictTuple([key, id, uint]);

const compactSchema = v.strictObject({
  v: v.literal(COMPACT_VERSION, 'not a compact state of a version this peer reads'),
  net: id,
  entries: v.array(entrySchema),
  stubs: v.array(v.strictTuple([id, key, uint])),
  heads: v.array(v.strictTuple([key, key, int])),
  counted: v.array(v.strictTuple([v.string(), key, key, int])),
  balance: v.array(v.strictTuple([key, signed])),
  escrow: v.array(v.strictTuple([id, signed])),
  settled: v.array(v.strictTuple([key, signed])),
  lastNonVote: v.array(position),
  latestVote: v.array(position),
});

export type DecodedCompact =
  | { readonly ok: true; readonly state: CompactState }
  | { readonly ok: false; readonly error: string };

/**
 * Reads compact state bytes for network `networkId`, whose genesis epoch state is `origin`.
 * Total: anything that is not such bytes, in canonical form and within `maxBytes`, is refused
 * with a sentence.
 */
export function decodeCompact(
  input: unknown,
  networkId: NetworkId,
  origin: EpochState,
  registry: TypeRegistry,
  maxBytes: number,
): DecodedCompact {
  const decoded = decodeCanonical(input, maxBytes);
  if (!decoded.ok) return refuse(`it is not canonical CBOR within bounds (${decoded.reason})`);
  const parsed = v.safeParse(compactSchema, decoded.value);
  if (!parsed.success)
    return refuse(`it does not have a compact state's shape (${parsed.issues[0].message})`);
  const c = parsed.output;
  if (c.net !== (networkId as string)) return refuse('it belongs to another network');
  const entries: ValidEntry[] = [];
  for (const row of c.entries) {
    const entry = entryOf(row, networkId, origin, registry);
    if (typeof entry === 'string') return refuse(entry);
    entries.push(entry);
  }
  if (!sortedUnique(entries.map((e) => e.tx.id)) || !sortedUnique(c.stubs.map(([s]) => s)))
    return refuse('its entries are not sorted by id, each once');
  const held = new Set(entries.map((e) => e.tx.id));
  if (c.stubs.some(([s]) => held.has(s))) return refuse('a transaction is both kept and dropped');
  if (!held.has(networkId)) return refuse('it does not hold the genesis');
  // Marks in every row exactly when the network has budgets (§15): a state without them would
  // start every author with a full budget.
  const genesis = entries.find((e) => e.tx.id === (networkId as string)) as ValidEntry;
  const budgeted = budgetRule(genesis.tx) !== null;
  if (entries.some((e) => (e.budget !== null) !== budgeted))
    return refuse(
      budgeted
        ? "an entry lacks the writing budget's mark that this network's rows carry"
        : 'an entry carries a writing budget this network does not have',
    );
  return {
    ok: true,
    state: {
      entries: causalOrder(entries),
      stubs: new Map(c.stubs.map(([s, author, seq]) => [s, { author, seq, prev: null }])),
      maxima: { heads: c.heads, counted: c.counted },
      balance: new Map(c.balance),
      escrow: new Map(c.escrow),
      settled: new Map(c.settled),
      lastNonVote: new Map(c.lastNonVote.map(([k, i, seq]) => [k, { id: i, seq }])),
      latestVote: new Map(c.latestVote.map(([k, i, seq]) => [k, { id: i, seq }])),
      removalCaps: new Map(),
    },
  };
}

type EntryRow = v.InferOutput<typeof entrySchema>;

function entryOf(
  row: EntryRow,
  networkId: NetworkId,
  origin: EpochState,
  registry: TypeRegistry,
): ValidEntry | string {
  const [txBytes, claimed, debited, fx, claims, heads, voteTime, line, applied, inherited] = row;
  const mark = row.length === 11 ? row[10] : null;
  const decoded = decodeTx(txBytes, registry);
  if (!decoded.ok) return `an entry is not a transaction (${decoded.rejection.message})`;
  const tx = decoded.tx;
  if (tx.id !== networkId && tx.net !== networkId) return 'an entry belongs to another network';
  if (!COMPACTABLE.has(tx.type))
    return `an entry is a "${tx.type}" transaction, which version 1 does not hold`;
  if ((heads === null) !== (tx.type !== 'vote')) return 'an entry has heads and is no vote';
  const effects: Effects = {
    debit: fx[0],
    credits: fx[1].map(([to, amount]) => ({ to, amount })),
    ...(fx[2] === null ? {} : { lock: fx[2] }),
    ...(fx[3] === null ? {} : { release: { from: fx[3][0], amount: fx[3][1] } }),
  };
  const voteHeads = heads?.map(([author, seq, head]) => ({ author, seq, id: head })) ?? null;
  if (inherited && (inherited.length === 0 || !sortedUnique(inherited.map(([k]) => k))))
    return 'an entry inherits chains not listed once each, sorted';
  return {
    tx,
    claimed,
    debited,
    effects,
    claims,
    heads: voteHeads,
    voteTime,
    budget: mark ? { floor: mark[0], clock: mark[1], level: mark[2] } : null,
    line,
    succession: inherited ? new Map(inherited) : null,
    epochs: origin,
    counts: voteHeads ? countingConfig(origin, tx.author) : null,
    applied,
  };
}

/**
 * The entries in an order where a parent held among them comes before its child: by depth (one
 * more than the deepest parent held), then by id. Restoring rebuilds indexes in this order, as
 * acceptance would have.
 */
function causalOrder(entries: readonly ValidEntry[]): ValidEntry[] {
  const byId = new Map<string, ValidEntry>(entries.map((e) => [e.tx.id, e]));
  const depth = new Map<string, number>();
  for (const entry of entries) {
    // Iterative: a chain of kept entries can be long.
    const stack: ValidEntry[] = [entry];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as ValidEntry;
      if (depth.has(top.tx.id)) {
        stack.pop();
        continue;
      }
      const parents = parentIds(top).filter((id) => byId.has(id));
      const pending = parents.filter((id) => !depth.has(id));
      if (pending.length > 0) {
        for (const id of pending) stack.push(byId.get(id) as ValidEntry);
        continue;
      }
      depth.set(top.tx.id, 1 + Math.max(-1, ...parents.map((id) => depth.get(id) as number)));
      stack.pop();
    }
  }
  const at = (e: ValidEntry) => depth.get(e.tx.id) as number;
  return [...entries].sort((a, b) => at(a) - at(b) || (a.tx.id < b.tx.id ? -1 : 1));
}

const parentIds = (e: ValidEntry): string[] =>
  e.tx.prev === null ? [...e.tx.deps] : [e.tx.prev, ...e.tx.deps];

function sortedUnique(ids: readonly string[]): boolean {
  for (let i = 1; i < ids.length; i++)
    if ((ids[i - 1] as string) >= (ids[i] as string)) return false;
  return true;
}

function refuse(why: string): DecodedCompact {
  return { ok: false, error: `The saved ledger state cannot be read: ${why}.` };
}
