// The part of the request form that describes the job. Its inputs follow the service's form:
// data and difficulty for proof of work, a function and its input for compute, and the
// registered type's own fields (with a volume the consumer chooses) for the rest.
import { COMPUTE_FUNCTIONS } from '../../../../shared/dnec/compute.ts';
import type { FieldSpec, ServiceDef } from '../../../../shared/dnec/services.ts';
import { TextField } from '../../components/common.tsx';
import { fieldLabel } from '../../fieldLabel.ts';
import { useI18n } from '../../context.tsx';
import { autoVolumeOf, type JobText } from './draft.ts';

interface JobFieldsProps {
  readonly def: ServiceDef;
  readonly text: JobText;
  readonly onChange: (change: Partial<Omit<JobText, 'fields'>>) => void;
  /** One form field at a time, so quick edits to two fields never overwrite each other. */
  readonly onField: (name: string, value: string) => void;
  /** The error to say under input `id` (renderer/ui/fieldError.ts); none without it. */
  readonly errorAt?: (id: string) => unknown;
}

const noError = (): null => null;

function PowFields({
  text,
  onChange,
  errorAt,
}: Required<Pick<JobFieldsProps, 'errorAt'>> & JobFieldsProps) {
  const { t } = useI18n();
  return (
    <>
      <TextField
        id="req-data"
        label={t('services.form.data')}
        hint={t('services.form.dataHint')}
        value={text.data}
        onChange={(data) => onChange({ data })}
        error={errorAt('req-data')}
      />
      <TextField
        id="req-difficulty"
        label={t('services.form.difficulty')}
        hint={t('services.form.difficultyHint')}
        inputMode="numeric"
        value={text.difficulty}
        onChange={(difficulty) => onChange({ difficulty })}
        error={errorAt('req-difficulty')}
      />
    </>
  );
}

function ComputeFields({
  text,
  onChange,
  errorAt,
}: Required<Pick<JobFieldsProps, 'errorAt'>> & JobFieldsProps) {
  const { t } = useI18n();
  return (
    <>
      <div className="field">
        <label htmlFor="req-fn">{t('services.form.fn')}</label>
        <select
          id="req-fn"
          value={text.fn}
          onChange={(e) => onChange({ fn: e.target.value })}
          aria-describedby="req-fn-hint"
        >
          {Object.keys(COMPUTE_FUNCTIONS).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <p id="req-fn-hint" className="hint">
          {COMPUTE_FUNCTIONS[text.fn]?.describe}
        </p>
      </div>
      <TextField
        id="req-input"
        label={t('services.form.input')}
        multiline
        verbatim
        value={text.input}
        onChange={(input) => onChange({ input })}
        error={errorAt('req-input')}
      />
    </>
  );
}

function FormFields({
  def,
  text,
  onChange,
  onField,
  errorAt,
}: Required<Pick<JobFieldsProps, 'errorAt'>> & JobFieldsProps) {
  const { t } = useI18n();
  const labelOf = (spec: FieldSpec): string =>
    `${t(spec.sensitive ? 'services.form.sensitive' : 'services.form.field', { name: fieldLabel(spec.name) })}${spec.required ? '' : ` ${t('services.form.optional')}`}`;
  return (
    <>
      {def.fields.map((spec) => (
        <TextField
          key={spec.name}
          id={`req-field-${spec.name}`}
          label={labelOf(spec)}
          multiline={spec.kind === 'text' && spec.name !== 'title'}
          inputMode={spec.kind === 'number' ? 'numeric' : undefined}
          value={text.fields[spec.name] ?? ''}
          onChange={(value) => onField(spec.name, value)}
          error={errorAt(`req-field-${spec.name}`)}
        />
      ))}
      <TextField
        id="req-volume"
        label={t('services.form.volume', { unit: def.unit })}
        inputMode="numeric"
        value={text.volume}
        onChange={(volume) => onChange({ volume })}
        error={errorAt('req-volume')}
      />
    </>
  );
}

export function JobFields(given: JobFieldsProps) {
  const { t, quantity } = useI18n();
  const props = { ...given, errorAt: given.errorAt ?? noError };
  const { def } = props;
  // Proof of work and compute fix their own volume; show it as soon as the inputs are valid.
  const autoVolume = autoVolumeOf(def, props.text);
  return (
    <>
      {def.form === 'pow' ? <PowFields {...props} /> : null}
      {def.form === 'compute' ? <ComputeFields {...props} /> : null}
      {def.form === 'fields' ? <FormFields {...props} /> : null}
      {autoVolume !== null ? (
        <p data-testid="request-volume">
          {t('services.form.volumeAuto', { volume: quantity(autoVolume, def.unit) })}
        </p>
      ) : null}
    </>
  );
}
