// The unlocked app's frame: a skip link, the header (network, identity, lock), the menu built
// from the route table, and the current screen.
import { useEffect } from 'react';
import { useApp, useI18n } from './context.tsx';
import { Link, navigate, useHashPath } from './router.tsx';
import { defaultPath, NAV_GROUPS, routesFor } from './routes.tsx';
import { shortAddress } from './components/party.tsx';
import { ErrorText, useAction } from './components/common.tsx';
import { useBadges } from './awareness.ts';

export function Shell() {
  const { t, tn } = useI18n();
  const path = useHashPath();
  const network = useApp((s) => s.network);
  const address = useApp((s) => s.address);
  // Named only when the app holds several identities (docs/keys.md, "In the app").
  const identityName = useApp((s) => {
    const list = s.identities;
    if (list === null || list.identities.length < 2) return null;
    return list.identities.find((e) => e.slot === list.current)?.name ?? null;
  });
  const connected = useApp(
    (s) => s.status?.connections.filter((p) => p.state === 'connected').length ?? 0,
  );
  const lock = useApp((s) => s.lock);
  const networkError = useApp((s) => s.networkError);
  const lockAction = useAction(() => lock());
  const routes = routesFor(network !== null);
  const route = routes.find((r) => r.path === path);
  const badges = useBadges(route?.path);

  // An unknown or unavailable address goes to the default screen.
  useEffect(() => {
    if (route === undefined) navigate(defaultPath(network !== null));
  }, [route, network]);

  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('shell.skip')}
      </a>
      <header className="topbar">
        <span className="brand">GPoW</span>
        <span className="topbar-network">
          {network !== null ? (
            <>
              {network.name ?? t('network.unnamed')}{' '}
              <span className="muted">· {tn('shell.peers', connected)}</span>
            </>
          ) : (
            <span className="muted">{t('shell.noNetwork')}</span>
          )}
        </span>
        {address !== null ? (
          <span className="topbar-address" title={address}>
            {identityName !== null ? <span>{identityName} </span> : null}
            <code className="mono">{shortAddress(address)}</code>
          </span>
        ) : null}
        <button type="button" onClick={() => lockAction.run()} disabled={lockAction.busy}>
          {t('shell.lock')}
        </button>
      </header>
      <nav className="sidebar" aria-label={t('shell.nav')}>
        {NAV_GROUPS.map((group) => {
          const entries = routes.filter((r) => r.group === group.id);
          if (entries.length === 0) return null;
          return (
            <div key={group.id} className="nav-group">
              <h2 className="nav-heading" id={`nav-${group.id}`}>
                {t(group.label)}
              </h2>
              <ul aria-labelledby={`nav-${group.id}`}>
                {entries.map((entry) => {
                  const count = badges[entry.path] ?? 0;
                  return (
                    <li key={entry.path}>
                      <Link to={entry.path} current={entry.path === route?.path}>
                        {t(entry.label)}
                        {/* The count says what it counts, for a screen reader as for the eye. */}
                        {count > 0 ? (
                          <>
                            {' '}
                            <span className="badge new">{tn('nav.new', count)}</span>
                          </>
                        ) : null}
                      </Link>
                    </li>
                  );
                })}
              </ul>
            </div>
          );
        })}
      </nav>
      <main id="main" tabIndex={-1} className="content" key={route?.path ?? 'none'}>
        {route?.path !== 'network' ? <ErrorText error={networkError} /> : null}
        {route?.render() ?? null}
      </main>
    </div>
  );
}
