// What the person has already seen, so that the menu's badges count only what is new: for each
// conversation, the receive time of the latest message read there; for the provider and the
// validator, the requests waiting for them when they last looked. Kept in web storage next to
// the settings, so a reload does not bring back badges for what was already read. Storage is
// read as untrusted input: what does not parse starts empty (every waiting item counts as new).
import * as v from 'valibot';
import type { KeyHex } from '../../shared/ids.ts';
import type { KeyValueStorage } from './persisted.ts';

export const SEEN_KEY = 'gpow.seen.v1';
/** Bounds what storage holds: more partners or waiting items than this are not kept. */
export const MAX_SEEN = 500;

/** The market screens whose waiting items are counted: the request ids seen there. */
export type WaitingArea = 'provider' | 'validator';

export interface Seen {
  /** Per partner: the receive time (ms) of the latest message read in that conversation. */
  readonly messages: Readonly<Record<string, number>>;
  readonly provider: readonly string[];
  readonly validator: readonly string[];
}

const ids = v.pipe(v.array(v.pipe(v.string(), v.maxLength(128))), v.maxLength(MAX_SEEN));
const seenSchema = v.object({
  messages: v.pipe(
    v.record(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)), v.pipe(v.number(), v.finite())),
    v.check((record) => Object.keys(record).length <= MAX_SEEN),
  ),
  provider: ids,
  validator: ids,
});

export const NOTHING_SEEN: Seen = { messages: {}, provider: [], validator: [] };

export function loadSeen(storage: KeyValueStorage): Seen {
  let json: unknown;
  try {
    json = JSON.parse(storage.getItem(SEEN_KEY) ?? 'null');
  } catch {
    return NOTHING_SEEN;
  }
  const parsed = v.safeParse(seenSchema, json);
  return parsed.success ? parsed.output : NOTHING_SEEN;
}

export interface SeenSlice {
  readonly seen: Seen;
  /** The conversation with `partner` was read up to the message received at `until`. */
  readonly markConversationSeen: (partner: KeyHex, until: number) => void;
  /** The screen showed these waiting requests: only others count as new from now on. */
  readonly markWaitingSeen: (area: WaitingArea, waiting: readonly string[]) => void;
}

export function seenSlice(
  storage: KeyValueStorage,
  get: () => Seen,
  set: (update: Pick<SeenSlice, 'seen'>) => void,
): SeenSlice {
  const keep = (seen: Seen): void => {
    // Storage may be full or refused (private browsing): the badges then last for the session.
    try {
      storage.setItem(SEEN_KEY, JSON.stringify(seen));
    } catch {
      /* kept in memory only */
    }
    set({ seen });
  };
  return {
    seen: loadSeen(storage),
    // Both leave the state alone when nothing changes: screens call them from effects.
    markConversationSeen: (partner, until) => {
      const seen = get();
      if ((seen.messages[partner] ?? -Infinity) >= until) return;
      // The most recently read conversations are kept when there are too many.
      const entries = Object.entries({ ...seen.messages, [partner]: until })
        .sort(([, a], [, b]) => b - a)
        .slice(0, MAX_SEEN);
      keep({ ...seen, messages: Object.fromEntries(entries) });
    },
    markWaitingSeen: (area, waiting) => {
      const seen = get();
      const before = new Set(seen[area]);
      // Only what still waits needs remembering; an answered request no longer counts.
      if (waiting.length === before.size && waiting.every((id) => before.has(id))) return;
      keep({ ...seen, [area]: waiting.slice(0, MAX_SEEN) });
    },
  };
}
