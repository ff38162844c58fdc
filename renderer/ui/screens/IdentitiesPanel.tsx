// The identities of this install (docs/keys.md, "In the app"): which one is open, and Switch,
// Rename and Remove for each. Removing asks first and says what goes with it.
import { useEffect, useState, type FormEvent } from 'react';
import type { IdentitySummary } from '../../../shared/bridge/contract.ts';
import {
  identityNameCode,
  MAX_IDENTITY_NAME,
  type IdentityList,
} from '../../../shared/identity/identityList.ts';
import { UserError } from '../../state/errors.ts';
import { ErrorText, TextField, useAction } from '../components/common.tsx';
import { ConfirmStep } from '../components/ConfirmStep.tsx';
import { shortAddress } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';

/** The list as identityNameCode reads it: the slots and names only. */
export function listOf(identities: readonly IdentitySummary[], current: number): IdentityList {
  const slots = identities.map((e) => e.slot);
  return {
    version: 1,
    identities: identities.map(({ slot, name }) => ({ slot, name })),
    current,
    next: Math.max(0, ...slots) + 1,
  };
}

/** The name's problem as the sentence to show under its field, or null. */
export function nameError(name: string, list: IdentityList, exceptSlot?: number): UserError | null {
  const code = identityNameCode(name, list, exceptSlot);
  return code === null
    ? null
    : new UserError(`keys.name.error.${code}`, { max: MAX_IDENTITY_NAME });
}

function RenameForm({
  entry,
  list,
  onDone,
}: {
  entry: IdentitySummary;
  list: IdentityList;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const renameIdentity = useApp((s) => s.renameIdentity);
  const [name, setName] = useState(entry.name);
  const [error, setError] = useState<unknown>(null);
  const rename = useAction(async (next: string) => {
    await renameIdentity(entry.slot, next);
    onDone();
  });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const problem = nameError(name, list, entry.slot);
    setError(problem);
    if (problem === null) rename.run(name);
  };
  return (
    <form onSubmit={submit} noValidate>
      <TextField
        className="field inline"
        id={`rename-${entry.slot}`}
        label={t('keys.identities.newName', { name: entry.name })}
        value={name}
        onChange={setName}
        error={error ?? rename.error}
      >
        <button type="submit" disabled={rename.busy}>
          {t('keys.identities.save')}
        </button>
        <button type="button" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </TextField>
    </form>
  );
}

function IdentityRow({ entry, list }: { entry: IdentitySummary; list: IdentityList }) {
  const { t } = useI18n();
  const switchIdentity = useApp((s) => s.switchIdentity);
  const removeIdentity = useApp((s) => s.removeIdentity);
  const [renaming, setRenaming] = useState(false);
  const [asking, setAsking] = useState(false);
  const act = useAction((run: () => Promise<void>) => run());
  const open = entry.slot === list.current;
  const address = entry.address ?? t('keys.identities.noAddress');
  return (
    <li data-testid={`identity-${entry.name}`}>
      <span>{open ? t('keys.identities.open', { name: entry.name }) : entry.name}</span>{' '}
      <code className="mono">
        {entry.address === undefined ? address : shortAddress(entry.address)}
      </code>{' '}
      {open ? null : (
        <button
          type="button"
          aria-label={t('keys.identities.switchTo', { name: entry.name })}
          disabled={act.busy}
          onClick={() => act.run(() => switchIdentity(entry.slot))}
        >
          {t('keys.identities.switch')}
        </button>
      )}{' '}
      <button
        type="button"
        aria-label={t('keys.identities.renameWhich', { name: entry.name })}
        onClick={() => setRenaming(true)}
      >
        {t('keys.identities.rename')}
      </button>{' '}
      <button
        type="button"
        aria-label={t('keys.identities.removeWhich', { name: entry.name })}
        disabled={act.busy}
        onClick={() => (list.identities.length > 1 ? setAsking(true) : act.run(refuseLast))}
      >
        {t('common.remove')}
      </button>
      {renaming ? <RenameForm entry={entry} list={list} onDone={() => setRenaming(false)} /> : null}
      {asking ? (
        <ConfirmStep
          id={`remove-identity-${entry.slot}`}
          title={t('keys.remove.title', { name: entry.name })}
          sentence={t('keys.remove.sentence', { name: entry.name, address })}
          busy={act.busy}
          onAnswer={(confirmed) => {
            setAsking(false);
            if (confirmed) act.run(() => removeIdentity(entry.slot));
          }}
        />
      ) : null}
      <ErrorText error={act.error} />
    </li>
  );
}

const refuseLast = (): Promise<void> => Promise.reject(new UserError('keys.identities.lastOne'));

export function IdentitiesPanel() {
  const { t } = useI18n();
  const identities = useApp((s) => s.identities);
  const refreshIdentities = useApp((s) => s.refreshIdentities);
  const load = useAction(() => refreshIdentities());
  useEffect(() => {
    load.run();
    // Once, when the screen opens: every change after refreshes the list itself.
  }, []);
  const list = identities === null ? null : listOf(identities.identities, identities.current);
  return (
    <section className="panel" aria-labelledby="identities-title">
      <h2 id="identities-title">{t('keys.identities.title')}</h2>
      <p className="muted">{t('keys.identities.switchHint')}</p>
      {identities === null || list === null ? null : (
        <ul className="list" aria-label={t('keys.identities.title')}>
          {identities.identities.map((entry) => (
            <IdentityRow key={entry.slot} entry={entry} list={list} />
          ))}
        </ul>
      )}
      <ErrorText error={load.error} />
    </section>
  );
}
