// The single-use and time-limited invitations this app gave out (docs/protocol.md §13.9): kind,
// state, expiry and whom each let in, and Withdraw after a confirmation. The rows come from the
// running engine's door keeper; its state follows the clock, so the list looks again each
// half minute as well as whenever an invitation is made, used or withdrawn.
import { useEffect, useState } from 'react';
import type { TicketView } from '../../state/tickets.ts';
import { ErrorText, Mono, Table, useAction } from '../components/common.tsx';
import { Party } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';

const REFRESH_MS = 30_000;

export function TicketList() {
  const listTickets = useApp((s) => s.listTickets);
  const withdrawTicket = useApp((s) => s.withdrawTicket);
  // Read so the list renders again when an invitation changes, or the ledger (names) does.
  useApp((s) => s.ticketsVersion);
  useApp((s) => s.ledgerVersion);
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const [asking, setAsking] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const withdraw = useAction((id: string) => {
    withdrawTicket(id);
    setAsking(null);
    setDone(id);
  });
  return (
    <TicketRows
      rows={listTickets()}
      asking={asking}
      withdrawn={done}
      busy={withdraw.busy}
      error={withdraw.error}
      onAsk={(id) => {
        setDone(null);
        withdraw.reset();
        setAsking(id);
      }}
      onCancel={() => setAsking(null)}
      onWithdraw={(id) => withdraw.run(id)}
    />
  );
}

export interface TicketRowsProps {
  readonly rows: readonly TicketView[];
  /** The invitation whose withdrawal is being confirmed, if any. */
  readonly asking: string | null;
  /** The invitation just withdrawn, if any. */
  readonly withdrawn: string | null;
  readonly busy: boolean;
  readonly error: unknown;
  readonly onAsk: (id: string) => void;
  readonly onCancel: () => void;
  readonly onWithdraw: (id: string) => void;
}

/** The list itself, from its props alone. */
export function TicketRows(props: TicketRowsProps) {
  const { t, time } = useI18n();
  const { rows, asking } = props;
  return (
    <div data-testid="tickets">
      <h3 id="tickets-title">{t('tickets.title')}</h3>
      <p role="status" className="success">
        {props.withdrawn !== null ? t('tickets.withdrawn', { id: props.withdrawn }) : ''}
      </p>
      {rows.length === 0 ? (
        <p className="muted">{t('tickets.none')}</p>
      ) : (
        <Table
          caption={t('tickets.tableLabel')}
          columns={[
            { label: t('tickets.id') },
            { label: t('tickets.kind') },
            { label: t('tickets.state') },
            { label: t('tickets.expires') },
            { label: t('tickets.letIn') },
            { label: t('common.actions'), hidden: true },
          ]}
          testId="tickets-table"
        >
          {rows.map((row) => (
            <tr key={row.id} data-ticket={row.id} data-state={row.state}>
              <td>
                <Mono>{row.id}</Mono>
              </td>
              <td>{t(row.once ? 'tickets.once' : 'tickets.limited')}</td>
              <td>
                <span className={row.state === 'open' ? 'badge ok' : 'badge'}>
                  {t(`tickets.state.${row.state}`)}
                </span>
              </td>
              <td>{time(row.expires)}</td>
              <td>
                <LetIn uses={row.uses} />
              </td>
              <td>
                {row.state === 'open' || row.state === 'used' ? (
                  <button
                    type="button"
                    aria-label={t('tickets.withdrawLabel', { id: row.id })}
                    onClick={() => props.onAsk(row.id)}
                    disabled={props.busy || asking === row.id}
                  >
                    {t('tickets.withdraw')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
      )}
      {asking !== null ? (
        <div className="confirm" role="group" aria-labelledby="ticket-withdraw-title">
          <h3 id="ticket-withdraw-title">{t('tickets.withdraw.title', { id: asking })}</h3>
          <p data-testid="ticket-withdraw-confirm">{t('tickets.withdraw.confirm')}</p>
          <ErrorText error={props.error} />
          <div className="actions">
            <button type="button" onClick={props.onCancel} disabled={props.busy}>
              {t('common.cancel')}
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => props.onWithdraw(asking)}
              disabled={props.busy}
            >
              {t('tickets.withdraw.button')}
            </button>
          </div>
        </div>
      ) : (
        <ErrorText error={props.error} />
      )}
    </div>
  );
}

function LetIn({ uses }: { uses: TicketView['uses'] }) {
  const { t } = useI18n();
  if (uses.length === 0) return <span className="muted">{t('tickets.nobody')}</span>;
  return (
    <ul className="plain">
      {uses.map((use, index) => (
        <li key={`${use.at}-${index}`}>
          {use.who !== null ? (
            // What the newcomer said, unverified: shown as their claim, never as a fact.
            <>
              <Party account={use.who} /> <span className="muted">{t('tickets.claimed')}</span>
            </>
          ) : (
            t('tickets.someone')
          )}
        </li>
      ))}
    </ul>
  );
}
