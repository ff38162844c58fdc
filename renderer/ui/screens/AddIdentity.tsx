// Adding an identity to this install: a new one (fresh words, shown once to be written down) or
// one imported from its 24 words. Each problem is said under its field; the identity is then
// saved, encrypted with its own passphrase, and the app opens it, locked.
import { useState, type FormEvent } from 'react';
import { encodeAddress } from '../../../shared/identity/address.ts';
import { identityFromMnemonic, validateMnemonic } from '../../../shared/identity/mnemonic.ts';
import { UserError } from '../../state/errors.ts';
import { ErrorText, TextField, useAction } from '../components/common.tsx';
import { WordList } from '../components/WordList.tsx';
import { useApp, useI18n } from '../context.tsx';
import { listOf, nameError } from './IdentitiesPanel.tsx';

type Kind = 'new' | 'import';

interface Problems {
  readonly name?: UserError;
  readonly words?: UserError;
  readonly wrote?: UserError;
  readonly passphrase?: UserError;
  readonly confirm?: UserError;
}

export function AddIdentityPanel() {
  const { t } = useI18n();
  const identities = useApp((s) => s.identities);
  const newMnemonic = useApp((s) => s.newMnemonic);
  const addIdentity = useApp((s) => s.addIdentity);
  const [kind, setKind] = useState<Kind>('new');
  const [fresh] = useState(() => newMnemonic());
  const [name, setName] = useState('');
  const [words, setWords] = useState('');
  const [wrote, setWrote] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const add = useAction((mnemonic: string) => addIdentity(name, mnemonic, passphrase));

  /** The name of the identity here that these words restore, if one does. */
  const twinOf = (mnemonic: string): string | undefined => {
    const identity = identityFromMnemonic(mnemonic);
    const address = encodeAddress(identity.publicKey);
    identity.secretKey.fill(0);
    return identities?.identities.find((e) => e.address === address)?.name;
  };
  const check = (): Problems => {
    const list = listOf(identities?.identities ?? [], identities?.current ?? 0);
    const named = nameError(name, list);
    const phrase = kind === 'import' ? validateMnemonic(words) : null;
    const twin = phrase?.ok === true ? twinOf(phrase.mnemonic) : undefined;
    return {
      ...(named === null ? {} : { name: named }),
      ...(phrase !== null && !phrase.ok ? { words: new UserError('keys.add.error.words') } : {}),
      ...(twin !== undefined
        ? { words: new UserError('keys.add.error.twin', { name: twin }) }
        : {}),
      ...(kind === 'new' && !wrote ? { wrote: new UserError('keys.add.error.wrote') } : {}),
      ...(passphrase === '' ? { passphrase: new UserError('keys.add.error.passphrase') } : {}),
      ...(passphrase !== '' && confirm !== passphrase
        ? { confirm: new UserError('keys.add.error.mismatch') }
        : {}),
    };
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const found = check();
    setProblems(found);
    if (Object.keys(found).length === 0) add.run(kind === 'new' ? fresh : words);
  };

  return (
    <form className="panel" aria-labelledby="add-identity-title" onSubmit={submit} noValidate>
      <h2 id="add-identity-title">{t('keys.add.title')}</h2>
      <fieldset>
        <legend>{t('keys.add.kind')}</legend>
        {(['new', 'import'] as const).map((option) => (
          <label key={option} className="check">
            <input
              type="radio"
              name="add-identity-kind"
              checked={kind === option}
              onChange={() => setKind(option)}
            />
            {t(option === 'new' ? 'keys.add.new' : 'keys.add.import')}
          </label>
        ))}
      </fieldset>
      <TextField
        id="add-identity-name"
        label={t('keys.add.name')}
        value={name}
        onChange={setName}
        error={problems.name}
      />
      {kind === 'new' ? (
        <div className="field">
          <p id="add-identity-fresh-label">{t('keys.add.newWords')}</p>
          <WordList
            words={fresh.split(' ')}
            aria-labelledby="add-identity-fresh-label"
            testId="new-words"
          />
          <label className="check">
            <input
              id="add-identity-wrote"
              type="checkbox"
              checked={wrote}
              onChange={(e) => setWrote(e.target.checked)}
            />
            {t('keys.add.wrote')}
          </label>
          <ErrorText error={problems.wrote} />
        </div>
      ) : (
        <TextField
          id="add-identity-words"
          label={t('keys.add.words')}
          multiline
          verbatim
          value={words}
          onChange={setWords}
          error={problems.words}
        />
      )}
      <TextField
        id="add-identity-passphrase"
        type="password"
        autoComplete="new-password"
        label={t('keys.add.passphrase')}
        value={passphrase}
        onChange={setPassphrase}
        error={problems.passphrase}
      />
      <TextField
        id="add-identity-confirm"
        type="password"
        autoComplete="new-password"
        label={t('keys.add.confirm')}
        value={confirm}
        onChange={setConfirm}
        error={problems.confirm}
      />
      <ErrorText error={add.error} />
      {add.busy ? (
        <p role="status" className="muted">
          {t('keys.add.working')}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={add.busy}>
          {t('keys.add.submit')}
        </button>
      </div>
    </form>
  );
}
