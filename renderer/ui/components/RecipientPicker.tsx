// Whom to pay or share with, picked by name (issue 18: names wherever an address shows). The list
// is your address book first (your labels), then the members who signed a name in the directory;
// each choice keeps its shortened address beside the name, so two alike can be told apart and
// checked. Below the address field, the account the typed address names, once it is one.
import type { KeyHex } from '../../../shared/ids.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import { members } from '../../../shared/wallet/members.ts';
import { accountOf } from '../account.ts';
import { useApp, useI18n } from '../context.tsx';
import { useLedgerView } from '../useLedger.ts';
import { Party, shortAddress } from './party.tsx';

export interface Recipient {
  readonly address: string;
  /** "Name (gpow1abcdefgh…uvwxyz)". */
  readonly text: string;
}

/** A directory member with a signed name: how the list names them. */
export interface NamedMember {
  readonly address: string;
  readonly label: string;
}

/** Contacts first under your labels; then named members you have no label for; never yourself. */
export function recipientChoices(
  contacts: ReadonlyArray<{ readonly address: string; readonly label: string }>,
  named: readonly NamedMember[],
  myAddress: string | null,
): Recipient[] {
  const text = (name: string, address: string) => `${name} (${shortAddress(address)})`;
  const labelled = new Set(contacts.map((c) => c.address));
  return [
    ...contacts.map((c) => ({ address: c.address, text: text(c.label, c.address) })),
    ...named
      .filter((m) => !labelled.has(m.address))
      .map((m) => ({ address: m.address, text: text(m.label, m.address) })),
  ].filter((r) => r.address !== myAddress);
}

const namedMembers = (ledger: Ledger): NamedMember[] =>
  members(ledger)
    .filter((m) => m.name !== null)
    .map((m) => ({ address: m.address, label: m.label }));

export function RecipientPicker(props: {
  readonly id: string;
  readonly label: string;
  readonly address: string;
  readonly onChange: (address: string) => void;
}) {
  const { t } = useI18n();
  const contacts = useApp((s) => s.contacts);
  const myAddress = useApp((s) => s.address);
  const named = useLedgerView(namedMembers) ?? [];
  const choices = recipientChoices(contacts, named, myAddress);
  if (choices.length === 0) return null;
  const typed = props.address.trim();
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={choices.some((c) => c.address === typed) ? typed : ''}
        onChange={(e) => props.onChange(e.target.value)}
      >
        <option value="">{t('send.noContact')}</option>
        {choices.map((choice) => (
          <option key={choice.address} value={choice.address}>
            {choice.text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Who the typed address is, by name, once it is a whole address; nothing before. */
export function RecipientName({ address, testId }: { address: string; testId?: string }) {
  const { t } = useI18n();
  const account = accountOrNull(address);
  if (account === null) return null;
  return (
    <p className="hint" data-testid={testId}>
      {t('send.recipientIs')} <Party account={account} />
    </p>
  );
}

function accountOrNull(address: string): KeyHex | null {
  try {
    return accountOf(address);
  } catch {
    return null;
  }
}
