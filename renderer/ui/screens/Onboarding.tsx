// First run: create an identity (show the 24 backup words, then ask some of them back) or
// restore one from its words, then choose the passphrase that encrypts it on this device. Or
// pair this device with another from a gpow:pair? link: it becomes one more device of that
// identity (docs/protocol.md §12), with a key of its own and without the words.
import { useState } from 'react';
import { validateMnemonic } from '../../../shared/identity/mnemonic.ts';
import type { Workspace } from '../../../shared/wallet/workspaceSchema.ts';
import { UserError } from '../../state/errors.ts';
import { openBackupWithWords } from '../../state/workspace.ts';
import { unlockMemoryOf } from '../../state/unlockMemory.ts';
import { FormPanel, Labelled, ScreenTitle, TextField, useAction } from '../components/common.tsx';
import { WordList } from '../components/WordList.tsx';
import { useApp, useI18n } from '../context.tsx';

/** How many of the words the user must type back. */
const WORDS_TO_CONFIRM = 3;
export const MIN_PASSPHRASE_LENGTH = 8;

type Step =
  | { kind: 'welcome' }
  | { kind: 'show-words'; mnemonic: string }
  | { kind: 'confirm-words'; mnemonic: string; positions: number[] }
  | { kind: 'restore' }
  | { kind: 'pair' }
  | { kind: 'passphrase'; mnemonic: string; restored: boolean; workspace?: Workspace };

export function Onboarding() {
  const { t } = useI18n();
  const newMnemonic = useApp((s) => s.newMnemonic);
  const randomIndices = useApp((s) => s.randomIndices);
  const [step, setStep] = useState<Step>({ kind: 'welcome' });

  switch (step.kind) {
    case 'welcome':
      return (
        <section className="panel narrow">
          <ScreenTitle>{t('onboarding.welcome.title')}</ScreenTitle>
          <p>{t('onboarding.welcome.intro')}</p>
          <div className="actions">
            <button
              type="button"
              className="primary"
              onClick={() => setStep({ kind: 'show-words', mnemonic: newMnemonic() })}
            >
              {t('onboarding.welcome.create')}
            </button>
            <button type="button" onClick={() => setStep({ kind: 'restore' })}>
              {t('onboarding.welcome.restore')}
            </button>
            <button type="button" onClick={() => setStep({ kind: 'pair' })}>
              {t('onboarding.welcome.pair')}
            </button>
          </div>
        </section>
      );
    case 'show-words':
      return (
        <ShowWords
          mnemonic={step.mnemonic}
          onBack={() => setStep({ kind: 'welcome' })}
          onNext={() =>
            setStep({
              kind: 'confirm-words',
              mnemonic: step.mnemonic,
              positions: randomIndices(WORDS_TO_CONFIRM, step.mnemonic.split(' ').length),
            })
          }
        />
      );
    case 'confirm-words':
      return (
        <ConfirmWords
          mnemonic={step.mnemonic}
          positions={step.positions}
          onBack={() => setStep({ kind: 'show-words', mnemonic: step.mnemonic })}
          onNext={() => setStep({ kind: 'passphrase', mnemonic: step.mnemonic, restored: false })}
        />
      );
    case 'restore':
      return (
        <Restore
          onBack={() => setStep({ kind: 'welcome' })}
          onNext={(mnemonic, workspace) =>
            setStep({
              kind: 'passphrase',
              mnemonic,
              restored: true,
              ...(workspace ? { workspace } : {}),
            })
          }
        />
      );
    case 'pair':
      return <PairThisDevice onBack={() => setStep({ kind: 'welcome' })} />;
    case 'passphrase':
      return (
        <ChoosePassphrase
          mnemonic={step.mnemonic}
          restored={step.restored}
          {...(step.workspace ? { workspace: step.workspace } : {})}
          onBack={() => setStep({ kind: 'welcome' })}
        />
      );
  }
}

function ShowWords({
  mnemonic,
  onBack,
  onNext,
}: {
  mnemonic: string;
  onBack: () => void;
  onNext: () => void;
}) {
  const { t } = useI18n();
  // In browser mode the app is itself a website: "never type them into a website" contradicted
  // the page that shows them, and that restores from them.
  const web = useApp((s) => s.appInfo?.platform === 'web');
  const [written, setWritten] = useState(false);
  const words = mnemonic.split(' ');
  return (
    <section className="panel narrow">
      <ScreenTitle>{t('onboarding.words.title')}</ScreenTitle>
      <p>{t('onboarding.words.intro', { count: words.length })}</p>
      <p className="warning" data-testid="words-warning">
        {t(web ? 'onboarding.words.warningWeb' : 'onboarding.words.warning')}
      </p>
      <WordList words={words} aria-label={t('onboarding.words.listLabel')} />
      <label className="check">
        <input type="checkbox" checked={written} onChange={(e) => setWritten(e.target.checked)} />
        {t('onboarding.words.written')}
      </label>
      <div className="actions">
        <button type="button" onClick={onBack}>
          {t('common.back')}
        </button>
        <button type="button" className="primary" disabled={!written} onClick={onNext}>
          {t('common.continue')}
        </button>
      </div>
    </section>
  );
}

function ConfirmWords({
  mnemonic,
  positions,
  onBack,
  onNext,
}: {
  mnemonic: string;
  positions: number[];
  onBack: () => void;
  onNext: () => void;
}) {
  const { t } = useI18n();
  const words = mnemonic.split(' ');
  const [answers, setAnswers] = useState<string[]>(positions.map(() => ''));
  const [error, setError] = useState<unknown>(null);
  const submit = (): void => {
    const wrong = positions.find(
      (position, i) => (answers[i] ?? '').trim().toLowerCase() !== words[position],
    );
    if (wrong !== undefined) {
      setError(new UserError('onboarding.confirm.mismatch', { number: wrong + 1 }));
      return;
    }
    onNext();
  };
  return (
    <FormPanel
      title={t('onboarding.confirm.title')}
      intro={t('onboarding.confirm.intro')}
      onSubmit={submit}
      submit={t('common.continue')}
      back={{ label: t('onboarding.confirm.showAgain'), onClick: onBack }}
      error={error}
    >
      {positions.map((position, i) => (
        <TextField
          key={position}
          id={`confirm-word-${position}`}
          label={t('onboarding.confirm.word', { number: position + 1 })}
          verbatim
          value={answers[i] ?? ''}
          onChange={(value) => {
            const next = [...answers];
            next[i] = value;
            setAnswers(next);
          }}
        />
      ))}
    </FormPanel>
  );
}

export function Restore({
  onBack,
  onNext,
  replacing = false,
}: {
  onBack: () => void;
  /** The words, and the workspace of the backup file they opened, if one was chosen. */
  onNext: (mnemonic: string, workspace?: Workspace) => void;
  /** From the lock screen: the identity kept here is replaced, and the step says so. */
  replacing?: boolean;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  // The file is opened with the words here, before any passphrase: a wrong file is said now.
  const action = useAction(async () => {
    const checked = validateMnemonic(text);
    if (!checked.ok) throw new UserError('onboarding.restore.invalid', { detail: checked.error });
    if (file === null) return onNext(checked.mnemonic);
    const bytes = await file.arrayBuffer().then(
      (buffer) => new Uint8Array(buffer),
      (error: unknown) => {
        throw new UserError('backup.error.read', {
          detail: error instanceof Error ? error.message : String(error),
        });
      },
    );
    onNext(checked.mnemonic, openBackupWithWords(bytes, checked.mnemonic));
  });
  return (
    <FormPanel
      title={t('onboarding.restore.title')}
      intro={t('onboarding.restore.intro')}
      onSubmit={() => action.run()}
      submit={t('common.continue')}
      back={{ label: t('common.back'), onClick: onBack }}
      error={action.error}
      busy={action.busy}
    >
      {replacing ? <p className="warning">{t('unlock.restore.replaces')}</p> : null}
      <TextField
        id="restore-words"
        label={t('onboarding.restore.label')}
        multiline
        verbatim
        value={text}
        onChange={setText}
      />
      <div className="field">
        <label htmlFor="restore-backup">{t('onboarding.restore.backup')}</label>
        <input
          id="restore-backup"
          type="file"
          accept=".gpowbackup,application/octet-stream"
          aria-describedby="restore-backup-hint"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
        <p id="restore-backup-hint" className="hint">
          {t('onboarding.restore.backupHint')}
        </p>
      </div>
    </FormPanel>
  );
}

export function ChoosePassphrase({
  mnemonic,
  restored,
  onBack,
  replace = false,
  workspace,
}: {
  mnemonic: string;
  restored: boolean;
  onBack: () => void;
  /** What a backup file brings back with the words (workspace.ts). */
  workspace?: Workspace;
  /** Restoring from the lock screen: put the identity in place of the one kept here. */
  replace?: boolean;
}) {
  const { t } = useI18n();
  const createIdentity = useApp((s) => s.createIdentity);
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const action = useAction(async () => {
    checkNewPassphrase(passphrase, repeat);
    await createIdentity(mnemonic, passphrase, {
      ...(replace ? { replace } : {}),
      ...(workspace ? { workspace } : {}),
    });
  });
  return (
    <FormPanel
      title={t('onboarding.passphrase.title')}
      intro={restored ? t('onboarding.passphrase.introRestored') : t('onboarding.passphrase.intro')}
      onSubmit={() => action.run()}
      submit={
        restored ? t('onboarding.passphrase.submitRestored') : t('onboarding.passphrase.submit')
      }
      back={{ label: t('common.startOver'), onClick: onBack }}
      error={action.error}
      busy={action.busy}
      working={t('onboarding.passphrase.working')}
    >
      <NewPassphraseFields
        ids={['new-passphrase', 'repeat-passphrase']}
        hint={t('onboarding.passphrase.hint', { min: MIN_PASSPHRASE_LENGTH })}
        value={[passphrase, repeat]}
        onChange={[setPassphrase, setRepeat]}
      />
    </FormPanel>
  );
}

function PairThisDevice({ onBack }: { onBack: () => void }) {
  const { t } = useI18n();
  const pairThisDevice = useApp((s) => s.pairThisDevice);
  const devicesHere = useApp((s) => s.devicesHere);
  const [link, setLink] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const action = useAction(async () => {
    checkNewPassphrase(passphrase, repeat);
    await pairThisDevice(link, passphrase);
  });
  return (
    <FormPanel
      title={t('pairThis.title')}
      intro={t('pairThis.intro')}
      onSubmit={() => action.run()}
      submit={t('pairThis.submit')}
      back={{ label: t('common.back'), onClick: onBack }}
      error={action.error}
      busy={action.busy}
      working={t('pairThis.working')}
    >
      {!devicesHere ? <p className="warning">{t('devices.desktop')}</p> : null}
      <TextField
        id="pair-link"
        label={t('pairThis.link')}
        multiline
        verbatim
        value={link}
        onChange={setLink}
      />
      <NewPassphraseFields
        ids={['pair-passphrase', 'pair-repeat']}
        hint={t('pairThis.passphraseHint', { min: MIN_PASSPHRASE_LENGTH })}
        value={[passphrase, repeat]}
        onChange={[setPassphrase, setRepeat]}
      />
    </FormPanel>
  );
}

/** A new passphrase must be long enough and typed the same twice. */
function checkNewPassphrase(passphrase: string, repeat: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new UserError('onboarding.passphrase.short', { min: MIN_PASSPHRASE_LENGTH });
  }
  if (passphrase !== repeat) throw new UserError('onboarding.passphrase.mismatch');
}

/** A new passphrase and its repetition, for a new identity or a newly paired device. */
function NewPassphraseFields(props: {
  ids: readonly [string, string];
  hint: string;
  value: readonly [string, string];
  onChange: readonly [(value: string) => void, (value: string) => void];
}) {
  const { t } = useI18n();
  return (
    <>
      <TextField
        id={props.ids[0]}
        type="password"
        autoComplete="new-password"
        label={t('onboarding.passphrase.label')}
        hint={props.hint}
        value={props.value[0]}
        onChange={props.onChange[0]}
      />
      <TextField
        id={props.ids[1]}
        type="password"
        autoComplete="new-password"
        label={t('onboarding.passphrase.repeat')}
        value={props.value[1]}
        onChange={props.onChange[1]}
      />
    </>
  );
}

export function Unlock({
  address,
  onRestore,
}: {
  address: string | null;
  /** The way out when the passphrase is lost: restoring from the backup words. */
  onRestore?: () => void;
}) {
  const { t } = useI18n();
  const unlock = useApp((s) => s.unlock);
  const unlockRemembered = useApp((s) => s.unlockRemembered);
  const appInfo = useApp((s) => s.appInfo);
  const secureStorage = useApp((s) => s.secureStorage);
  const memory = unlockMemoryOf(appInfo, secureStorage);
  const [passphrase, setPassphrase] = useState('');
  const [remember, setRemember] = useState(false);
  // Remembering is offered where the system protects it and nothing is remembered yet.
  const offerRemember = memory.kind === 'available' && !memory.remembered;
  const saved = (memory.kind === 'available' || memory.kind === 'weak') && memory.remembered;
  const action = useAction(async () => {
    if (passphrase === '') throw new UserError('unlock.empty');
    await unlock(passphrase, offerRemember && remember ? { remember: true } : {});
  });
  const withSaved = useAction(() => unlockRemembered());
  const busy = action.busy || withSaved.busy;
  const form = (
    <FormPanel
      title={t('unlock.title')}
      intro={
        address !== null ? (
          <>
            <Labelled label={t('unlock.identity')}>
              <code className="mono">{address}</code>
            </Labelled>
          </>
        ) : undefined
      }
      onSubmit={() => {
        withSaved.reset();
        action.run();
      }}
      submit={t('unlock.submit')}
      error={action.error ?? withSaved.error}
      busy={busy}
      working={withSaved.busy ? t('unlock.remembered.working') : t('unlock.working')}
    >
      {saved ? (
        <div className="field">
          <p>{t('unlock.remembered.intro')}</p>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => {
              action.reset();
              withSaved.run();
            }}
          >
            {t('unlock.remembered.submit')}
          </button>
        </div>
      ) : null}
      {memory.kind === 'weak' ? (
        <p className="warning">{t('unlock.weak', { backend: memory.backend })}</p>
      ) : null}
      <TextField
        id="unlock-passphrase"
        type="password"
        autoComplete="current-password"
        label={t('unlock.passphrase')}
        value={passphrase}
        onChange={setPassphrase}
      />
      {offerRemember ? (
        <div className="field">
          <label className="check">
            <input
              type="checkbox"
              id="unlock-remember"
              aria-describedby="unlock-remember-hint"
              checked={remember}
              onChange={(e) => setRemember(e.target.checked)}
            />
            {t('unlock.remember')}
          </label>
          <p id="unlock-remember-hint" className="hint">
            {t('unlock.remember.hint')}
          </p>
        </div>
      ) : null}
    </FormPanel>
  );
  if (onRestore === undefined) return form;
  return (
    <>
      {form}
      <section className="panel narrow" aria-labelledby="unlock-restore-title">
        <h2 id="unlock-restore-title">{t('unlock.restore.title')}</h2>
        <p>{t('unlock.restore.intro')}</p>
        <p className="warning">{t('unlock.restore.replaces')}</p>
        <button type="button" disabled={busy} onClick={onRestore}>
          {t('unlock.restore.button')}
        </button>
      </section>
    </>
  );
}
