// The signaling relay, where setting up a network needs it: the relays in use, or, with none,
// the command that starts one (`gpow relay`) and a field for the address it prints. A page
// cannot run a relay itself, and without one nobody on another computer can reach it; before
// this field the wizard said so only at its last step and sent the user to Settings.
import { useState, type FormEvent } from 'react';
import { MAX_RELAYS, relayUrlError } from '../../../shared/net/invitation.ts';
import { UserError } from '../../state/errors.ts';
import { Mono, TextField } from '../components/common.tsx';
import { useApp, useAppStore, useI18n } from '../context.tsx';

/** The command the hint names, and the same from a clone of the repository. */
export const RELAY_COMMAND = 'gpow relay';
export const RELAY_COMMAND_FROM_CLONE = 'npm run --silent gpow -- relay';

/** Why `text` cannot be added to `relays`, as a sentence; null when it can. */
export function relayInputError(text: string, relays: readonly string[]): UserError | null {
  const url = text.trim();
  const problem = relayUrlError(url);
  if (problem !== null) return new UserError('settings.relays.invalid', { detail: problem });
  if (relays.includes(url)) return new UserError('settings.relays.duplicate');
  if (relays.length >= MAX_RELAYS)
    return new UserError('settings.relays.full', { max: MAX_RELAYS });
  return null;
}

export interface RelayAdder {
  /** Adds the typed relay, if any; false (and the error shown) when it cannot be added. */
  readonly addTyped: (text: string) => Promise<boolean>;
  readonly error: unknown;
}

/** Adding relays to the settings, with the error kept for the field to show. */
export function useRelayAdder(): RelayAdder {
  const store = useAppStore();
  const [error, setError] = useState<unknown>(null);
  const addTyped = async (text: string): Promise<boolean> => {
    if (text.trim() === '') {
      setError(null);
      return true;
    }
    // The relays as they are when the user acts, not as they were at the last render.
    const { settings, updateSettings } = store.getState();
    const relays = settings.relays;
    const invalid = relayInputError(text, relays);
    setError(invalid);
    if (invalid !== null) return false;
    try {
      await updateSettings({ relays: [...relays, text.trim()] });
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    }
  };
  return { addTyped, error };
}

export function RelayField({
  id,
  value,
  onChange,
  adder,
  asForm = false,
}: {
  id: string;
  /** What is typed, kept by the caller (in a draft, so it survives navigation). */
  value: string;
  onChange: (value: string) => void;
  adder: RelayAdder;
  /** Its own form, where it is not inside one (Enter adds the relay). */
  asForm?: boolean;
}) {
  const { t } = useI18n();
  const relays = useApp((s) => s.settings.relays);
  const add = (): void => {
    void adder.addTyped(value).then((added) => {
      if (added) onChange('');
    });
  };
  const body = (
    <>
      {relays.length === 0 ? (
        <div data-testid="relay-hint">
          <p>{t('relay.none')}</p>
          <pre className="command">
            <code>{RELAY_COMMAND}</code>
          </pre>
          <p className="hint">
            {t('relay.none.clone')} <Mono>{RELAY_COMMAND_FROM_CLONE}</Mono>
          </p>
        </div>
      ) : (
        <div data-testid="relay-list">
          <p>{t('relay.using')}</p>
          <ul className="plain">
            {relays.map((relay) => (
              <li key={relay}>
                <Mono>{relay}</Mono>
              </li>
            ))}
          </ul>
        </div>
      )}
      <TextField
        className="field inline"
        id={id}
        label={t(relays.length === 0 ? 'relay.label' : 'relay.labelMore')}
        placeholder="ws://127.0.0.1:4444"
        verbatim
        error={adder.error}
        value={value}
        onChange={onChange}
      >
        <button type={asForm ? 'submit' : 'button'} onClick={asForm ? undefined : add}>
          {t('relay.add')}
        </button>
      </TextField>
    </>
  );
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    add();
  };
  return (
    <section className="relay-field" aria-label={t('relay.title')}>
      {asForm ? (
        <form onSubmit={submit} noValidate>
          {body}
        </form>
      ) : (
        body
      )}
    </section>
  );
}
