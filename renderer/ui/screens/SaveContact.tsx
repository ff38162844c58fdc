// Saving a History row's counterparty to the address book (issue 18): a name is asked for next to
// the row, checked as the address book checks it (the app store's saveContact), and a refusal is
// said under the name's field. Once saved, the label names the account everywhere (party.tsx).
import { useState, type FormEvent } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import type { Contact } from '../../state/persisted.ts';
import { addressOf } from '../../runtime/views.ts';
import { ErrorText, TextField } from '../components/common.tsx';
import { shortAddress } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';
import { placeError } from '../fieldError.ts';

/** The address book's refusals that are about the name, not the address. */
const NAME_ERRORS = ['contacts.error.label', 'contacts.error.labelLong'];

/** Saves `account` under `name`; the refusal, or null once saved. */
export function saveNamed(
  save: (contact: Contact) => void,
  account: KeyHex,
  name: string,
): unknown {
  try {
    save({ address: addressOf(account), label: name });
    return null;
  } catch (failure) {
    return failure;
  }
}

export interface ContactNameFormProps {
  /** The name field's id: one per row, so two open forms never share one. */
  readonly id: string;
  readonly account: KeyHex;
  readonly name: string;
  readonly error: unknown;
  readonly onName: (name: string) => void;
  readonly onSave: () => void;
  readonly onCancel: () => void;
}

/** The name asked for, its refusal under it, and Save / Cancel. */
export function ContactNameForm(props: ContactNameFormProps) {
  const { t } = useI18n();
  const placed = placeError(props.error, { [props.id]: NAME_ERRORS });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    props.onSave();
  };
  return (
    <form className="inline-form" onSubmit={submit} noValidate data-testid="save-contact-form">
      <TextField
        id={props.id}
        label={t('history.contact.name', { address: shortAddress(addressOf(props.account)) })}
        value={props.name}
        onChange={props.onName}
        error={placed.at(props.id)}
      />
      <ErrorText error={placed.general} />
      <div className="actions">
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="primary">
          {t('history.contact.save')}
        </button>
      </div>
    </form>
  );
}

/** "Save as contact" beside a counterparty with no label yet; it opens the name form. */
export function SaveContact({ account, id }: { account: KeyHex; id: string }) {
  const { t } = useI18n();
  const saveContact = useApp((s) => s.saveContact);
  const [name, setName] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (name === null) {
    return (
      <button
        type="button"
        className="link"
        onClick={() => setName('')}
        aria-label={t('history.contact.openLabel', {
          address: shortAddress(addressOf(account)),
        })}
      >
        {t('history.contact.open')}
      </button>
    );
  }
  const close = (): void => {
    setName(null);
    setError(null);
  };
  return (
    <ContactNameForm
      id={id}
      account={account}
      name={name}
      error={error}
      onName={setName}
      onCancel={close}
      onSave={() => {
        const refusal = saveNamed(saveContact, account, name);
        if (refusal === null) close();
        else setError(refusal);
      }}
    />
  );
}
