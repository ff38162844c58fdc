// The provider's requests waiting for an answer (Provider.tsx): what is asked, by whom (named as
// everywhere, the address beside the name), for how much and by when, with Accept and Decline,
// whose labels name the consumer too.
import type { InstanceView } from '../../../shared/dnec/queries.ts';
import { ErrorText, Table, useAction } from '../components/common.tsx';
import { Party, usePartyName } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';
import { Link } from '../router.tsx';

export function IncomingRequests({ incoming }: { incoming: readonly InstanceView[] }) {
  const { t, amount, number, time } = useI18n();
  const market = useApp((s) => s.market);
  const nameOf = usePartyName();
  const act = useAction(async (action: () => Promise<unknown>) => {
    await action();
  });
  if (market === null) return null;
  return (
    <section className="panel" aria-labelledby="incoming-title">
      <h2 id="incoming-title">{t('provider.incoming')}</h2>
      {incoming.length === 0 ? (
        <p className="muted">{t('provider.noIncoming')}</p>
      ) : (
        <Table
          caption={t('provider.incoming')}
          testId="incoming-table"
          columns={[
            { label: t('market.service') },
            { label: t('market.consumer') },
            { label: t('market.volume'), numeric: true },
            { label: t('market.price'), numeric: true },
            { label: t('market.deadline') },
            { label: t('market.actions'), hidden: true },
          ]}
        >
          {incoming.map((view) => {
            const short = view.request.id.slice(0, 12);
            const from = nameOf(view.request.consumer);
            return (
              <tr key={view.request.id}>
                <td>
                  <Link to={`services?id=${view.request.id}`}>{view.request.service.name}</Link>
                </td>
                <td>
                  <Party account={view.request.consumer} />
                </td>
                <td className="num">{number(view.request.body.volume)}</td>
                <td className="num">{amount(view.request.price)}</td>
                <td>{time(view.request.body.deadlines[0])}</td>
                <td className="row-actions">
                  <button
                    type="button"
                    className="primary"
                    disabled={act.busy}
                    aria-label={t('provider.acceptLabel', { id: short, name: from })}
                    onClick={() => act.run(() => market.accept(view.request.id))}
                  >
                    {t('instance.accept')}
                  </button>{' '}
                  <button
                    type="button"
                    disabled={act.busy}
                    aria-label={t('provider.declineLabel', { id: short, name: from })}
                    onClick={() => act.run(() => market.decline(view.request.id))}
                  >
                    {t('instance.decline')}
                  </button>
                </td>
              </tr>
            );
          })}
        </Table>
      )}
      <ErrorText error={act.error} />
    </section>
  );
}
