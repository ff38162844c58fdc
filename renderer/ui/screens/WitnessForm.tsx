// Drawing up a change of the witnesses (docs/protocol.md §13) on the Witnesses panel: the new
// witness's address for Add and Replace, then a confirmation that says which witnesses there
// will be, when the change takes effect, and the quorum after it. The preview comes from the
// planner the engine proposes with, so a refusal is the engine's own sentence, shown before
// anything is signed.
import { useState } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import { members, type Member } from '../../../shared/wallet/members.ts';
import {
  previewChange,
  proposeChange,
  type ChangePreview,
  type WitnessChange,
} from '../../runtime/witnesses.ts';
import { UserError } from '../../state/errors.ts';
import { accountOf } from '../account.ts';
import { ErrorText, useAction } from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { useLedgerView } from '../useLedger.ts';
import { AddressPicker } from './AddressPicker.tsx';
import { useNames } from './MemberNames.tsx';

/** A change being drawn up: what kind, and for Replace and Remove, which witness. */
export type Draft =
  { readonly kind: 'add' } | { readonly kind: 'remove' | 'replace'; readonly old: KeyHex };

/** The change for a draft and a typed address; throws the sentence that says what is wrong. */
function changeOf(draft: Draft, address: string): WitnessChange {
  if (draft.kind === 'remove') return { kind: 'remove', key: draft.old };
  const key = accountOf(address);
  return draft.kind === 'add' ? { kind: 'add', key } : { kind: 'replace', old: draft.old, key };
}

interface Checked {
  readonly preview: ChangePreview | null;
  readonly problem: unknown;
}
const NOTHING: Checked = { preview: null, problem: null };

/** The change previewed by the engine's planner, or the sentence that says why it cannot be. */
function check(ledger: Ledger | null, me: KeyHex | null, draft: Draft, address: string): Checked {
  try {
    if (ledger === null || me === null) throw new UserError('witnesses.notSyncedError');
    return { preview: previewChange(ledger, me, changeOf(draft, address)), problem: null };
  } catch (problem) {
    return { preview: null, problem };
  }
}

/** The new witness's address (for Add and Replace), then the confirmation. */
export function ChangeForm({
  draft,
  label,
  onClose,
}: {
  draft: Draft;
  label: (key: KeyHex) => string;
  onClose: (sentence: string | null) => void;
}) {
  const { t } = useI18n();
  const runtime = useApp((s) => s.runtime);
  const me = useApp((s) => s.key);
  const [address, setAddress] = useState('');
  // Removing needs no address: its confirmation comes at once.
  const [checked, setChecked] = useState<Checked>(() =>
    draft.kind === 'remove' ? check(runtime?.ledger ?? null, me, draft, '') : NOTHING,
  );
  const review = () => setChecked(check(runtime?.ledger ?? null, me, draft, address));
  const { preview, problem } = checked;
  const title =
    draft.kind === 'add'
      ? t('witnesses.add.title')
      : t(`witnesses.${draft.kind}.title`, { name: label(draft.old) });
  return (
    <div className="confirm" role="group" aria-labelledby="witness-change-title">
      <h3 id="witness-change-title">{title}</h3>
      {draft.kind !== 'remove' ? (
        <NewWitnessField
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
        <ConfirmChange preview={preview} onClose={onClose} />
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

/**
 * Members who could become witnesses. The directory already leaves out the one-time keys of
 * proposals and revocations, which nobody holds any more.
 */
export const witnessCandidates = (ledger: Ledger): Member[] =>
  members(ledger).filter((m) => !m.roles.includes('witness'));

/** The address of the witness to be, typed or picked from the members who are not witnesses. */
function NewWitnessField(props: {
  address: string;
  onChange: (address: string) => void;
  onReview: () => void;
}) {
  const { t } = useI18n();
  const candidates = useLedgerView(witnessCandidates) ?? [];
  const text = {
    pick: t('witnesses.pickMember'),
    pickNone: t('witnesses.pickNone'),
    address: t('witnesses.newAddress'),
    hint: t('witnesses.newAddressHint'),
    review: t('witnesses.review'),
  };
  return <AddressPicker idPrefix="witness" candidates={candidates} text={text} {...props} />;
}

/** What the change makes, when it takes effect, and the button that proposes it. */
function ConfirmChange({
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
    onClose(tn('witnesses.proposed', preview.before.length, { needed: preview.needed }));
  });
  const leaving = me !== null && !preview.after.includes(me);
  return (
    <>
      <p data-testid="witness-confirm">
        {t('witnesses.confirm.become', { names: names(preview.after) })}{' '}
        {tn('witnesses.confirm.when', preview.before.length, { needed: preview.needed })}{' '}
        {tn('witnesses.confirm.after', preview.after.length, { quorum: preview.quorumAfter })}
      </p>
      {leaving ? <p className="warning">{t('witnesses.confirm.leaving')}</p> : null}
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
          {t('witnesses.confirm.propose')}
        </button>
      </div>
    </>
  );
}
