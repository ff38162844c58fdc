// The Witnesses panel of the Network screen (docs/protocol.md §13): the set that makes payments
// final, its quorum in a sentence, a change taking over, the changes proposed and who backs
// them; for a witness, replacing, adding and removing one and backing another's proposal, each
// after a confirmation that says what will change. The engine (engine/witnessSets.ts) does the
// work and the planner's sentences are shown as they are; this file only shows them.
import { useMemo, useState } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import {
  stuckFinality,
  witnessReportOf,
  type FinalityDiagnosis,
  type WitnessReport,
} from '../../runtime/witnesses.ts';
import { addressOf } from '../../runtime/views.ts';
import { Table } from '../components/common.tsx';
import { Party } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';
import { useNames } from './MemberNames.tsx';
import { ChangeList } from './WitnessChanges.tsx';
import { ChangeForm, type Draft } from './WitnessForm.tsx';

function useWitnessReport(): WitnessReport | null {
  const runtime = useApp((s) => s.runtime);
  const version = useApp((s) => s.ledgerVersion);
  // `version` is the change signal: the runtime and its ledger stay the same objects.
  return useMemo(() => (runtime ? witnessReportOf(runtime) : null), [runtime, version]);
}

export function WitnessesPanel() {
  const { t, tn } = useI18n();
  const report = useWitnessReport();
  const me = useApp((s) => s.key);
  const names = useNames();
  const [done, setDone] = useState<string | null>(null);
  const amWitness = report !== null && report.witnesses.some((w) => w.key === me);
  // A second proposal for the same epoch would split the backing (§13.4): offer backing instead.
  const busy =
    report !== null &&
    (report.incoming !== null ||
      report.changes.some((c) => c.state === 'proposed' && c.epoch === report.epoch + 1));
  return (
    <section className="panel" aria-labelledby="witnesses-title">
      <h2 id="witnesses-title">{t('witnesses.title')}</h2>
      <StuckAlert amWitness={amWitness} />
      {report === null ? (
        <p className="muted">{t('witnesses.notSynced')}</p>
      ) : (
        <>
          <p data-testid="witness-quorum">
            {tn('witnesses.quorum', report.witnesses.length, { quorum: report.quorum })}
          </p>
          {report.incoming !== null ? (
            <p className="warning" data-testid="witness-incoming">
              {t('witnesses.incoming', { names: names(report.incoming) })}
            </p>
          ) : null}
          <p role="status" className="success">
            {done ?? ''}
          </p>
          <WitnessEditor report={report} canChange={amWitness && !busy} onDone={setDone} />
          {amWitness && busy ? <p className="muted">{t('witnesses.oneAtATime')}</p> : null}
          {!amWitness ? (
            <p data-testid="witness-ask">
              {t('witnesses.onlyWitnesses', { names: names(report.witnesses.map((w) => w.key)) })}
            </p>
          ) : null}
          <ChangeList report={report} amWitness={amWitness} onDone={setDone} />
        </>
      )}
    </section>
  );
}

/** The engine's stuck-finality problem, with the missing witnesses by name and what to do. */
function StuckAlert({ amWitness }: { amWitness: boolean }) {
  const { t, tn } = useI18n();
  const runtime = useApp((s) => s.runtime);
  const status = useApp((s) => s.status);
  const names = useNames();
  const stuck: FinalityDiagnosis | null = useMemo(
    () => (runtime && status ? stuckFinality(runtime, status.problems) : null),
    [runtime, status],
  );
  if (stuck === null) return null;
  return (
    <div className="confirm" role="alert" data-testid="witness-stuck">
      <h3>{t('witnesses.stuck.title')}</h3>
      <p className="error">
        {tn('witnesses.stuck.waiting', stuck.pending, {
          seen: stuck.backers.length,
          needed: stuck.needed,
        })}{' '}
        {t('witnesses.stuck.missing', { names: names(stuck.missing.map((w) => w.key)) })}
      </p>
      <p>
        {amWitness
          ? tn('witnesses.stuck.remedyWitness', stuck.needed, { needed: stuck.needed })
          : t('witnesses.stuck.remedy', { needed: stuck.needed })}
      </p>
    </div>
  );
}

/** The current witnesses, with Replace and Remove on each and Add below, for a witness. */
function WitnessEditor({
  report,
  canChange,
  onDone,
}: {
  report: WitnessReport;
  canChange: boolean;
  onDone: (sentence: string | null) => void;
}) {
  const { t, time } = useI18n();
  const [draft, setDraft] = useState<Draft | null>(null);
  const start = (next: Draft) => {
    onDone(null);
    setDraft(next);
  };
  const names = useNames();
  const label = (key: KeyHex) => names([key]);
  return (
    <>
      <Table
        caption={t('witnesses.caption')}
        testId="witnesses-table"
        columns={[
          { label: t('witnesses.col.witness') },
          { label: t('witnesses.col.lastVote') },
          { label: t('common.actions'), hidden: true },
        ]}
      >
        {report.witnesses.map((w) => (
          <tr key={w.key} data-witness={addressOf(w.key)}>
            <td>
              <Party account={w.key} />
            </td>
            <td>{w.lastVote === null ? t('witnesses.noVote') : time(w.lastVote)}</td>
            <td>
              {canChange ? (
                <span className="actions">
                  <button
                    type="button"
                    className="link"
                    aria-label={t('witnesses.replace.label', { name: label(w.key) })}
                    onClick={() => start({ kind: 'replace', old: w.key })}
                  >
                    {t('witnesses.replace')}
                  </button>
                  <button
                    type="button"
                    className="link"
                    aria-label={t('witnesses.remove.label', { name: label(w.key) })}
                    onClick={() => start({ kind: 'remove', old: w.key })}
                  >
                    {t('witnesses.remove')}
                  </button>
                </span>
              ) : null}
            </td>
          </tr>
        ))}
      </Table>
      {canChange && draft === null ? (
        <button type="button" onClick={() => start({ kind: 'add' })}>
          {t('witnesses.add')}
        </button>
      ) : null}
      {canChange && draft !== null ? (
        <ChangeForm
          key={`${draft.kind}:${'old' in draft ? draft.old : ''}`}
          draft={draft}
          label={label}
          onClose={(sentence) => {
            setDraft(null);
            onDone(sentence);
          }}
        />
      ) : null}
    </>
  );
}
