// Automatic updates with electron-updater. They need a packaged app and an update feed: the
// app-update.yml that electron-builder writes next to app.asar when electron-builder.yml has a
// `publish` target. In development, or without a feed, nothing is checked, and the log says
// why, so "why did it not update?" has an answer.

/** The parts of electron-updater's autoUpdater used here. */
export interface UpdaterLike {
  logger: unknown;
  autoDownload: boolean;
  checkForUpdatesAndNotify(): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface AutoUpdateOptions {
  /** app.isPackaged: false under `npm start` and in tests. */
  isPackaged: boolean;
  /** Whether the packaged app has an update feed (resources/app-update.yml). */
  hasFeed(): boolean;
  /** Loads electron-updater only when it will be used. */
  loadUpdater(): Promise<UpdaterLike>;
  log: Pick<Console, 'info' | 'warn' | 'error'>;
}

export type AutoUpdateOutcome = 'development' | 'no-feed' | 'checking' | 'failed';

export async function startAutoUpdates(options: AutoUpdateOptions): Promise<AutoUpdateOutcome> {
  const { log } = options;
  if (!options.isPackaged) {
    log.info('Automatic updates are off: this is a development build (not packaged).');
    return 'development';
  }
  if (!options.hasFeed()) {
    log.info(
      'Automatic updates are off: this build has no update feed (no publish target in ' +
        'electron-builder.yml, so no app-update.yml).',
    );
    return 'no-feed';
  }
  try {
    const updater = await options.loadUpdater();
    updater.logger = log;
    updater.autoDownload = true;
    updater.on('error', (error) => log.error(`Automatic update failed: ${error.message}`));
    log.info('Checking for updates.');
    await updater.checkForUpdatesAndNotify();
    return 'checking';
  } catch (error) {
    log.error(
      `Could not check for updates: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 'failed';
  }
}
