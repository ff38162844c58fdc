// The Members page of the Network screen (docs/profiles.md): every member with its name (and a
// distinguishing suffix where two names look alike), roles, devices, when it was last seen and
// its balance where its profile allows; and the names the rest of the UI shows for addresses.
// Members removed by the witnesses are shown as removed; for a witness, each row offers removing
// (or admitting again), and MemberChange.tsx draws up those changes (docs/protocol.md §13.7).
// shared/wallet/members.ts computes the directory; this file only shows it.
import { useState } from 'react';
import type { KeyHex, TxId } from '../../../shared/ids.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import { members, type Member, type Role } from '../../../shared/wallet/members.ts';
import { Avatar, avatarOfBody } from '../components/Avatar.tsx';
import { CopyButton, Mono, Table } from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { useLedgerView } from '../useLedger.ts';
import {
  governanceOf,
  MemberGovernance,
  type Governance,
  type MemberDraft,
} from './MemberChange.tsx';
import { ProfileEditor } from './ProfileEditor.tsx';
import { useNames } from './MemberNames.tsx';

// The names lookup lives beside useNames (MemberNames.tsx); the rest of the UI finds it here.
export { useMemberNames } from './MemberNames.tsx';

/**
 * The directory, without the one-time keys that author proposals of a change (§13.2): each has
 * a chain of its own, but is nobody.
 */
const directoryOf = (ledger: Ledger): Member[] => {
  const oneTime = new Set(ledger.proposals().map((p) => p.author));
  return members(ledger).filter((m) => !oneTime.has(m.key));
};

export function MembersPanel() {
  const { t } = useI18n();
  const rows = useLedgerView(directoryOf);
  const governance = useLedgerView(governanceOf);
  const [draft, setDraft] = useState<MemberDraft | null>(null);
  return (
    <section className="panel" aria-labelledby="members-title">
      <h2 id="members-title">{t('members.title')}</h2>
      <p>{t('members.intro')}</p>
      {rows === null || governance === null ? (
        <p className="muted">{t('members.notSynced')}</p>
      ) : (
        <>
          <MemberTable rows={rows} governance={governance} onDraft={setDraft} />
          <MemberGovernance governance={governance} draft={draft} onDraft={setDraft} />
        </>
      )}
      {rows !== null ? <ProfileEditor /> : null}
    </section>
  );
}

/** Whether a member may sign now, as its row says it. */
type Standing = 'member' | 'removed' | 'outside';

function MemberTable({
  rows,
  governance,
  onDraft,
}: {
  rows: readonly Member[];
  governance: Governance;
  onDraft: (draft: MemberDraft) => void;
}) {
  const { t, amount, time } = useI18n();
  const me = useApp((s) => s.key);
  const runtime = useApp((s) => s.runtime);
  const names = useNames();
  const mine = me !== null && runtime?.ledger ? runtime.ledger.identityOf(me) : null;
  const roleName = (role: Role) => t(`members.role.${role}`);
  const { status } = governance;
  const standing = (key: KeyHex): Standing =>
    status.removed.has(key) ? 'removed' : status.member(key) ? 'member' : 'outside';
  const canChange = governance.amWitness && !governance.busy;
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
        ...(canChange ? [{ label: t('common.actions'), hidden: true }] : []),
      ]}
    >
      {rows.map((m) => (
        <tr
          key={m.key}
          data-member={m.name ?? ''}
          data-suffix={m.suffix ?? ''}
          data-standing={standing(m.key)}
        >
          <td>
            {m.avatar !== null && m.profile !== null ? (
              <Avatar
                bytes={avatarOfBody(runtime?.ledger?.get(m.profile as TxId)?.body)}
                name={m.name ?? m.label}
              />
            ) : null}
            <MemberName member={m} />
            {m.key === mine ? <strong> {t('members.you')}</strong> : null}
            {standing(m.key) !== 'member' ? (
              <>
                {' '}
                <span className="badge" data-testid="member-standing">
                  {t(`members.status.${standing(m.key) as 'removed' | 'outside'}`)}
                </span>
              </>
            ) : null}
            {standing(m.key) === 'removed' ? (
              <p className="hint">{t('members.removedNote')}</p>
            ) : null}
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
          {canChange ? (
            <td>
              {standing(m.key) === 'member' ? (
                <button
                  type="button"
                  className="link"
                  aria-label={t('members.remove.label', { name: names([m.key]) })}
                  onClick={() => onDraft({ kind: 'remove-member', key: m.key })}
                >
                  {t('members.remove')}
                </button>
              ) : (
                <button
                  type="button"
                  className="link"
                  aria-label={t(
                    standing(m.key) === 'removed'
                      ? 'members.admitAgain.label'
                      : 'members.admitOne.label',
                    { name: names([m.key]) },
                  )}
                  onClick={() => onDraft({ kind: 'admit', key: m.key })}
                >
                  {t(standing(m.key) === 'removed' ? 'members.admitAgain' : 'members.admitOne')}
                </button>
              )}
            </td>
          ) : null}
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
