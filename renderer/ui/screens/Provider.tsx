// The provider console: offers per service type (capacity, rate, withdrawing), the load on
// each, the automation switches, requests waiting for an answer, jobs in progress (with the
// background work's progress, or a link to deliver hand-made work), and earnings over time.
import { useState, type FormEvent } from 'react';
import { instancesOf } from '../../../shared/dnec/queries.ts';
import type { KeyHex } from '../../../shared/ids.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import {
  earningsOf,
  loadOf,
  serviceById,
  servicesOf,
  stepsFor,
} from '../../../shared/wallet/market.ts';
import { AUTOMATED_SERVICES, type AutomatedService } from '../../state/persisted.ts';
import { UserError } from '../../state/errors.ts';
import { parseAmount } from '../amount.ts';
import { ScreenTitle, Table, TextField, useAction, FormFooter } from '../components/common.tsx';
import { EarningsChart, MarketActivity } from '../components/market.tsx';
import { Party } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';
import { Link } from '../router.tsx';
import { placeError } from '../fieldError.ts';
import { useLedgerView } from '../useLedger.ts';
import { IncomingRequests } from './ProviderIncoming.tsx';
import { MarketGate } from './Services.tsx';

/** The offer form's refusals, each said under the field it is about. */
export const OFFER_FIELDS = {
  'offer-capacity': ['provider.error.capacity'],
  'offer-rate': ['provider.error.rate'],
};

const consoleOf = (ledger: Ledger, me: KeyHex) => {
  const now = Date.now();
  const views = instancesOf(ledger, me).filter((view) => view.request.provider === me);
  const withSteps = views.map((view) => ({ view, steps: stepsFor(ledger, view, me, now) }));
  return {
    services: servicesOf(ledger),
    load: loadOf(ledger, me).map((load) => ({ ...load, def: serviceById(ledger, load.service) })),
    incoming: withSteps
      .filter(({ steps }) => steps.some((s) => s.kind === 'respond'))
      .map((x) => x.view),
    jobs: withSteps.filter(({ steps }) => steps.some((s) => s.kind === 'work')).map((x) => x.view),
    earnings: earningsOf(ledger, me, instancesOf(ledger, me)),
  };
};

export function ProviderScreen() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('provider.title')}</ScreenTitle>
      <MarketGate>
        <ProviderConsole />
      </MarketGate>
    </>
  );
}

function ProviderConsole() {
  const { t, amount, number } = useI18n();
  const data = useLedgerView(consoleOf);
  const market = useApp((s) => s.market);
  const settings = useApp((s) => s.settings);
  const setAutomation = useApp((s) => s.setAutomation);
  const [service, setService] = useState('pow');
  const [capacity, setCapacity] = useState('');
  const [rate, setRate] = useState('');
  const [formError, setFormError] = useState<unknown>(null);
  const [published, setPublished] = useState(false);
  const publish = useAction(async (svc: string, cap: bigint, r: bigint) => {
    await market!.offer(svc, cap, r);
    setPublished(true);
    setCapacity('');
    setRate('');
  });
  const act = useAction(async (action: () => Promise<unknown>) => {
    await action();
  });
  if (data === null || market === null) return null;
  const offerError = placeError(formError, OFFER_FIELDS);

  const toggle = (svc: AutomatedService, on: boolean): void => {
    const provide = on
      ? [...new Set([...settings.provide, svc])]
      : settings.provide.filter((s) => s !== svc);
    setAutomation({ provide, validate: settings.validate });
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setPublished(false);
    const cap = parseAmount(capacity, { allowZero: true });
    const r = parseAmount(rate, { allowZero: true });
    if (!cap.ok) return setFormError(new UserError('provider.error.capacity'));
    if (!r.ok) return setFormError(new UserError('provider.error.rate'));
    setFormError(null);
    publish.run(service, cap.value, r.value);
  };

  return (
    <>
      <section className="panel" aria-labelledby="automation-title">
        <h2 id="automation-title">{t('provider.automation')}</h2>
        <p>{t('provider.automationIntro')}</p>
        {AUTOMATED_SERVICES.map((svc) => (
          <label className="check" key={svc}>
            <input
              type="checkbox"
              checked={settings.provide.includes(svc)}
              onChange={(e) => toggle(svc, e.target.checked)}
            />
            {t(`provider.auto.${svc}`)}
          </label>
        ))}
      </section>

      <section className="panel" aria-labelledby="offers-title">
        <h2 id="offers-title">{t('provider.offers')}</h2>
        {data.load.length === 0 ? (
          <p className="muted">{t('provider.noOffers')}</p>
        ) : (
          <Table
            caption={t('provider.offers')}
            testId="offers-table"
            columns={[
              { label: t('market.service') },
              { label: t('provider.capacity'), numeric: true },
              { label: t('market.rate'), numeric: true },
              { label: t('provider.load') },
              { label: t('market.actions'), hidden: true },
            ]}
          >
            {data.load.map((load) => (
              <tr key={load.service} data-service={load.service}>
                <td>{load.def?.name ?? load.service}</td>
                <td className="num">{number(load.capacity)}</td>
                <td className="num">{amount(load.rate)}</td>
                <td>
                  <meter
                    min={0}
                    max={Number(load.capacity) || 1}
                    value={Number(load.active)}
                    aria-label={t('provider.loadOf', {
                      active: number(load.active),
                      capacity: number(load.capacity),
                    })}
                  />{' '}
                  {t('provider.loadOf', {
                    active: number(load.active),
                    capacity: number(load.capacity),
                  })}
                </td>
                <td className="row-actions">
                  {load.capacity > 0n ? (
                    <button
                      type="button"
                      disabled={act.busy}
                      aria-label={t('provider.withdrawLabel', {
                        service: load.def?.name ?? load.service,
                      })}
                      onClick={() => act.run(() => market.offer(load.service, 0n, load.rate))}
                    >
                      {t('provider.withdraw')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </Table>
        )}
        <form onSubmit={submit} noValidate aria-labelledby="new-offer-title">
          <h3 id="new-offer-title">{t('provider.newOffer')}</h3>
          <p className="hint">{t('provider.newOfferIntro')}</p>
          <div className="field">
            <label htmlFor="offer-service">{t('provider.offerService')}</label>
            <select id="offer-service" value={service} onChange={(e) => setService(e.target.value)}>
              {data.services.map((def) => (
                <option key={def.id} value={def.id}>
                  {def.name}
                </option>
              ))}
            </select>
          </div>
          <TextField
            id="offer-capacity"
            label={t('provider.offerCapacity')}
            inputMode="numeric"
            value={capacity}
            onChange={setCapacity}
            error={offerError.at('offer-capacity')}
          />
          <TextField
            id="offer-rate"
            label={t('provider.offerRate')}
            inputMode="numeric"
            value={rate}
            onChange={setRate}
            error={offerError.at('offer-rate')}
          />
          <FormFooter
            error={offerError.general ?? publish.error}
            done={published ? t('provider.published') : null}
            busy={publish.busy}
            submit={t('provider.publish')}
          />
        </form>
      </section>

      <IncomingRequests incoming={data.incoming} />

      <section className="panel" aria-labelledby="jobs-title">
        <h2 id="jobs-title">{t('provider.jobs')}</h2>
        {data.jobs.length === 0 ? (
          <p className="muted">{t('provider.noJobs')}</p>
        ) : (
          <ul className="list">
            {data.jobs.map((view) => {
              const work = market.work().get(view.request.id);
              return (
                <li key={view.request.id}>
                  <span>
                    <strong>{view.request.service.name}</strong> ·{' '}
                    <Party account={view.request.consumer} /> · {amount(view.request.price)}
                  </span>
                  {work ? (
                    <progress
                      aria-label={t('market.workProgress', { service: view.request.service.name })}
                      max={work.kind === 'pow' ? work.expected : undefined}
                      value={work.kind === 'pow' ? Math.min(work.done, work.expected) : undefined}
                    />
                  ) : view.request.service.form === 'fields' ? (
                    <Link to={`services?id=${view.request.id}`}>{t('provider.deliverLink')}</Link>
                  ) : (
                    <span className="muted">{t('provider.waitingAutomation')}</span>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section className="panel" aria-labelledby="earnings-title">
        <h2 id="earnings-title">{t('provider.earnings')}</h2>
        <EarningsChart earnings={data.earnings} />
      </section>
      <MarketActivity />
    </>
  );
}
