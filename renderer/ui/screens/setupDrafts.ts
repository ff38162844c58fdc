// What the network set-up keeps while the user moves around (state/drafts.ts): which way they
// chose, the invitation being pasted, and the genesis wizard's every field and step.
import type { KeyHex } from '../../../shared/ids.ts';
import { DEFAULT_UNIT } from '../../../shared/tx/genesis.ts';
import { draftKey } from '../useDraft.ts';

export type SetupMode = 'choose' | 'create' | 'join';

export interface SetupDraft {
  readonly mode: SetupMode;
  /** The invitation link being pasted (it holds a join secret: memory only). */
  readonly invitation: string;
  /** A relay address typed on the first screen, not added yet. */
  readonly relayInput: string;
}

export const WIZARD_STEPS = ['name', 'witnesses', 'allocations', 'review'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export interface WizardDraft {
  readonly step: WizardStep;
  readonly name: string;
  /** What the money is called; the default filled in. */
  readonly unit: string;
  readonly witnesses: readonly KeyHex[];
  readonly allocations: ReadonlyArray<readonly [KeyHex, bigint]>;
  readonly creditLimit: string;
  /** Typed and not added yet: a witness, a starting balance, a relay. */
  readonly witnessInput: string;
  readonly allocAddress: string;
  readonly allocAmount: string;
  readonly relayInput: string;
}

export const SETUP_DRAFT = draftKey<SetupDraft>('network-setup');
export const WIZARD_DRAFT = draftKey<WizardDraft>('network-wizard');

export const initialSetup = (): SetupDraft => ({ mode: 'choose', invitation: '', relayInput: '' });

export const initialWizard = (me: KeyHex | null): WizardDraft => ({
  step: 'name',
  name: '',
  unit: DEFAULT_UNIT,
  witnesses: me ? [me] : [],
  allocations: [],
  creditLimit: '0',
  witnessInput: '',
  allocAddress: '',
  allocAmount: '',
  relayInput: '',
});
