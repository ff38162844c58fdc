// The address book: labels for addresses, shown wherever the address appears.
import { useState, type FormEvent } from 'react';
import { MAX_LABEL_LENGTH } from '../../state/persisted.ts';
import { ErrorText, Mono, ScreenTitle, Table, TextField } from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { placeError } from '../fieldError.ts';

/** The address book's refusals, each said under the field it is about. */
export const CONTACT_FIELDS = {
  'contact-label': ['contacts.error.label', 'contacts.error.labelLong'],
  'contact-address': ['contacts.error.address'],
};

export function ContactsScreen() {
  const { t } = useI18n();
  const contacts = useApp((s) => s.contacts);
  const saveContact = useApp((s) => s.saveContact);
  const removeContact = useApp((s) => s.removeContact);
  const [label, setLabel] = useState('');
  const [address, setAddress] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const placed = placeError(error, CONTACT_FIELDS);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    try {
      saveContact({ label, address });
      setSaved(label.trim());
      setLabel('');
      setAddress('');
      setError(null);
    } catch (failure) {
      setSaved(null);
      setError(failure);
    }
  };

  return (
    <>
      <ScreenTitle>{t('contacts.title')}</ScreenTitle>
      <form className="panel narrow" onSubmit={submit} noValidate aria-labelledby="contact-add">
        <h2 id="contact-add">{t('contacts.add')}</h2>
        <TextField
          id="contact-label"
          label={t('contacts.label')}
          maxLength={MAX_LABEL_LENGTH}
          value={label}
          onChange={setLabel}
          error={placed.at('contact-label')}
        />
        <TextField
          id="contact-address"
          label={t('contacts.address')}
          verbatim
          value={address}
          onChange={setAddress}
          error={placed.at('contact-address')}
        />
        <p className="hint">{t('contacts.hint')}</p>
        <ErrorText error={placed.general} />
        {saved !== null ? (
          <p role="status" className="success">
            {t('contacts.saved', { label: saved })}
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" className="primary">
            {t('contacts.save')}
          </button>
        </div>
      </form>
      <section className="panel" aria-labelledby="contact-list">
        <h2 id="contact-list">{t('contacts.list')}</h2>
        {contacts.length === 0 ? (
          <p className="muted">{t('contacts.empty')}</p>
        ) : (
          <Table
            caption={t('contacts.list')}
            columns={[
              { label: t('contacts.label') },
              { label: t('contacts.address') },
              { label: t('common.actions'), hidden: true },
            ]}
          >
            {contacts.map((contact) => (
              <tr key={contact.address}>
                <td>{contact.label}</td>
                <td>
                  <Mono>{contact.address}</Mono>
                </td>
                <td className="row-actions">
                  <a href={`#/send?to=${contact.address}`}>
                    {t('contacts.pay', { label: contact.label })}
                  </a>
                  <button
                    type="button"
                    className="link"
                    onClick={() => removeContact(contact.address)}
                    aria-label={t('contacts.removeLabel', { label: contact.label })}
                  >
                    {t('common.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>
    </>
  );
}
