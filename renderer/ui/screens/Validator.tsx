// The validator's screen: bonding (what makes this identity eligible for P), its bonds, the
// evaluations P assigned to it with the evidence for each (for a dispute, the delivery the
// consumer sealed for it, or why it cannot be read), and voting pass or fail (asked once before
// it is signed: a verdict cannot be changed).
import { useState, type FormEvent } from 'react';
import { checkComputeResult } from '../../../shared/dnec/compute.ts';
import { instancesOf, market, type InstanceView } from '../../../shared/dnec/queries.ts';
import type { KeyHex } from '../../../shared/ids.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { parseAmount } from '../amount.ts';
import { UserError } from '../../state/errors.ts';
import {
  ErrorText,
  ScreenTitle,
  Table,
  TextField,
  useAction,
  FormFooter,
} from '../components/common.tsx';
import { useQuestion } from '../components/ConfirmStep.tsx';
import { DecisionConfirm } from '../components/DecisionConfirm.tsx';
import { MarketActivity, useStateText } from '../components/market.tsx';
import { Party } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';
import { Link } from '../router.tsx';
import { useLedgerView } from '../useLedger.ts';
import { EvidenceBody } from './services/DisputeEvidence.tsx';
import { MarketGate } from './Services.tsx';

/**
 * What a reviewed job's delivery stands on: the consumer's review, if any. It said "the
 * consumer disputed it" for every delivered job, approved ones included.
 */
export function reviewEvidence(view: Pick<InstanceView, 'review'>): MessageKey {
  if (view.review === undefined) return 'validator.evidence.unreviewed';
  return view.review.approve ? 'validator.evidence.approved' : 'validator.evidence.review';
}

const validatorOf = (ledger: Ledger, me: KeyHex) => {
  const index = market(ledger);
  const bonds = [...index.bonds.values()]
    .filter((bond) => bond.validator === me)
    .map((bond) => ({ ...bond, released: index.actions(bond.id, 'unbond').length > 0 }));
  const assigned = instancesOf(ledger, me)
    .filter((view) => view.committee.includes(me))
    .map((view) => {
      const job = view.request.body.job;
      const delivery = view.delivery ? ledger.get(view.delivery) : undefined;
      const hash = (delivery?.body as { hash?: Uint8Array } | undefined)?.hash;
      let evidence: MessageKey = 'validator.evidence.none';
      if (delivery) {
        if ('difficulty' in job) evidence = 'validator.evidence.pow';
        else if ('fn' in job && hash)
          evidence = checkComputeResult(job, hash)
            ? 'validator.evidence.computeOk'
            : 'validator.evidence.computeBad';
        else evidence = reviewEvidence(view);
      }
      return { view, evidence, mine: view.verdicts.find((v) => v.validator === me) };
    });
  return { bonds, assigned };
};

export function ValidatorScreen() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('validator.title')}</ScreenTitle>
      <MarketGate>
        <ValidatorConsole />
      </MarketGate>
    </>
  );
}

function ValidatorConsole() {
  const { t, amount } = useI18n();
  const data = useLedgerView(validatorOf);
  const marketRuntime = useApp((s) => s.market);
  const settings = useApp((s) => s.settings);
  const setAutomation = useApp((s) => s.setAutomation);
  const stateText = useStateText();
  const [bondText, setBondText] = useState('');
  const [formError, setFormError] = useState<unknown>(null);
  const [bonded, setBonded] = useState(false);
  const bond = useAction(async (value: bigint) => {
    await marketRuntime!.bond(value);
    setBonded(true);
    setBondText('');
  });
  const act = useAction(async (action: () => Promise<unknown>) => {
    await action();
  });
  // The verdict being asked about, with the job's price for the question's sentence.
  const question = useQuestion<{ pass: boolean; name: string; price: bigint }>();
  const judge = (view: InstanceView, pass: boolean) => () =>
    question.ask({ pass, name: view.request.service.name, price: view.request.price }, () =>
      act.run(() => marketRuntime!.verdict(view.request.id, pass)),
    );
  if (data === null || marketRuntime === null) return null;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setBonded(false);
    const parsed = parseAmount(bondText);
    if (!parsed.ok) return setFormError(new UserError(parsed.error));
    setFormError(null);
    bond.run(parsed.value);
  };
  return (
    <>
      <section className="panel" aria-labelledby="validator-automation">
        <h2 id="validator-automation">{t('provider.automation')}</h2>
        <p>{t('validator.intro')}</p>
        <label className="check">
          <input
            type="checkbox"
            checked={settings.validate}
            onChange={(e) =>
              setAutomation({ provide: settings.provide, validate: e.target.checked })
            }
          />
          {t('validator.automation')}
        </label>
      </section>
      <section className="panel" aria-labelledby="bond-title">
        <h2 id="bond-title">{t('validator.bonds')}</h2>
        {data.bonds.length === 0 ? (
          <p className="muted">{t('validator.noBonds')}</p>
        ) : (
          <Table
            caption={t('validator.bonds')}
            testId="bonds-table"
            columns={[
              { label: t('validator.amount'), numeric: true },
              { label: t('validator.bondState') },
              { label: t('market.actions'), hidden: true },
            ]}
          >
            {data.bonds.map((b) => (
              <tr key={b.id}>
                <td className="num">{amount(b.amount)}</td>
                <td>{b.released ? t('validator.released') : t('validator.active')}</td>
                <td className="row-actions">
                  {b.released ? null : (
                    <button
                      type="button"
                      disabled={act.busy}
                      aria-label={t('validator.unbondLabel', { id: b.id.slice(0, 12) })}
                      onClick={() => act.run(() => marketRuntime.unbond(b.id))}
                    >
                      {t('validator.unbond')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
        <form onSubmit={submit} noValidate aria-labelledby="new-bond-title">
          <h3 id="new-bond-title">{t('validator.bond')}</h3>
          <TextField
            id="bond-amount"
            label={t('validator.bondAmount')}
            inputMode="numeric"
            value={bondText}
            onChange={setBondText}
          />
          <FormFooter
            error={formError ?? bond.error}
            done={bonded ? t('validator.bonded') : null}
            busy={bond.busy}
            submit={t('validator.bondButton')}
          />
        </form>
      </section>
      <section className="panel" aria-labelledby="assigned-title">
        <h2 id="assigned-title">{t('validator.assigned')}</h2>
        {data.assigned.length === 0 ? (
          <p className="muted">{t('validator.noAssigned')}</p>
        ) : (
          <Table
            caption={t('validator.assigned')}
            testId="assigned-table"
            columns={[
              { label: t('market.service') },
              { label: t('market.provider') },
              { label: t('market.state') },
              { label: t('validator.evidence') },
              { label: t('validator.verdict') },
            ]}
          >
            {data.assigned.map(({ view, evidence, mine }) => {
              const short = view.request.id.slice(0, 12);
              return (
                <tr key={view.request.id}>
                  <td>
                    <Link to={`services?id=${view.request.id}`}>{view.request.service.name}</Link>
                  </td>
                  <td>
                    <Party account={view.request.provider} />
                  </td>
                  <td>{stateText(view)}</td>
                  <td>
                    {t(evidence)}
                    {evidence === 'validator.evidence.review' ? (
                      <EvidenceBody reading={marketRuntime.evidence(view)} />
                    ) : null}
                  </td>
                  <td className="row-actions">
                    {mine ? (
                      t('validator.yourVerdict', {
                        verdict: t(mine.pass ? 'instance.pass' : 'instance.fail'),
                      })
                    ) : view.delivery && !view.settled ? (
                      <>
                        <button
                          type="button"
                          disabled={act.busy || question.asking !== null}
                          aria-label={t('validator.passLabel', { id: short })}
                          onClick={judge(view, true)}
                        >
                          {t('instance.pass')}
                        </button>{' '}
                        <button
                          type="button"
                          disabled={act.busy || question.asking !== null}
                          aria-label={t('validator.failLabel', { id: short })}
                          onClick={judge(view, false)}
                        >
                          {t('instance.fail')}
                        </button>
                      </>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
        {question.asking !== null ? (
          <DecisionConfirm
            id="verdict-confirm"
            decision={question.asking.kind.pass ? 'pass' : 'fail'}
            job={question.asking.kind}
            busy={act.busy}
            onAnswer={question.reply}
          />
        ) : null}
        <ErrorText error={act.error} />
      </section>
      <MarketActivity />
    </>
  );
}
