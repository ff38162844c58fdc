// One instance at a glance: who, what, how much, by when, its committee, its state, and what
// the consumer paid or got back once it is settled; while work runs here, its progress.
import type { InstanceView } from '../../../../shared/dnec/queries.ts';
import type { KeyHex } from '../../../../shared/ids.ts';
import { consumerNet } from '../../../../shared/wallet/market.ts';
import type { WorkProgress } from '../../../../engine/market/market.ts';
import { useStateText } from '../../components/market.tsx';
import { Party } from '../../components/party.tsx';
import { useI18n } from '../../context.tsx';

function Committee({ view }: { view: InstanceView }) {
  const { t } = useI18n();
  return (
    <>
      <dt>{t('instance.committee')}</dt>
      <dd>
        {view.committee.length === 0
          ? t('instance.noCommittee')
          : view.committee.map((key) => (
              <span key={key}>
                <Party account={key} />{' '}
              </span>
            ))}
      </dd>
    </>
  );
}

/** Only proof of work reports hashes as it goes; compute reports only when it is done. */
function Progress({ work, service }: { work: WorkProgress; service: string }) {
  const { t, tn, number } = useI18n();
  return (
    <div className="progress">
      <span>
        {t('market.workProgress', { service })}{' '}
        {work.kind === 'pow'
          ? tn('market.hashes', work.done, {
              done: number(BigInt(work.done)),
              expected: number(BigInt(work.expected)),
            })
          : ''}
      </span>
      <progress
        aria-label={t('market.workProgress', { service })}
        max={work.kind === 'pow' ? work.expected : undefined}
        value={work.kind === 'pow' ? Math.min(work.done, work.expected) : undefined}
      />
    </div>
  );
}

export function InstanceSummary({
  view,
  me,
  work,
}: {
  view: InstanceView;
  me: KeyHex;
  work: WorkProgress | undefined;
}) {
  const { t, amount, time, quantity } = useI18n();
  const stateText = useStateText();
  const { request } = view;
  const net = consumerNet(view, me);
  return (
    <section className="panel" aria-labelledby="instance-summary">
      <h2 id="instance-summary">{t('instance.summary')}</h2>
      <dl className="summary" data-testid="instance-summary">
        <dt>{t('market.service')}</dt>
        <dd>{request.service.name}</dd>
        <dt>{t('market.consumer')}</dt>
        <dd>
          <Party account={request.consumer} />
        </dd>
        <dt>{t('market.provider')}</dt>
        <dd>
          <Party account={request.provider} />
        </dd>
        <dt>{t('market.volume')}</dt>
        <dd>{quantity(request.body.volume, request.service.unit)}</dd>
        <dt>{t('market.price')}</dt>
        <dd>{amount(request.price)}</dd>
        <dt>{t('instance.escrow')}</dt>
        <dd>{amount(request.escrow)}</dd>
        <dt>{t('escrow.deadlines')}</dt>
        <dd>{time(request.body.deadlines[0])}</dd>
        <dt>{t('escrow.deliverBy')}</dt>
        <dd>{time(request.body.deadlines[1])}</dd>
        {request.body.m > 0 ? <Committee view={view} /> : null}
        <dt>{t('market.state')}</dt>
        <dd data-testid="instance-state" data-outcome={view.settled?.outcome ?? ''}>
          {stateText(view)}
        </dd>
        {net !== null ? (
          <>
            <dt>{t('instance.outcome')}</dt>
            <dd data-testid="instance-net">
              {net < 0n
                ? t('instance.youPaid', { amount: amount(-net) })
                : t('instance.youGotBack', { amount: amount(net) })}
            </dd>
          </>
        ) : null}
      </dl>
      {work ? <Progress work={work} service={request.service.name} /> : null}
    </section>
  );
}
