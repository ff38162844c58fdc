// Settings, Workspace backup (docs/keys.md): one button seals this profile's network, contacts,
// chats and settings into a file only the 24 words open, and saves it; the panel says when one
// was last made here, and when the network, contacts or settings changed since.
import { useMemo, useState } from 'react';
import { workspaceDigest } from '../../state/workspace.ts';
import { ErrorText, useAction } from '../components/common.tsx';
import { useApp, useI18n } from '../context.tsx';

/** Hands the bytes to the browser's (or Electron's) download: a save dialog or the downloads. */
function saveFile(name: string, bytes: Uint8Array): void {
  const url = URL.createObjectURL(
    new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
  );
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Revoked once the download has surely started, not by a render's cleanup.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function BackupPanel() {
  const { t, language } = useI18n();
  const makeBackup = useApp((s) => s.makeBackup);
  const noteBackupSaved = useApp((s) => s.noteBackupSaved);
  const note = useApp((s) => s.backupNote);
  const settings = useApp((s) => s.settings);
  const contacts = useApp((s) => s.contacts);
  const network = useApp((s) => s.network);
  const current = useMemo(
    () => workspaceDigest({ settings, contacts, network }),
    [settings, contacts, network],
  );
  const [made, setMade] = useState<{ name: string; chatsLeftOut: boolean } | null>(null);
  const action = useAction(async () => {
    const backup = await makeBackup();
    saveFile(backup.fileName, backup.bytes);
    noteBackupSaved(backup);
    setMade({ name: backup.fileName, chatsLeftOut: backup.chatsLeftOut });
  });
  return (
    <section className="panel" aria-labelledby="backup-title">
      <h2 id="backup-title">{t('settings.backup.title')}</h2>
      <p>{t('settings.backup.intro')}</p>
      <p className="muted" data-testid="backup-saved-at">
        {note === null
          ? t('settings.backup.never')
          : t('settings.backup.savedAt', {
              date: new Date(note.savedAt).toLocaleString(language),
            })}
      </p>
      {note !== null && note.digest !== current ? (
        <p className="warning" data-testid="backup-outdated">
          {t('settings.backup.outdated')}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" disabled={action.busy} onClick={() => action.run()}>
          {t('settings.backup.make')}
        </button>
      </div>
      {action.busy ? (
        <p role="status" className="muted">
          {t('settings.backup.working')}
        </p>
      ) : null}
      {made !== null && !action.busy ? (
        <p role="status">
          {t('settings.backup.ready')} <code className="mono">{made.name}</code>
          {made.chatsLeftOut ? ` ${t('settings.backup.chatsLeftOut')}` : ''}
        </p>
      ) : null}
      <ErrorText error={action.error} />
    </section>
  );
}
