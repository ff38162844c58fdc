// Editing this member's profile (docs/profiles.md): the name, a contact note, an avatar and
// whether members may see the balance, checked with the composer's own sentences, then a
// confirmation that says what every member will see before anything is signed.
import { useState, type FormEvent } from 'react';
import type { KeyHex } from '../../../shared/ids.ts';
import { MAX_NAME_CHARS } from '../../../shared/identity/displayName.ts';
import { latestProfile, MAX_AVATAR_BYTES, type Profile } from '../../../shared/identity/profile.ts';
import type { Ledger } from '../../../shared/ledger/ledger.ts';
import { composeProfile, profileBody, type ProfileInput } from '../../../shared/wallet/profile.ts';
import { UserError } from '../../state/errors.ts';
import { Avatar } from '../components/Avatar.tsx';
import { ErrorText, TextField, useAction } from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';
import { useLedgerView } from '../useLedger.ts';

const currentOf = (ledger: Ledger, me: KeyHex): Profile | null => latestProfile(ledger, me);

async function readAvatar(file: File): Promise<Uint8Array> {
  if (file.size > MAX_AVATAR_BYTES)
    throw new Error(
      `an avatar is at most ${MAX_AVATAR_BYTES / 1024} KiB, and this file has ${file.size} bytes: make it smaller`,
    );
  return new Uint8Array(await file.arrayBuffer());
}

export function ProfileEditor() {
  const { t } = useI18n();
  const runtime = useApp((s) => s.runtime);
  const current = useLedgerView(currentOf);
  const [name, setName] = useState('');
  const [note, setNote] = useState('');
  const [showBalance, setShowBalance] = useState(false);
  const [avatar, setAvatar] = useState<Uint8Array | null>(null);
  const [pending, setPending] = useState<ProfileInput | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const sign = useAction(async (input: ProfileInput) => {
    if (runtime === null) throw new UserError('error.noNetwork');
    await runtime.act((ledger, from) =>
      composeProfile(ledger, from, input, runtime.ports.clock.now()),
    );
    setPending(null);
    setDone(t('profile.done'));
  });
  const review = (event: FormEvent): void => {
    event.preventDefault();
    setDone(null);
    const input: ProfileInput = {
      name,
      ...(note.trim() !== '' ? { note } : {}),
      ...(avatar !== null ? { avatar } : {}),
      ...(showBalance ? { showBalance: true } : {}),
    };
    const checked = profileBody(input);
    setProblem(checked.ok ? null : new Error(checked.message));
    setPending(checked.ok ? input : null);
  };
  const chooseAvatar = (file: File | undefined): void => {
    setAvatar(null);
    if (file === undefined) return;
    readAvatar(file).then(setAvatar, setProblem);
  };
  return (
    <form onSubmit={review} noValidate aria-labelledby="profile-title">
      <h3 id="profile-title">{t('profile.title')}</h3>
      <p>
        {current !== null ? <Avatar bytes={current.body.avatar} name={current.body.name} /> : null}
        {current === null ? t('profile.none') : t('profile.current', { name: current.body.name })}
      </p>
      <TextField
        id="profile-name"
        label={t('profile.name')}
        hint={t('profile.nameHint', { max: String(MAX_NAME_CHARS) })}
        value={name}
        onChange={setName}
      />
      <TextField
        id="profile-note"
        label={t('profile.note')}
        hint={t('profile.noteHint')}
        multiline
        value={note}
        onChange={setNote}
      />
      <div className="field">
        <label htmlFor="profile-avatar">{t('profile.avatar')}</label>
        <input
          id="profile-avatar"
          type="file"
          accept="image/png,image/jpeg,image/webp"
          onChange={(event) => chooseAvatar(event.target.files?.[0])}
        />
      </div>
      <div className="field">
        <label>
          <input
            type="checkbox"
            checked={showBalance}
            onChange={(event) => setShowBalance(event.target.checked)}
          />{' '}
          {t('profile.showBalance')}
        </label>
      </div>
      <ErrorText error={problem} />
      <div className="actions">
        <button type="submit" className="primary" disabled={sign.busy}>
          {t('profile.review')}
        </button>
      </div>
      {pending !== null ? (
        <ProfileConfirm
          input={pending}
          busy={sign.busy}
          error={sign.error}
          onCancel={() => setPending(null)}
          onConfirm={() => sign.run(pending)}
        />
      ) : null}
      <p role="status" className="success">
        {done ?? ''}
      </p>
    </form>
  );
}

export function ProfileConfirm(props: {
  input: ProfileInput;
  busy: boolean;
  error: unknown;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const { t, tn } = useI18n();
  const made = profileBody(props.input);
  const body = made.ok ? made.body : {};
  return (
    <div className="confirm" role="group" aria-labelledby="profile-confirm-title">
      <h3 id="profile-confirm-title">{t('profile.confirm.title')}</h3>
      <dl>
        <dt>{t('profile.name')}</dt>
        <dd data-testid="profile-confirm-name">{typeof body.name === 'string' ? body.name : ''}</dd>
        <dt>{t('profile.note')}</dt>
        <dd>{typeof body.note === 'string' ? body.note : t('members.none')}</dd>
        <dt>{t('profile.avatar')}</dt>
        <dd>
          {props.input.avatar ? (
            <>
              <Avatar
                bytes={props.input.avatar}
                name={typeof body.name === 'string' ? body.name : ''}
              />
              {tn('profile.avatarBytes', props.input.avatar.length, {
                bytes: String(props.input.avatar.length),
              })}
            </>
          ) : (
            t('members.none')
          )}
        </dd>
        <dt>{t('members.col.balance')}</dt>
        <dd>{props.input.showBalance ? t('profile.balanceShown') : t('members.private')}</dd>
      </dl>
      <p className="warning">{t('profile.confirm.warning')}</p>
      <ErrorText error={props.error} />
      <div className="actions">
        <button type="button" onClick={props.onCancel} disabled={props.busy}>
          {t('common.cancel')}
        </button>
        <button type="button" className="primary" onClick={props.onConfirm} disabled={props.busy}>
          {t('profile.confirm.sign')}
        </button>
      </div>
    </div>
  );
}
