// The part of the request form that sets the terms: how many validators and their fee, the
// consumer's limits on rate and reputation, and the four deadlines in minutes.
import { TextField } from '../../components/common.tsx';
import { useI18n } from '../../context.tsx';
import type { TermsText } from './draft.ts';

interface TermsFieldsProps {
  readonly text: TermsText;
  readonly onChange: (change: Partial<Omit<TermsText, 'within'>>) => void;
  readonly onWithin: (index: number, value: string) => void;
}

function Deadlines({
  within,
  onWithin,
}: {
  within: readonly string[];
  onWithin: TermsFieldsProps['onWithin'];
}) {
  const { t } = useI18n();
  const labels = [
    t('services.form.acceptBy'),
    t('services.form.deliverBy'),
    t('services.form.reviewBy'),
    t('services.form.evaluateBy'),
  ];
  return (
    <fieldset>
      <legend>{t('services.form.deadlines')}</legend>
      {labels.map((label, i) => (
        <TextField
          key={label}
          id={`req-within-${i}`}
          label={label}
          inputMode="numeric"
          value={within[i] ?? ''}
          onChange={(value) => onWithin(i, value)}
        />
      ))}
    </fieldset>
  );
}

export function TermsFields({ text, onChange, onWithin }: TermsFieldsProps) {
  const { t } = useI18n();
  return (
    <>
      <TextField
        id="req-validators"
        label={t('services.form.validators')}
        hint={t('services.form.validatorsHint')}
        inputMode="numeric"
        value={text.validators}
        onChange={(validators) => onChange({ validators })}
      />
      <TextField
        id="req-fee"
        label={t('services.form.fee')}
        inputMode="numeric"
        value={text.fee}
        onChange={(fee) => onChange({ fee })}
      />
      <TextField
        id="req-max-rate"
        label={t('services.form.maxRate')}
        inputMode="numeric"
        value={text.maxRate}
        onChange={(maxRate) => onChange({ maxRate })}
      />
      <TextField
        id="req-min-rep"
        label={t('services.form.minReputation')}
        inputMode="numeric"
        value={text.minReputation}
        onChange={(minReputation) => onChange({ minReputation })}
      />
      <Deadlines within={text.within} onWithin={onWithin} />
    </>
  );
}
