// The market's decisions that cannot be undone, each asked once before it is signed: the
// consumer approving or disputing a delivery, a validator passing or failing one. The sentence
// says where the escrowed price goes (docs/protocol.md §11.4), so nobody signs one by a slip.
import type { MessageKey } from '../../i18n/i18n.ts';
import type { BlindReason } from '../../../engine/market/dispute.ts';
import { useI18n } from '../context.tsx';
import { ConfirmStep } from './ConfirmStep.tsx';

export type Decision = 'approve' | 'dispute' | 'pass' | 'fail';

/** Each decision's question: the title names the job ({name}), the sentence its price ({amount}). */
export const DECISION_TEXT: Readonly<
  Record<Decision, { readonly title: MessageKey; readonly sentence: MessageKey }>
> = {
  approve: { title: 'confirm.approve.title', sentence: 'confirm.approve.sentence' },
  dispute: { title: 'confirm.dispute.title', sentence: 'confirm.dispute.sentence' },
  pass: { title: 'confirm.pass.title', sentence: 'confirm.pass.sentence' },
  fail: { title: 'confirm.fail.title', sentence: 'confirm.fail.sentence' },
};

export function DecisionConfirm({
  id,
  decision,
  job,
  busy,
  onAnswer,
  blind,
}: {
  id: string;
  decision: Decision;
  /** The service's name, and its price: what the decision sends one way or the other. */
  job: { readonly name: string; readonly price: bigint };
  busy: boolean;
  onAnswer: (confirmed: boolean) => void;
  /** Set when a dispute could seal no copy of the delivery for the validators, and why. */
  blind?: BlindReason | null;
}) {
  const { t, amount } = useI18n();
  const text = DECISION_TEXT[decision];
  const price = amount(job.price);
  // The usual dispute sentence promises the validators a copy: untrue when none can be sealed.
  const sentence =
    decision === 'dispute' && blind !== undefined && blind !== null
      ? t('confirm.dispute.blind', { amount: price, reason: t(`confirm.blind.${blind}`) })
      : t(text.sentence, { amount: price });
  return (
    <ConfirmStep
      id={id}
      title={t(text.title, { name: job.name })}
      sentence={sentence}
      busy={busy}
      onAnswer={onAnswer}
    />
  );
}
