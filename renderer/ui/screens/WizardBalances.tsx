// The genesis wizard's last steps: the starting balances and the credit limit, then the review,
// where the network is created. The review shows the relay too, with the field to add one.
import { quorumOf } from '../../../shared/ledger/votes.ts';
import { MAX_ALLOCATIONS } from '../../../shared/tx/genesis.ts';
import { addressOf } from '../../runtime/views.ts';
import { UserError } from '../../state/errors.ts';
import { accountOf } from '../account.ts';
import { parseAmount } from '../amount.ts';
import { Table, TextField, useAction } from '../components/common.tsx';
import { atField, FieldError } from '../fieldError.ts';
import { Party } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';
import { currentHash, navigateUnlessMoved } from '../router.tsx';
import { RelayField, useRelayAdder } from './RelayField.tsx';
import { SETUP_DRAFT, WIZARD_DRAFT } from './setupDrafts.ts';
import { WizardFrame, type StepProps } from './WizardFrame.tsx';

export function AllocationsStep({ draft, update, go, attempt, error, errorAt }: StepProps) {
  const { t, amount } = useI18n();
  const me = useApp((s) => s.key);
  const addAllocation = (): void =>
    attempt(() => {
      const key = atField('alloc-address', () => accountOf(draft.allocAddress));
      const parsed = parseAmount(draft.allocAmount);
      if (!parsed.ok) throw new FieldError('alloc-amount', parsed.error);
      if (draft.allocations.some(([k]) => k === key))
        throw new FieldError('alloc-address', 'wizard.allocations.duplicate');
      if (draft.allocations.length >= MAX_ALLOCATIONS)
        throw new UserError('wizard.allocations.full', { max: MAX_ALLOCATIONS });
      update({
        allocations: [...draft.allocations, [key, parsed.value]],
        allocAddress: '',
        allocAmount: '',
      });
      go('allocations');
    });
  return (
    <WizardFrame
      step="allocations"
      title={t('wizard.allocations.title')}
      error={error}
      onBack={() => go('witnesses')}
      onNext={() =>
        attempt(() => {
          const limit = parseAmount(draft.creditLimit, { allowZero: true });
          if (!limit.ok) throw new FieldError('credit-limit', limit.error);
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
            <td className="num">{amount(value, draft.unit)}</td>
            <td>
              <button
                type="button"
                className="link"
                onClick={() =>
                  update({ allocations: draft.allocations.filter(([k]) => k !== key) })
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
          value={draft.allocAddress}
          onChange={(allocAddress) => update({ allocAddress })}
          error={errorAt('alloc-address')}
        >
          {me ? (
            <button
              type="button"
              className="link"
              onClick={() => update({ allocAddress: addressOf(me) })}
            >
              {t('wizard.allocations.useMine')}
            </button>
          ) : null}
        </TextField>
        <TextField
          id="alloc-amount"
          label={t('wizard.allocations.amount')}
          inputMode="numeric"
          value={draft.allocAmount}
          onChange={(allocAmount) => update({ allocAmount })}
          error={errorAt('alloc-amount')}
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
        onChange={(creditLimit) => update({ creditLimit })}
        error={errorAt('credit-limit')}
      />
    </WizardFrame>
  );
}

export function ReviewStep({ draft, update, go }: StepProps) {
  const { t, tn, amount } = useI18n();
  const createNetwork = useApp((s) => s.createNetwork);
  const dropDraft = useApp((s) => s.dropDraft);
  const relays = useApp((s) => s.settings.relays);
  const relay = useRelayAdder();
  const create = useAction(async () => {
    // Starting the network takes a moment: a user who moves on meanwhile stays where they went.
    const from = currentHash();
    if (!(await relay.addTyped(draft.relayInput))) return;
    update({ relayInput: '' });
    const limit = parseAmount(draft.creditLimit, { allowZero: true });
    if (!limit.ok) throw new UserError(limit.error);
    await createNetwork({
      name: draft.name.trim(),
      witnesses: draft.witnesses,
      allocations: draft.allocations,
      creditLimit: limit.value,
      unit: draft.unit,
    });
    // Made: the forms have done their work.
    dropDraft(WIZARD_DRAFT.name);
    dropDraft(SETUP_DRAFT.name);
    navigateUnlessMoved(from, 'network');
  });
  const total = draft.allocations.reduce((sum, [, value]) => sum + value, 0n);
  const creditText = (typed: string): string => {
    const limit = parseAmount(typed, { allowZero: true });
    return limit.ok ? amount(limit.value, draft.unit) : typed.trim();
  };
  return (
    <WizardFrame
      step="review"
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
        <dt>{t('wizard.unit.label')}</dt>
        <dd>{draft.unit}</dd>
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
                <Party account={key} />: {amount(value, draft.unit)}
              </li>
            ))}
          </ul>
          {t('wizard.review.supply', { total: amount(total, draft.unit) })}
        </dd>
        <dt>{t('wizard.creditLimit.label')}</dt>
        <dd>{creditText(draft.creditLimit)}</dd>
      </dl>
      {relays.length === 0 ? <p className="warning">{t('wizard.review.noRelay')}</p> : null}
      <RelayField
        id="wizard-review-relay"
        value={draft.relayInput}
        onChange={(relayInput) => update({ relayInput })}
        adder={relay}
      />
      <p className="muted">{t('wizard.review.final')}</p>
    </WizardFrame>
  );
}
