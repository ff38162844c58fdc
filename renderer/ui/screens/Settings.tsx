// Settings: signaling relays, ICE (STUN/TURN) servers, theme and language, locking, this
// identity's devices (Devices.tsx), and (in the desktop app) the passphrase remembered here.
import { useState, type FormEvent } from 'react';
import { CATALOGUES } from '../../i18n/i18n.ts';
import type { IceServer } from '../../runtime/networkRuntime.ts';
import { UserError } from '../../state/errors.ts';
import { iceUrlError, MAX_ICE_SERVERS, THEMES, type Theme } from '../../state/persisted.ts';
import { unlockMemoryOf } from '../../state/unlockMemory.ts';
import {
  ErrorText,
  Labelled,
  Mono,
  ScreenTitle,
  TextField,
  useAction,
} from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { BackupPanel } from './BackupPanel.tsx';
import { DevicesPanel } from './Devices.tsx';
import { relayInputError } from './RelayField.tsx';

function RelaysPanel() {
  const { t } = useI18n();
  const relays = useApp((s) => s.settings.relays);
  const updateSettings = useApp((s) => s.updateSettings);
  const [url, setUrl] = useState('');
  const [error, setError] = useState<unknown>(null);
  const change = useAction((next: string[]) => updateSettings({ relays: next }));
  const add = (event: FormEvent): void => {
    event.preventDefault();
    const trimmed = url.trim();
    const invalid = relayInputError(trimmed, relays);
    setError(invalid);
    if (invalid !== null) return;
    change.run([...relays, trimmed]);
    setUrl('');
  };
  return (
    <section className="panel" aria-labelledby="relays-title">
      <h2 id="relays-title">{t('settings.relays.title')}</h2>
      <p>{t('settings.relays.intro')}</p>
      {relays.length === 0 ? (
        <p className="muted">{t('settings.relays.none')}</p>
      ) : (
        <ul className="list" aria-label={t('settings.relays.title')}>
          {relays.map((relay) => (
            <li key={relay}>
              <Mono>{relay}</Mono>
              <button
                type="button"
                className="link"
                aria-label={t('settings.relays.remove', { url: relay })}
                onClick={() => change.run(relays.filter((r) => r !== relay))}
              >
                {t('common.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add} noValidate>
        <TextField
          className="field inline"
          id="relay-url"
          label={t('settings.relays.add')}
          placeholder="ws://127.0.0.1:4444"
          verbatim
          value={url}
          onChange={setUrl}
        >
          <button type="submit">{t('common.add')}</button>
        </TextField>
      </form>
      <ErrorText error={error ?? change.error} />
    </section>
  );
}

function IcePanel() {
  const { t } = useI18n();
  const servers = useApp((s) => s.settings.iceServers);
  const updateSettings = useApp((s) => s.updateSettings);
  const [urls, setUrls] = useState('');
  const [username, setUsername] = useState('');
  const [credential, setCredential] = useState('');
  const [error, setError] = useState<unknown>(null);
  const change = useAction((next: IceServer[]) => updateSettings({ iceServers: next }));
  const add = (event: FormEvent): void => {
    event.preventDefault();
    const trimmed = urls.trim();
    const problem = iceUrlError(trimmed);
    if (problem !== null) {
      setError(new UserError('settings.ice.invalid', { detail: problem }));
      return;
    }
    if (servers.length >= MAX_ICE_SERVERS) {
      setError(new UserError('settings.ice.full', { max: MAX_ICE_SERVERS }));
      return;
    }
    setError(null);
    const server: IceServer = {
      urls: trimmed,
      ...(username !== '' ? { username } : {}),
      ...(credential !== '' ? { credential } : {}),
    };
    change.run([...servers, server]);
    setUrls('');
    setUsername('');
    setCredential('');
  };
  return (
    <section className="panel" aria-labelledby="ice-title">
      <h2 id="ice-title">{t('settings.ice.title')}</h2>
      <p>{t('settings.ice.intro')}</p>
      {servers.length === 0 ? (
        <p className="muted">{t('settings.ice.none')}</p>
      ) : (
        <ul className="list" aria-label={t('settings.ice.title')}>
          {servers.map((server, index) => (
            <li key={`${server.urls}-${index}`}>
              <Mono>{server.urls}</Mono>
              {server.username !== undefined ? ` (${server.username})` : ''}
              <button
                type="button"
                className="link"
                aria-label={t('settings.ice.remove', { url: server.urls })}
                onClick={() => change.run(servers.filter((_, i) => i !== index))}
              >
                {t('common.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add} noValidate>
        <fieldset>
          <legend>{t('settings.ice.add')}</legend>
          <TextField
            id="ice-url"
            label={t('settings.ice.url')}
            placeholder="stun:stun.example.org:3478"
            verbatim
            value={urls}
            onChange={setUrls}
          />
          <TextField
            id="ice-username"
            label={t('settings.ice.username')}
            verbatim
            value={username}
            onChange={setUsername}
          />
          <TextField
            id="ice-credential"
            type="password"
            label={t('settings.ice.credential')}
            value={credential}
            onChange={setCredential}
          />
          <button type="submit">{t('common.add')}</button>
        </fieldset>
      </form>
      <ErrorText error={error ?? change.error} />
    </section>
  );
}

function AppearancePanel() {
  const { t } = useI18n();
  const theme = useApp((s) => s.settings.theme);
  const language = useApp((s) => s.settings.language);
  const updateSettings = useApp((s) => s.updateSettings);
  const change = useAction((patch: { theme?: Theme; language?: string }) => updateSettings(patch));
  return (
    <section className="panel" aria-labelledby="appearance-title">
      <h2 id="appearance-title">{t('settings.appearance')}</h2>
      <fieldset>
        <legend>{t('settings.theme')}</legend>
        {THEMES.map((value) => (
          <label key={value} className="check">
            <input
              type="radio"
              name="theme"
              value={value}
              checked={theme === value}
              onChange={() => change.run({ theme: value })}
            />
            {t(`settings.theme.${value}`)}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="language">{t('settings.language')}</label>
        <select
          id="language"
          value={language}
          onChange={(e) => change.run({ language: e.target.value })}
        >
          {Object.entries(CATALOGUES).map(([code, catalogue]) => (
            <option key={code} value={code} lang={code}>
              {catalogue.name}
            </option>
          ))}
        </select>
      </div>
      <ErrorText error={change.error} />
    </section>
  );
}

function IdentityPanel() {
  const { t } = useI18n();
  const address = useApp((s) => s.address);
  const appInfo = useApp((s) => s.appInfo);
  const lock = useApp((s) => s.lock);
  const action = useAction(() => lock());
  return (
    <section className="panel" aria-labelledby="identity-title">
      <h2 id="identity-title">{t('settings.identity')}</h2>
      {address !== null ? (
        <p>
          <Labelled label={t('settings.identity.address')}>
            <Mono>{address}</Mono>
          </Labelled>
        </p>
      ) : null}
      {appInfo?.platform === 'web' ? <p className="warning">{t('settings.identity.web')}</p> : null}
      <button type="button" onClick={() => action.run()} disabled={action.busy}>
        {t('shell.lock')}
      </button>
      <ErrorText error={action.error} />
      {appInfo !== null ? (
        <p className="muted">
          {t('settings.version', { version: appInfo.version, platform: appInfo.platform })}
        </p>
      ) : null}
    </section>
  );
}

/** Desktop only: whether the passphrase is remembered, and forgetting it. */
function UnlockPanel() {
  const { t } = useI18n();
  const appInfo = useApp((s) => s.appInfo);
  const secureStorage = useApp((s) => s.secureStorage);
  const rememberFailed = useApp((s) => s.rememberFailed);
  const forgetRememberedUnlock = useApp((s) => s.forgetRememberedUnlock);
  const [forgotten, setForgotten] = useState(false);
  const forget = useAction(async () => {
    await forgetRememberedUnlock();
    setForgotten(true);
  });
  const memory = unlockMemoryOf(appInfo, secureStorage);
  // Browser mode never remembers the passphrase: nothing to say about it.
  if (memory.kind === 'none') return null;
  const remembered = memory.kind !== 'unknown' && memory.remembered;
  return (
    <section className="panel" aria-labelledby="unlock-settings-title">
      <h2 id="unlock-settings-title">{t('settings.unlock.title')}</h2>
      {memory.kind === 'unknown' ? (
        <p>{t('settings.unlock.unknown')}</p>
      ) : (
        <>
          <p>
            <Labelled label={t('settings.unlock.backend')}>
              <Mono>{memory.backend}</Mono>
            </Labelled>
          </p>
          {memory.kind === 'weak' ? (
            <p className="warning">{t('unlock.weak', { backend: memory.backend })}</p>
          ) : null}
          {rememberFailed && !remembered ? (
            <p className="warning">{t('settings.unlock.notSaved')}</p>
          ) : null}
          <p>{remembered ? t('settings.unlock.remembered') : t('settings.unlock.notRemembered')}</p>
        </>
      )}
      {remembered ? (
        <button type="button" onClick={() => forget.run()} disabled={forget.busy}>
          {t('settings.unlock.forget')}
        </button>
      ) : null}
      <p role="status" className="muted">
        {forgotten && !remembered ? t('settings.unlock.forgotten') : ''}
      </p>
      <ErrorText error={forget.error} />
    </section>
  );
}

export function SettingsScreen() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('settings.title')}</ScreenTitle>
      <RelaysPanel />
      <IcePanel />
      <AppearancePanel />
      <IdentityPanel />
      <BackupPanel />
      <DevicesPanel />
      <UnlockPanel />
    </>
  );
}
