// The genesis wizard: name the network and its money (and give it a relay), choose its witnesses, set the
// starting balances and the credit, then check and create. Everything typed is kept in the
// store's drafts (setupDrafts.ts) until the network is made, so Back, a visit to Settings or
// any other screen loses nothing.
import { useState } from 'react';
import { quorumOf } from '../../../shared/ledger/votes.ts';
import { MAX_NAME_LENGTH } from '../../../shared/net/invitation.ts';
import { MAX_UNIT_LENGTH, MAX_WITNESSES, unitProblem } from '../../../shared/tx/genesis.ts';
import { UserError } from '../../state/errors.ts';
import { accountOf } from '../account.ts';
import { TextField } from '../components/common.tsx';
import { Party } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';
import { atField, FieldError, placeError } from '../fieldError.ts';
import { useDraft } from '../useDraft.ts';
import { RelayField, useRelayAdder } from './RelayField.tsx';
import { initialWizard, WIZARD_DRAFT, type WizardDraft, type WizardStep } from './setupDrafts.ts';
import { AllocationsStep, ReviewStep } from './WizardBalances.tsx';
import { WizardFrame, type StepProps } from './WizardFrame.tsx';

export function CreateNetwork({ onCancel }: { onCancel: () => void }) {
  const me = useApp((s) => s.key);
  const [draft, setDraft] = useDraft(WIZARD_DRAFT, () => initialWizard(me));
  const [error, setError] = useState<unknown>(null);
  const update = (patch: Partial<WizardDraft>): void => setDraft((old) => ({ ...old, ...patch }));
  const placed = placeError(error);
  const step: StepProps = {
    draft,
    update,
    error: placed.general,
    errorAt: placed.at,
    go: (next: WizardStep) => {
      setError(null);
      update({ step: next });
    },
    attempt: (check) => {
      try {
        check();
      } catch (failure) {
        setError(failure);
      }
    },
  };
  switch (draft.step) {
    case 'name':
      return <NameStep {...step} onCancel={onCancel} />;
    case 'witnesses':
      return <WitnessesStep {...step} />;
    case 'allocations':
      return <AllocationsStep {...step} />;
    case 'review':
      return <ReviewStep {...step} />;
  }
}

/** The name, what the money is called, and a relay: without one nobody on another computer can reach the network. */
function NameStep({
  draft,
  update,
  go,
  attempt,
  error,
  errorAt,
  onCancel,
}: StepProps & { onCancel: () => void }) {
  const { t } = useI18n();
  const relay = useRelayAdder();
  const next = (): void =>
    attempt(() => {
      const name = draft.name.trim();
      if (name === '') throw new FieldError('network-name', 'wizard.name.empty');
      if ([...name].length > MAX_NAME_LENGTH)
        throw new FieldError('network-name', 'wizard.name.long', { max: MAX_NAME_LENGTH });
      const problem = unitProblem(draft.unit);
      if (problem !== null)
        throw new FieldError('network-unit', `wizard.unit.${problem}`, { max: MAX_UNIT_LENGTH });
      // A relay typed and not added yet is added on Continue, or its error shown by its field.
      void relay.addTyped(draft.relayInput).then((added) => {
        if (!added) return;
        update({ relayInput: '' });
        go('witnesses');
      });
    });
  return (
    <WizardFrame
      step="name"
      title={t('wizard.name.title')}
      error={error}
      onBack={onCancel}
      onNext={next}
    >
      <TextField
        id="network-name"
        label={t('wizard.name.label')}
        hint={t('wizard.name.hint')}
        maxLength={MAX_NAME_LENGTH}
        value={draft.name}
        onChange={(name) => update({ name })}
        error={errorAt('network-name')}
      />
      <TextField
        id="network-unit"
        label={t('wizard.unit.label')}
        hint={t('wizard.unit.hint')}
        value={draft.unit}
        onChange={(unit) => update({ unit })}
        error={errorAt('network-unit')}
      />
      <RelayField
        id="wizard-relay"
        value={draft.relayInput}
        onChange={(relayInput) => update({ relayInput })}
        adder={relay}
      />
    </WizardFrame>
  );
}

function WitnessesStep({ draft, update, go, attempt, error, errorAt }: StepProps) {
  const { t, tn } = useI18n();
  const addWitness = (): void =>
    attempt(() => {
      const key = atField('witness-address', () => accountOf(draft.witnessInput));
      if (draft.witnesses.includes(key))
        throw new FieldError('witness-address', 'wizard.witnesses.duplicate');
      if (draft.witnesses.length >= MAX_WITNESSES)
        throw new FieldError('witness-address', 'wizard.witnesses.full', { max: MAX_WITNESSES });
      update({ witnesses: [...draft.witnesses, key], witnessInput: '' });
      go('witnesses');
    });
  return (
    <WizardFrame
      step="witnesses"
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
              onClick={() => update({ witnesses: draft.witnesses.filter((w) => w !== key) })}
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
        value={draft.witnessInput}
        onChange={(witnessInput) => update({ witnessInput })}
        error={errorAt('witness-address')}
      >
        <button type="button" onClick={addWitness}>
          {t('common.add')}
        </button>
      </TextField>
    </WizardFrame>
  );
}
