// Forms in progress (the network wizard, a service request), kept for the session so that Back,
// a visit to Settings or any other navigation does not lose what was typed: a screen unmounts
// when the route changes, and its React state went with it. They live in memory only, never in
// storage (an invitation link being pasted holds a join secret), and locking forgets them.

export interface DraftSlice {
  /** Each form's contents by its key (see ui/useDraft.ts for the typed keys). */
  readonly drafts: Readonly<Record<string, unknown>>;
  readonly keepDraft: (key: string, value: unknown) => void;
  /** Forgets a form once it has done its work (the network made, the request sent). */
  readonly dropDraft: (key: string) => void;
}

type SetDrafts = (update: (state: DraftSlice) => Pick<DraftSlice, 'drafts'>) => void;

export function draftSlice(set: SetDrafts): DraftSlice {
  return {
    drafts: {},
    keepDraft: (key, value) => set((state) => ({ drafts: { ...state.drafts, [key]: value } })),
    dropDraft: (key) =>
      set((state) => ({
        drafts: Object.fromEntries(Object.entries(state.drafts).filter(([k]) => k !== key)),
      })),
  };
}
