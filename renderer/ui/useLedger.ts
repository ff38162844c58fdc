// Views of the ledger that recompute whenever the runtime reports a change.
import { useMemo } from 'react';
import type { KeyHex } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { useApp } from './context.tsx';

/**
 * `compute` runs against the current ledger and the unlocked identity; null until both exist.
 * Pass a function defined outside the component (or memoised), so it is stable.
 */
export function useLedgerView<T>(compute: (ledger: Ledger, me: KeyHex) => T): T | null {
  const runtime = useApp((s) => s.runtime);
  const version = useApp((s) => s.ledgerVersion);
  const me = useApp((s) => s.key);
  return useMemo(() => {
    const ledger = runtime?.ledger ?? null;
    return ledger !== null && me !== null ? compute(ledger, me) : null;
    // `version` is the change signal: the ledger object itself stays the same.
  }, [runtime, version, me, compute]);
}
