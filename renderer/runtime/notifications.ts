// Which native notifications to ask main for (the bridge's notify), decided without side
// effects so that the rules can be tested on their own:
// - what is worth one: a request addressed to this identity as provider (a new job), a payment
//   to it becoming visible (a transfer, or what a settlement pays it), and a delivery it was
//   selected to evaluate and has not judged yet (unless the validator automation judges it);
// - only what is new since the tracker started: the first look at the ledger is the baseline,
//   and anything dated before the start (history a peer sends while syncing) never counts;
// - only while the user is away (the page hidden or not focused); what arrives while they look
//   is marked seen and never announced later;
// - what arrives together goes out together: one notification per kind, with a count (or, for
//   payments, the sum, in the network's unit, which main shows after it).
// Main has its own rate limit and may answer { shown: false }; nothing here depends on it.
import {
  NOTIFICATION_AMOUNT,
  type NotificationKind,
  type NotifyArguments,
} from '../../shared/bridge/contract.ts';
import { instancesOf } from '../../shared/dnec/queries.ts';
import type { KeyHex } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { stepsFor } from '../../shared/wallet/market.ts';
import { historyOf } from './views.ts';

/** One thing that may deserve a notification, as the ledger shows it now. */
export type Notable = {
  /** Stable across looks: the same job, payment or evaluation has the same id every time. */
  readonly id: string;
  /** Its author's claimed time (ms): only used to leave out what predates the start. */
  readonly time: number;
} & (
  | { readonly kind: 'new-job' | 'evaluation-due' }
  | {
      readonly kind: 'payment-received';
      readonly amount: bigint;
      /** The network's unit, as its genesis names it: main shows it after the amount. */
      readonly unit: string;
    }
);

/** The largest count main's schema accepts. */
export const MAX_NOTIFY_COUNT = 9999;

/**
 * How far a new item's claimed time may lie before the start and still count as new: the other
 * party's clock may be a little behind ours.
 */
export const CLOCK_SLACK_MS = 2 * 60_000;

/** An amount as notify takes it: the UI's amount format (whole units), digits only. */
export function notificationAmount(value: bigint): string | null {
  const text = value.toString();
  return NOTIFICATION_AMOUNT.test(text) ? text : null;
}

/** What this identity's notifications are about, as the ledger stands now. */
export function notablesOf(
  ledger: Ledger,
  me: KeyHex,
  options: { readonly now: number; readonly automaticVerdicts: boolean },
): Notable[] {
  const out: Notable[] = [];
  for (const entry of historyOf(ledger, me)) {
    if (entry.direction !== 'in' || entry.status === 'void') continue;
    if (entry.kind !== 'transfer' && entry.kind !== 'payout') continue;
    out.push({
      kind: 'payment-received',
      id: entry.id,
      time: entry.time,
      amount: entry.amount,
      unit: ledger.unit,
    });
  }
  for (const view of instancesOf(ledger, me)) {
    const { request } = view;
    if (request.provider === me) {
      out.push({ kind: 'new-job', id: request.id, time: request.time });
    }
    const machine = request.service.form === 'pow' || request.service.form === 'compute';
    // The validator automation judges pow and compute at once: nothing waits for the user.
    if (machine && options.automaticVerdicts) continue;
    const due = stepsFor(ledger, view, me, options.now).some((step) => step.kind === 'verdict');
    const delivery = view.delivery === undefined ? undefined : ledger.get(view.delivery);
    if (due && delivery !== undefined) {
      out.push({ kind: 'evaluation-due', id: delivery.id, time: delivery.time });
    }
  }
  return out;
}

export interface NotificationTracker {
  /**
   * Takes the ledger's notables now and whether the user is away; returns the notifications to
   * show (none on the first look, which only sets the baseline).
   */
  observe(notables: readonly Notable[], away: boolean): NotifyArguments[];
}

export function createNotificationTracker(options: {
  /** When the app started watching (ms); items dated well before it are history. */
  readonly startedAt: number;
  readonly slackMs?: number;
}): NotificationTracker {
  const seen = new Set<string>();
  const since = options.startedAt - (options.slackMs ?? CLOCK_SLACK_MS);
  let primed = false;
  return {
    observe(notables, away) {
      const fresh: Notable[] = [];
      for (const notable of notables) {
        const key = `${notable.kind}:${notable.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (primed && away && notable.time >= since) fresh.push(notable);
      }
      primed = true;
      return batch(fresh);
    },
  };
}

/** One notification per kind: a count, or the sum of the payments. */
function batch(fresh: readonly Notable[]): NotifyArguments[] {
  const out: NotifyArguments[] = [];
  const count = (kind: NotificationKind) =>
    Math.min(fresh.filter((n) => n.kind === kind).length, MAX_NOTIFY_COUNT);
  const jobs = count('new-job');
  if (jobs > 0) out.push(['new-job', { count: jobs }]);
  const payments = fresh.filter((n) => n.kind === 'payment-received');
  const first = payments[0];
  if (first !== undefined) {
    // One tracker watches one network's ledger, so every payment it sees is in the same unit.
    const amount = notificationAmount(payments.reduce((sum, n) => sum + n.amount, 0n));
    if (amount !== null) out.push(['payment-received', { amount, unit: first.unit }]);
  }
  const evaluations = count('evaluation-due');
  if (evaluations > 0) out.push(['evaluation-due', { count: evaluations }]);
  return out;
}
