// How members are named in the UI's sentences and lists (docs/profiles.md): the directory's
// name for any chain key, computed once per ledger change, and a list of keys as a sentence
// names them ("you", a member's signed name, or a short address). Apart from Members.tsx, so
// that the panels that use it and the Members page do not import each other.
import { useMemo } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import { members } from '../../../shared/wallet/members.ts';
import { addressOf } from '../../runtime/views.ts';
import { useApp, useI18n } from '../context.tsx';

/**
 * gpow1abcdefgh…uvwxyz, as components/party.tsx shortens an address (it imports the names from
 * here, so it cannot be imported back; test/renderer/members.test.ts keeps the two in step).
 */
export function shortAddress(address: string): string {
  return address.length <= 24 ? address : `${address.slice(0, 13)}…${address.slice(-8)}`;
}

/** The directory's names for the whole UI, computed once per ledger change, not per address. */
const namesCache = new WeakMap<Ledger, { version: number; names: Map<KeyHex, string> }>();

/**
 * A lookup from any chain key (an identity or one of its devices) to the member's name as the
 * directory shows it, suffix included; undefined for a member without a profile.
 */
export function useMemberNames(): (key: KeyHex) => string | undefined {
  const runtime = useApp((s) => s.runtime);
  const version = useApp((s) => s.ledgerVersion);
  return useMemo(() => {
    const ledger = runtime?.ledger ?? null;
    if (ledger === null) return () => undefined;
    let cached = namesCache.get(ledger);
    if (cached?.version !== version) {
      const named = members(ledger).filter((m) => m.name !== null);
      cached = { version, names: new Map(named.map((m) => [m.key, m.label])) };
      namesCache.set(ledger, cached);
    }
    const { names } = cached;
    return (key: KeyHex) => names.get(ledger.identityOf(key));
    // `version` is the change signal: the runtime and its ledger stay the same objects.
  }, [runtime, version]);
}

/** Names a list of keys for a sentence: "you", a member's signed name, or a short address. */
export function useNames(): (keys: readonly KeyHex[]) => string {
  const { t } = useI18n();
  const me = useApp((s) => s.key);
  const nameOf = useMemberNames();
  return (keys) =>
    keys
      .map((key) =>
        key === me ? t('witnesses.you') : (nameOf(key) ?? shortAddress(addressOf(key))),
      )
      .join(', ');
}
