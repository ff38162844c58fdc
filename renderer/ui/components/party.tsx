// How the UI names an account: its label from the address book when there is one, and always
// (part of) its address.
import { useMemo } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import { addressOf } from '../../runtime/views.ts';
import { useApp, useI18n } from '../context.tsx';

/** gpow1abcdefgh…uvwxyz: enough to recognise, short enough for a table. */
export function shortAddress(address: string): string {
  return address.length <= 24 ? address : `${address.slice(0, 13)}…${address.slice(-8)}`;
}

/** A lookup from account key to address-book label. */
export function useLabels(): (key: KeyHex) => string | undefined {
  const contacts = useApp((s) => s.contacts);
  return useMemo(() => {
    const byAddress = new Map(contacts.map((c) => [c.address, c.label]));
    return (key: KeyHex) => byAddress.get(addressOf(key));
  }, [contacts]);
}

export function Party({ account }: { account: KeyHex }) {
  const { t } = useI18n();
  const me = useApp((s) => s.key);
  const labelOf = useLabels();
  const address = addressOf(account);
  const label = account === me ? t('party.you') : labelOf(account);
  return (
    <span className="party" title={address}>
      {label !== undefined ? <span className="party-label">{label} </span> : null}
      <code className="mono">{shortAddress(address)}</code>
    </span>
  );
}
