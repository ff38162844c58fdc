// For an identity that belongs to no network yet: create one (the genesis wizard) or join one
// with an invitation link (JoinNetwork.tsx), either kind, reusable or a ticket (§13.9).
import { useEffect, useState, type ReactNode } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import { quorumOf } from '../../../shared/ledger/votes.ts';
import { MAX_NAME_LENGTH } from '../../../shared/net/invitation.ts';
import { MAX_ALLOCATIONS, MAX_WITNESSES } from '../../../shared/tx/genesis.ts';
import { addressOf } from '../../runtime/views.ts';
import { UserError } from '../../state/errors.ts';
import { accountOf } from '../account.ts';
import { parseAmount } from '../amount.ts';
import { FormPanel, ScreenTitle, Table, TextField, useAction } from '../components/common.tsx';
import { Party } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';
import { navigate } from '../router.tsx';
import { JoinNetwork } from './JoinNetwork.tsx';

type Mode = 'choose' | 'create' | 'join';

export function NetworkSetup() {
  const { t } = useI18n();
  const takePendingInvitation = useApp((s) => s.takePendingInvitation);
  const [mode, setMode] = useState<Mode>('choose');
  const [pending, setPending] = useState<string | null>(null);

  // A gpow: link the desktop app was opened with: offer it, never act on it unasked.
  useEffect(() => {
    let current = true;
    takePendingInvitation().then(
      (link) => {
        if (current && link !== null) {
          setPending(link);
          setMode('join');
        }
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [takePendingInvitation]);

  if (mode === 'create') return <CreateNetwork onCancel={() => setMode('choose')} />;
  if (mode === 'join')
    return <JoinNetwork initial={pending ?? ''} onCancel={() => setMode('choose')} />;
  return (
    <section className="panel narrow">
      <ScreenTitle>{t('setup.title')}</ScreenTitle>
      <p>{t('setup.intro')}</p>
      <div className="choice">
        <div>
          <h2>{t('setup.create.heading')}</h2>
          <p>{t('setup.create.text')}</p>
          <button type="button" className="primary" onClick={() => setMode('create')}>
            {t('setup.create.button')}
          </button>
        </div>
        <div>
          <h2>{t('setup.join.heading')}</h2>
          <p>{t('setup.join.text')}</p>
          <button type="button" className="primary" onClick={() => setMode('join')}>
            {t('setup.join.button')}
          </button>
        </div>
      </div>
    </section>
  );
}

// ---- the genesis wizard ------------------------------------------------------------------

const STEPS = ['name', 'witnesses', 'allocations', 'review'] as const;
type WizardStep = (typeof STEPS)[number];

interface Draft {
  name: string;
  witnesses: KeyHex[];
  allocations: Array<[KeyHex, bigint]>;
  creditLimit: string;
}

function WizardFrame({
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
          {t('wizard.step', { step: STEPS.indexOf(step) + 1, total: STEPS.length })}
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

function CreateNetwork({ onCancel }: { onCancel: () => void }) {
  const { t, tn, amount } = useI18n();
  const me = useApp((s) => s.key);
  const relays = useApp((s) => s.settings.relays);
  const createNetwork = useApp((s) => s.createNetwork);
  const [step, setStep] = useState<WizardStep>('name');
  const [draft, setDraft] = useState<Draft>({
    name: '',
    witnesses: me ? [me] : [],
    allocations: [],
    creditLimit: '0',
  });
  const [error, setError] = useState<unknown>(null);
  const [witnessInput, setWitnessInput] = useState('');
  const [allocAddress, setAllocAddress] = useState('');
  const [allocAmount, setAllocAmount] = useState('');
  const create = useAction(async () => {
    const limit = parseAmount(draft.creditLimit, { allowZero: true });
    if (!limit.ok) throw new UserError(limit.error);
    await createNetwork({
      name: draft.name.trim(),
      witnesses: draft.witnesses,
      allocations: draft.allocations,
      creditLimit: limit.value,
    });
    navigate('network');
  });

  const go = (next: WizardStep): void => {
    setError(null);
    setStep(next);
  };
  const attempt = (check: () => void): void => {
    try {
      check();
    } catch (failure) {
      setError(failure);
    }
  };

  switch (step) {
    case 'name':
      return (
        <WizardFrame
          step={step}
          title={t('wizard.name.title')}
          error={error}
          onBack={onCancel}
          onNext={() =>
            attempt(() => {
              const name = draft.name.trim();
              if (name === '') throw new UserError('wizard.name.empty');
              if ([...name].length > MAX_NAME_LENGTH)
                throw new UserError('wizard.name.long', { max: MAX_NAME_LENGTH });
              go('witnesses');
            })
          }
        >
          <TextField
            id="network-name"
            label={t('wizard.name.label')}
            hint={t('wizard.name.hint')}
            maxLength={MAX_NAME_LENGTH}
            value={draft.name}
            onChange={(name) => setDraft({ ...draft, name })}
          />
        </WizardFrame>
      );
    case 'witnesses': {
      const addWitness = (): void =>
        attempt(() => {
          const key = accountOf(witnessInput);
          if (draft.witnesses.includes(key)) throw new UserError('wizard.witnesses.duplicate');
          if (draft.witnesses.length >= MAX_WITNESSES)
            throw new UserError('wizard.witnesses.full', { max: MAX_WITNESSES });
          setDraft({ ...draft, witnesses: [...draft.witnesses, key] });
          setWitnessInput('');
          setError(null);
        });
      return (
        <WizardFrame
          step={step}
          title={t('wizard.witnesses.title')}
          error={error}
          onBack={() => go('name')}
          onNext={() =>
            attempt(() => {
              if (draft.witnesses.length === 0) throw new UserError('wizard.witnesses.none');
              go('allocations');
            })
          }
        >
          <p>
            {tn('wizard.witnesses.intro', draft.witnesses.length, {
              quorum: quorumOf(Math.max(1, draft.witnesses.length)),
            })}
          </p>
          <ul className="list" aria-label={t('wizard.witnesses.listLabel')}>
            {draft.witnesses.map((key) => (
              <li key={key}>
                <Party account={key} />
                <button
                  type="button"
                  className="link"
                  onClick={() =>
                    setDraft({ ...draft, witnesses: draft.witnesses.filter((w) => w !== key) })
                  }
                >
                  {t('common.remove')}
                </button>
              </li>
            ))}
          </ul>
          <TextField
            className="field inline"
            id="witness-address"
            label={t('wizard.witnesses.add')}
            verbatim
            value={witnessInput}
            onChange={setWitnessInput}
          >
            <button type="button" onClick={addWitness}>
              {t('common.add')}
            </button>
          </TextField>
        </WizardFrame>
      );
    }
    case 'allocations': {
      const addAllocation = (): void =>
        attempt(() => {
          const key = accountOf(allocAddress);
          const parsed = parseAmount(allocAmount);
          if (!parsed.ok) throw new UserError(parsed.error);
          if (draft.allocations.some(([k]) => k === key))
            throw new UserError('wizard.allocations.duplicate');
          if (draft.allocations.length >= MAX_ALLOCATIONS)
            throw new UserError('wizard.allocations.full', { max: MAX_ALLOCATIONS });
          setDraft({ ...draft, allocations: [...draft.allocations, [key, parsed.value]] });
          setAllocAddress('');
          setAllocAmount('');
          setError(null);
        });
      return (
        <WizardFrame
          step={step}
          title={t('wizard.allocations.title')}
          error={error}
          onBack={() => go('witnesses')}
          onNext={() =>
            attempt(() => {
              const limit = parseAmount(draft.creditLimit, { allowZero: true });
              if (!limit.ok) throw new UserError(limit.error);
              if (draft.allocations.length === 0 && limit.value === 0n)
                throw new UserError('wizard.allocations.nothing');
              go('review');
            })
          }
        >
          <p>{t('wizard.allocations.intro')}</p>
          <Table
            caption={t('wizard.allocations.tableLabel')}
            columns={[
              { label: t('wizard.allocations.account') },
              { label: t('wizard.allocations.amount'), numeric: true },
              { label: t('common.actions'), hidden: true },
            ]}
          >
            {draft.allocations.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">
                  {t('wizard.allocations.empty')}
                </td>
              </tr>
            ) : null}
            {draft.allocations.map(([key, value]) => (
              <tr key={key}>
                <td>
                  <Party account={key} />
                </td>
                <td className="num">{amount(value)}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() =>
                      setDraft({
                        ...draft,
                        allocations: draft.allocations.filter(([k]) => k !== key),
                      })
                    }
                  >
                    {t('common.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </Table>
          <fieldset>
            <legend>{t('wizard.allocations.add')}</legend>
            <TextField
              id="alloc-address"
              label={t('wizard.allocations.account')}
              verbatim
              value={allocAddress}
              onChange={setAllocAddress}
            >
              {me ? (
                <button
                  type="button"
                  className="link"
                  onClick={() => setAllocAddress(addressOf(me))}
                >
                  {t('wizard.allocations.useMine')}
                </button>
              ) : null}
            </TextField>
            <TextField
              id="alloc-amount"
              label={t('wizard.allocations.amount')}
              inputMode="numeric"
              value={allocAmount}
              onChange={setAllocAmount}
            />
            <button type="button" onClick={addAllocation}>
              {t('wizard.allocations.addButton')}
            </button>
          </fieldset>
          <TextField
            id="credit-limit"
            label={t('wizard.creditLimit.label')}
            hint={t('wizard.creditLimit.hint')}
            inputMode="numeric"
            value={draft.creditLimit}
            onChange={(creditLimit) => setDraft({ ...draft, creditLimit })}
          />
        </WizardFrame>
      );
    }
    case 'review': {
      const total = draft.allocations.reduce((sum, [, value]) => sum + value, 0n);
      return (
        <WizardFrame
          step={step}
          title={t('wizard.review.title')}
          error={create.error}
          busy={create.busy}
          onBack={() => go('allocations')}
          onNext={() => create.run()}
          nextLabel={t('wizard.review.create')}
        >
          <dl className="summary">
            <dt>{t('wizard.name.label')}</dt>
            <dd>{draft.name.trim()}</dd>
            <dt>{t('wizard.review.witnesses')}</dt>
            <dd>
              <ul className="plain">
                {draft.witnesses.map((key) => (
                  <li key={key}>
                    <Party account={key} />
                  </li>
                ))}
              </ul>
              {tn('wizard.review.quorum', draft.witnesses.length, {
                quorum: quorumOf(draft.witnesses.length),
              })}
            </dd>
            <dt>{t('wizard.review.allocations')}</dt>
            <dd>
              <ul className="plain">
                {draft.allocations.map(([key, value]) => (
                  <li key={key}>
                    <Party account={key} />: {amount(value)}
                  </li>
                ))}
              </ul>
              {t('wizard.review.supply', { total: amount(total) })}
            </dd>
            <dt>{t('wizard.creditLimit.label')}</dt>
            <dd>{draft.creditLimit.trim()}</dd>
          </dl>
          {relays.length === 0 ? <p className="warning">{t('wizard.review.noRelay')}</p> : null}
          <p className="muted">{t('wizard.review.final')}</p>
        </WizardFrame>
      );
    }
  }
}
