// The menu's badges: what waits for the person and is new since they last looked. Counted from
// what the screens themselves show (the ledger's market steps, the private channels' messages)
// against what the app store remembers as seen (state/seen.ts), never from a copy of its own.
import { useEffect, useMemo } from 'react';
import type { ChatMessage } from '../../engine/ssk.ts';
import { instancesOf } from '../../shared/dnec/queries.ts';
import type { KeyHex } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { stepsFor } from '../../shared/wallet/market.ts';
import type { WaitingArea } from '../state/seen.ts';
import { useApp } from './context.tsx';
import { useLedgerView } from './useLedger.ts';

export type Waiting = Readonly<Record<WaitingArea, readonly string[]>>;

/**
 * The requests waiting for this identity: an answer as their provider (the Provider console's
 * "waiting for your answer"), a verdict as one of their validators (the Validator's Pass/Fail).
 * The same market steps the screens and the timeline offer.
 */
export function waitingFor(ledger: Ledger, me: KeyHex, now = Date.now()): Waiting {
  const provider: string[] = [];
  const validator: string[] = [];
  for (const view of instancesOf(ledger, me)) {
    const steps = stepsFor(ledger, view, me, now);
    if (steps.some((step) => step.kind === 'respond')) provider.push(view.request.id);
    if (steps.some((step) => step.kind === 'verdict')) validator.push(view.request.id);
  }
  return { provider, validator };
}

/** How many of `waiting` were not there when the screen was last open. */
export function unseenCount(waiting: readonly string[], seen: readonly string[]): number {
  const known = new Set(seen);
  return waiting.filter((id) => !known.has(id)).length;
}

/** Messages the partner sent after `seenUntil` (a receive time; undefined: never read). */
export function unreadIn(
  messages: readonly ChatMessage[],
  me: KeyHex,
  seenUntil: number | undefined,
): number {
  const after = seenUntil ?? -Infinity;
  return messages.filter((message) => message.from !== me && message.time > after).length;
}

/** The receive time of the partner's latest message, or null when they sent none. */
export function latestReceived(messages: readonly ChatMessage[], me: KeyHex): number | null {
  let latest: number | null = null;
  for (const message of messages) {
    if (message.from !== me && (latest === null || message.time > latest)) latest = message.time;
  }
  return latest;
}

/** Unread messages per partner with whom a channel is open. */
export function useUnread(): Readonly<Record<KeyHex, number>> {
  const ssk = useApp((s) => s.ssk);
  const me = useApp((s) => s.key);
  const version = useApp((s) => s.ledgerVersion);
  const seen = useApp((s) => s.seen.messages);
  return useMemo(() => {
    const out: Record<KeyHex, number> = {};
    if (ssk === null || me === null) return out;
    for (const partner of ssk.partners()) {
      const messages = ssk.conversation(partner)?.messages ?? [];
      const unread = unreadIn(messages, me, seen[partner]);
      if (unread > 0) out[partner] = unread;
    }
    return out;
    // `version` is the change signal: the session object itself stays the same.
  }, [ssk, me, version, seen]);
}

/**
 * What the open conversation shows is read: the menu's and the partner list's counts of new
 * messages drop it, up to its latest received message.
 */
export function useMarkRead(partner: KeyHex, messages: readonly ChatMessage[] | undefined): void {
  const me = useApp((s) => s.key);
  const markSeen = useApp((s) => s.markConversationSeen);
  const latest = messages !== undefined && me !== null ? latestReceived(messages, me) : null;
  useEffect(() => {
    if (latest !== null) markSeen(partner, latest);
  }, [latest, partner, markSeen]);
}

const waitingView = (ledger: Ledger, me: KeyHex) => waitingFor(ledger, me);

/**
 * The badge count of each route that has one. While the Provider or Validator screen is open
 * (`open`), what waits there counts as seen.
 */
export function useBadges(open: string | undefined): Readonly<Record<string, number>> {
  const waiting = useLedgerView(waitingView);
  const seen = useApp((s) => s.seen);
  const markWaitingSeen = useApp((s) => s.markWaitingSeen);
  const unread = useUnread();
  useEffect(() => {
    if (waiting === null) return;
    if (open === 'provider' || open === 'validator') markWaitingSeen(open, waiting[open]);
  }, [open, waiting, markWaitingSeen]);
  return {
    messages: Object.values(unread).reduce((sum, n) => sum + n, 0),
    // The open screen shows what waits: its badge would only flash until the effect runs.
    provider: waiting && open !== 'provider' ? unseenCount(waiting.provider, seen.provider) : 0,
    validator: waiting && open !== 'validator' ? unseenCount(waiting.validator, seen.validator) : 0,
  };
}
