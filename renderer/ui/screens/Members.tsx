// The Members page of the Network screen (docs/profiles.md): every member with its name (and a
// distinguishing suffix where two names look alike), roles, devices, when it was last seen and
// its balance where its profile allows; and the names the rest of the UI shows for addresses.
// shared/wallet/members.ts computes the directory; this file only shows it.
import { useMemo, useState } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import { members, type Member, type Role } from '../../../shared/wallet/members.ts';
import { CopyButton, Mono, Table } from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { useLedgerView } from '../useLedger.ts';
import { ProfileEditor } from './ProfileEditor.tsx';

const directoryOf = (ledger: Ledger): Member[] => members(ledger);

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

export function MembersPanel() {
  const { t } = useI18n();
  const rows = useLedgerView(directoryOf);
  return (
    <section className="panel" aria-labelledby="members-title">
      <h2 id="members-title">{t('members.title')}</h2>
      <p>{t('members.intro')}</p>
      {rows === null ? (
        <p className="muted">{t('members.notSynced')}</p>
      ) : (
        <MemberTable rows={rows} />
      )}
      {rows !== null ? <ProfileEditor /> : null}
    </section>
  );
}

function MemberTable({ rows }: { rows: readonly Member[] }) {
  const { t, amount, time } = useI18n();
  const me = useApp((s) => s.key);
  const runtime = useApp((s) => s.runtime);
  const mine = me !== null && runtime?.ledger ? runtime.ledger.identityOf(me) : null;
  const roleName = (role: Role) => t(`members.role.${role}`);
  return (
    <Table
      caption={t('members.caption')}
      testId="members-table"
      columns={[
        { label: t('members.col.name') },
        { label: t('members.col.roles') },
        { label: t('members.col.devices') },
        { label: t('members.col.lastSeen') },
        { label: t('members.col.balance'), numeric: true },
      ]}
    >
      {rows.map((m) => (
        <tr key={m.key} data-member={m.name ?? ''} data-suffix={m.suffix ?? ''}>
          <td>
            <MemberName member={m} />
            {m.key === mine ? <strong> {t('members.you')}</strong> : null}
            {m.mixedScript ? (
              <p className="warning" data-testid="mixed-script">
                {t('members.mixedScript')}
              </p>
            ) : null}
            {m.note !== null ? <p className="hint">{m.note}</p> : null}
          </td>
          <td>{m.roles.length === 0 ? t('members.none') : m.roles.map(roleName).join(', ')}</td>
          <td>
            {m.devices.length === 0
              ? t('members.none')
              : m.devices
                  .map((d) => (d.revoked ? t('members.revoked', { name: d.name }) : d.name))
                  .join(', ')}
          </td>
          <td>{m.lastSeen === null ? t('members.none') : time(m.lastSeen)}</td>
          <td className="num" data-testid="member-balance">
            {m.balance === null ? t('members.private') : amount(m.balance)}
          </td>
        </tr>
      ))}
    </Table>
  );
}

/** A member's name with its address one click away (always shown without a name). */
function MemberName({ member }: { member: Member }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  if (member.name === null) return <Mono>{member.label}</Mono>;
  return (
    <>
      <button
        type="button"
        className="link"
        aria-expanded={open}
        title={member.address}
        onClick={() => setOpen(!open)}
      >
        {member.label}
      </button>
      {open ? (
        <span className="party-address">
          {' '}
          <Mono label={t('members.address')}>{member.address}</Mono>{' '}
          <CopyButton text={member.address} label={t('members.copyAddress')} />
        </span>
      ) : null}
    </>
  );
}
