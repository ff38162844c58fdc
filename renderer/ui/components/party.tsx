// How the UI names an account: its label from the address book when there is one, or else the
// name its member signed (with the address one click away), and otherwise (part of) its address.
import { useMemo, useState } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import { addressOf } from '../../runtime/views.ts';
import { useApp, useI18n } from '../context.tsx';
import { useMemberNames } from '../screens/Members.tsx';

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

/**
 * What a title or a sentence calls an account, as Party orders it: your label, else the name its
 * member signed, else the start of its address. Pair it with a Party where the address must stay
 * one click away.
 */
export function usePartyName(): (key: KeyHex) => string {
  const labelOf = useLabels();
  const nameOf = useMemberNames();
  return (key) => labelOf(key) ?? nameOf(key) ?? addressOf(key).slice(0, 13);
}

export function Party({ account }: { account: KeyHex }) {
  const { t } = useI18n();
  const me = useApp((s) => s.key);
  const labelOf = useLabels();
  const nameOf = useMemberNames();
  const [open, setOpen] = useState(false);
  const address = addressOf(account);
  // Your own label for a contact first; then the name the member signed (docs/profiles.md).
  const label = account === me ? t('party.you') : labelOf(account);
  const name = label === undefined ? nameOf(account) : undefined;
  if (name !== undefined) {
    // A signed name shows first, its address shortened beside it so a person can check it, and
    // in full one click away.
    return (
      <span className="party" title={address}>
        <button
          type="button"
          className="link party-label"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {name}
        </button>{' '}
        <code className="mono">{open ? address : shortAddress(address)}</code>
      </span>
    );
  }
  return (
    <span className="party" title={address}>
      {label !== undefined ? <span className="party-label">{label} </span> : null}
      <code className="mono">{shortAddress(address)}</code>
    </span>
  );
}
