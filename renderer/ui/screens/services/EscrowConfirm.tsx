// The last step of a request: what will be escrowed, and from which balance, before anything
// is signed. Confirming publishes the request and opens its instance; it stays off, with the
// reason beside it, while the balance cannot pay the total.
import { useCallback, useMemo } from 'react';
import { affordable } from '../../../../shared/dnec/negotiation.ts';
import { offersFor } from '../../../../shared/dnec/queries.ts';
import type { KeyHex } from '../../../../shared/ids.ts';
import type { Ledger } from '../../../../shared/ledger/ledger.ts';
import { UserError } from '../../../state/errors.ts';
import { ErrorText, ScreenTitle, useAction } from '../../components/common.tsx';
import { Party } from '../../components/party.tsx';
import { useApp, useI18n } from '../../context.tsx';
import { navigate } from '../../router.tsx';
import { useLedgerView } from '../../useLedger.ts';
import { escrowOf, requestInputOf, type Draft } from './draft.ts';
import { requestDraftKey } from './RequestForm.tsx';

export function EscrowConfirm({
  draft,
  provider,
  onBack,
}: {
  draft: Draft;
  provider: KeyHex;
  onBack: () => void;
}) {
  const { t, amount, time, quantity } = useI18n();
  const market = useApp((s) => s.market);
  const runtime = useApp((s) => s.runtime);
  const me = useApp((s) => s.key);
  const dropDraft = useApp((s) => s.dropDraft);
  // The deadlines count from when the request is signed: shown from now, as an estimate.
  const shownAt = useMemo(() => Date.now(), []);
  const offersOf = useCallback((ledger: Ledger) => offersFor(ledger, draft.def.id), [draft.def.id]);
  const offer = (useLedgerView(offersOf) ?? []).find((o) => o.provider === provider);
  const ledger = runtime?.ledger ?? null;
  const confirm = useAction(async () => {
    if (!market) throw new UserError('error.noNetwork');
    const done = await market.request(requestInputOf(draft, provider));
    // Requested: the next request of this type starts from a fresh form.
    dropDraft(requestDraftKey(draft.def.id).name);
    navigate(`services?id=${done.id}`);
  });
  if (!offer || !ledger || me === null) return null;
  const { price, fees, total } = escrowOf(draft, offer.rate);
  const available = ledger.account(me).available;
  const canPay = affordable(available, total, ledger.creditLimit);
  return (
    <>
      <ScreenTitle>{t('escrow.title')}</ScreenTitle>
      <section className="panel narrow">
        <p>{t('escrow.intro')}</p>
        <dl className="summary" data-testid="escrow-review">
          <dt>{t('escrow.service')}</dt>
          <dd>{draft.def.name}</dd>
          <dt>{t('escrow.provider')}</dt>
          <dd>
            <Party account={provider} />
          </dd>
          <dt>{t('escrow.volume')}</dt>
          <dd>{quantity(draft.volume, draft.def.unit)}</dd>
          <dt>{t('escrow.price')}</dt>
          <dd data-testid="escrow-price">{amount(price)}</dd>
          <dt>{t('escrow.fees', { m: draft.validators, fee: amount(draft.fee) })}</dt>
          <dd>{amount(fees)}</dd>
          <dt>{t('escrow.total')}</dt>
          <dd data-testid="escrow-total">
            <strong>{amount(total)}</strong>
          </dd>
          <dt>{t('escrow.after')}</dt>
          <dd>{amount(available - total)}</dd>
          <dt>{t('escrow.deadlines')}</dt>
          <dd>{time(shownAt + draft.within[0] * 1000)}</dd>
          <dt>{t('escrow.deliverBy')}</dt>
          <dd>{time(shownAt + draft.within[1] * 1000)}</dd>
        </dl>
        {!canPay ? (
          <p className="warning" id="escrow-insufficient">
            {t('escrow.insufficient', { available: amount(available), total: amount(total) })}
          </p>
        ) : null}
        <p className="muted">{t('escrow.note')}</p>
        <ErrorText error={confirm.error} />
        {confirm.busy ? (
          <p role="status" className="muted">
            {t('escrow.working')}
          </p>
        ) : null}
        <div className="actions">
          <button type="button" onClick={onBack} disabled={confirm.busy}>
            {t('common.back')}
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => confirm.run()}
            disabled={confirm.busy || !canPay}
            aria-describedby={canPay ? undefined : 'escrow-insufficient'}
          >
            {t('escrow.confirm')}
          </button>
        </div>
      </section>
    </>
  );
}
