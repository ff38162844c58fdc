// Every market screen waits behind this gate: the consumer's, the provider's, the validator's.
import type { ReactNode } from 'react';
import { useApp, useI18n } from '../../context.tsx';

/** The market is usable once the ledger is here and the identity can sign. */
export function MarketGate({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const market = useApp((s) => s.market);
  if (market === null)
    return (
      <p role="status" className="muted">
        {t('market.notReady')}
      </p>
    );
  return <>{children}</>;
}
