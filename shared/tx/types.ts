// The plug-in seam for transaction types. The ledger's core loop knows chains, dependencies,
// claims, funds and finality; each type only parses its body and states its economic effects.
// Later types (SSK, offers, service requests, verdicts) register here without touching the loop.
import type * as v from 'valibot';
import type { KeyHex } from '../ids.ts';
import type { Tx } from './envelope.ts';
import type { Rejection } from './rejection.ts';

export interface Credit {
  readonly to: KeyHex;
  readonly amount: bigint;
}

/**
 * What applying a transaction does to balances. The author is debited `debit`; each credit is
 * paid to its recipient, who can spend it once it is final. A type must conserve money:
 * debit equals the sum of its credits.
 */
export interface Effects {
  readonly debit: bigint;
  readonly credits: readonly Credit[];
}

export const NO_EFFECTS: Effects = { debit: 0n, credits: [] };

/** Read-only facts a type may consult: only the transaction's own dependencies are visible. */
export interface TypeContext {
  readonly creditLimit: bigint;
  dependency(id: string): Tx | undefined;
}

export interface TxTypeDef<B = unknown> {
  readonly name: string;
  readonly schema: v.GenericSchema<unknown, B>;
  effects(tx: Tx<B>, ctx: TypeContext): Effects | Rejection;
}

export const isRejection = (value: Effects | Rejection): value is Rejection => 'code' in value;
