// The app: picks the screen for where the user is (first run, locked, unlocked), and applies
// the theme and language. Everything it shows comes from the app store (state/appStore.ts).
import { useEffect, type ReactNode } from 'react';
import type { AppStore } from './state/appStore.ts';
import { ErrorText } from './ui/components/common.tsx';
import { AppProvider, useApp, useI18n } from './ui/context.tsx';
import { Locked } from './ui/screens/Locked.tsx';
import { Onboarding } from './ui/screens/Onboarding.tsx';
import { Shell } from './ui/Shell.tsx';

export function App({ store }: { store: AppStore }) {
  return (
    <AppProvider store={store}>
      <Root />
    </AppProvider>
  );
}

/** Theme and language live on <html>: CSS picks the colours, assistive tech the language. */
function useDocumentSettings(): void {
  const theme = useApp((s) => s.settings.theme);
  const { language } = useI18n();
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
    root.lang = language;
  }, [theme, language]);
}

function Solo({ children }: { children: ReactNode }) {
  return (
    <div className="solo">
      <header className="topbar">
        <span className="brand">GPoW</span>
      </header>
      <main id="main" tabIndex={-1} className="content">
        {children}
      </main>
    </div>
  );
}

function Root() {
  const { t } = useI18n();
  const phase = useApp((s) => s.phase);
  const boot = useApp((s) => s.boot);
  useDocumentSettings();
  useEffect(() => {
    void boot();
  }, [boot]);

  switch (phase.kind) {
    case 'starting':
      return (
        <Solo>
          <h1>GPoW</h1>
          <p role="status" className="muted">
            {t('app.starting')}
          </p>
        </Solo>
      );
    case 'no-bridge':
      return (
        <Solo>
          <h1>GPoW</h1>
          <p className="error" role="alert">
            {t('app.noBridge')}
          </p>
        </Solo>
      );
    case 'failed':
      return (
        <Solo>
          <h1>GPoW</h1>
          <p>{t('app.failed')}</p>
          <ErrorText error={phase.error} />
        </Solo>
      );
    case 'onboarding':
      return (
        <Solo>
          <Onboarding />
        </Solo>
      );
    case 'locked':
      return (
        <Solo>
          <Locked address={phase.address} />
        </Solo>
      );
    case 'unlocked':
      return <Shell />;
  }
}
