// Genesis: defines a network. Its id is the network id that every later transaction carries,
// so a signature made for one network can never be replayed on another.
import * as v from 'valibot';
import type { CborValue } from '../codec/cbor.ts';
import { fromHex, toHex } from '../bytes.ts';
import type { KeyHex } from '../ids.ts';
import { amount, bytes32, positiveAmount, sortedUnique, U64_MAX, uint } from './schema.ts';

export const MAX_WITNESSES = 64;
export const MAX_ALLOCATIONS = 1024;

/** What a network founded without a unit name calls its money. */
export const DEFAULT_UNIT = 'units';
export const MAX_UNIT_LENGTH = 16;

/** What can be wrong with a unit name; the app says each in the user's language. */
export type UnitProblem = 'empty' | 'long' | 'characters' | 'spaces';

export const UNIT_SENTENCES: Readonly<Record<UnitProblem, string>> = {
  empty: 'the unit is empty',
  long: `the unit is longer than ${MAX_UNIT_LENGTH} characters`,
  characters: "the unit may hold only letters, digits, spaces and '-'",
  spaces: 'the unit cannot start or end with a space',
};

/**
 * The rule for the name of the network's money, shown after every amount ("40 hours"): null
 * when `text` may be one. Counted in code points, so a name in any script gets the same 16;
 * letters (with their combining marks), digits, spaces and '-' only, so it cannot hide control
 * or look-alike punctuation.
 */
export function unitProblem(text: string): UnitProblem | null {
  if (text.length === 0) return 'empty';
  if ([...text].length > MAX_UNIT_LENGTH) return 'long';
  if (!/^[\p{L}\p{M}\p{N} -]*$/u.test(text)) return 'characters';
  if (text.trim() !== text) return 'spaces';
  return null;
}

export const unitSchema = v.pipe(
  v.string('the unit is text'),
  v.check(
    (text) => unitProblem(text) === null,
    (issue) => UNIT_SENTENCES[unitProblem(String(issue.input)) ?? 'characters'],
  ),
);

/** The bounds of a writing budget (§15): from one transaction a millisecond to one an hour. */
export const BUDGET_LIMITS = { every: [1, 3_600_000], burst: [1, 100_000] } as const;

const budgetSchema = v.strictObject({
  every: v.pipe(
    uint,
    v.minValue(BUDGET_LIMITS.every[0], 'budget.every is at least 1 ms'),
    v.maxValue(BUDGET_LIMITS.every[1], 'budget.every is at most an hour'),
  ),
  burst: v.pipe(
    uint,
    v.minValue(BUDGET_LIMITS.burst[0], 'budget.burst is at least 1'),
    v.maxValue(BUDGET_LIMITS.burst[1], `budget.burst is at most ${BUDGET_LIMITS.burst[1]}`),
  ),
});

export const genesisSchema = v.pipe(
  v.strictObject({
    name: v.pipe(v.string(), v.minLength(1, 'name is empty'), v.maxLength(64, 'name is too long')),
    witnesses: v.pipe(
      v.array(bytes32),
      v.minLength(1, 'at least one witness is required'),
      v.maxLength(MAX_WITNESSES, `at most ${MAX_WITNESSES} witnesses`),
      v.check((list) => sortedUnique(list), 'witnesses must be sorted and unique'),
    ),
    allocations: v.pipe(
      v.array(v.strictTuple([bytes32, positiveAmount])),
      v.maxLength(MAX_ALLOCATIONS, `at most ${MAX_ALLOCATIONS} allocations`),
      v.check(
        (list) => sortedUnique(list.map(([k]) => k)),
        'allocations must be sorted by account and unique',
      ),
      v.check(
        (list) => list.reduce((sum, [, n]) => sum + n, 0n) <= U64_MAX,
        'total supply exceeds 64 bits',
      ),
    ),
    params: v.strictObject({
      /** How far below zero any account may go: 0 means no mutual credit. */
      creditLimit: amount,
      /** Only named identities may sign (docs/protocol.md §13.7); absent: an open network. */
      closed: v.optional(v.literal(true, 'closed is true or absent')),
      /**
       * The witnesses add randomness to every validator draw (docs/protocol.md §11.5): true, or
       * absent for a network founded before it, whose draws keep the consumer's and the
       * provider's inputs alone.
       */
      witnessedDraw: v.optional(v.literal(true, 'witnessedDraw is true or absent')),
      /** The money's name (unitSchema); absent: "units", as networks founded before it show. */
      unit: v.optional(unitSchema),
      /**
       * Each author's writing budget (docs/protocol.md §15): one transaction per `every` ms of
       * witness time, up to `burst` saved; absent for a network founded before it, which has none.
       */
      budget: v.optional(budgetSchema),
    }),
    /** A re-founding (docs/protocol.md §13.6): the network this one carries balances over from. */
    refounds: v.optional(
      v.strictObject({
        /** The old network's id. */
        from: bytes32,
        /** The old network's state root where the balances were read. */
        root: bytes32,
        /** Accounts that start below zero (mutual credit owed in the old network). */
        debts: v.pipe(
          v.array(v.strictTuple([bytes32, positiveAmount])),
          v.maxLength(MAX_ALLOCATIONS, `at most ${MAX_ALLOCATIONS} debts`),
          v.check(
            (list) => sortedUnique(list.map(([k]) => k)),
            'debts must be sorted by account and unique',
          ),
        ),
      }),
    ),
  }),
  v.check(
    (body) => noOverlap(body.allocations, body.refounds?.debts ?? []),
    'an account cannot have both an allocation and a debt',
  ),
);

function noOverlap(
  a: ReadonlyArray<readonly [Uint8Array, bigint]>,
  b: ReadonlyArray<readonly [Uint8Array, bigint]>,
): boolean {
  if (b.length === 0) return true;
  const keys = new Set(a.map(([k]) => toHex(k)));
  return b.every(([k]) => !keys.has(toHex(k)));
}

export type GenesisBody = v.InferOutput<typeof genesisSchema>;

export interface GenesisInput {
  readonly name: string;
  readonly witnesses: readonly KeyHex[];
  readonly allocations: ReadonlyArray<readonly [KeyHex, bigint]>;
  readonly creditLimit: bigint;
  /** A closed network: only its members sign (§13.7). */
  readonly closed?: boolean;
  /** The witnesses add randomness to validator draws (§11.5). */
  readonly witnessedDraw?: boolean;
  /** The money's name; absent: DEFAULT_UNIT. */
  readonly unit?: string;
  /** Each author's writing budget (§15); absent: none. */
  readonly budget?: { readonly every: number; readonly burst: number };
  /** For a re-founding: where the balances come from, and the accounts that start owing. */
  readonly refounds?: {
    readonly from: string;
    readonly root: string;
    readonly debts: ReadonlyArray<readonly [KeyHex, bigint]>;
  };
}

/** Puts a genesis body into canonical order (sorted witnesses and allocations). */
export function genesisBody(input: GenesisInput): CborValue {
  return {
    name: input.name,
    witnesses: [...input.witnesses].sort().map((k) => fromHex(k)),
    allocations: [...input.allocations]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, n]) => [fromHex(k), n]),
    params: {
      creditLimit: input.creditLimit,
      ...(input.closed ? { closed: true } : {}),
      ...(input.witnessedDraw ? { witnessedDraw: true } : {}),
      ...(input.unit !== undefined ? { unit: input.unit } : {}),
      ...(input.budget ? { budget: { every: input.budget.every, burst: input.budget.burst } } : {}),
    },
    ...(input.refounds
      ? {
          refounds: {
            from: fromHex(input.refounds.from),
            root: fromHex(input.refounds.root),
            debts: [...input.refounds.debts]
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, n]) => [fromHex(k), n]),
          },
        }
      : {}),
  };
}
