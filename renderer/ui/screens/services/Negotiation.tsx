// The second step of a request: the negotiation table. Every provider of the service is shown,
// the eligible ones ranked by the consumer's total (the first recommended) and the others with
// the reason they were left out, so the consumer sees why a cheaper offer is not a choice.
// Below the table, the chosen provider's total as the escrow will lock it (a pow job of
// difficulty 12 is 4,096 hashes): past what the balance allows, Continue is off and says why.
import { useCallback, useState, type FormEvent } from 'react';
import {
  affordable,
  reputationScore,
  type ExcludedProvider,
  type NegotiationResult,
  type ProviderOffer,
  type RankedProvider,
} from '../../../../shared/dnec/negotiation.ts';
import { offersFor } from '../../../../shared/dnec/queries.ts';
import type { KeyHex } from '../../../../shared/ids.ts';
import type { Ledger } from '../../../../shared/ledger/ledger.ts';
import { UserError } from '../../../state/errors.ts';
import { ErrorText, ScreenTitle, Table } from '../../components/common.tsx';
import { Party, usePartyName } from '../../components/party.tsx';
import { useI18n } from '../../context.tsx';
import { useLedgerView } from '../../useLedger.ts';
import { escrowOf, type Draft } from './draft.ts';
import { EmptyState } from '../../components/EmptyState.tsx';

function RankedRow({
  row,
  offer,
  recommended,
  chosen,
  onChoose,
}: {
  row: RankedProvider;
  offer: ProviderOffer | undefined;
  recommended: boolean;
  chosen: boolean;
  onChoose: () => void;
}) {
  const { t, amount, number } = useI18n();
  // The radio button is named as the row shows the provider, not by its key's first digits.
  const nameOf = usePartyName();
  return (
    <tr
      data-provider={row.provider}
      data-status={recommended ? 'recommended' : 'eligible'}
      aria-selected={chosen}
    >
      <td>
        <input
          type="radio"
          name="provider"
          id={`pick-${row.provider}`}
          checked={chosen}
          onChange={onChoose}
          aria-label={t('negotiation.choose', { provider: nameOf(row.provider) })}
        />
      </td>
      <td>
        <Party account={row.provider} />
      </td>
      <td className="num">{offer ? amount(offer.rate) : ''}</td>
      <td className="num">{amount(row.price)}</td>
      <td className="num">{amount(row.total)}</td>
      <td className="num">{number(row.freeCapacity)}</td>
      <td className="num">{row.score}</td>
      <td>
        {recommended ? (
          <span className="badge ok">{t('negotiation.recommended')}</span>
        ) : (
          t('negotiation.eligible')
        )}
      </td>
    </tr>
  );
}

// The negotiation gives no price or score for a provider it left out: they come from its offer.
function ExcludedRow({
  row,
  offer,
  volume,
}: {
  row: ExcludedProvider;
  offer: ProviderOffer | undefined;
  volume: bigint;
}) {
  const { t, amount, number } = useI18n();
  return (
    <tr data-provider={row.provider} data-status="excluded">
      <td />
      <td>
        <Party account={row.provider} />
      </td>
      <td className="num">{offer ? amount(offer.rate) : ''}</td>
      <td className="num">{offer ? amount(offer.rate * volume) : ''}</td>
      <td className="num" />
      <td className="num">{offer ? number(offer.capacity - offer.activeVolume) : ''}</td>
      <td className="num">{offer ? reputationScore(offer.reputation) : ''}</td>
      <td>{t(`negotiation.reason.${row.reason}`, { detail: row.detail })}</td>
    </tr>
  );
}

const fundsOf = (ledger: Ledger, me: KeyHex) => ({
  available: ledger.account(me).available,
  credit: ledger.creditLimit,
});

/** The chosen provider's total, and whether the balance can lock it. */
function EscrowTotal({
  escrow,
  available,
  canPay,
}: {
  escrow: ReturnType<typeof escrowOf>;
  available: bigint;
  canPay: boolean;
}) {
  const { t, amount } = useI18n();
  return (
    <>
      <p data-testid="negotiation-total">
        {t('negotiation.total', {
          total: amount(escrow.total),
          price: amount(escrow.price),
          fees: amount(escrow.fees),
          available: amount(available),
        })}
      </p>
      {!canPay ? (
        <p className="warning" id="negotiation-insufficient">
          {t('negotiation.insufficient')}
        </p>
      ) : null}
    </>
  );
}

export function Negotiation({
  draft,
  result,
  onBack,
  onChoose,
}: {
  draft: Draft;
  result: NegotiationResult;
  onBack: () => void;
  onChoose: (provider: KeyHex) => void;
}) {
  const { t } = useI18n();
  const offersOf = useCallback((ledger: Ledger) => offersFor(ledger, draft.def.id), [draft.def.id]);
  const offers = useLedgerView(offersOf) ?? [];
  const funds = useLedgerView(fundsOf);
  const [choice, setChoice] = useState<KeyHex | null>(result.recommended);
  const [error, setError] = useState<unknown>(null);
  const offerOf = (provider: KeyHex) => offers.find((o) => o.provider === provider);
  const total = result.ranked.length + result.excluded.length;
  const chosenOffer = result.ranked.some((row) => row.provider === choice)
    ? offerOf(choice as KeyHex)
    : undefined;
  const escrow = chosenOffer ? escrowOf(draft, chosenOffer.rate) : null;
  const canPay =
    escrow === null || funds === null || affordable(funds.available, escrow.total, funds.credit);
  const next = (event: FormEvent): void => {
    event.preventDefault();
    if (result.ranked.length === 0) return setError(new UserError('services.error.noProvider'));
    if (choice === null) return setError(new UserError('services.error.choose'));
    onChoose(choice);
  };
  return (
    <>
      <ScreenTitle>{t('negotiation.title')}</ScreenTitle>
      <form className="panel" onSubmit={next} noValidate>
        <p>{t('negotiation.intro', { name: draft.def.name })}</p>
        {total === 0 ? (
          <EmptyState
            text={t('negotiation.none')}
            steps={[{ to: 'provider', label: t('negotiation.none.provide') }]}
          />
        ) : (
          <fieldset>
            <legend>{t('negotiation.pick')}</legend>
            <Table
              caption={t('negotiation.table')}
              testId="negotiation-table"
              columns={[
                { label: t('negotiation.choose', { provider: '' }).trim(), hidden: true },
                { label: t('market.provider') },
                { label: t('market.rate'), numeric: true },
                { label: t('market.price'), numeric: true },
                { label: t('market.total'), numeric: true },
                { label: t('negotiation.free'), numeric: true },
                { label: t('negotiation.reputation'), numeric: true },
                { label: t('negotiation.status') },
              ]}
            >
              {result.ranked.map((row) => (
                <RankedRow
                  key={row.provider}
                  row={row}
                  offer={offerOf(row.provider)}
                  recommended={row.provider === result.recommended}
                  chosen={choice === row.provider}
                  onChoose={() => setChoice(row.provider)}
                />
              ))}
              {result.excluded.map((row) => (
                <ExcludedRow
                  key={row.provider}
                  row={row}
                  offer={offerOf(row.provider)}
                  volume={draft.volume}
                />
              ))}
            </Table>
          </fieldset>
        )}
        {escrow !== null && funds !== null ? (
          <EscrowTotal escrow={escrow} available={funds.available} canPay={canPay} />
        ) : null}
        <ErrorText error={error} />
        <div className="actions">
          <button type="button" onClick={onBack}>
            {t('common.back')}
          </button>
          <button
            type="submit"
            className="primary"
            disabled={result.ranked.length === 0 || !canPay}
            aria-describedby={canPay ? undefined : 'negotiation-insufficient'}
          >
            {t('negotiation.continue')}
          </button>
        </div>
      </form>
    </>
  );
}
