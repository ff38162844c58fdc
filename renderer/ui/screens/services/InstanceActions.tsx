// The steps this identity owes in an instance, as buttons: the consumer reviews, the provider
// accepts or declines and delivers hand-made work, a validator judges, the settler settles.
// One action runs at a time; its error shows below them all. Approve, Dispute, Pass and Fail
// cannot be undone, so each asks once, saying where the price goes, before it is signed.
import { useState, type FormEvent } from 'react';
import type { TxId } from '../../../../shared/ids.ts';
import type { MarketStep } from '../../../../shared/wallet/market.ts';
import type { Market } from '../../../../engine/market/market.ts';
import { UserError } from '../../../state/errors.ts';
import { ErrorText, TextField, useAction } from '../../components/common.tsx';
import { useQuestion } from '../../components/ConfirmStep.tsx';
import { DecisionConfirm, type Decision } from '../../components/DecisionConfirm.tsx';
import type { BlindReason } from '../../../../engine/market/dispute.ts';
import { useApp, useI18n } from '../../context.tsx';

type Run = (action: (runtime: Market) => Promise<unknown>) => void;

/** The running action, its error, and the delivery text being typed. */
export interface ActionControl {
  readonly run: Run;
  readonly busy: boolean;
  readonly error: unknown;
  readonly text: string;
  readonly setText: (text: string) => void;
}

/**
 * Held by the instance screen rather than by the panels, so an error or a half-typed delivery
 * outlives a moment when the instance or the identity is briefly not there.
 */
export function useActionControl(): ActionControl {
  const market = useApp((s) => s.market);
  const act = useAction(async (action: (runtime: Market) => Promise<unknown>) => {
    if (market === null) throw new UserError('error.cannotSign');
    await action(market);
  });
  const [text, setText] = useState('');
  return { run: act.run, busy: act.busy, error: act.error, text, setText };
}

interface Option {
  readonly label: string;
  readonly action: () => void;
  /** Set when the action cannot be undone: it runs only once this question is confirmed. */
  readonly decision?: Decision;
}

interface ChoiceProps {
  readonly id: string;
  readonly title: string;
  readonly intro?: string;
  readonly yes: Option & { readonly primary: boolean };
  readonly no: Option;
  /** The job the decisions' questions name. */
  readonly job: { readonly name: string; readonly price: bigint };
  readonly busy: boolean;
  /** Why a dispute here would leave the validators without a copy of the delivery, if so. */
  readonly blind?: BlindReason | null;
}

/** A panel with two buttons: a decision between two actions. */
function Choice({ id, title, intro, yes, no, job, busy, blind }: ChoiceProps) {
  const question = useQuestion<Decision>();
  const press = (option: Option) => () =>
    option.decision === undefined ? option.action() : question.ask(option.decision, option.action);
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {intro !== undefined ? <p>{intro}</p> : null}
      <div className="actions">
        <button
          type="button"
          className={yes.primary ? 'primary' : undefined}
          disabled={busy || question.asking !== null}
          onClick={press(yes)}
        >
          {yes.label}
        </button>
        <button type="button" disabled={busy || question.asking !== null} onClick={press(no)}>
          {no.label}
        </button>
      </div>
      {question.asking !== null ? (
        <DecisionConfirm
          id={`${id}-confirm`}
          decision={question.asking.kind}
          job={job}
          busy={busy}
          onAnswer={question.reply}
          blind={blind}
        />
      ) : null}
    </section>
  );
}

/** Hand-made work is delivered as text, sealed for the consumer. */
function DeliverForm({ id, control }: { id: TxId; control: ActionControl }) {
  const { t } = useI18n();
  const { run, busy, text, setText } = control;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (text.trim() === '')
      return run(() => Promise.reject(new UserError('instance.deliverEmpty')));
    run((m) => m.deliverText(id, text));
  };
  return (
    <form className="panel" aria-labelledby="instance-deliver" noValidate onSubmit={submit}>
      <h2 id="instance-deliver">{t('instance.deliverTitle')}</h2>
      <TextField
        id="deliver-text"
        label={t('instance.deliverLabel')}
        multiline
        value={text}
        onChange={setText}
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('instance.deliverButton')}
        </button>
      </div>
    </form>
  );
}

export function InstanceActions({
  id,
  steps,
  handMade,
  job,
  control,
  blind,
}: {
  id: TxId;
  steps: readonly MarketStep[];
  /** The service's form is fields: its work is delivered by a person. */
  handMade: boolean;
  /** The service's name and price: named in the questions before Approve, Dispute, Pass or Fail. */
  job: { readonly name: string; readonly price: bigint };
  control: ActionControl;
  /** Why a dispute would leave the validators without a copy of the delivery (blindDispute.ts). */
  blind?: BlindReason | null;
}) {
  const { t } = useI18n();
  const market = useApp((s) => s.market);
  // Actions need the market (an identity that signs here); the timeline does not.
  const has = (kind: MarketStep['kind']) =>
    market !== null && steps.some((step) => step.kind === kind);
  const { run, busy } = control;
  return (
    <>
      {has('review') ? (
        <Choice
          id="instance-review"
          title={t('instance.review')}
          intro={t('instance.reviewIntro')}
          yes={{
            label: t('instance.approve'),
            primary: true,
            action: () => run((m) => m.review(id, true)),
            decision: 'approve',
          }}
          no={{
            label: t('instance.dispute'),
            action: () => run((m) => m.review(id, false)),
            decision: 'dispute',
          }}
          job={job}
          busy={busy}
          blind={blind}
        />
      ) : null}
      {has('respond') ? (
        <Choice
          id="instance-respond"
          title={t('instance.respond')}
          yes={{
            label: t('instance.accept'),
            primary: true,
            action: () => run((m) => m.accept(id)),
          }}
          no={{ label: t('instance.decline'), action: () => run((m) => m.decline(id)) }}
          job={job}
          busy={busy}
        />
      ) : null}
      {has('work') && handMade ? <DeliverForm id={id} control={control} /> : null}
      {has('verdict') ? (
        <Choice
          id="instance-verdict"
          title={t('instance.judge')}
          yes={{
            label: t('instance.pass'),
            primary: false,
            action: () => run((m) => m.verdict(id, true)),
            decision: 'pass',
          }}
          no={{
            label: t('instance.fail'),
            action: () => run((m) => m.verdict(id, false)),
            decision: 'fail',
          }}
          job={job}
          busy={busy}
        />
      ) : null}
      {has('settle') ? (
        <section className="panel" aria-labelledby="instance-settle">
          <h2 id="instance-settle">{t('instance.settle')}</h2>
          <p>{t('instance.settleIntro')}</p>
          <button type="button" disabled={busy} onClick={() => run((m) => m.settle(id))}>
            {t('instance.settle')}
          </button>
        </section>
      ) : null}
      <ErrorText error={control.error} />
    </>
  );
}
