// The changes of the witnesses proposed so far (docs/protocol.md §13), on the Witnesses panel:
// what each would make (the witnesses, and the members it admits or removes, or closing the
// network, §13.7), who backs it and how many must; and for a witness who does not back one yet,
// "Back this change" after a confirmation that says what will change. The engine's witness duty
// casts the vote (engine/witnessSets.ts); this file only shows and asks.
import { useState } from 'react';
import type { KeyHex, TxId } from '../../../shared/ids.ts';
import { backChange, type ChangeRow, type WitnessReport } from '../../runtime/witnesses.ts';
import { UserError } from '../../state/errors.ts';
import type { Translate, TranslatePlural } from '../../i18n/i18n.ts';
import { ErrorText, Mono, useAction } from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { memberEffect } from './MemberChange.tsx';
import { useNames } from './MemberNames.tsx';

/** The proposals still waiting for backing; changes already in effect are history. */
export function ChangeList({
  report,
  amWitness,
  onDone,
}: {
  report: WitnessReport;
  amWitness: boolean;
  onDone: (sentence: string | null) => void;
}) {
  const { t } = useI18n();
  // Backed here but not yet in a vote the ledger holds: the button goes away at once.
  const [backed, setBacked] = useState<ReadonlySet<TxId>>(new Set());
  const proposed = report.changes.filter((c) => c.state === 'proposed');
  if (proposed.length === 0) return null;
  return (
    <>
      <h3>{t('witnesses.changes.title')}</h3>
      <ul className="plain" data-testid="witness-changes">
        {proposed.map((change) => (
          <ProposedChange
            key={change.id}
            change={change}
            current={report.witnesses.length}
            canBack={amWitness && !backed.has(change.id)}
            onBacked={(sentence) => {
              setBacked(new Set([...backed, change.id]));
              onDone(sentence);
            }}
          />
        ))}
      </ul>
    </>
  );
}

function ProposedChange({
  change,
  current,
  canBack,
  onBacked,
}: {
  change: ChangeRow;
  current: number;
  canBack: boolean;
  onBacked: (sentence: string) => void;
}) {
  const { t, tn } = useI18n();
  const me = useApp((s) => s.key);
  const names = useNames();
  const [asking, setAsking] = useState(false);
  const runtime = useApp((s) => s.runtime);
  const back = useAction(() => {
    if (runtime === null) throw new UserError('witnesses.notSyncedError');
    backChange(runtime, change.id);
    setAsking(false);
    onBacked(t('witnesses.back.done'));
  });
  const backers = change.backers.length === 0 ? t('witnesses.nobody') : names(change.backers);
  // The proposer backs its own change already: proposing did.
  const mayBack = canBack && me !== null && change.by !== me && !change.backers.includes(me);
  const membership = change.close || change.admit.length > 0 || change.remove.length > 0;
  return (
    <li data-change={change.id}>
      <p>
        {t('witnesses.change', { by: names([change.by]) })} <Mono>{change.id.slice(0, 12)}</Mono>
        {': '}
        {describe(t, names, change)}
      </p>
      <p data-testid="witness-backers">
        {t('witnesses.backers', {
          names: backers,
          backed: change.backers.length,
          needed: change.needed,
        })}
      </p>
      {mayBack && !asking ? (
        <button type="button" onClick={() => setAsking(true)}>
          {t('witnesses.back')}
        </button>
      ) : null}
      {mayBack && asking ? (
        <div className="confirm" role="group" aria-labelledby={`back-${change.id}`}>
          <h3 id={`back-${change.id}`}>
            {t(membership ? 'witnesses.back.titleMembers' : 'witnesses.back.title')}
          </h3>
          <p data-testid="witness-confirm">{backConfirmation(t, tn, names, change, current)}</p>
          <ErrorText error={back.error} />
          <div className="actions">
            <button type="button" onClick={() => setAsking(false)} disabled={back.busy}>
              {t('common.cancel')}
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => back.run()}
              disabled={back.busy}
            >
              {t('witnesses.back.confirm')}
            </button>
          </div>
        </div>
      ) : null}
    </li>
  );
}

/** Whether a change names another witness set than the current one. */
const changesWitnesses = (change: ChangeRow): boolean =>
  change.added.length > 0 || change.removed.length > 0;

/**
 * "adds Bob, removes Ana": what a change does to the current set, and to the members (§13.7).
 * A member removed from the network leaves the witnesses too; that is said once.
 */
export function describe(
  t: Translate,
  names: (keys: readonly KeyHex[]) => string,
  change: ChangeRow,
): string {
  const leaving = change.removed.filter((k) => !change.remove.includes(k));
  const parts = [
    ...(change.added.length > 0 ? [t('witnesses.adds', { names: names(change.added) })] : []),
    ...(leaving.length > 0 ? [t('witnesses.removes', { names: names(leaving) })] : []),
    ...(change.remove.length > 0
      ? [t('witnesses.removesMembers', { names: names(change.remove) })]
      : []),
    ...(change.close
      ? [t('witnesses.closes')]
      : change.admit.length > 0
        ? [t('witnesses.admits', { names: names(change.admit) })]
        : []),
  ];
  const become = changesWitnesses(change)
    ? ` ${t('witnesses.confirm.become', { names: names(change.witnesses) })}`
    : '';
  return `${parts.join('; ')}.${become}`;
}

/** What backing a change will do, for the confirmation before a witness backs it. */
export function backConfirmation(
  t: Translate,
  tn: TranslatePlural,
  names: (keys: readonly KeyHex[]) => string,
  change: ChangeRow,
  current: number,
): string {
  return [
    ...memberEffect(t, names, change, change.witnesses),
    ...(changesWitnesses(change)
      ? [t('witnesses.confirm.become', { names: names(change.witnesses) })]
      : []),
    tn('witnesses.back.when', current, { needed: change.needed }),
  ].join(' ');
}
