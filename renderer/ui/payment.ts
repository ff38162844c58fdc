// Whether a payment can go through, worked out before the user confirms it. The review used to
// subtract the amount from the balance and call anything below zero "the network's credit",
// even on a network with none, and only Confirm refused. It now asks the same composer that
// Confirm uses (shared/wallet/compose.ts), so the review and the outcome cannot disagree.
import { useMemo } from 'react';
import type { KeyHex } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { MAX_MEMO_BYTES } from '../../shared/tx/transfer.ts';
import { composeTransfer } from '../../shared/wallet/compose.ts';
import { accountOf } from './account.ts';
import { parseAmount } from './amount.ts';
import { useApp } from './context.tsx';
import { atField, FieldError } from './fieldError.ts';

export interface PaymentDraft {
  readonly to: KeyHex;
  readonly amount: bigint;
  readonly memo: string;
}

/**
 * The payment the Send form describes, checked field by field in the order shown; what is wrong
 * is thrown as a FieldError naming the input (send-to, send-amount, send-memo).
 */
export function paymentDraftOf(to: string, amountText: string, memo: string): PaymentDraft {
  const recipient = atField('send-to', () => accountOf(to));
  const parsed = parseAmount(amountText);
  if (!parsed.ok) throw new FieldError('send-amount', parsed.error);
  if (new TextEncoder().encode(memo).length > MAX_MEMO_BYTES)
    throw new FieldError('send-memo', 'send.error.memo', { max: MAX_MEMO_BYTES });
  return { to: recipient, amount: parsed.value, memo };
}

export type PaymentOutlook =
  | {
      readonly ok: true;
      /** What the payer can spend afterwards; below zero only within the network's credit. */
      readonly after: bigint;
      readonly usesCredit: boolean;
    }
  | {
      readonly ok: false;
      /** The most the payer can spend now, credit included, when that is what stops it. */
      readonly most: bigint | null;
      /** The network's credit line for this payer, part of `most`. */
      readonly creditLine: bigint;
      /** The composer's reason, for a refusal that is not about the amount. */
      readonly reason: string;
    };

export function paymentOutlook(
  ledger: Ledger,
  from: KeyHex,
  draft: PaymentDraft,
  now: number,
): PaymentOutlook {
  const spendable = ledger.spendable(from);
  const creditLine = ledger.creditLineOf(from);
  const composed = composeTransfer(ledger, { from, to: draft.to, amount: draft.amount, time: now });
  if (!composed.ok) {
    const short = composed.rejection.code === 'insufficient-funds';
    return {
      ok: false,
      most: short ? spendable + creditLine : null,
      creditLine,
      reason: composed.rejection.message,
    };
  }
  const after = spendable - draft.amount;
  return { ok: true, after, usesCredit: after < 0n };
}

/** The outlook of `draft` for the unlocked identity, recomputed as the ledger moves. */
export function usePaymentOutlook(draft: PaymentDraft | null): PaymentOutlook | null {
  const runtime = useApp((s) => s.runtime);
  const version = useApp((s) => s.ledgerVersion);
  const me = useApp((s) => s.key);
  return useMemo(() => {
    const ledger = runtime?.ledger ?? null;
    if (ledger === null || me === null || draft === null) return null;
    return paymentOutlook(ledger, me, draft, Date.now());
    // `version` is the change signal: the ledger object itself stays the same.
  }, [runtime, version, me, draft]);
}
