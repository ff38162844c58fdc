// React access to the app store and the language: one provider at the top, hooks below.
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useStore } from 'zustand';
import {
  pluralTranslator,
  translator,
  type Translate,
  type TranslatePlural,
} from '../i18n/i18n.ts';
import { unitFor } from '../i18n/units.ts';
import { DEFAULT_UNIT } from '../../shared/tx/genesis.ts';
import type { AppState, AppStore } from '../state/appStore.ts';

const StoreContext = createContext<AppStore | null>(null);

export interface I18n {
  readonly language: string;
  readonly t: Translate;
  /** For messages that depend on a count: picks the language's plural form. */
  readonly tn: TranslatePlural;
  /**
   * An amount of money with its unit, grouped the language's way and in agreement with it:
   * "1,000 hours", "1 hour". The unit is the network's (its genesis names it), or `unit` where
   * there is no network yet (the wizard founding one). Every amount on every screen goes
   * through here, so none shows without its unit.
   */
  readonly amount: (value: bigint, unit?: string) => string;
  /** A count that is not money (volumes, bytes, transactions), grouped the language's way. */
  readonly number: (value: bigint) => string;
  /** A transaction's claimed time (ms since the epoch). */
  readonly time: (ms: number) => string;
  /** An amount of a service type's unit, the unit agreeing with it: "1 hour", "3 hours". */
  readonly quantity: (value: bigint, unit: string) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function AppProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  const language = useStore(store, (s) => s.settings.language);
  // Re-read whenever the store changes (the ledger's genesis arrives with a change signal).
  const networkUnit = useStore(store, (s) => s.runtime?.ledger?.unit ?? DEFAULT_UNIT);
  const i18n = useMemo<I18n>(() => {
    const numbers = new Intl.NumberFormat(language);
    const dates = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
    const t = translator(language);
    const rules = new Intl.PluralRules(language);
    const number = (value: bigint): string => numbers.format(value);
    return {
      language,
      t,
      tn: pluralTranslator(language, t),
      amount: (value, unit = networkUnit) =>
        t('amount.withUnit', { amount: number(value), unit: unitFor(rules, unit, value) }),
      number,
      time: (ms) => dates.format(ms),
      quantity: (value, unit) =>
        t('market.volumeOf', { volume: number(value), unit: unitFor(rules, unit, value) }),
    };
  }, [language, networkUnit]);
  return (
    <StoreContext.Provider value={store}>
      <I18nContext.Provider value={i18n}>{children}</I18nContext.Provider>
    </StoreContext.Provider>
  );
}

export function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (store === null) throw new Error('useAppStore is used outside AppProvider');
  return store;
}

/** Selects from the app state; the component renders again only when the selection changes. */
export function useApp<T>(selector: (state: AppState) => T): T {
  return useStore(useAppStore(), selector);
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (i18n === null) throw new Error('useI18n is used outside AppProvider');
  return i18n;
}
