import { describe, expect, it, vi } from 'vitest';
import { startAutoUpdates, type UpdaterLike } from '../../electron/updater.ts';

vi.mock('electron', () => ({}));

const log = () => ({ info: vi.fn(), warn: vi.fn(), error: vi.fn() });

function fakeUpdater(check: () => Promise<unknown> = () => Promise.resolve(null)) {
  const listeners = new Map<string, (error: Error) => void>();
  const updater = {
    logger: null as unknown,
    autoDownload: false,
    checkForUpdatesAndNotify: vi.fn(check),
    on: vi.fn((event: 'error', listener: (error: Error) => void) => listeners.set(event, listener)),
  } satisfies UpdaterLike;
  return { updater, listeners };
}

describe('automatic updates', () => {
  it('are off in development, say so, and never load electron-updater', async () => {
    const l = log();
    const loadUpdater = vi.fn();
    await expect(
      startAutoUpdates({ isPackaged: false, hasFeed: () => true, loadUpdater, log: l }),
    ).resolves.toBe('development');
    expect(l.info).toHaveBeenCalledWith(expect.stringMatching(/off: this is a development build/u));
    expect(loadUpdater).not.toHaveBeenCalled();
  });

  it('are off without an update feed, and say why', async () => {
    const l = log();
    const loadUpdater = vi.fn();
    await expect(
      startAutoUpdates({ isPackaged: true, hasFeed: () => false, loadUpdater, log: l }),
    ).resolves.toBe('no-feed');
    expect(l.info).toHaveBeenCalledWith(expect.stringMatching(/no update feed.*publish/u));
    expect(loadUpdater).not.toHaveBeenCalled();
  });

  it('check and log through the app log when packaged with a feed', async () => {
    const l = log();
    const { updater, listeners } = fakeUpdater();
    await expect(
      startAutoUpdates({
        isPackaged: true,
        hasFeed: () => true,
        loadUpdater: () => Promise.resolve(updater),
        log: l,
      }),
    ).resolves.toBe('checking');
    expect(updater.logger).toBe(l);
    expect(updater.checkForUpdatesAndNotify).toHaveBeenCalledOnce();
    listeners.get('error')?.(new Error('feed unreachable'));
    expect(l.error).toHaveBeenCalledWith('Automatic update failed: feed unreachable');
  });

  it('never let a failed check take the app down', async () => {
    const l = log();
    const { updater } = fakeUpdater(() => Promise.reject(new Error('offline')));
    await expect(
      startAutoUpdates({
        isPackaged: true,
        hasFeed: () => true,
        loadUpdater: () => Promise.resolve(updater),
        log: l,
      }),
    ).resolves.toBe('failed');
    expect(l.error).toHaveBeenCalledWith('Could not check for updates: offline');
  });
});
