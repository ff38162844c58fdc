// Sign and verify a message (docs/keys.md): prove that you hold your address by signing a text,
// and check a block someone else signed, in the app or with `gpow sign`. Both forms keep their
// text as drafts, so leaving the screen loses nothing.
import { useState, type FormEvent } from 'react';
import { keyHexOf } from '../../../shared/ids.ts';
import { parseAddress } from '../../../shared/identity/address.ts';
import type { SignedMessage } from '../../../shared/identity/signedMessage.ts';
import { UserError } from '../../state/errors.ts';
import { verifyBlock } from '../../state/signedMessages.ts';
import {
  CopyButton,
  ErrorText,
  Mono,
  ScreenTitle,
  TextField,
  useAction,
} from '../components/common.tsx';
import { useLabels } from '../components/party.tsx';
import { useApp, useI18n } from '../context.tsx';
import { draftKey, useDraft } from '../useDraft.ts';

const SIGN_DRAFT = draftKey<string>('sign-message');
const VERIFY_DRAFT = draftKey<{ block: string; from: string }>('verify-message');

export function SignMessageScreen() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('signMessage.title')}</ScreenTitle>
      <p>{t('signMessage.intro')}</p>
      <SignPanel />
      <VerifyPanel />
    </>
  );
}

function SignPanel() {
  const { t } = useI18n();
  const sign = useApp((s) => s.signMessageBlock);
  const canSign = useApp((s) => s.canSign);
  const [text, setText] = useDraft(SIGN_DRAFT, () => '');
  const [block, setBlock] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    try {
      setBlock(sign(text));
      setError(null);
    } catch (failure) {
      setBlock(null);
      setError(failure);
    }
  };

  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="sign-message-title">
      <h2 id="sign-message-title">{t('signMessage.sign.title')}</h2>
      <TextField
        id="sign-message-text"
        label={t('signMessage.sign.message')}
        hint={t('signMessage.sign.hint')}
        multiline
        invalid={error !== null}
        value={text}
        onChange={(value) => {
          setText(value);
          setBlock(null);
        }}
      />
      <ErrorText error={error} />
      {canSign ? null : <p className="muted">{t('signMessage.sign.locked')}</p>}
      <div className="actions">
        <button type="submit" className="primary" disabled={!canSign}>
          {t('signMessage.sign.submit')}
        </button>
      </div>
      {block === null ? null : (
        <div className="field">
          <label htmlFor="sign-message-block">{t('signMessage.sign.block')}</label>
          <textarea
            id="sign-message-block"
            className="mono"
            readOnly
            rows={11}
            spellCheck={false}
            value={block}
          />
          <CopyButton text={block} label={t('signMessage.sign.copy')} />
        </div>
      )}
    </form>
  );
}

/** The expected signer typed in the form, if any: its address, or a sentence why not. */
function expectedSigner(from: string) {
  if (from.trim() === '') return undefined;
  const parsed = parseAddress(from.trim());
  if (!parsed.ok) throw new UserError('signMessage.error.from', { detail: parsed.error });
  return parsed.address;
}

function VerifyPanel() {
  const { t } = useI18n();
  const [draft, setDraft] = useDraft(VERIFY_DRAFT, () => ({ block: '', from: '' }));
  const [verified, setVerified] = useState<SignedMessage | null>(null);
  const check = useAction(async () => {
    setVerified(null);
    setVerified(await verifyBlock(draft.block, expectedSigner(draft.from)));
  });
  const edit = (change: Partial<typeof draft>): void => {
    setDraft({ ...draft, ...change });
    setVerified(null);
    check.reset();
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    check.run();
  };

  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="verify-message-title">
      <h2 id="verify-message-title">{t('signMessage.verify.title')}</h2>
      <TextField
        id="verify-message-block"
        label={t('signMessage.verify.block')}
        hint={t('signMessage.verify.hint')}
        multiline
        verbatim
        invalid={check.error !== null}
        value={draft.block}
        onChange={(block) => edit({ block })}
      />
      <TextField
        id="verify-message-from"
        label={t('signMessage.verify.from')}
        hint={t('signMessage.verify.fromHint')}
        verbatim
        value={draft.from}
        onChange={(from) => edit({ from })}
      />
      <ErrorText error={check.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={check.busy}>
          {t('signMessage.verify.submit')}
        </button>
      </div>
      {verified === null ? null : <Verified signed={verified} />}
    </form>
  );
}

function Verified({ signed }: { signed: SignedMessage }) {
  const { t } = useI18n();
  const labelOf = useLabels();
  const me = useApp((s) => s.address);
  const key = keyHexOf(signed.publicKey);
  const label = signed.address === me ? t('party.you') : labelOf(key);
  return (
    <div role="status" className="success">
      <p>
        {label === undefined
          ? t('signMessage.verify.good')
          : t('signMessage.verify.goodBy', { label })}{' '}
        <Mono>{signed.address}</Mono>
      </p>
      <p>{t('signMessage.verify.message')}</p>
      <blockquote className="signed-message">{signed.message}</blockquote>
    </div>
  );
}
