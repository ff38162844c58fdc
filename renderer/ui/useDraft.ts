// A form's state that outlives its screen: like useState, but kept in the app store's drafts
// (state/drafts.ts) under a key, so leaving the screen and coming back finds it as it was.
import { useState } from 'react';
import { useApp, useAppStore } from './context.tsx';

/** A draft's key, carrying the type of what is kept under it. */
export interface DraftKey<T> {
  readonly name: string;
  /** Only for the type: never set. */
  readonly _type?: T;
}

export const draftKey = <T>(name: string): DraftKey<T> => ({ name });

export type SetDraft<T> = (update: T | ((old: T) => T)) => void;

/** The draft under `key`, or `initial()` until something is kept; and its setter. */
export function useDraft<T>(key: DraftKey<T>, initial: () => T): [T, SetDraft<T>] {
  const store = useAppStore();
  const [first] = useState(initial);
  // Only this hook writes under key.name, always a T.
  const kept = useApp((s) => s.drafts[key.name]) as T | undefined;
  const set: SetDraft<T> = (update) => {
    const old = (store.getState().drafts[key.name] as T | undefined) ?? first;
    const next = typeof update === 'function' ? (update as (old: T) => T)(old) : update;
    store.getState().keepDraft(key.name, next);
  };
  return [kept ?? first, set];
}
