// Payment history with filters, and export to CSV (cells defused against formula injection by
// renderer/ui/csv.ts).
import { useMemo, useState } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import { DEFAULT_UNIT } from '../../../shared/tx/genesis.ts';
import { toCsv } from '../csv.ts';
import type { Translate } from '../../i18n/i18n.ts';
import {
  addressOf,
  filterHistory,
  historyOf,
  type HistoryEntry,
  type HistoryFilter,
  type Memo,
} from '../../runtime/views.ts';
import { ScreenTitle, Table, TextField } from '../components/common.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { Party, useLabels } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';
import { useLedgerView } from '../useLedger.ts';
import { SaveContact } from './SaveContact.tsx';

const fullHistory = (ledger: Ledger, me: KeyHex) => historyOf(ledger, me);

function kindText(entry: HistoryEntry, t: Translate): string {
  switch (entry.kind) {
    case 'transfer':
      return entry.direction === 'in' ? t('history.kind.received') : t('history.kind.sent');
    case 'allocation':
    case 'escrow':
    case 'payout':
    case 'bond':
    case 'unbond':
      return t(`history.kind.${entry.kind}`);
  }
}

function statusText(status: HistoryEntry['status'], t: Translate): string {
  return t(`status.${status}`);
}

function memoText(memo: Memo, t: Translate): string {
  return memo.kind === 'text' ? memo.text : memo.kind === 'sealed' ? t('history.memoSealed') : '';
}

export function HistoryTable({
  entries,
  caption,
  filtered = false,
}: {
  entries: readonly HistoryEntry[];
  caption: string;
  /** Some entries exist and the filters hide them all: say that, not "no payments yet". */
  filtered?: boolean;
}) {
  const { t, amount, time } = useI18n();
  const me = useApp((s) => s.key);
  const labelOf = useLabels();
  if (entries.length === 0 && filtered) return <EmptyState text={t('history.noMatch')} />;
  if (entries.length === 0) {
    return (
      <EmptyState
        text={t('history.empty')}
        steps={[
          { to: 'receive', label: t('history.empty.receive') },
          { to: 'send', label: t('history.empty.send') },
        ]}
      />
    );
  }
  return (
    <Table
      caption={caption}
      columns={[
        { label: t('history.date') },
        { label: t('history.kind') },
        { label: t('history.counterparty') },
        { label: t('history.amount'), numeric: true },
        { label: t('history.status') },
        { label: t('history.memo') },
      ]}
      testId="history-table"
    >
      {entries.map((entry) => (
        <tr key={`${entry.id}-${entry.kind}`} data-status={entry.status}>
          <td>{time(entry.time)}</td>
          <td>{kindText(entry, t)}</td>
          <td>
            <Party account={entry.counterparty} />
            {entry.counterparty !== me && labelOf(entry.counterparty) === undefined ? (
              <>
                {' '}
                <SaveContact
                  account={entry.counterparty}
                  id={`contact-name-${entry.id}-${entry.kind}`}
                />
              </>
            ) : null}
          </td>
          <td className={`num ${entry.direction === 'in' ? 'credit' : 'debit'}`}>
            {entry.direction === 'in' ? '+' : '−'}
            {amount(entry.amount)}
          </td>
          <td>
            <span className={entry.status === 'final' ? 'badge ok' : 'badge'}>
              {statusText(entry.status, t)}
            </span>
          </td>
          <td>{memoText(entry.memo, t)}</td>
        </tr>
      ))}
    </Table>
  );
}

/**
 * The CSV export: ISO dates and plain digits, so spreadsheets read them as data. The network's
 * unit has a column of its own beside the amount, as the genesis names it ("hours"), so the
 * amount cells stay numbers a spreadsheet can sum.
 */
export function historyCsv(
  entries: readonly HistoryEntry[],
  t: Translate,
  labelOf: (key: KeyHex) => string | undefined,
  unit: string,
): string {
  return toCsv(
    [
      t('csv.date'),
      t('csv.kind'),
      t('csv.direction'),
      t('csv.counterparty'),
      t('csv.label'),
      t('csv.amount'),
      t('csv.unit'),
      t('csv.status'),
      t('csv.memo'),
      t('csv.transaction'),
    ],
    entries.map((entry) => [
      new Date(entry.time).toISOString(),
      kindText(entry, t),
      entry.direction === 'in' ? t('csv.in') : t('csv.out'),
      addressOf(entry.counterparty),
      labelOf(entry.counterparty) ?? '',
      entry.amount.toString(),
      unit,
      statusText(entry.status, t),
      memoText(entry.memo, t),
      entry.id,
    ]),
  );
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function HistoryScreen() {
  const { t } = useI18n();
  const labelOf = useLabels();
  const unit = useApp((s) => s.runtime?.ledger?.unit ?? DEFAULT_UNIT);
  const all = useLedgerView(fullHistory);
  const [filter, setFilter] = useState<HistoryFilter>({
    direction: 'all',
    status: 'all',
    text: '',
  });
  const shown = useMemo(
    () => (all === null ? [] : filterHistory(all, filter, labelOf)),
    [all, filter, labelOf],
  );
  return (
    <>
      <ScreenTitle>{t('history.title')}</ScreenTitle>
      <section className="panel" aria-label={t('history.filters')}>
        <div className="filters">
          <div className="field">
            <label htmlFor="filter-direction">{t('history.filter.direction')}</label>
            <select
              id="filter-direction"
              value={filter.direction}
              onChange={(e) =>
                setFilter({ ...filter, direction: e.target.value as HistoryFilter['direction'] })
              }
            >
              <option value="all">{t('history.filter.all')}</option>
              <option value="in">{t('history.filter.in')}</option>
              <option value="out">{t('history.filter.out')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-status">{t('history.filter.status')}</label>
            <select
              id="filter-status"
              value={filter.status}
              onChange={(e) =>
                setFilter({ ...filter, status: e.target.value as HistoryFilter['status'] })
              }
            >
              <option value="all">{t('history.filter.all')}</option>
              <option value="final">{t('status.final')}</option>
              <option value="pending">{t('status.pending')}</option>
              <option value="void">{t('status.void')}</option>
            </select>
          </div>
          <TextField
            id="filter-text"
            type="search"
            label={t('history.filter.text')}
            value={filter.text}
            onChange={(text) => setFilter({ ...filter, text })}
          />
        </div>
        <p role="status" className="muted">
          {t('history.count', { shown: shown.length, total: all?.length ?? 0 })}
        </p>
        <button
          type="button"
          onClick={() => download('gpow-history.csv', historyCsv(shown, t, labelOf, unit))}
          disabled={shown.length === 0}
        >
          {t('history.export')}
        </button>
      </section>
      <section className="panel">
        <HistoryTable
          entries={shown}
          caption={t('history.title')}
          filtered={(all?.length ?? 0) > 0}
        />
      </section>
    </>
  );
}
