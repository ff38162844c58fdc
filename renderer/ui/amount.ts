// Amounts as people type them: whole units of the network's currency, digits only.
import type { MessageKey } from '../i18n/i18n.ts';

/** The ledger's transfer bound (see shared/tx/transfer.ts): half of 2^64. */
export const MAX_AMOUNT = ((1n << 64n) - 1n) >> 1n;

export type ParsedAmount =
  | { readonly ok: true; readonly value: bigint }
  | { readonly ok: false; readonly error: MessageKey };

export function parseAmount(text: string, { allowZero = false } = {}): ParsedAmount {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'amount.error.empty' };
  if (!/^[0-9]+$/.test(trimmed)) return { ok: false, error: 'amount.error.digits' };
  if (trimmed.length > 19) return { ok: false, error: 'amount.error.large' };
  const value = BigInt(trimmed);
  if (value > MAX_AMOUNT) return { ok: false, error: 'amount.error.large' };
  if (value === 0n && !allowZero) return { ok: false, error: 'amount.error.notPositive' };
  return { ok: true, value };
}
