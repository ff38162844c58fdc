// The English strings of the workspace backup (docs/keys.md): restore and Settings. Spread into
// the catalogue (en.ts), so other languages translate them like any other key.
export const enBackup = {
  'backup.error.open': '{detail}',
  'backup.error.read': 'The backup file could not be read: {detail}',
  'onboarding.restore.backup': 'Workspace backup file (optional)',
  'onboarding.restore.backupHint':
    'The file saved from Settings, Workspace backup. With it, your network, contacts and chats come back too, with no invitation. Without it, your identity and what the ledger holds come back (balance, history, offers), and you join your network again with an invitation.',
  'onboarding.restore.backupChosen': 'Chosen: {name}',
  'settings.backup.title': 'Workspace backup',
  'settings.backup.intro':
    'Your 24 words bring back your identity and what the ledger holds. This file brings back the rest: your network and its join secret, your contacts, your chats and these settings. Only your words open it. Save a new one after you join a network, add contacts or chat.',
  'settings.backup.never': 'No backup has been saved from this device yet.',
  'settings.backup.savedAt': 'Last backup made here: {date}.',
  'settings.backup.outdated':
    'Your network, contacts or settings changed since: the last backup does not have them. Make a new one.',
  'settings.backup.make': 'Make a backup file',
  'settings.backup.working': 'Sealing the backup…',
  'settings.backup.ready': 'Your backup is ready: save it somewhere other than this device.',
  'settings.backup.chatsLeftOut':
    'Your chat history is too large for a backup file and was left out; the network and contacts are in it.',
} as const;
