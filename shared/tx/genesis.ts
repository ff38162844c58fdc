// Genesis: defines a network. Its id is the network id that every later transaction carries,
// so a signature made for one network can never be replayed on another.
import * as v from 'valibot';
import type { CborValue } from '../codec/cbor.ts';
import { fromHex } from '../bytes.ts';
import type { KeyHex } from '../ids.ts';
import { amount, bytes32, positiveAmount, sortedUnique, U64_MAX } from './schema.ts';

export const MAX_WITNESSES = 64;
export const MAX_ALLOCATIONS = 1024;

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
    }),
  }),
);

export type GenesisBody = v.InferOutput<typeof genesisSchema>;

export interface GenesisInput {
  readonly name: string;
  readonly witnesses: readonly KeyHex[];
  readonly allocations: ReadonlyArray<readonly [KeyHex, bigint]>;
  readonly creditLimit: bigint;
}

/** Puts a genesis body into canonical order (sorted witnesses and allocations). */
export function genesisBody(input: GenesisInput): CborValue {
  return {
    name: input.name,
    witnesses: [...input.witnesses].sort().map((k) => fromHex(k)),
    allocations: [...input.allocations]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, n]) => [fromHex(k), n]),
    params: { creditLimit: input.creditLimit },
  };
}
