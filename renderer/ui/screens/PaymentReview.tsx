// The confirmation step of a payment: exactly what will happen, with the recipient named the
// way the rest of the UI names them (your label, else the name they signed) above the whole
// address, which stays in full here: a payment is confirmed against the address, not the name.
import type { KeyHex } from '../../../shared/ids.ts';
import { addressOf } from '../../runtime/views.ts';
import { ErrorText, Mono, ScreenTitle } from '../components/common.tsx';
import { useLabels } from '../components/party.tsx';
import { useI18n } from '../context.tsx';
import { useMemberNames } from './MemberNames.tsx';

export interface PaymentDraft {
  readonly to: KeyHex;
  readonly amount: bigint;
  readonly memo: string;
}

export function PaymentReview(props: {
  draft: PaymentDraft;
  /** What the payer can spend now, before this payment. */
  available: bigint;
  busy: boolean;
  error: unknown;
  onBack: () => void;
  onConfirm: () => void;
}) {
  const { t, amount } = useI18n();
  const labelOf = useLabels();
  const nameOf = useMemberNames();
  const { draft } = props;
  const after = props.available - draft.amount;
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
          <dt>{t('send.after')}</dt>
          <dd>{amount(after)}</dd>
        </dl>
        {after < 0n ? <p className="warning">{t('send.review.credit')}</p> : null}
        <p className="muted">{t('send.review.note')}</p>
        <ErrorText error={props.error} />
        <div className="actions">
          <button type="button" onClick={props.onBack} disabled={props.busy}>
            {t('common.back')}
          </button>
          <button type="button" className="primary" onClick={props.onConfirm} disabled={props.busy}>
            {t('send.review.confirm')}
          </button>
        </div>
      </section>
    </>
  );
}
