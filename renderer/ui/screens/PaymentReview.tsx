// The confirmation step of a payment: exactly what will happen, with the recipient named the
// way the rest of the UI names them (your label, else the name they signed) above the whole
// address, which stays in full here: a payment is confirmed against the address, not the name.
// A payment that cannot go through says why, and cannot be confirmed (payment.ts).
import { addressOf } from '../../runtime/views.ts';
import { ErrorText, Mono, ScreenTitle } from '../components/common.tsx';
import { useLabels } from '../components/party.tsx';
import { useI18n } from '../context.tsx';
import type { PaymentDraft, PaymentOutlook } from '../payment.ts';
import { useMemberNames } from './MemberNames.tsx';

export type { PaymentDraft };

/** A payer already below zero can spend nothing more. */
const floor = (value: bigint): bigint => (value < 0n ? 0n : value);

export function PaymentReview(props: {
  draft: PaymentDraft;
  /** Whether it can go through, and what is left afterwards (payment.ts). */
  outlook: PaymentOutlook;
  busy: boolean;
  error: unknown;
  onBack: () => void;
  onConfirm: () => void;
}) {
  const { t, amount } = useI18n();
  const labelOf = useLabels();
  const nameOf = useMemberNames();
  const { draft, outlook } = props;
  const name = labelOf(draft.to) ?? nameOf(draft.to);
  return (
    <>
      <ScreenTitle>{t('send.review.title')}</ScreenTitle>
      <section className="panel narrow">
        <dl className="summary" data-testid="payment-review">
          <dt>{t('send.to')}</dt>
          <dd>
            {name !== undefined ? <strong data-testid="payment-name">{name} </strong> : null}
            <Mono>{addressOf(draft.to)}</Mono>
          </dd>
          <dt>{t('send.amount')}</dt>
          <dd>{amount(draft.amount)}</dd>
          <dt>{t('send.fee')}</dt>
          <dd data-testid="payment-fee">{t('send.noFee')}</dd>
          <dt>{t('send.memo')}</dt>
          <dd>{draft.memo === '' ? t('send.noMemo') : draft.memo}</dd>
          {outlook.ok ? (
            <>
              <dt>{t('send.after')}</dt>
              <dd data-testid="payment-after">{amount(outlook.after)}</dd>
            </>
          ) : null}
        </dl>
        {outlook.ok && outlook.usesCredit ? (
          <p className="warning">{t('send.review.credit')}</p>
        ) : null}
        {!outlook.ok ? (
          <p className="error" role="alert" data-testid="payment-refused">
            {outlook.most === null
              ? t('send.review.refused', { reason: outlook.reason })
              : t(outlook.creditLine > 0n ? 'send.review.shortCredit' : 'send.review.short', {
                  most: amount(floor(outlook.most)),
                  short: amount(draft.amount - floor(outlook.most)),
                  credit: amount(outlook.creditLine),
                })}
          </p>
        ) : null}
        <p className="muted">{t('send.review.note')}</p>
        <ErrorText error={props.error} />
        <div className="actions">
          <button type="button" onClick={props.onBack} disabled={props.busy}>
            {t('common.back')}
          </button>
          <button
            type="button"
            className="primary"
            onClick={props.onConfirm}
            disabled={props.busy || !outlook.ok}
          >
            {t('send.review.confirm')}
          </button>
        </div>
      </section>
    </>
  );
}
