// Native notifications for the three things worth interrupting the user for: a new job on the
// market, a payment received, an evaluation due. The page picks a kind and passes a number or
// an amount (checked by the contract's schema); the words are main's own, from fixed templates.
// The one word from outside is a payment's unit, which the page carries in the same payload
// from the network's genesis ("You received 40 hours."): it is held to the genesis rule for
// units (letters, digits, spaces and '-'), by the schema and again here. No other text from
// the page, and so no markup (some Linux notification servers render a subset of HTML in the
// body), ever reaches the notification. A rate limit keeps a misbehaving page from
// flooding the desktop.
import type { NotificationKind, NotifyArguments } from '../shared/bridge/contract.ts';
import { NOTIFICATION_AMOUNT } from '../shared/bridge/contract.ts';
import { unitProblem } from '../shared/tx/genesis.ts';
import { amountWithUnit } from '../shared/wallet/unitText.ts';

export interface NotificationText {
  readonly title: string;
  readonly body: string;
}

/** At most this many notifications per minute; the rest are dropped (and reported as such). */
export const MAX_NOTIFICATIONS_PER_MINUTE = 6;
const MINUTE_MS = 60_000;

const plural = (count: number, one: string, many: string): string =>
  count === 1 ? one : many.replace('{count}', String(count));

/**
 * The title and body for a notification. Values are re-checked here, so this function alone
 * guarantees that only digits, a decimal point and a unit the genesis rule allows come from
 * outside.
 */
export function notificationText(...[kind, params]: NotifyArguments): NotificationText {
  switch (kind) {
    case 'new-job':
      return {
        title: 'New job on the market',
        body: plural(
          checkedCount(params.count),
          'A new job matches the services you offer.',
          '{count} new jobs match the services you offer.',
        ),
      };
    case 'payment-received': {
      if (!NOTIFICATION_AMOUNT.test(params.amount)) throw new Error('not an amount');
      if (unitProblem(params.unit) !== null) throw new Error('not a unit');
      const amount = amountWithUnit(params.amount, params.unit);
      return { title: 'Payment received', body: `You received ${amount}.` };
    }
    case 'evaluation-due':
      return {
        title: 'Evaluation due',
        body: plural(
          checkedCount(params.count),
          'A delivered job is waiting for your evaluation.',
          '{count} delivered jobs are waiting for your evaluation.',
        ),
      };
  }
}

function checkedCount(count: number): number {
  if (!Number.isSafeInteger(count) || count < 1 || count > 9999) throw new Error('not a count');
  return count;
}

export interface NotifierDeps {
  isSupported(): boolean;
  /** Shows one notification; onClick when the user clicks it. */
  show(text: NotificationText, kind: NotificationKind, onClick: () => void): void;
  /** What a click does: bring the window forward. */
  onClick(): void;
  now(): number;
  maxPerMinute?: number;
}

export function createNotifier(
  deps: NotifierDeps,
): (...args: NotifyArguments) => { shown: boolean } {
  const max = deps.maxPerMinute ?? MAX_NOTIFICATIONS_PER_MINUTE;
  const shownAt: number[] = [];
  return (...args) => {
    const text = notificationText(...args);
    if (!deps.isSupported()) return { shown: false };
    const now = deps.now();
    while (shownAt.length > 0 && now - (shownAt[0] as number) >= MINUTE_MS) shownAt.shift();
    if (shownAt.length >= max) return { shown: false };
    shownAt.push(now);
    deps.show(text, args[0], () => deps.onClick());
    return { shown: true };
  };
}
