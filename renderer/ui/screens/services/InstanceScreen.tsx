// One instance of a service, for whichever party this identity is in it: the summary, the
// timeline, what it carries, and the steps this identity owes.
import { useCallback } from 'react';
import { instanceView } from '../../../../shared/dnec/queries.ts';
import type { KeyHex, TxId } from '../../../../shared/ids.ts';
import type { Ledger } from '../../../../shared/ledger/ledger.ts';
import { stepsFor, timelineOf } from '../../../../shared/wallet/market.ts';
import { ScreenTitle } from '../../components/common.tsx';
import { Timeline } from '../../components/market.tsx';
import { useApp, useI18n } from '../../context.tsx';
import { Link } from '../../router.tsx';
import { useLedgerView } from '../../useLedger.ts';
import { DisputeEvidence, type DisputeReading } from './DisputeEvidence.tsx';
import { blindDispute } from '../../../../engine/market/dispute.ts';
import { InstanceActions, useActionControl } from './InstanceActions.tsx';
import { InstanceParts, type DeliveryBody } from './InstanceParts.tsx';
import { InstanceSummary } from './InstanceSummary.tsx';

function Missing() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('instance.title')}</ScreenTitle>
      <p className="muted">{t('instance.missing')}</p>
      <Link to="services">{t('instance.back')}</Link>
    </>
  );
}

export function InstanceScreen({ id }: { id: TxId }) {
  const { t } = useI18n();
  const me = useApp((s) => s.key);
  const market = useApp((s) => s.market);
  const ssk = useApp((s) => s.ssk);
  const compute = useCallback(
    (ledger: Ledger, key: KeyHex) => {
      const view = instanceView(ledger, id);
      if (!view) return null;
      return {
        view,
        timeline: timelineOf(ledger, view),
        steps: stepsFor(ledger, view, key, Date.now()),
        delivery: view.delivery ? ledger.get(view.delivery) : undefined,
      };
    },
    [id],
  );
  const data = useLedgerView(compute);
  const control = useActionControl();
  if (data === null || data === undefined || me === null) return <Missing />;
  const { view, timeline, steps } = data;
  // A drawn validator reads the copy of a disputed delivery the consumer sealed for it.
  const drawn = view.committee.includes(me);
  const evidence: DisputeReading | undefined = drawn ? market?.evidence(view) : undefined;
  // The consumer asked to review: would a dispute reach the validators with the delivery?
  const reviewing = steps.some((step) => step.kind === 'review');
  const delivery = data.delivery?.body as { sealed?: unknown } | undefined;
  const blind = reviewing ? blindDispute(view, delivery, me, ssk) : null;
  return (
    <>
      <ScreenTitle>{t('instance.title')}</ScreenTitle>
      <p>
        <Link to="services">{t('instance.back')}</Link>
      </p>
      <InstanceSummary view={view} me={me} work={market?.work().get(id)} />
      <section className="panel" aria-labelledby="instance-timeline">
        <h2 id="instance-timeline">{t('instance.timeline')}</h2>
        <Timeline entries={timeline} />
      </section>
      <InstanceParts
        view={view}
        parts={market?.privateParts(view) ?? {}}
        delivery={data.delivery?.body as DeliveryBody | undefined}
        party={view.request.consumer === me || view.request.provider === me}
      />
      <DisputeEvidence reading={evidence} />
      <InstanceActions
        id={id}
        steps={steps}
        handMade={view.request.service.form === 'fields'}
        job={{ name: view.request.service.name, price: view.request.price }}
        control={control}
        blind={blind}
      />
    </>
  );
}
