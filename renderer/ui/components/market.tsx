// Building blocks of the service-market screens: a service's name, an instance's state, its
// life cycle as a timeline, a provider's earnings as a chart, and the automation's activity.
import type { Stage } from '../../../shared/dnec/outcome.ts';
import type { InstanceView } from '../../../shared/dnec/queries.ts';
import type { ServiceDef } from '../../../shared/dnec/services.ts';
import type { Earning, TimelineEntry } from '../../../shared/wallet/market.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import type { MarketNotice } from '../../state/appStore.ts';
import { asSentence } from '../../state/errors.ts';
import { useApp, useI18n } from '../context.tsx';
import { Party } from './party.tsx';

/** A service as people know it: the built-in's name, or the registration's. */
export function ServiceName({ def }: { def: ServiceDef | undefined }) {
  if (def === undefined) return <span className="muted">?</span>;
  return <span>{def.name}</span>;
}

/**
 * What an open instance waits for. A review is on the ledger before the witnesses have seen it,
 * and until they have the decision stays at the review stage (shared/dnec/outcome.ts): a
 * disputed job would read "Waiting for the consumer's review" to its validators. What is really
 * awaited after a dispute is the committee's verdict; after an approval, the witnesses.
 */
export function openText(stage: Stage, review: InstanceView['review']): MessageKey {
  if (review !== undefined && (stage === 'review' || stage === 'evaluate'))
    return review.approve ? 'market.open.approved' : 'market.open.disputed';
  return `market.open.${stage}`;
}

/** Where an instance stands, in a few words. */
export function useStateText(): (view: InstanceView) => string {
  const { t } = useI18n();
  return (view) => {
    const { decision } = view;
    if (decision.state === 'open') return t(openText(decision.stage, view.review));
    const outcome = t(`outcome.${decision.outcome}`);
    return view.settled ? t('market.settledAs', { outcome }) : t('market.decidedAs', { outcome });
  };
}

function timelineLabel(entry: TimelineEntry): { key: MessageKey; params?: Record<string, string> } {
  switch (entry.kind) {
    case 'review':
      return { key: entry.positive ? 'timeline.review.yes' : 'timeline.review.no' };
    case 'verdict':
      return { key: entry.positive ? 'timeline.verdict.yes' : 'timeline.verdict.no' };
    case 'outcome':
      return { key: 'timeline.outcome' };
    case 'request':
    case 'accept':
    case 'decline':
    case 'abandon':
    case 'reveal':
    case 'deliver':
    case 'settle':
      return { key: `timeline.${entry.kind}` };
  }
}

/** The instance's steps as an ordered list: what happened, who did it, when. */
export function Timeline({ entries }: { entries: readonly TimelineEntry[] }) {
  const { t, time } = useI18n();
  return (
    <ol className="plain timeline" data-testid="timeline">
      {entries.map((entry, i) => {
        const label = timelineLabel(entry);
        const outcome = entry.outcome ? t(`outcome.${entry.outcome}`) : '';
        return (
          <li key={`${entry.kind}-${entry.id ?? i}`} data-kind={entry.kind}>
            <strong>{t(label.key, { outcome })}</strong>
            {entry.author !== undefined ? (
              <>
                {' '}
                <span className="muted">{t('timeline.by')}</span> <Party account={entry.author} />
              </>
            ) : null}
            {entry.time !== undefined ? <span className="muted"> · {time(entry.time)}</span> : null}
          </li>
        );
      })}
    </ol>
  );
}

const CHART_WIDTH = 560;
const CHART_HEIGHT = 160;
const PAD = 28;

/** Cumulative earnings over time as a step line, with a sentence for assistive tech. */
export function EarningsChart({ earnings }: { earnings: readonly Earning[] }) {
  const { t, amount, time } = useI18n();
  const last = earnings[earnings.length - 1];
  if (last === undefined) return <p className="muted">{t('provider.noEarnings')}</p>;
  const first = earnings[0] as Earning;
  const span = Math.max(1, last.time - first.time);
  const max = Number(last.total) || 1;
  const x = (ms: number) => PAD + ((ms - first.time) / span) * (CHART_WIDTH - 2 * PAD);
  const y = (value: bigint) =>
    CHART_HEIGHT - PAD - (Number(value) / max) * (CHART_HEIGHT - 2 * PAD);
  let path = `M ${x(first.time)} ${y(0n)}`;
  let previous = 0n;
  for (const point of earnings) {
    path += ` L ${x(point.time)} ${y(previous)} L ${x(point.time)} ${y(point.total)}`;
    previous = point.total;
  }
  if (earnings.length === 1) path += ` L ${CHART_WIDTH - PAD} ${y(last.total)}`;
  const label = t('provider.chart', { amount: amount(last.total), count: earnings.length });
  return (
    <figure className="chart">
      <svg
        role="img"
        aria-label={label}
        viewBox={`0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`}
        width="100%"
        height={CHART_HEIGHT}
        data-testid="earnings-chart"
      >
        <line
          x1={PAD}
          y1={CHART_HEIGHT - PAD}
          x2={CHART_WIDTH - PAD}
          y2={CHART_HEIGHT - PAD}
          stroke="currentColor"
          strokeOpacity="0.4"
        />
        <line
          x1={PAD}
          y1={PAD}
          x2={PAD}
          y2={CHART_HEIGHT - PAD}
          stroke="currentColor"
          strokeOpacity="0.4"
        />
        <path d={path} fill="none" stroke="currentColor" strokeWidth="2" />
        {earnings.map((point) => (
          <circle
            key={point.request}
            cx={x(point.time)}
            cy={y(point.total)}
            r="3"
            fill="currentColor"
          />
        ))}
        <text x={PAD} y={PAD - 8} fill="currentColor" fontSize="12">
          {amount(last.total)}
        </text>
        <text x={PAD} y={CHART_HEIGHT - 8} fill="currentColor" fontSize="12">
          {time(first.time)}
        </text>
        <text
          x={CHART_WIDTH - PAD}
          y={CHART_HEIGHT - 8}
          fill="currentColor"
          fontSize="12"
          textAnchor="end"
        >
          {time(last.time)}
        </text>
      </svg>
      <figcaption className="muted">
        {t('provider.earned', { amount: amount(last.total) })}
      </figcaption>
    </figure>
  );
}

function noticeText(notice: MarketNotice, t: ReturnType<typeof useI18n>['t']): string {
  const { event } = notice;
  switch (event.kind) {
    case 'settled':
      return t('market.event.settled', { outcome: t(`outcome.${event.outcome}` as MessageKey) });
    case 'verdict':
      return t('market.event.verdict', {
        verdict: t(event.pass ? 'instance.pass' : 'instance.fail'),
      });
    case 'failed':
      return t('market.event.failed', {
        action: t(`market.action.${event.action}`),
        detail: asSentence(event.message),
      });
    case 'accepted':
    case 'declined':
    case 'delivered':
    case 'revealed':
      return t(`market.event.${event.kind}`);
  }
}

/** What the automation did lately, newest first, as a polite live region. */
export function MarketActivity() {
  const { t, time } = useI18n();
  const notices = useApp((s) => s.marketNotices);
  return (
    <section className="panel" aria-labelledby="activity-title">
      <h2 id="activity-title">{t('market.activity')}</h2>
      {notices.length === 0 ? (
        <p className="muted">{t('market.noActivity')}</p>
      ) : (
        <ul className="plain" aria-live="polite">
          {notices.slice(0, 8).map((notice, i) => (
            <li key={`${notice.at}-${i}`}>
              <span className="muted">{time(notice.at)}</span> {noticeText(notice, t)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
