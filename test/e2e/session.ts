// The set-up each end-to-end test file of the app's screens shares (the browser renderer is
// built once for all of them, by globalSetup.ts): the servers and Chromium started (harness.ts's
// World), one browser profile per user with its page errors kept, screenshots with axe-core's
// findings, and everything closed after the file.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { openUser, screenshotDir, startWorld, until, type World } from './harness.ts';
import { ScreenAudit } from './screens.ts';

export interface E2eSession {
  /** The servers and browser: there once the file's beforeAll has run. */
  readonly world: World;
  readonly audit: ScreenAudit;
  /** Every page error of every user, as `name: message`. */
  readonly pageErrors: string[];
  /** A new browser profile with the app open. */
  readonly openUser: (name: string) => Promise<Page>;
  /** Polls `probe` every 200 ms until it gives a value, for the session's timeout by default. */
  readonly until: <T>(
    what: string,
    probe: () => Promise<T | null | undefined | false>,
    timeoutMs?: number,
  ) => Promise<T>;
  /** A screenshot of the page as `screen`, and axe-core's serious findings kept. */
  readonly check: (page: Page, screen: string) => Promise<void>;
}

/**
 * Registers the file's beforeAll and afterAll. `timeoutMs`: how long `until` waits by default;
 * `beforeClose`: what else the file started, closed before the browser profiles and the world.
 */
export function e2eSession({
  timeoutMs,
  beforeClose,
}: {
  readonly timeoutMs: number;
  readonly beforeClose?: () => Promise<void>;
}): E2eSession {
  let world: World | undefined;
  let shots = '';
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const audit = new ScreenAudit(() => shots);
  const started = (): World => {
    if (world === undefined) throw new Error('the e2e world has not started');
    return world;
  };

  beforeAll(async () => {
    shots = await screenshotDir();
    world = await startWorld();
  });

  afterAll(async () => {
    await beforeClose?.();
    for (const context of contexts) await context.close().catch(() => undefined);
    await world?.close();
  });

  return {
    get world() {
      return started();
    },
    audit,
    pageErrors,
    openUser: (name) => openUser(started(), { contexts, pageErrors }, name),
    until: (what, probe, timeout = timeoutMs) => until(what, probe, timeout, 200),
    check: (page, screen) => audit.check(page, screen),
  };
}
