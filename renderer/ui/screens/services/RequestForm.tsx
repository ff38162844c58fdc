// The first step of a request: the form generated from the service type's definition. On
// submit it checks the inputs (draft.ts) and asks the runtime to negotiate, then hands the
// draft and the negotiation result to the next step. What is typed is kept in the store's
// drafts for each service type, so Back from a later step, or any navigation, loses nothing.
import { useState, type FormEvent } from 'react';
import { COMPUTE_FUNCTIONS } from '../../../../shared/dnec/compute.ts';
import type { NegotiationResult } from '../../../../shared/dnec/negotiation.ts';
import {
  committeeAvailable,
  eligibleBonds,
  minimumCommittee,
} from '../../../../shared/dnec/queries.ts';
import type { ServiceDef } from '../../../../shared/dnec/services.ts';
import { withinFor } from '../../../../shared/wallet/market.ts';
import { UserError } from '../../../state/errors.ts';
import { ErrorText, ScreenTitle } from '../../components/common.tsx';
import { useApp, useI18n } from '../../context.tsx';
import { placeError } from '../../fieldError.ts';
import { draftKey, useDraft } from '../../useDraft.ts';
import {
  deadlineText,
  draftOf,
  negotiationOf,
  type Draft,
  type JobText,
  type TermsText,
} from './draft.ts';
import { JobFields } from './JobFields.tsx';
import { MarketGate } from './MarketGate.tsx';
import { TermsFields } from './TermsFields.tsx';

const initialJob = (): JobText => ({
  data: '',
  difficulty: '8',
  fn: Object.keys(COMPUTE_FUNCTIONS)[0] ?? '',
  input: '',
  fields: {},
  volume: '1',
});

// The smallest committee the type needs: none when the ledger checks the work, else one. A
// network that cannot supply even that is told before anything is typed (below).
const initialTerms = (def: ServiceDef): TermsText => ({
  validators: String(minimumCommittee(def)),
  fee: minimumCommittee(def) === 0 ? '0' : '1',
  maxRate: '',
  minReputation: '',
  within: withinFor(def).map(deadlineText),
});

/** The request form's text as typed, for one service type. */
export interface RequestText {
  readonly job: JobText;
  readonly terms: TermsText;
}

/** Where the form for service `id` is kept until its request is escrowed. */
export const requestDraftKey = (id: string) => draftKey<RequestText>(`service-request:${id}`);

export function RequestForm({
  def,
  onNegotiated,
}: {
  def: ServiceDef;
  onNegotiated: (draft: Draft, result: NegotiationResult) => void;
}) {
  const { t } = useI18n();
  const market = useApp((s) => s.market);
  const ssk = useApp((s) => s.ssk);
  const me = useApp((s) => s.key);
  const runtime = useApp((s) => s.runtime);
  const [text, setText] = useDraft(requestDraftKey(def.id), () => ({
    job: initialJob(),
    terms: initialTerms(def),
  }));
  const { job, terms } = text;
  const setJob = (change: (old: JobText) => JobText): void =>
    setText((old) => ({ ...old, job: change(old.job) }));
  const setTerms = (change: (old: TermsText) => TermsText): void =>
    setText((old) => ({ ...old, terms: change(old.terms) }));
  const [error, setError] = useState<unknown>(null);
  const placed = placeError(error);
  const ledger = runtime?.ledger;
  const runs = !ledger || me === null || committeeAvailable(ledger, def, me);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    try {
      if (!market || !ledger || me === null) throw new UserError('error.noNetwork');
      const draft = draftOf(def, job, terms, {
        poolSize: eligibleBonds(ledger, [me]).length,
        canSeal: ssk?.canOpen === true,
        t,
      });
      const result = market.negotiate(negotiationOf(draft));
      setError(null);
      onNegotiated(draft, result);
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <>
      <ScreenTitle>{t('services.form.title', { name: def.name })}</ScreenTitle>
      <MarketGate>
        <form className="panel narrow" onSubmit={submit} noValidate data-testid="request-form">
          <p>{t('services.form.intro', { evaluation: t(`market.eval.${def.evaluation}`) })}</p>
          {runs ? null : (
            <p className="notice" id="req-needs-validator" data-testid="needs-validator">
              {t('services.needsValidator')}
            </p>
          )}
          <JobFields
            def={def}
            text={job}
            onChange={(change) => setJob((old) => ({ ...old, ...change }))}
            onField={(name, value) =>
              setJob((old) => ({ ...old, fields: { ...old.fields, [name]: value } }))
            }
            errorAt={placed.at}
          />
          <TermsFields
            text={terms}
            onChange={(change) => setTerms((old) => ({ ...old, ...change }))}
            onWithin={(index, value) =>
              setTerms((old) => ({
                ...old,
                within: old.within.map((text, i) => (i === index ? value : text)),
              }))
            }
            errorAt={placed.at}
          />
          <ErrorText error={placed.general} />
          <div className="actions">
            <a className="button" href="#/services">
              {t('common.back')}
            </a>
            <button
              type="submit"
              className="primary"
              disabled={!runs}
              aria-describedby={runs ? undefined : 'req-needs-validator'}
            >
              {t('services.form.find')}
            </button>
          </div>
        </form>
      </MarketGate>
    </>
  );
}
