// The second step of a request: the negotiation table. Every provider of the service is shown,
// the eligible ones ranked by the consumer's total (the first recommended) and the others with
// the reason they were left out, so the consumer sees why a cheaper offer is not a choice.
import { useCallback, useState, type FormEvent } from 'react';
import {
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
import { Party } from '../../components/party.tsx';
import { useI18n } from '../../context.tsx';
import { useLedgerView } from '../../useLedger.ts';
import type { Draft } from './draft.ts';
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
  const { t, amount } = useI18n();
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
          aria-label={t('negotiation.choose', {
            provider: row.provider.slice(0, 12),
          })}
        />
      </td>
      <td>
        <Party account={row.provider} />
      </td>
      <td className="num">{offer ? amount(offer.rate) : ''}</td>
      <td className="num">{amount(row.price)}</td>
      <td className="num">{amount(row.total)}</td>
      <td className="num">{amount(row.freeCapacity)}</td>
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
  const { t, amount } = useI18n();
  return (
    <tr data-provider={row.provider} data-status="excluded">
      <td />
      <td>
        <Party account={row.provider} />
      </td>
      <td className="num">{offer ? amount(offer.rate) : ''}</td>
      <td className="num">{offer ? amount(offer.rate * volume) : ''}</td>
      <td className="num" />
      <td className="num">{offer ? amount(offer.capacity - offer.activeVolume) : ''}</td>
      <td className="num">{offer ? reputationScore(offer.reputation) : ''}</td>
      <td>{t(`negotiation.reason.${row.reason}`, { detail: row.detail })}</td>
    </tr>
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
  const [choice, setChoice] = useState<KeyHex | null>(result.recommended);
  const [error, setError] = useState<unknown>(null);
  const offerOf = (provider: KeyHex) => offers.find((o) => o.provider === provider);
  const total = result.ranked.length + result.excluded.length;
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
        <ErrorText error={error} />
        <div className="actions">
          <button type="button" onClick={onBack}>
            {t('common.back')}
          </button>
          <button type="submit" className="primary" disabled={result.ranked.length === 0}>
            {t('negotiation.continue')}
          </button>
        </div>
      </form>
    </>
  );
}
