// Admitting and removing members and closing an open network (docs/protocol.md §13.7), on the
// Members panel. Each is a change of the witnesses decided by the same quorum: for a witness,
// "Admit a member" (a known identity that is not a member, or a typed address), "Remove from the
// network" on a member's row and "Close the network", each previewed by the planner the engine
// proposes with, then a confirmation that says exactly what will change. A removal also changes
// the join secret without the removed member (§13.8, engine/roomKeys.ts). A member who is not a
// witness is told whom to ask. The engine does the work; this file only shows and asks.
import { useState } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import { changing } from '../../../shared/ledger/epochs.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import { members, type Member } from '../../../shared/wallet/members.ts';
import {
  memberStatusOf,
  previewChange,
  proposeChange,
  type ChangePreview,
  type MemberEffect,
  type MemberStatus,
  type WitnessChange,
} from '../../runtime/witnesses.ts';
import { UserError } from '../../state/errors.ts';
import type { Translate, TranslatePlural } from '../../i18n/i18n.ts';
import { accountOf } from '../account.ts';
import { ErrorText, useAction } from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { useLedgerView } from '../useLedger.ts';
import { AddressPicker } from './AddressPicker.tsx';
import { useNames } from './MemberNames.tsx';

/** A change of membership being drawn up. `key` null: the address is still to be given. */
export type MemberDraft =
  | { readonly kind: 'remove-member'; readonly key: KeyHex }
  | { readonly kind: 'admit'; readonly key: KeyHex | null }
  | { readonly kind: 'close' };

/** What the Members panel needs to offer changes: who may propose, and who may sign. */
export interface Governance {
  readonly status: MemberStatus;
  /** This identity is a current witness: it may propose. */
  readonly amWitness: boolean;
  /** A change is proposed or taking over: a second one would split the backing (§13.4). */
  readonly busy: boolean;
  readonly witnesses: readonly KeyHex[];
}

export const governanceOf = (ledger: Ledger, me: KeyHex): Governance => {
  const epochs = ledger.epochs;
  const next = epochs.open.epoch + 1;
  return {
    status: memberStatusOf(ledger),
    amWitness: ledger.witnesses.has(me),
    busy: changing(epochs) || ledger.proposals().some((p) => p.epoch === next),
    witnesses: [...epochs.open.sorted],
  };
};

/**
 * The identities a witness could admit: known to the directory (which leaves out the one-time
 * keys of proposals and revocations) and not allowed to sign now.
 */
export const admitCandidates = (ledger: Ledger): Member[] =>
  members(ledger).filter((m) => !ledger.mayActNow(m.key));

/** A sentence that begins with "you" begins with "You"; an address or a name stays as it is. */
const startOf = (t: Translate, text: string): string => {
  const you = t('witnesses.you');
  const first = text.startsWith(`${you} `) || text.startsWith(`${you},`);
  return first ? `${you.charAt(0).toUpperCase()}${text.slice(1)}` : text;
};

/**
 * What a proposed change of membership will do, as its confirmation says it: who is removed or
 * admitted or who stays a member, when it takes effect, and the witnesses after it if they
 * change too (removing a witness from the network removes it from the witnesses).
 */
export function memberConfirmation(
  preview: ChangePreview,
  t: Translate,
  tn: TranslatePlural,
  names: (keys: readonly KeyHex[]) => string,
): string {
  const count = preview.before.length;
  const needed = preview.needed;
  const { admit, remove, close } = preview.members;
  const parts: string[] = [];
  if (close) {
    const staying = [...new Set([...admit, ...preview.after])];
    parts.push(tn('members.confirm.close', count, { needed, names: names(staying) }));
  } else if (remove.length > 0) {
    parts.push(startOf(t, tn('members.confirm.remove', count, { needed, name: names(remove) })));
  } else if (admit.length > 0) {
    parts.push(startOf(t, tn('members.confirm.admit', count, { needed, name: names(admit) })));
    parts.push(t('members.confirm.admitInvite', { name: names(admit) }));
  }
  const witnessesChange =
    preview.before.length !== preview.after.length ||
    preview.before.some((k) => !preview.after.includes(k));
  if (witnessesChange) {
    parts.push(t('witnesses.confirm.become', { names: names(preview.after) }));
    parts.push(
      tn('witnesses.confirm.after', preview.after.length, { quorum: preview.quorumAfter }),
    );
  }
  return parts.join(' ');
}

/** What a proposed change does to the members, for a witness asked to back it. */
export function memberEffect(
  t: Translate,
  names: (keys: readonly KeyHex[]) => string,
  effect: MemberEffect,
  witnesses: readonly KeyHex[],
): string[] {
  if (effect.close) {
    const staying = [...new Set([...effect.admit, ...witnesses])];
    return [t('members.effect.close', { names: names(staying) })];
  }
  return [
    ...(effect.remove.length > 0
      ? [startOf(t, t('members.effect.remove', { names: names(effect.remove) }))]
      : []),
    ...(effect.admit.length > 0
      ? [startOf(t, t('members.effect.admit', { names: names(effect.admit) }))]
      : []),
  ];
}

/** Below the member table: what this member can do about membership, or whom to ask. */
export function MemberGovernance({
  governance,
  draft,
  onDraft,
}: {
  governance: Governance;
  draft: MemberDraft | null;
  onDraft: (draft: MemberDraft | null) => void;
}) {
  const { t } = useI18n();
  const names = useNames();
  const [done, setDone] = useState<string | null>(null);
  const { amWitness, busy, status } = governance;
  const start = (next: MemberDraft) => {
    setDone(null);
    onDraft(next);
  };
  return (
    <div data-testid="member-governance">
      <p data-testid="member-openness">{t(status.closed ? 'members.closed' : 'members.open')}</p>
      <p role="status" className="success">
        {done ?? ''}
      </p>
      {!amWitness ? (
        <p data-testid="member-ask">
          {t('members.onlyWitnesses', { names: names(governance.witnesses) })}
        </p>
      ) : null}
      {amWitness && busy ? <p className="muted">{t('members.oneAtATime')}</p> : null}
      {amWitness && !busy && draft === null ? (
        <div className="actions">
          <button type="button" onClick={() => start({ kind: 'admit', key: null })}>
            {t('members.admit')}
          </button>
          {!status.closed ? (
            <button type="button" onClick={() => start({ kind: 'close' })}>
              {t('members.close')}
            </button>
          ) : null}
        </div>
      ) : null}
      {amWitness && !busy && draft !== null ? (
        <MemberChangeForm
          key={`${draft.kind}:${'key' in draft ? (draft.key ?? '') : ''}`}
          draft={draft}
          onClose={(sentence) => {
            onDraft(null);
            setDone(sentence);
          }}
        />
      ) : null}
    </div>
  );
}

interface Checked {
  readonly preview: ChangePreview | null;
  readonly problem: unknown;
}
const NOTHING: Checked = { preview: null, problem: null };

function changeOf(draft: MemberDraft, address: string): WitnessChange {
  if (draft.kind === 'close') return { kind: 'close' };
  if (draft.kind === 'remove-member') return { kind: 'remove-member', key: draft.key };
  return { kind: 'admit', key: draft.key ?? accountOf(address) };
}

/** The change previewed by the engine's planner, or the sentence that says why it cannot be. */
function check(
  ledger: Ledger | null,
  me: KeyHex | null,
  draft: MemberDraft,
  address: string,
): Checked {
  try {
    if (ledger === null || me === null) throw new UserError('witnesses.notSyncedError');
    return { preview: previewChange(ledger, me, changeOf(draft, address)), problem: null };
  } catch (problem) {
    return { preview: null, problem };
  }
}

/** For Admit without a named identity, the address first; then the confirmation. */
function MemberChangeForm({
  draft,
  onClose,
}: {
  draft: MemberDraft;
  onClose: (sentence: string | null) => void;
}) {
  const { t } = useI18n();
  const runtime = useApp((s) => s.runtime);
  const me = useApp((s) => s.key);
  const names = useNames();
  const [address, setAddress] = useState('');
  const asksAddress = draft.kind === 'admit' && draft.key === null;
  const [checked, setChecked] = useState<Checked>(() =>
    asksAddress ? NOTHING : check(runtime?.ledger ?? null, me, draft, ''),
  );
  const review = () => setChecked(check(runtime?.ledger ?? null, me, draft, address));
  const title =
    draft.kind === 'close'
      ? t('members.close.title')
      : draft.kind === 'remove-member'
        ? t('members.remove.title', { name: names([draft.key]) })
        : draft.key === null
          ? t('members.admit.title')
          : t('members.admit.titleNamed', { name: names([draft.key]) });
  const { preview, problem } = checked;
  return (
    <div className="confirm" role="group" aria-labelledby="member-change-title">
      <h3 id="member-change-title">{title}</h3>
      {asksAddress ? (
        <AdmitField
          address={address}
          onChange={(typed) => {
            // A preview of another address must not stay on screen.
            setAddress(typed);
            setChecked(NOTHING);
          }}
          onReview={review}
        />
      ) : null}
      <ErrorText error={problem} />
      {preview !== null ? (
        <ConfirmMemberChange preview={preview} onClose={onClose} />
      ) : (
        <div className="actions">
          <button type="button" onClick={() => onClose(null)}>
            {t('common.cancel')}
          </button>
        </div>
      )}
    </div>
  );
}

/** The identity to admit: picked from the known identities that are not members, or typed. */
function AdmitField(props: {
  address: string;
  onChange: (address: string) => void;
  onReview: () => void;
}) {
  const { t } = useI18n();
  const candidates = useLedgerView(admitCandidates) ?? [];
  const text = {
    pick: t('members.pick'),
    pickNone: t('members.pickNone'),
    address: t('members.newAddress'),
    hint: t('members.newAddressHint'),
    review: t('members.review'),
  };
  return <AddressPicker idPrefix="member" candidates={candidates} text={text} {...props} />;
}

/** What the change will do, and the button that proposes it. */
function ConfirmMemberChange({
  preview,
  onClose,
}: {
  preview: ChangePreview;
  onClose: (sentence: string | null) => void;
}) {
  const { t, tn } = useI18n();
  const runtime = useApp((s) => s.runtime);
  const me = useApp((s) => s.key);
  const names = useNames();
  const propose = useAction(async () => {
    if (runtime === null) throw new UserError('witnesses.notSyncedError');
    await proposeChange(runtime, preview.change);
    onClose(tn('members.proposed', preview.before.length, { needed: preview.needed }));
  });
  const leaving = me !== null && preview.members.remove.includes(me);
  return (
    <>
      <p data-testid="member-confirm">{memberConfirmation(preview, t, tn, names)}</p>
      {leaving ? <p className="warning">{t('members.confirm.leaving')}</p> : null}
      <ErrorText error={propose.error} />
      <div className="actions">
        <button type="button" onClick={() => onClose(null)} disabled={propose.busy}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => propose.run()}
          disabled={propose.busy}
        >
          {t('members.confirm.propose')}
        </button>
      </div>
    </>
  );
}
