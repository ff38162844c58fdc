// The consumer's side of the service market: the catalog of service types, a request form
// generated from the type's definition, the negotiation table (every provider, ranked or left
// out with its reason), the escrow confirmation, and each request's life cycle.
import { useCallback, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { fromHex, toHex, utf8 } from '../../../shared/bytes.ts';
import type { CborValue } from '../../../shared/codec/cbor.ts';
import { COMPUTE_FUNCTIONS, computeCost, computeJobProblem } from '../../../shared/dnec/compute.ts';
import { reputationScore, type NegotiationResult } from '../../../shared/dnec/negotiation.ts';
import { expectedHashes } from '../../../shared/dnec/pow.ts';
import {
  eligibleBonds,
  instancesOf,
  instanceView,
  offersFor,
} from '../../../shared/dnec/queries.ts';
import {
  committeeProblem,
  normaliseFields,
  type ServiceDef,
} from '../../../shared/dnec/services.ts';
import type { KeyHex, TxId } from '../../../shared/ids.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import {
  consumerNet,
  servicesOf,
  serviceById,
  stepsFor,
  timelineOf,
  withinFor,
  type Within,
} from '../../../shared/ui/market.ts';
import type { MarketRuntime, RequestInput } from '../../runtime/market.ts';
import { UserError } from '../../state/errors.ts';
import { parseAmount } from '../amount.ts';
import {
  ErrorText,
  Mono,
  ScreenTitle,
  Table,
  TextField,
  useAction,
} from '../components/common.tsx';
import { MarketActivity, Timeline, useStateText } from '../components/market.tsx';
import { Party } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';
import { Link, navigate, useHashQuery } from '../router.tsx';
import { SERVICE_TYPE_PATH } from '../serviceType.ts';
import { useLedgerView } from '../useLedger.ts';

const catalogOf = (ledger: Ledger, me: KeyHex) =>
  servicesOf(ledger).map((def) => {
    const offers = offersFor(ledger, def.id).filter((o) => o.provider !== me && o.capacity > 0n);
    const cheapest = offers.reduce<bigint | null>(
      (low, o) => (low === null || o.rate < low ? o.rate : low),
      null,
    );
    return { def, offers: offers.length, cheapest };
  });

const myRequestsOf = (ledger: Ledger, me: KeyHex) =>
  instancesOf(ledger, me).filter((view) => view.request.consumer === me);

/** The market is usable once the ledger is here and the identity can sign. */
export function MarketGate({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const market = useApp((s) => s.market);
  if (market === null)
    return (
      <p role="status" className="muted">
        {t('market.notReady')}
      </p>
    );
  return <>{children}</>;
}

export function ServicesScreen() {
  const query = useHashQuery();
  const id = query.get('id');
  const type = query.get('type');
  if (id !== null) return <InstanceScreen id={id as TxId} />;
  if (type !== null) return <RequestFlow serviceId={type} />;
  return <Catalog />;
}

function Catalog() {
  const { t, tn, amount } = useI18n();
  const catalog = useLedgerView(catalogOf);
  const mine = useLedgerView(myRequestsOf);
  const stateText = useStateText();
  return (
    <>
      <ScreenTitle>{t('services.title')}</ScreenTitle>
      <MarketGate>
        <section className="panel" aria-labelledby="catalog-title">
          <h2 id="catalog-title">{t('services.catalog')}</h2>
          <p>{t('services.catalogIntro')}</p>
          <ul className="list" data-testid="catalog">
            {(catalog ?? []).map(({ def, offers, cheapest }) => (
              <li key={def.id}>
                <span>
                  <strong>{def.name}</strong>{' '}
                  <span className="badge">
                    {def.builtIn ? t('market.builtIn') : t('market.registered')}
                  </span>
                  <br />
                  <span className="muted">
                    {t(`market.eval.${def.evaluation}`)} ·{' '}
                    {offers === 0
                      ? t('services.noOffers')
                      : `${tn('services.offers', offers)}, ${t('services.cheapest', { rate: amount(cheapest ?? 0n) })}`}
                  </span>
                </span>
                <a className="button" href={`#/services?type=${encodeURIComponent(def.id)}`}>
                  {t('services.choose', { name: def.name })}
                </a>
              </li>
            ))}
          </ul>
          <p>
            <Link to={SERVICE_TYPE_PATH}>{t('serviceType.link')}</Link>
          </p>
        </section>
        <section className="panel" aria-labelledby="mine-title">
          <h2 id="mine-title">{t('services.mine')}</h2>
          {mine === null || mine.length === 0 ? (
            <p className="muted">{t('services.noneMine')}</p>
          ) : (
            <Table
              caption={t('services.mine')}
              testId="my-requests"
              columns={[
                { label: t('market.service') },
                { label: t('market.provider') },
                { label: t('market.total'), numeric: true },
                { label: t('market.state') },
                { label: t('market.actions'), hidden: true },
              ]}
            >
              {mine.map((view) => (
                <tr key={view.request.id} data-state={view.settled?.outcome ?? view.decision.state}>
                  <td>{view.request.service.name}</td>
                  <td>
                    <Party account={view.request.provider} />
                  </td>
                  <td className="num">{amount(view.request.escrow)}</td>
                  <td>{stateText(view)}</td>
                  <td>
                    <Link to={`services?id=${view.request.id}`}>
                      <span aria-hidden="true">{t('services.open')}</span>
                      <span className="visually-hidden">
                        {t('services.openRequest', { id: view.request.id.slice(0, 12) })}
                      </span>
                    </Link>
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </section>
        <MarketActivity />
      </MarketGate>
    </>
  );
}

// ---- the request flow -----------------------------------------------------------------

interface Draft {
  readonly def: ServiceDef;
  readonly job: Record<string, CborValue>;
  readonly volume: bigint;
  readonly validators: number;
  readonly fee: bigint;
  readonly maxRate?: bigint;
  readonly minReputation?: number;
  readonly within: Within;
  readonly sensitive: Readonly<Record<string, string>>;
}

type Step =
  | { readonly kind: 'form' }
  | { readonly kind: 'negotiate'; readonly draft: Draft; readonly result: NegotiationResult }
  | { readonly kind: 'confirm'; readonly draft: Draft; readonly provider: KeyHex };

function RequestFlow({ serviceId }: { serviceId: string }) {
  const { t } = useI18n();
  const lookup = useCallback((ledger: Ledger) => serviceById(ledger, serviceId), [serviceId]);
  const def = useLedgerView(lookup);
  const [step, setStep] = useState<Step>({ kind: 'form' });
  if (def === null || def === undefined) {
    return (
      <>
        <ScreenTitle>{t('services.title')}</ScreenTitle>
        <MarketGate>
          <p className="muted">{t('instance.missing')}</p>
        </MarketGate>
      </>
    );
  }
  if (step.kind === 'negotiate')
    return (
      <Negotiation
        draft={step.draft}
        result={step.result}
        onBack={() => setStep({ kind: 'form' })}
        onChoose={(provider) => setStep({ kind: 'confirm', draft: step.draft, provider })}
      />
    );
  if (step.kind === 'confirm')
    return (
      <EscrowConfirm
        draft={step.draft}
        provider={step.provider}
        onBack={() => setStep({ kind: 'form' })}
      />
    );
  return (
    <RequestForm
      def={def}
      onNegotiated={(draft, result) => setStep({ kind: 'negotiate', draft, result })}
    />
  );
}

const hexPattern = /^(?:[0-9a-f]{2})*$/i;

function wholeNumber(text: string, field: string): number {
  const trimmed = text.trim();
  if (!/^\d{1,9}$/.test(trimmed)) throw new UserError('services.error.number', { field });
  return Number(trimmed);
}

function RequestForm({
  def,
  onNegotiated,
}: {
  def: ServiceDef;
  onNegotiated: (draft: Draft, result: NegotiationResult) => void;
}) {
  const { t, amount } = useI18n();
  const market = useApp((s) => s.market);
  const ssk = useApp((s) => s.ssk);
  const me = useApp((s) => s.key);
  const runtime = useApp((s) => s.runtime);
  const [data, setData] = useState('');
  const [difficulty, setDifficulty] = useState('8');
  const [fn, setFn] = useState(Object.keys(COMPUTE_FUNCTIONS)[0] ?? '');
  const [input, setInput] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [volume, setVolume] = useState('1');
  const [validators, setValidators] = useState(def.evaluation === 'auto' ? '0' : '1');
  const [fee, setFee] = useState(def.evaluation === 'auto' ? '0' : '1');
  const [maxRate, setMaxRate] = useState('');
  const [minReputation, setMinReputation] = useState('');
  const [within, setWithin] = useState<string[]>(withinFor(def).map((s) => String(s / 60)));
  const [error, setError] = useState<unknown>(null);

  const job = (): {
    job: Record<string, CborValue>;
    volume: bigint;
    sensitive: Record<string, string>;
  } => {
    if (def.form === 'pow') {
      const bytes = utf8(data);
      if (bytes.length > 1024) throw new UserError('services.error.data');
      const bits = Number(difficulty.trim());
      if (!/^\d+$/.test(difficulty.trim()) || bits < 1 || bits > 64)
        throw new UserError('services.error.difficulty');
      return {
        job: { data: bytes, difficulty: bits },
        volume: expectedHashes(bits),
        sensitive: {},
      };
    }
    if (def.form === 'compute') {
      const hex = input.trim().replace(/\s+/g, '');
      if (!hexPattern.test(hex)) throw new UserError('services.error.hex');
      const computeJob = { fn, input: fromHex(hex.toLowerCase()) };
      const problem = computeJobProblem(computeJob);
      if (problem !== null) throw new UserError('services.error.job', { detail: problem });
      return { job: computeJob, volume: computeCost(computeJob), sensitive: {} };
    }
    const normalised = normaliseFields(def, fields);
    if ('error' in normalised)
      throw new UserError('services.error.job', { detail: normalised.error });
    const parsedVolume = parseAmount(volume);
    if (!parsedVolume.ok) throw new UserError(parsedVolume.error);
    return {
      job: { fields: normalised.public },
      volume: parsedVolume.value,
      sensitive: normalised.sensitive,
    };
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    try {
      const ledger = runtime?.ledger;
      if (!market || !ledger || me === null) throw new UserError('error.noNetwork');
      const built = job();
      if (Object.keys(built.sensitive).length > 0 && !ssk?.canOpen)
        throw new UserError('services.error.sskNeeded');
      const m = wholeNumber(validators, t('services.form.validators'));
      if (m > 16) throw new UserError('services.error.validators');
      const parsedFee = parseAmount(fee, { allowZero: true });
      if (!parsedFee.ok) throw new UserError(parsedFee.error);
      const pool = eligibleBonds(ledger, [me]);
      const problem = committeeProblem(def, m, m === 0 ? 0 : Math.floor(m / 2) + 1, pool.length);
      if (problem !== null) throw new UserError('services.error.committee', { detail: problem });
      const minutes = within.map((text) => wholeNumber(text, t('services.form.deadlines')));
      if (minutes.some((value, i) => value < 1 || (i > 0 && value <= (minutes[i - 1] ?? 0))))
        throw new UserError('services.error.deadlines');
      let rate: bigint | undefined;
      if (maxRate.trim() !== '') {
        const parsed = parseAmount(maxRate, { allowZero: true });
        if (!parsed.ok) throw new UserError(parsed.error);
        rate = parsed.value;
      }
      let reputation: number | undefined;
      if (minReputation.trim() !== '') {
        reputation = wholeNumber(minReputation, t('services.form.minReputation'));
        if (reputation > 999) throw new UserError('services.error.reputation');
      }
      const draft: Draft = {
        def,
        job: built.job,
        volume: built.volume,
        validators: m,
        fee: parsedFee.value,
        ...(rate === undefined ? {} : { maxRate: rate }),
        ...(reputation === undefined ? {} : { minReputation: reputation }),
        within: [
          (minutes[0] ?? 0) * 60,
          (minutes[1] ?? 0) * 60,
          (minutes[2] ?? 0) * 60,
          (minutes[3] ?? 0) * 60,
        ],
        sensitive: built.sensitive,
      };
      const result = market.negotiate({
        service: def.id,
        volume: draft.volume,
        validators: m,
        fee: draft.fee,
        ...(rate === undefined ? {} : { maxRate: rate }),
        ...(reputation === undefined ? {} : { minReputation: reputation }),
      });
      setError(null);
      onNegotiated(draft, result);
    } catch (failure) {
      setError(failure);
    }
  };

  let autoVolume: string | null = null;
  try {
    if (def.form === 'pow' || def.form === 'compute') autoVolume = amount(job().volume);
  } catch {
    autoVolume = null;
  }
  const deadlineLabels = [
    t('services.form.acceptBy'),
    t('services.form.deliverBy'),
    t('services.form.reviewBy'),
    t('services.form.evaluateBy'),
  ];

  return (
    <>
      <ScreenTitle>{t('services.form.title', { name: def.name })}</ScreenTitle>
      <MarketGate>
        <form className="panel narrow" onSubmit={submit} noValidate data-testid="request-form">
          <p>{t('services.form.intro', { evaluation: t(`market.eval.${def.evaluation}`) })}</p>
          {def.form === 'pow' ? (
            <>
              <TextField
                id="req-data"
                label={t('services.form.data')}
                hint={t('services.form.dataHint')}
                value={data}
                onChange={setData}
              />
              <TextField
                id="req-difficulty"
                label={t('services.form.difficulty')}
                hint={t('services.form.difficultyHint')}
                inputMode="numeric"
                value={difficulty}
                onChange={setDifficulty}
              />
            </>
          ) : null}
          {def.form === 'compute' ? (
            <>
              <div className="field">
                <label htmlFor="req-fn">{t('services.form.fn')}</label>
                <select
                  id="req-fn"
                  value={fn}
                  onChange={(e) => setFn(e.target.value)}
                  aria-describedby="req-fn-hint"
                >
                  {Object.keys(COMPUTE_FUNCTIONS).map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
                <p id="req-fn-hint" className="hint">
                  {COMPUTE_FUNCTIONS[fn]?.describe}
                </p>
              </div>
              <TextField
                id="req-input"
                label={t('services.form.input')}
                multiline
                verbatim
                value={input}
                onChange={setInput}
              />
            </>
          ) : null}
          {def.form === 'fields' ? (
            <>
              {def.fields.map((spec) => (
                <TextField
                  key={spec.name}
                  id={`req-field-${spec.name}`}
                  label={`${spec.sensitive ? t('services.form.sensitive', { name: spec.name }) : t('services.form.field', { name: spec.name })}${spec.required ? '' : ` ${t('services.form.optional')}`}`}
                  multiline={spec.kind === 'text' && spec.name !== 'title'}
                  inputMode={spec.kind === 'number' ? 'numeric' : undefined}
                  value={fields[spec.name] ?? ''}
                  onChange={(value) => setFields((all) => ({ ...all, [spec.name]: value }))}
                />
              ))}
              <TextField
                id="req-volume"
                label={t('services.form.volume', { unit: def.unit })}
                inputMode="numeric"
                value={volume}
                onChange={setVolume}
              />
            </>
          ) : null}
          {autoVolume !== null ? (
            <p data-testid="request-volume">
              {t('services.form.volumeAuto', { volume: autoVolume, unit: def.unit })}
            </p>
          ) : null}
          <TextField
            id="req-validators"
            label={t('services.form.validators')}
            hint={t('services.form.validatorsHint')}
            inputMode="numeric"
            value={validators}
            onChange={setValidators}
          />
          <TextField
            id="req-fee"
            label={t('services.form.fee')}
            inputMode="numeric"
            value={fee}
            onChange={setFee}
          />
          <TextField
            id="req-max-rate"
            label={t('services.form.maxRate')}
            inputMode="numeric"
            value={maxRate}
            onChange={setMaxRate}
          />
          <TextField
            id="req-min-rep"
            label={t('services.form.minReputation')}
            inputMode="numeric"
            value={minReputation}
            onChange={setMinReputation}
          />
          <fieldset>
            <legend>{t('services.form.deadlines')}</legend>
            {deadlineLabels.map((label, i) => (
              <TextField
                key={label}
                id={`req-within-${i}`}
                label={label}
                inputMode="numeric"
                value={within[i] ?? ''}
                onChange={(value) =>
                  setWithin((all) => all.map((old, j) => (j === i ? value : old)))
                }
              />
            ))}
          </fieldset>
          <ErrorText error={error} />
          <div className="actions">
            <a className="button" href="#/services">
              {t('common.back')}
            </a>
            <button type="submit" className="primary">
              {t('services.form.find')}
            </button>
          </div>
        </form>
      </MarketGate>
    </>
  );
}

function Negotiation({
  draft,
  result,
  onBack,
  onChoose,
}: {
  draft: Draft;
  result: NegotiationResult;
  onBack: () => void;
  onChoose: (provider: KeyHex) => void;
}) {
  const { t, amount } = useI18n();
  const offersOf = useCallback((ledger: Ledger) => offersFor(ledger, draft.def.id), [draft.def.id]);
  const offers = useLedgerView(offersOf) ?? [];
  const [choice, setChoice] = useState<KeyHex | null>(result.recommended);
  const [error, setError] = useState<unknown>(null);
  const offerOf = (provider: KeyHex) => offers.find((o) => o.provider === provider);
  const total = result.ranked.length + result.excluded.length;
  const next = (event: FormEvent): void => {
    event.preventDefault();
    if (result.ranked.length === 0) return setError(new UserError('services.error.noProvider'));
    if (choice === null) return setError(new UserError('services.error.choose'));
    onChoose(choice);
  };
  return (
    <>
      <ScreenTitle>{t('negotiation.title')}</ScreenTitle>
      <form className="panel" onSubmit={next} noValidate>
        <p>{t('negotiation.intro', { name: draft.def.name })}</p>
        {total === 0 ? (
          <p className="muted">{t('negotiation.none')}</p>
        ) : (
          <fieldset>
            <legend>{t('negotiation.pick')}</legend>
            <Table
              caption={t('negotiation.table')}
              testId="negotiation-table"
              columns={[
                { label: t('negotiation.choose', { provider: '' }).trim(), hidden: true },
                { label: t('market.provider') },
                { label: t('market.rate'), numeric: true },
                { label: t('market.price'), numeric: true },
                { label: t('market.total'), numeric: true },
                { label: t('negotiation.free'), numeric: true },
                { label: t('negotiation.reputation'), numeric: true },
                { label: t('negotiation.status') },
              ]}
            >
              {result.ranked.map((row) => {
                const offer = offerOf(row.provider);
                const recommended = row.provider === result.recommended;
                return (
                  <tr
                    key={row.provider}
                    data-provider={row.provider}
                    data-status={recommended ? 'recommended' : 'eligible'}
                    aria-selected={choice === row.provider}
                  >
                    <td>
                      <input
                        type="radio"
                        name="provider"
                        id={`pick-${row.provider}`}
                        checked={choice === row.provider}
                        onChange={() => setChoice(row.provider)}
                        aria-label={t('negotiation.choose', {
                          provider: row.provider.slice(0, 12),
                        })}
                      />
                    </td>
                    <td>
                      <Party account={row.provider} />
                    </td>
                    <td className="num">{offer ? amount(offer.rate) : ''}</td>
                    <td className="num">{amount(row.price)}</td>
                    <td className="num">{amount(row.total)}</td>
                    <td className="num">{amount(row.freeCapacity)}</td>
                    <td className="num">{row.score}</td>
                    <td>
                      {recommended ? (
                        <span className="badge ok">{t('negotiation.recommended')}</span>
                      ) : (
                        t('negotiation.eligible')
                      )}
                    </td>
                  </tr>
                );
              })}
              {result.excluded.map((row) => {
                const offer = offerOf(row.provider);
                return (
                  <tr key={row.provider} data-provider={row.provider} data-status="excluded">
                    <td />
                    <td>
                      <Party account={row.provider} />
                    </td>
                    <td className="num">{offer ? amount(offer.rate) : ''}</td>
                    <td className="num">{offer ? amount(offer.rate * draft.volume) : ''}</td>
                    <td className="num" />
                    <td className="num">
                      {offer ? amount(offer.capacity - offer.activeVolume) : ''}
                    </td>
                    <td className="num">{offer ? reputationScore(offer.reputation) : ''}</td>
                    <td>{t(`negotiation.reason.${row.reason}`, { detail: row.detail })}</td>
                  </tr>
                );
              })}
            </Table>
          </fieldset>
        )}
        <ErrorText error={error} />
        <div className="actions">
          <button type="button" onClick={onBack}>
            {t('common.back')}
          </button>
          <button type="submit" className="primary" disabled={result.ranked.length === 0}>
            {t('negotiation.continue')}
          </button>
        </div>
      </form>
    </>
  );
}

function EscrowConfirm({
  draft,
  provider,
  onBack,
}: {
  draft: Draft;
  provider: KeyHex;
  onBack: () => void;
}) {
  const { t, amount, time } = useI18n();
  const market = useApp((s) => s.market);
  const runtime = useApp((s) => s.runtime);
  const me = useApp((s) => s.key);
  // The deadlines count from when the request is signed: shown from now, as an estimate.
  const shownAt = useMemo(() => Date.now(), []);
  const offersOf = useCallback((ledger: Ledger) => offersFor(ledger, draft.def.id), [draft.def.id]);
  const offer = (useLedgerView(offersOf) ?? []).find((o) => o.provider === provider);
  const ledger = runtime?.ledger ?? null;
  const confirm = useAction(async () => {
    if (!market) throw new UserError('error.noNetwork');
    const input: RequestInput = {
      service: draft.def.id,
      job: draft.job,
      volume: draft.volume,
      provider,
      validators: draft.validators,
      fee: draft.fee,
      within: draft.within,
      ...(Object.keys(draft.sensitive).length > 0 ? { sensitive: draft.sensitive } : {}),
    };
    const done = await market.request(input);
    navigate(`services?id=${done.id}`);
  });
  if (!offer || !ledger || me === null) return null;
  const price = offer.rate * draft.volume;
  const fees = BigInt(draft.validators) * draft.fee;
  const total = price + fees;
  const available = ledger.account(me).available;
  return (
    <>
      <ScreenTitle>{t('escrow.title')}</ScreenTitle>
      <section className="panel narrow">
        <p>{t('escrow.intro')}</p>
        <dl className="summary" data-testid="escrow-review">
          <dt>{t('escrow.service')}</dt>
          <dd>{draft.def.name}</dd>
          <dt>{t('escrow.provider')}</dt>
          <dd>
            <Party account={provider} />
          </dd>
          <dt>{t('escrow.volume')}</dt>
          <dd>{t('market.volumeOf', { volume: amount(draft.volume), unit: draft.def.unit })}</dd>
          <dt>{t('escrow.price')}</dt>
          <dd data-testid="escrow-price">{amount(price)}</dd>
          <dt>{t('escrow.fees', { m: draft.validators, fee: amount(draft.fee) })}</dt>
          <dd>{amount(fees)}</dd>
          <dt>{t('escrow.total')}</dt>
          <dd data-testid="escrow-total">
            <strong>{amount(total)}</strong>
          </dd>
          <dt>{t('escrow.after')}</dt>
          <dd>{amount(available - total)}</dd>
          <dt>{t('escrow.deadlines')}</dt>
          <dd>{time(shownAt + draft.within[0] * 1000)}</dd>
          <dt>{t('escrow.deliverBy')}</dt>
          <dd>{time(shownAt + draft.within[1] * 1000)}</dd>
        </dl>
        {available + ledger.creditLimit < total ? (
          <p className="warning">
            {t('escrow.insufficient', { available: amount(available), total: amount(total) })}
          </p>
        ) : null}
        <p className="muted">{t('escrow.note')}</p>
        <ErrorText error={confirm.error} />
        {confirm.busy ? (
          <p role="status" className="muted">
            {t('escrow.working')}
          </p>
        ) : null}
        <div className="actions">
          <button type="button" onClick={onBack} disabled={confirm.busy}>
            {t('common.back')}
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => confirm.run()}
            disabled={confirm.busy}
          >
            {t('escrow.confirm')}
          </button>
        </div>
      </section>
    </>
  );
}

// ---- one instance -------------------------------------------------------------------------

export function InstanceScreen({ id }: { id: TxId }) {
  const { t, amount, time } = useI18n();
  const me = useApp((s) => s.key);
  const market = useApp((s) => s.market);
  const compute = useCallback(
    (ledger: Ledger, key: KeyHex) => {
      const view = instanceView(ledger, id);
      if (!view) return null;
      return {
        view,
        timeline: timelineOf(ledger, view),
        steps: stepsFor(ledger, view, key, Date.now()),
        delivery: view.delivery ? ledger.get(view.delivery) : undefined,
      };
    },
    [id],
  );
  const data = useLedgerView(compute);
  const stateText = useStateText();
  const work = market?.work().get(id);
  const act = useAction(async (action: (runtime: MarketRuntime) => Promise<unknown>) => {
    if (market === null) throw new UserError('error.cannotSign');
    await action(market);
  });
  const [text, setText] = useState('');
  if (data === null || data === undefined || me === null) {
    return (
      <>
        <ScreenTitle>{t('instance.title')}</ScreenTitle>
        <p className="muted">{t('instance.missing')}</p>
        <Link to="services">{t('instance.back')}</Link>
      </>
    );
  }
  const { view, timeline, steps } = data;
  const { request } = view;
  const parts = market?.privateParts(view) ?? {};
  const net = consumerNet(view, me);
  const deliveryBody = data.delivery?.body as
    { nonce?: Uint8Array; hash?: Uint8Array; sealed?: Uint8Array } | undefined;
  // Actions need the market (an identity that signs here); the timeline does not.
  const has = (kind: string) => market !== null && steps.some((step) => step.kind === kind);
  return (
    <>
      <ScreenTitle>{t('instance.title')}</ScreenTitle>
      <p>
        <Link to="services">{t('instance.back')}</Link>
      </p>
      <section className="panel" aria-labelledby="instance-summary">
        <h2 id="instance-summary">{t('instance.summary')}</h2>
        <dl className="summary" data-testid="instance-summary">
          <dt>{t('market.service')}</dt>
          <dd>{request.service.name}</dd>
          <dt>{t('market.consumer')}</dt>
          <dd>
            <Party account={request.consumer} />
          </dd>
          <dt>{t('market.provider')}</dt>
          <dd>
            <Party account={request.provider} />
          </dd>
          <dt>{t('market.volume')}</dt>
          <dd>
            {t('market.volumeOf', {
              volume: amount(request.body.volume),
              unit: request.service.unit,
            })}
          </dd>
          <dt>{t('market.price')}</dt>
          <dd>{amount(request.price)}</dd>
          <dt>{t('instance.escrow')}</dt>
          <dd>{amount(request.escrow)}</dd>
          <dt>{t('escrow.deadlines')}</dt>
          <dd>{time(request.body.deadlines[0])}</dd>
          <dt>{t('escrow.deliverBy')}</dt>
          <dd>{time(request.body.deadlines[1])}</dd>
          {request.body.m > 0 ? (
            <>
              <dt>{t('instance.committee')}</dt>
              <dd>
                {view.committee.length === 0
                  ? t('instance.noCommittee')
                  : view.committee.map((key) => (
                      <span key={key}>
                        <Party account={key} />{' '}
                      </span>
                    ))}
              </dd>
            </>
          ) : null}
          <dt>{t('market.state')}</dt>
          <dd data-testid="instance-state" data-outcome={view.settled?.outcome ?? ''}>
            {stateText(view)}
          </dd>
          {net !== null ? (
            <>
              <dt>{t('instance.outcome')}</dt>
              <dd data-testid="instance-net">
                {net < 0n
                  ? t('instance.youPaid', { amount: amount(-net) })
                  : t('instance.youGotBack', { amount: amount(net) })}
              </dd>
            </>
          ) : null}
        </dl>
        {work ? (
          <div className="progress">
            <span>
              {t('market.workProgress', { service: request.service.name })}{' '}
              {work.kind === 'pow'
                ? t('market.hashes', {
                    done: amount(BigInt(work.done)),
                    expected: amount(BigInt(work.expected)),
                  })
                : ''}
            </span>
            <progress
              aria-label={t('market.workProgress', { service: request.service.name })}
              max={work.kind === 'pow' ? work.expected : undefined}
              value={work.kind === 'pow' ? Math.min(work.done, work.expected) : undefined}
            />
          </div>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="instance-timeline">
        <h2 id="instance-timeline">{t('instance.timeline')}</h2>
        <Timeline entries={timeline} />
      </section>
      {parts.details !== undefined ? (
        <section className="panel" aria-labelledby="instance-details">
          <h2 id="instance-details">{t('instance.details')}</h2>
          <dl className="summary">
            {Object.entries(parts.details).map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </section>
      ) : null}
      {'fields' in request.body.job ? (
        <section className="panel" aria-labelledby="instance-fields">
          <h2 id="instance-fields">{request.service.name}</h2>
          <dl className="summary">
            {Object.entries(request.body.job.fields).map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{String(value)}</dd>
              </div>
            ))}
          </dl>
        </section>
      ) : null}
      {deliveryBody !== undefined ? (
        <section className="panel" aria-labelledby="instance-delivery">
          <h2 id="instance-delivery">{t('instance.delivery')}</h2>
          {deliveryBody.nonce ? (
            <p>{t('instance.nonce', { nonce: toHex(deliveryBody.nonce) })}</p>
          ) : null}
          {deliveryBody.hash ? (
            <p>
              {t('instance.resultHash')}
              <Mono>{toHex(deliveryBody.hash)}</Mono>
            </p>
          ) : null}
          {parts.delivery !== undefined ? (
            <pre className="mono" data-testid="delivery-text">
              {parts.delivery}
            </pre>
          ) : deliveryBody.sealed ? (
            <p className="muted">{t('instance.sealedUnread')}</p>
          ) : null}
        </section>
      ) : null}
      {has('review') ? (
        <section className="panel" aria-labelledby="instance-review">
          <h2 id="instance-review">{t('instance.review')}</h2>
          <p>{t('instance.reviewIntro')}</p>
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={act.busy}
              onClick={() => act.run((m) => m.review(id, true))}
            >
              {t('instance.approve')}
            </button>
            <button
              type="button"
              disabled={act.busy}
              onClick={() => act.run((m) => m.review(id, false))}
            >
              {t('instance.dispute')}
            </button>
          </div>
        </section>
      ) : null}
      {has('respond') ? (
        <section className="panel" aria-labelledby="instance-respond">
          <h2 id="instance-respond">{t('instance.respond')}</h2>
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={act.busy}
              onClick={() => act.run((m) => m.accept(id))}
            >
              {t('instance.accept')}
            </button>
            <button type="button" disabled={act.busy} onClick={() => act.run((m) => m.decline(id))}>
              {t('instance.decline')}
            </button>
          </div>
        </section>
      ) : null}
      {has('work') && request.service.form === 'fields' ? (
        <form
          className="panel"
          aria-labelledby="instance-deliver"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            if (text.trim() === '')
              return act.run(() => Promise.reject(new UserError('instance.deliverEmpty')));
            act.run((m) => m.deliverText(id, text));
          }}
        >
          <h2 id="instance-deliver">{t('instance.deliverTitle')}</h2>
          <TextField
            id="deliver-text"
            label={t('instance.deliverLabel')}
            multiline
            value={text}
            onChange={setText}
          />
          <div className="actions">
            <button type="submit" className="primary" disabled={act.busy}>
              {t('instance.deliverButton')}
            </button>
          </div>
        </form>
      ) : null}
      {has('verdict') ? (
        <section className="panel" aria-labelledby="instance-verdict">
          <h2 id="instance-verdict">{t('instance.judge')}</h2>
          <div className="actions">
            <button
              type="button"
              disabled={act.busy}
              onClick={() => act.run((m) => m.verdict(id, true))}
            >
              {t('instance.pass')}
            </button>
            <button
              type="button"
              disabled={act.busy}
              onClick={() => act.run((m) => m.verdict(id, false))}
            >
              {t('instance.fail')}
            </button>
          </div>
        </section>
      ) : null}
      {has('settle') ? (
        <section className="panel" aria-labelledby="instance-settle">
          <h2 id="instance-settle">{t('instance.settle')}</h2>
          <p>{t('instance.settleIntro')}</p>
          <button type="button" disabled={act.busy} onClick={() => act.run((m) => m.settle(id))}>
            {t('instance.settle')}
          </button>
        </section>
      ) : null}
      <ErrorText error={act.error} />
    </>
  );
}
