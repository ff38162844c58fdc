// The part of the request form that sets the terms: how many validators and their fee, the
// consumer's limits on rate and reputation, and the four deadlines, each in minutes, hours or
// days (a person thinks of a day as a day, not as 1440 minutes).
import { TextField } from '../../components/common.tsx';
import { useI18n } from '../../context.tsx';
import { DEADLINE_UNITS, type DeadlineText, type DeadlineUnit, type TermsText } from './draft.ts';

interface TermsFieldsProps {
  readonly text: TermsText;
  readonly onChange: (change: Partial<Omit<TermsText, 'within'>>) => void;
  readonly onWithin: (index: number, value: DeadlineText) => void;
  /** The error to say under input `id` (renderer/ui/fieldError.ts); none without it. */
  readonly errorAt?: (id: string) => unknown;
}

const UNITS = Object.keys(DEADLINE_UNITS) as DeadlineUnit[];

/** The count a unit's name agrees with: what is typed, or many while it is not a number. */
const countOf = (amount: string): number => (/^\d{1,9}$/.test(amount.trim()) ? Number(amount) : 2);

function Deadlines({
  within,
  onWithin,
  errorAt,
}: {
  within: readonly DeadlineText[];
  onWithin: TermsFieldsProps['onWithin'];
  errorAt: (id: string) => unknown;
}) {
  const { t, tn } = useI18n();
  const labels = [
    t('services.form.acceptBy'),
    t('services.form.deliverBy'),
    t('services.form.reviewBy'),
    t('services.form.evaluateBy'),
  ];
  return (
    <fieldset>
      <legend>{t('services.form.deadlines')}</legend>
      {labels.map((label, i) => {
        const deadline = within[i] ?? { amount: '', unit: 'hours' };
        return (
          <TextField
            key={label}
            className="field inline"
            id={`req-within-${i}`}
            label={label}
            inputMode="numeric"
            value={deadline.amount}
            onChange={(amount) => onWithin(i, { ...deadline, amount })}
            error={errorAt(`req-within-${i}`)}
          >
            <select
              id={`req-within-unit-${i}`}
              aria-label={t('services.form.deadlineUnit', { deadline: label })}
              value={deadline.unit}
              onChange={(e) => onWithin(i, { ...deadline, unit: e.target.value as DeadlineUnit })}
            >
              {UNITS.map((unit) => (
                <option key={unit} value={unit}>
                  {tn(`services.form.unit.${unit}`, countOf(deadline.amount))}
                </option>
              ))}
            </select>
          </TextField>
        );
      })}
    </fieldset>
  );
}

export function TermsFields({ text, onChange, onWithin, errorAt = () => null }: TermsFieldsProps) {
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
        error={errorAt('req-validators')}
      />
      <TextField
        id="req-fee"
        label={t('services.form.fee')}
        inputMode="numeric"
        value={text.fee}
        onChange={(fee) => onChange({ fee })}
        error={errorAt('req-fee')}
      />
      <TextField
        id="req-max-rate"
        label={t('services.form.maxRate')}
        inputMode="numeric"
        value={text.maxRate}
        onChange={(maxRate) => onChange({ maxRate })}
        error={errorAt('req-max-rate')}
      />
      <TextField
        id="req-min-rep"
        label={t('services.form.minReputation')}
        inputMode="numeric"
        value={text.minReputation}
        onChange={(minReputation) => onChange({ minReputation })}
        error={errorAt('req-min-rep')}
      />
      <Deadlines within={text.within} onWithin={onWithin} errorAt={errorAt} />
    </>
  );
}
