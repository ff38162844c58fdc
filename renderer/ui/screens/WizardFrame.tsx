// The frame every step of the genesis wizard shares (its step count, Back and Continue), and
// what each step is given: the draft kept in the store, so nothing typed is lost on Back or on
// leaving the wizard (setupDrafts.ts).
import type { ReactNode } from 'react';
import { FormPanel } from '../components/common.tsx';
import { useI18n } from '../context.tsx';
import { WIZARD_STEPS, type WizardDraft, type WizardStep } from './setupDrafts.ts';

export interface StepProps {
  readonly draft: WizardDraft;
  readonly update: (patch: Partial<WizardDraft>) => void;
  /** Moves to another step, clearing the error. */
  readonly go: (step: WizardStep) => void;
  /** Runs a check; what it throws is shown under its field (a FieldError) or in the form. */
  readonly attempt: (check: () => void) => void;
  /** The error that belongs to no field, for the bottom of the form. */
  readonly error: unknown;
  /** The error to say under input `id`. */
  readonly errorAt: (id: string) => unknown;
}

export function WizardFrame({
  step,
  title,
  children,
  onBack,
  onNext,
  nextLabel,
  busy,
  error,
}: {
  step: WizardStep;
  title: string;
  children: ReactNode;
  onBack: () => void;
  onNext: () => void;
  nextLabel?: string;
  busy?: boolean;
  error: unknown;
}) {
  const { t } = useI18n();
  return (
    <FormPanel
      wide
      before={
        <p className="muted">
          {t('wizard.step', { step: WIZARD_STEPS.indexOf(step) + 1, total: WIZARD_STEPS.length })}
        </p>
      }
      title={title}
      onSubmit={onNext}
      submit={nextLabel ?? t('common.continue')}
      back={{ label: t('common.back'), onClick: onBack }}
      busy={busy}
      error={error}
    >
      {children}
    </FormPanel>
  );
}
