// For an identity that belongs to no network yet: create one (the genesis wizard,
// NetworkWizard.tsx) or join one with an invitation link (JoinNetwork.tsx), either kind,
// reusable or a ticket (§13.9). Which way the user chose and what they typed are kept in the
// store's drafts, so a visit to Settings or any other screen comes back to them.
import { useEffect } from 'react';
import { ScreenTitle } from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { useDraft } from '../useDraft.ts';
import { JoinNetwork } from './JoinNetwork.tsx';
import { CreateNetwork } from './NetworkWizard.tsx';
import { RelayField, useRelayAdder } from './RelayField.tsx';
import { initialSetup, SETUP_DRAFT, type SetupDraft } from './setupDrafts.ts';

export function NetworkSetup() {
  const { t } = useI18n();
  const takePendingInvitation = useApp((s) => s.takePendingInvitation);
  const [setup, setSetup] = useDraft(SETUP_DRAFT, initialSetup);
  const update = (patch: Partial<SetupDraft>): void => setSetup((old) => ({ ...old, ...patch }));

  // A gpow: link the desktop app was opened with: offer it, never act on it unasked.
  useEffect(() => {
    let current = true;
    takePendingInvitation().then(
      (link) => {
        if (current && link !== null)
          setSetup((old) => ({ ...old, mode: 'join', invitation: link }));
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
    // setSetup writes to the store under a fixed key: a new one each render changes nothing.
  }, [takePendingInvitation]);

  if (setup.mode === 'create') return <CreateNetwork onCancel={() => update({ mode: 'choose' })} />;
  if (setup.mode === 'join')
    return (
      <JoinNetwork
        text={setup.invitation}
        onText={(invitation) => update({ invitation })}
        onCancel={() => update({ mode: 'choose' })}
      />
    );
  return (
    <section className="panel narrow">
      <ScreenTitle>{t('setup.title')}</ScreenTitle>
      <p>{t('setup.intro')}</p>
      <FirstRelay text={setup.relayInput} onText={(relayInput) => update({ relayInput })} />
      <div className="choice">
        <div>
          <h2>{t('setup.create.heading')}</h2>
          <p>{t('setup.create.text')}</p>
          <button type="button" className="primary" onClick={() => update({ mode: 'create' })}>
            {t('setup.create.button')}
          </button>
        </div>
        <div>
          <h2>{t('setup.join.heading')}</h2>
          <p>{t('setup.join.text')}</p>
          <button type="button" className="primary" onClick={() => update({ mode: 'join' })}>
            {t('setup.join.button')}
          </button>
        </div>
      </div>
    </section>
  );
}

/**
 * Browser mode's first-run hint: a page cannot run a relay, so before anything else it says
 * what to run to get one, with the field for its address; once there is one, it lists it. The
 * desktop app runs its own.
 */
function FirstRelay({ text, onText }: { text: string; onText: (text: string) => void }) {
  const { t } = useI18n();
  const web = useApp((s) => s.appInfo?.platform === 'web');
  const relays = useApp((s) => s.settings.relays);
  const adder = useRelayAdder();
  if (!web) return null;
  return (
    <div className="notice" data-testid="first-run-relay">
      <h2>{t(relays.length === 0 ? 'relay.firstRun.title' : 'relay.title')}</h2>
      <RelayField id="first-relay" value={text} onChange={onText} adder={adder} asForm />
    </div>
  );
}
