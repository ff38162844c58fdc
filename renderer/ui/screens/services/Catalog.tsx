// The services screen's landing page: the service types on offer, with how many providers
// offer each, the cheapest rate and whether the network can supply the committee a type needs,
// and the requests this identity has made.
import type { KeyHex } from '../../../../shared/ids.ts';
import type { Ledger } from '../../../../shared/ledger/ledger.ts';
import { committeeAvailable, instancesOf, offersFor } from '../../../../shared/dnec/queries.ts';
import { servicesOf } from '../../../../shared/wallet/market.ts';
import { ScreenTitle, Table } from '../../components/common.tsx';
import { MarketActivity, useStateText } from '../../components/market.tsx';
import { Party } from '../../components/party.tsx';
import { useI18n } from '../../context.tsx';
import { Link } from '../../router.tsx';
import { SERVICE_TYPE_PATH } from '../../serviceType.ts';
import { useLedgerView } from '../../useLedger.ts';
import { MarketGate } from './MarketGate.tsx';

// Our own offers and withdrawn ones (no capacity) are no choice for us as a consumer.
const catalogOf = (ledger: Ledger, me: KeyHex) =>
  servicesOf(ledger).map((def) => {
    const offers = offersFor(ledger, def.id).filter((o) => o.provider !== me && o.capacity > 0n);
    const cheapest = offers.reduce<bigint | null>(
      (low, o) => (low === null || o.rate < low ? o.rate : low),
      null,
    );
    // The escrow's own committee check, so a type that cannot run here says so up front.
    return { def, offers: offers.length, cheapest, runs: committeeAvailable(ledger, def, me) };
  });

const myRequestsOf = (ledger: Ledger, me: KeyHex) =>
  instancesOf(ledger, me).filter((view) => view.request.consumer === me);

function ServiceList() {
  const { t, tn, amount } = useI18n();
  const catalog = useLedgerView(catalogOf);
  return (
    <section className="panel" aria-labelledby="catalog-title">
      <h2 id="catalog-title">{t('services.catalog')}</h2>
      <p>{t('services.catalogIntro')}</p>
      <ul className="list" data-testid="catalog">
        {(catalog ?? []).map(({ def, offers, cheapest, runs }) => (
          <li key={def.id}>
            <span>
              <strong>{def.name}</strong>{' '}
              <span className="badge">
                {def.builtIn ? t('market.builtIn') : t('market.registered')}
              </span>
              <br />
              <span className="muted">
                {t(`market.eval.${def.evaluation}`)} ·{' '}
                {offers === 0
                  ? t('services.noOffers')
                  : `${tn('services.offers', offers)}, ${t('services.cheapest', { rate: amount(cheapest ?? 0n) })}`}
              </span>
              {runs ? null : (
                <>
                  <br />
                  <span className="muted" data-testid="needs-validator">
                    {t('services.needsValidator')}
                  </span>
                </>
              )}
            </span>
            <a className="button" href={`#/services?type=${encodeURIComponent(def.id)}`}>
              {t('services.choose', { name: def.name })}
            </a>
          </li>
        ))}
      </ul>
      <p>
        <Link to={SERVICE_TYPE_PATH}>{t('serviceType.link')}</Link>
      </p>
    </section>
  );
}

function MyRequests() {
  const { t, amount } = useI18n();
  const mine = useLedgerView(myRequestsOf);
  const stateText = useStateText();
  return (
    <section className="panel" aria-labelledby="mine-title">
      <h2 id="mine-title">{t('services.mine')}</h2>
      {mine === null || mine.length === 0 ? (
        <p className="muted">{t('services.noneMine')}</p>
      ) : (
        <Table
          caption={t('services.mine')}
          testId="my-requests"
          columns={[
            { label: t('market.service') },
            { label: t('market.provider') },
            { label: t('market.total'), numeric: true },
            { label: t('market.state') },
            { label: t('market.actions'), hidden: true },
          ]}
        >
          {mine.map((view) => (
            <tr key={view.request.id} data-state={view.settled?.outcome ?? view.decision.state}>
              <td>{view.request.service.name}</td>
              <td>
                <Party account={view.request.provider} />
              </td>
              <td className="num">{amount(view.request.escrow)}</td>
              <td>{stateText(view)}</td>
              <td>
                <Link to={`services?id=${view.request.id}`}>
                  <span aria-hidden="true">{t('services.open')}</span>
                  <span className="visually-hidden">
                    {t('services.openRequest', { id: view.request.id.slice(0, 12) })}
                  </span>
                </Link>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}

export function Catalog() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('services.title')}</ScreenTitle>
      <MarketGate>
        <ServiceList />
        <MyRequests />
        <MarketActivity />
      </MarketGate>
    </>
  );
}
