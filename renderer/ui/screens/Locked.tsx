// The lock screen, with its way out: someone who lost the passphrase restores from the backup
// words (the same steps as onboarding's restore), choosing a new passphrase. Restoring replaces
// the identity kept on this device, and both the lock screen and the words step say so. When
// the app holds several identities, another can be opened instead (LockedIdentities.tsx).
import { useState } from 'react';
import type { Workspace } from '../../../shared/wallet/workspaceSchema.ts';
import { LockedIdentities } from './LockedIdentities.tsx';
import { ChoosePassphrase, Restore, Unlock } from './Onboarding.tsx';

type Step =
  | { kind: 'unlock' }
  | { kind: 'restore' }
  | { kind: 'passphrase'; mnemonic: string; workspace?: Workspace };

export function Locked({ address }: { address: string | null }) {
  const [step, setStep] = useState<Step>({ kind: 'unlock' });
  switch (step.kind) {
    case 'unlock':
      return (
        <>
          <Unlock address={address} onRestore={() => setStep({ kind: 'restore' })} />
          <LockedIdentities />
        </>
      );
    case 'restore':
      return (
        <Restore
          replacing
          onBack={() => setStep({ kind: 'unlock' })}
          onNext={(mnemonic, workspace) =>
            setStep({ kind: 'passphrase', mnemonic, ...(workspace ? { workspace } : {}) })
          }
        />
      );
    case 'passphrase':
      return (
        <ChoosePassphrase
          mnemonic={step.mnemonic}
          restored
          replace
          {...(step.workspace ? { workspace: step.workspace } : {})}
          onBack={() => setStep({ kind: 'restore' })}
        />
      );
  }
}
