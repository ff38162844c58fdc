// On the lock screen, the install's other identities (docs/keys.md, "In the app"): which one is
// locked here, and a way to open another one instead, so that an identity whose passphrase is
// not at hand is never a dead end. Nothing shows while the install holds one identity.
import { useEffect } from 'react';
import { ErrorText, useAction } from '../components/common.tsx';
import { shortAddress } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';

export function LockedIdentities() {
  const { t } = useI18n();
  const identities = useApp((s) => s.identities);
  const refreshIdentities = useApp((s) => s.refreshIdentities);
  const switchIdentity = useApp((s) => s.switchIdentity);
  const load = useAction(() => refreshIdentities());
  const open = useAction((slot: number) => switchIdentity(slot));
  useEffect(() => {
    load.run();
    // Once, when the lock screen opens.
  }, []);
  if (identities === null || identities.identities.length < 2)
    return <ErrorText error={load.error} />;
  const locked = identities.identities.find((e) => e.slot === identities.current);
  const others = identities.identities.filter((e) => e.slot !== identities.current);
  return (
    <section className="panel narrow" aria-labelledby="locked-identities-title">
      <h2 id="locked-identities-title">{t('keys.locked.title')}</h2>
      {locked === undefined ? null : <p>{t('keys.locked.current', { name: locked.name })}</p>}
      <ul className="list" aria-label={t('keys.locked.title')}>
        {others.map((entry) => (
          <li key={entry.slot}>
            <button type="button" disabled={open.busy} onClick={() => open.run(entry.slot)}>
              {t('keys.locked.open', { name: entry.name })}
            </button>{' '}
            {entry.address === undefined ? null : (
              <code className="mono">{shortAddress(entry.address)}</code>
            )}
          </li>
        ))}
      </ul>
      <ErrorText error={open.error ?? load.error} />
    </section>
  );
}
