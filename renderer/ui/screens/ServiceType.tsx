// Registering a new service type: a form (name, unit of volume, evaluation method, and the
// definition form's fields), a confirmation that summarises the type before the transaction is
// signed, and the type's id once it is on the ledger. The form is parsed by the ledger's own
// schema (../serviceType.ts), so what the ledger would refuse is explained before signing.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ServiceBody } from '../../../shared/dnec/bodies.ts';
import { registeredService, type ServiceDef } from '../../../shared/dnec/services.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import { serviceById, servicesOf } from '../../../shared/wallet/market.ts';
import { UserError } from '../../state/errors.ts';
import {
  CopyButton,
  ErrorText,
  FormPanel,
  Mono,
  ProgressBar,
  ScreenTitle,
  Table,
  TextField,
  useAction,
} from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { navigate, useHashQuery } from '../router.tsx';
import {
  blankDraft,
  blankField,
  COMPENSATION,
  EVALUATIONS,
  FIELD_KINDS,
  inputId,
  MAX_FIELDS,
  MAX_NAME,
  MAX_UNIT,
  NEGOTIATION,
  parseServiceType,
  registerServiceType,
  SERVICE_TYPE_PATH,
  type FieldDraft,
  type ServiceTypeDraft,
} from '../serviceType.ts';
import { useLedgerView } from '../useLedger.ts';
import { MarketGate } from './Services.tsx';

export function ServiceTypeScreen() {
  const registered = useHashQuery().get('registered');
  if (registered !== null) return <Registered id={registered} />;
  return <RegisterFlow />;
}

type Step = { readonly kind: 'form' } | { readonly kind: 'confirm'; readonly body: ServiceBody };

function RegisterFlow() {
  const { t } = useI18n();
  const market = useApp((s) => s.market);
  const [draft, setDraft] = useState<ServiceTypeDraft>(blankDraft);
  const [step, setStep] = useState<Step>({ kind: 'form' });
  if (market === null)
    return (
      <>
        <ScreenTitle>{t('serviceType.title')}</ScreenTitle>
        <MarketGate>{null}</MarketGate>
      </>
    );
  if (step.kind === 'confirm')
    return <ServiceTypeReview body={step.body} onBack={() => setStep({ kind: 'form' })} />;
  return (
    <RegisterForm
      draft={draft}
      onChange={setDraft}
      onReview={(body) => setStep({ kind: 'confirm', body })}
    />
  );
}

function RegisterForm({
  draft,
  onChange,
  onReview,
}: {
  draft: ServiceTypeDraft;
  onChange: (draft: ServiceTypeDraft) => void;
  onReview: (body: ServiceBody) => void;
}) {
  const { t } = useI18n();
  const [problem, setProblem] = useState<{ error: UserError; target: string } | null>(null);
  // Where the focus goes after the next render: a new field, or a neighbour of a removed one.
  const focusNext = useRef<string | null>(null);
  useEffect(() => {
    if (focusNext.current === null) return;
    document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });

  const set = (patch: Partial<ServiceTypeDraft>): void => onChange({ ...draft, ...patch });
  const setField = (id: number, patch: Partial<FieldDraft>): void =>
    set({
      fields: draft.fields.map((field) => (field.id === id ? { ...field, ...patch } : field)),
    });
  const full = draft.fields.length >= MAX_FIELDS;
  const addField = (): void => {
    if (full) return;
    const id = Math.max(0, ...draft.fields.map((field) => field.id)) + 1;
    set({ fields: [...draft.fields, blankField(id)] });
    focusNext.current = inputId.fieldName(id);
  };
  const removeField = (index: number): void => {
    const fields = draft.fields.filter((_, i) => i !== index);
    set({ fields });
    // The focus stays in the list: on the field that took this one's place, else the one
    // before, else the button that adds one.
    const neighbour = fields[index] ?? fields[index - 1];
    focusNext.current = neighbour ? inputId.fieldName(neighbour.id) : inputId.addField;
  };
  const review = (): void => {
    const parsed = parseServiceType(draft);
    if (!parsed.ok) {
      setProblem({ error: parsed.error, target: parsed.target });
      document.getElementById(parsed.target)?.focus();
      return;
    }
    setProblem(null);
    onReview(parsed.body);
  };
  const invalid = (id: string): boolean => problem?.target === id;

  return (
    <FormPanel
      title={t('serviceType.title')}
      intro={t('serviceType.intro')}
      onSubmit={review}
      submit={t('serviceType.review')}
      error={problem?.error}
      wide
    >
      <TextField
        id={inputId.name}
        label={t('serviceType.name')}
        hint={t('serviceType.nameHint', { max: MAX_NAME })}
        value={draft.name}
        onChange={(name) => set({ name })}
        invalid={invalid(inputId.name)}
      />
      <TextField
        id={inputId.unit}
        label={t('serviceType.unit')}
        hint={t('serviceType.unitHint', { max: MAX_UNIT })}
        value={draft.unit}
        onChange={(unit) => set({ unit })}
        invalid={invalid(inputId.unit)}
      />
      <fieldset>
        <legend>{t('serviceType.evaluation')}</legend>
        {EVALUATIONS.map((evaluation) => (
          <div key={evaluation}>
            <label className="check">
              <input
                type="radio"
                name="st-evaluation"
                id={inputId.evaluation(evaluation)}
                value={evaluation}
                checked={draft.evaluation === evaluation}
                onChange={() => set({ evaluation })}
                aria-describedby={`${inputId.evaluation(evaluation)}-hint`}
              />
              {t(`serviceType.eval.${evaluation}`)}
            </label>
            <p id={`${inputId.evaluation(evaluation)}-hint`} className="hint">
              {t(`serviceType.evalHint.${evaluation}`)}
            </p>
          </div>
        ))}
      </fieldset>
      <fieldset aria-describedby="st-fields-hint" data-testid="st-fields">
        <legend>{t('serviceType.fields')}</legend>
        <p id="st-fields-hint" className="hint">
          {t('serviceType.fieldsHint', { max: MAX_FIELDS })}
        </p>
        <p id="st-sensitive-hint" className="hint">
          {t('serviceType.field.sensitiveHint')}
        </p>
        {draft.fields.length === 0 ? <p className="muted">{t('serviceType.noFields')}</p> : null}
        {draft.fields.map((field, index) => {
          const n = index + 1;
          const nameId = inputId.fieldName(field.id);
          const kindId = inputId.fieldKind(field.id);
          return (
            <fieldset key={field.id} data-testid="st-field">
              <legend>{t('serviceType.field', { n })}</legend>
              <TextField
                id={nameId}
                label={t('serviceType.field.name')}
                value={field.name}
                onChange={(name) => setField(field.id, { name })}
                verbatim
                invalid={invalid(nameId)}
              />
              <div className="field">
                <label htmlFor={kindId}>{t('serviceType.field.kind')}</label>
                <select
                  id={kindId}
                  value={field.kind}
                  aria-invalid={invalid(kindId) ? true : undefined}
                  onChange={(event) =>
                    setField(field.id, {
                      kind: FIELD_KINDS.find((kind) => kind === event.target.value) ?? 'text',
                    })
                  }
                >
                  {FIELD_KINDS.map((kind) => (
                    <option key={kind} value={kind}>
                      {t(`serviceType.kind.${kind}`)}
                    </option>
                  ))}
                </select>
              </div>
              <label className="check">
                <input
                  type="checkbox"
                  id={`st-field-${field.id}-sensitive`}
                  aria-describedby="st-sensitive-hint"
                  checked={field.sensitive}
                  onChange={(event) => setField(field.id, { sensitive: event.target.checked })}
                />
                {t('serviceType.field.sensitive')}
              </label>
              <label className="check">
                <input
                  type="checkbox"
                  id={`st-field-${field.id}-required`}
                  checked={field.required}
                  onChange={(event) => setField(field.id, { required: event.target.checked })}
                />
                {t('serviceType.field.required')}
              </label>
              <div className="actions">
                <button type="button" onClick={() => removeField(index)}>
                  {t('serviceType.field.remove', { n })}
                </button>
              </div>
            </fieldset>
          );
        })}
        <div className="actions">
          <button
            type="button"
            id={inputId.addField}
            onClick={addField}
            disabled={full}
            aria-describedby={full ? 'st-fields-full' : undefined}
          >
            {t('serviceType.addField')}
          </button>
        </div>
        {full ? (
          <p id="st-fields-full" className="muted">
            {t('serviceType.fieldsFull', { max: MAX_FIELDS })}
          </p>
        ) : null}
      </fieldset>
      <h2>{t('serviceType.fixed')}</h2>
      <dl className="summary">
        <FixedRules />
      </dl>
    </FormPanel>
  );
}

/** The parameters the protocol has one choice for so far, as terms of a summary list. */
function FixedRules() {
  const { t } = useI18n();
  return (
    <>
      <dt>{t('serviceType.negotiation')}</dt>
      <dd>{t(`serviceType.negotiation.${NEGOTIATION}`)}</dd>
      <dt>{t('serviceType.compensation')}</dt>
      <dd>{t(`serviceType.compensation.${COMPENSATION}`)}</dd>
    </>
  );
}

/** What a service type is: name, unit, evaluation, the fixed rules, and its form's fields. */
export function ServiceTypeSummary({ def }: { def: ServiceDef }) {
  const { t } = useI18n();
  const evaluation = EVALUATIONS.find((method) => method === def.evaluation);
  return (
    <>
      <dl className="summary" data-testid="service-type-summary">
        <dt>{t('serviceType.name')}</dt>
        <dd>{def.name}</dd>
        <dt>{t('serviceType.unit')}</dt>
        <dd>{def.unit}</dd>
        <dt>{t('serviceType.evaluation')}</dt>
        <dd>
          {evaluation === undefined ? (
            t(`market.eval.${def.evaluation}`)
          ) : (
            <>
              {t(`serviceType.eval.${evaluation}`)}
              <br />
              <span className="muted">{t(`serviceType.evalHint.${evaluation}`)}</span>
            </>
          )}
        </dd>
        <FixedRules />
      </dl>
      <h2>{t('serviceType.fields')}</h2>
      {def.fields.length === 0 ? (
        <p className="muted">{t('serviceType.noFields')}</p>
      ) : (
        <Table
          caption={t('serviceType.table')}
          testId="service-type-fields"
          columns={[
            { label: t('serviceType.field.name') },
            { label: t('serviceType.field.kind') },
            { label: t('serviceType.table.visibility') },
            { label: t('serviceType.field.required') },
          ]}
        >
          {def.fields.map((field) => (
            <tr key={field.name}>
              <td>
                <code>{field.name}</code>
              </td>
              <td>{t(`serviceType.kind.${field.kind}`)}</td>
              <td>{field.sensitive ? t('serviceType.private') : t('serviceType.public')}</td>
              <td>
                {field.required ? t('serviceType.field.required') : t('serviceType.optional')}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

/** The confirmation step: the type as it will be registered, then one signed transaction. */
export function ServiceTypeReview({ body, onBack }: { body: ServiceBody; onBack: () => void }) {
  const { t } = useI18n();
  const market = useApp((s) => s.market);
  const def = useMemo(() => registeredService('', body), [body]);
  const nameTaken = useCallback(
    (ledger: Ledger) => servicesOf(ledger).some((known) => known.name === body.name),
    [body.name],
  );
  const sameName = useLedgerView(nameTaken) === true;
  const register = useAction(async () => {
    if (market === null) throw new UserError('error.cannotSign');
    const id = await registerServiceType(market, body);
    navigate(`${SERVICE_TYPE_PATH}?registered=${id}`);
  });
  return (
    <>
      <ScreenTitle>{t('serviceType.confirm.title')}</ScreenTitle>
      <section className="panel narrow" data-testid="service-type-review">
        <p>{t('serviceType.confirm.intro')}</p>
        <ServiceTypeSummary def={def} />
        {sameName ? (
          <p className="warning">{t('serviceType.confirm.sameName', { name: body.name })}</p>
        ) : null}
        <ErrorText error={register.error} />
        {register.busy ? (
          <div role="status">
            <ProgressBar label={t('serviceType.working')} done={0} total={0} />
          </div>
        ) : null}
        <div className="actions">
          <button type="button" onClick={onBack} disabled={register.busy}>
            {t('common.back')}
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => register.run()}
            disabled={register.busy}
          >
            {t('serviceType.confirm.button')}
          </button>
        </div>
      </section>
    </>
  );
}

/** A type just registered, read back from the ledger: its id, and where to go next. */
function Registered({ id }: { id: string }) {
  const { t } = useI18n();
  const lookup = useCallback((ledger: Ledger) => serviceById(ledger, id), [id]);
  const found = useLedgerView(lookup);
  const def = found === null || found === undefined || found.builtIn ? null : found;
  return (
    <>
      <ScreenTitle>{def ? t('serviceType.done.title') : t('serviceType.title')}</ScreenTitle>
      <section className="panel narrow" data-testid="service-type-registered">
        {def ? (
          <>
            <p>{t('serviceType.done.intro', { name: def.name })}</p>
            <dl className="summary">
              <dt>{t('serviceType.done.id')}</dt>
              <dd data-testid="service-type-id">
                <Mono>{def.id}</Mono>{' '}
                <CopyButton text={def.id} label={t('serviceType.done.copy')} />
              </dd>
            </dl>
            <ServiceTypeSummary def={def} />
          </>
        ) : (
          <p className="muted">{t('serviceType.done.missing')}</p>
        )}
        <div className="actions">
          <a className="button" href="#/services">
            {t('serviceType.done.catalogue')}
          </a>
          {def ? (
            <a className="button" href="#/provider">
              {t('serviceType.done.offer')}
            </a>
          ) : null}
          <a className="button" href={`#/${SERVICE_TYPE_PATH}`}>
            {t('serviceType.done.another')}
          </a>
        </div>
      </section>
    </>
  );
}
