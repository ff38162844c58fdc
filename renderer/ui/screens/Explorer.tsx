// The ledger explorer: every author and their chain with each transaction's finality, authors
// who equivocated, and what was refused and why.
import { useCallback, useState } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import type { Translate, TranslatePlural } from '../../i18n/i18n.ts';
import type { RuntimeNotice } from '../../runtime/networkRuntime.ts';
import { authorsOf, chainOf, type ChainEntry } from '../../runtime/views.ts';
import { asSentence } from '../../state/errors.ts';
import { Mono, ScreenTitle, Table } from '../components/common.tsx';
import { Party } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';
import { useLedgerView } from '../useLedger.ts';

const allAuthors = (ledger: Ledger) => authorsOf(ledger);
const equivocationsOf = (ledger: Ledger) => ledger.equivocations();
const rejectionsOf = (ledger: Ledger) =>
  [...ledger.rejections()].map(([id, rejection]) => ({ id, rejection }));

/** A witness's latest vote is covered by no later one, so it stays "pending": say "cast". */
function stateText(entry: ChainEntry, t: Translate): string {
  return entry.type === 'vote' && entry.status === 'pending'
    ? t('status.cast')
    : t(`status.${entry.status}`);
}

function describeEntry(
  entry: ChainEntry,
  t: Translate,
  tn: TranslatePlural,
  amount: (n: bigint) => string,
) {
  if (entry.transfer) {
    return (
      <>
        {t('explorer.pays', { amount: amount(entry.transfer.amount) })}{' '}
        <Party account={entry.transfer.to} />
      </>
    );
  }
  if (entry.votedHeads !== null) return tn('explorer.vote', entry.votedHeads);
  if (entry.type === 'genesis') return t('explorer.genesis');
  return entry.type;
}

function noticeText(notice: RuntimeNotice, t: Translate): string {
  switch (notice.kind) {
    case 'cleaned':
      return t('explorer.cleaned', { reason: asSentence(notice.reason) });
    case 'hostile':
      return t('explorer.hostile', { reason: asSentence(notice.reason) });
    case 'warning':
      return asSentence(notice.message);
  }
}

function Chain({ author }: { author: KeyHex }) {
  const { t, tn, amount, time } = useI18n();
  const compute = useCallback((ledger: Ledger) => chainOf(ledger, author), [author]);
  const chain = useLedgerView(compute);
  if (chain === null) return null;
  return (
    <Table
      caption={t('explorer.chainOf')}
      columns={[
        { label: t('explorer.seq'), numeric: true },
        { label: t('explorer.what') },
        { label: t('explorer.status') },
        { label: t('explorer.time') },
        { label: t('explorer.id') },
      ]}
      testId="chain-table"
      showCaption
    >
      {chain.map((entry) => (
        <tr key={entry.id}>
          <td className="num">{entry.seq}</td>
          <td>{describeEntry(entry, t, tn, amount)}</td>
          <td>
            <span className={entry.status === 'final' ? 'badge ok' : 'badge'}>
              {stateText(entry, t)}
            </span>
          </td>
          <td>{time(entry.time)}</td>
          <td>
            <Mono>{entry.id.slice(0, 12)}</Mono>
          </td>
        </tr>
      ))}
    </Table>
  );
}

export function ExplorerScreen() {
  const { t, amount } = useI18n();
  const authors = useLedgerView(allAuthors);
  const equivocations = useLedgerView(equivocationsOf);
  const rejections = useLedgerView(rejectionsOf);
  const problems = useApp((s) => s.problems);
  // A peer that started from a certified checkpoint (§14.10) holds no history before it.
  const base = useApp((s) => s.status?.base ?? null);
  const [selected, setSelected] = useState<KeyHex | null>(null);

  if (authors === null) {
    return (
      <>
        <ScreenTitle>{t('explorer.title')}</ScreenTitle>
        <p className="muted">{t('wallet.notSynced')}</p>
      </>
    );
  }
  return (
    <>
      <ScreenTitle>{t('explorer.title')}</ScreenTitle>
      {base !== null ? (
        <p className="muted" data-testid="explorer-base">
          {t('explorer.base', { n: base })}
        </p>
      ) : null}
      <section className="panel" aria-labelledby="authors-title">
        <h2 id="authors-title">{t('explorer.authors')}</h2>
        <Table
          caption={t('explorer.authors')}
          columns={[
            { label: t('explorer.author') },
            { label: t('explorer.transactions'), numeric: true },
            { label: t('explorer.role') },
            { label: t('explorer.balance'), numeric: true },
            { label: t('common.actions'), hidden: true },
          ]}
          testId="authors-table"
        >
          {authors.map((author) => (
            <tr key={author.key} aria-selected={selected === author.key}>
              <td>
                <Party account={author.key} />
              </td>
              <td className="num">{author.transactions}</td>
              <td>
                {author.witness ? t('explorer.witness') : ''}
                {author.account.frozen ? ` ${t('explorer.frozen')}` : ''}
              </td>
              <td className="num">{amount(author.account.balance)}</td>
              <td>
                <button
                  type="button"
                  className="link"
                  aria-pressed={selected === author.key}
                  onClick={() => setSelected(selected === author.key ? null : author.key)}
                >
                  {t('explorer.showChain')}
                </button>
              </td>
            </tr>
          ))}
        </Table>
        {selected !== null ? <Chain author={selected} /> : null}
      </section>
      <section className="panel" aria-labelledby="equivocations-title">
        <h2 id="equivocations-title">{t('explorer.equivocations')}</h2>
        {equivocations === null || equivocations.length === 0 ? (
          <p className="muted">{t('explorer.noEquivocations')}</p>
        ) : (
          <ul className="plain">
            {equivocations.map((e) => (
              <li key={`${e.author}-${e.seq}`}>
                <Party account={e.author} />{' '}
                {t('explorer.equivocation', { seq: e.seq, count: e.ids.length })}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-labelledby="rejected-title">
        <h2 id="rejected-title">{t('explorer.rejected')}</h2>
        {(rejections === null || rejections.length === 0) && problems.length === 0 ? (
          <p className="muted">{t('explorer.noRejected')}</p>
        ) : (
          <ul className="plain">
            {(rejections ?? []).map(({ id, rejection }) => (
              <li key={id}>
                <Mono>{id.slice(0, 12)}</Mono>:{' '}
                {t(`rejection.${rejection.code}`, { detail: asSentence(rejection.message) })}
              </li>
            ))}
            {problems.map((problem, index) => (
              <li key={`${problem.at}-${index}`}>{noticeText(problem.notice, t)}</li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
