// The list of identities one app install holds (issue 18's key manager): each has a slot, a
// number that never changes and is never reused, and a name the person chose. The keys of each
// live where its platform keeps them (the desktop's main process: one keystore file per slot;
// browser mode: one keystore item per slot), encrypted as a single identity's always were.
//
// Slot 0 is where an install that predates the list kept its one identity: a missing list reads
// as that identity, named "main", so an existing install shows the same identity with nothing
// moved (the CLI's homes.ts does the same for a home). The list is written the first time
// something needs it (a second identity, a rename, a switch).
//
// Pure: both platforms read and write it as JSON text through this module.
import * as v from 'valibot';

export const MAX_IDENTITY_NAME = 48;
/** As many as anyone juggles; keeps the list and its storage bounded. */
export const MAX_IDENTITIES = 32;
/** The name a one-identity install's identity is known by until it is renamed (as the CLI's). */
export const FIRST_IDENTITY_NAME = 'main';
const MAX_SLOT = 999_999;

export interface IdentityEntry {
  readonly slot: number;
  readonly name: string;
}

export interface IdentityList {
  readonly version: 1;
  readonly identities: readonly IdentityEntry[];
  /** The slot the app opens and the keystore methods act on. */
  readonly current: number;
  /** The next slot to give out: slots are never reused. */
  readonly next: number;
}

const slotField = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_SLOT));

const listSchema = v.pipe(
  v.strictObject({
    version: v.literal(1),
    identities: v.pipe(
      v.array(
        v.strictObject({
          slot: slotField,
          name: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_IDENTITY_NAME)),
        }),
      ),
      v.minLength(1),
      v.maxLength(MAX_IDENTITIES),
    ),
    current: slotField,
    next: v.pipe(slotField, v.minValue(1)),
  }),
  v.check((list) => {
    const slots = new Set(list.identities.map((e) => e.slot));
    const names = new Set(list.identities.map((e) => e.name.toLowerCase()));
    return (
      slots.size === list.identities.length &&
      names.size === list.identities.length &&
      slots.has(list.current) &&
      list.identities.every((e) => e.slot < list.next)
    );
  }),
);

/** What an install with no list holds: its one identity, in slot 0. */
export const FIRST_LIST: IdentityList = {
  version: 1,
  identities: [{ slot: 0, name: FIRST_IDENTITY_NAME }],
  current: 0,
  next: 1,
};

/**
 * The list kept as `text` (null: none was written yet). A list that does not parse is read as
 * the first list rather than trusted: slot 0 is where the first identity always is, so at worst
 * the later ones are hidden (their keys stay where they are), never another's keys shown.
 */
export function readIdentityList(text: string | null): IdentityList {
  if (text === null) return FIRST_LIST;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return FIRST_LIST;
  }
  const parsed = v.safeParse(listSchema, json);
  return parsed.success ? parsed.output : FIRST_LIST;
}

export const writeIdentityList = (list: IdentityList): string => JSON.stringify(list);

export type NameProblem = 'empty' | 'spaces' | 'long' | 'control' | 'taken';

/** What is wrong with `name` for an identity of `list`, as a code the app translates, or null. */
export function identityNameCode(
  name: string,
  list: IdentityList,
  exceptSlot?: number,
): NameProblem | null {
  if (name.trim() === '') return 'empty';
  if (name !== name.trim()) return 'spaces';
  if ([...name].length > MAX_IDENTITY_NAME) return 'long';
  if (/\p{Cc}/u.test(name)) return 'control';
  const taken = list.identities.some(
    (e) => e.slot !== exceptSlot && e.name.toLowerCase() === name.toLowerCase(),
  );
  return taken ? 'taken' : null;
}

const NAME_SENTENCES: Readonly<Record<NameProblem, string>> = {
  empty: 'Give the identity a name.',
  spaces: 'An identity name cannot start or end with a space.',
  long: `An identity name is at most ${MAX_IDENTITY_NAME} characters.`,
  control: 'An identity name cannot hold control characters.',
  taken: 'There is already an identity with this name here.',
};

/** Why a name cannot be given to an identity of `list`, as a sentence, or null. */
export function identityNameProblem(
  name: string,
  list: IdentityList,
  exceptSlot?: number,
): string | null {
  const code = identityNameCode(name, list, exceptSlot);
  return code === null ? null : NAME_SENTENCES[code];
}

export type ListChange = { ok: true; list: IdentityList } | { ok: false; message: string };

const entryOf = (list: IdentityList, slot: number): IdentityEntry | undefined =>
  list.identities.find((e) => e.slot === slot);

const NO_SUCH = 'There is no such identity here: it may have been removed in another window.';

/** The list with a new identity `name` in a fresh slot; the new slot is `list.next`. */
export function addToList(list: IdentityList, name: string): ListChange {
  const problem = identityNameProblem(name, list);
  if (problem !== null) return { ok: false, message: problem };
  if (list.identities.length >= MAX_IDENTITIES) {
    return { ok: false, message: `An install holds at most ${MAX_IDENTITIES} identities.` };
  }
  const slot = list.next;
  return {
    ok: true,
    list: { ...list, identities: [...list.identities, { slot, name }], next: slot + 1 },
  };
}

export function renameInList(list: IdentityList, slot: number, name: string): ListChange {
  if (entryOf(list, slot) === undefined) return { ok: false, message: NO_SUCH };
  const problem = identityNameProblem(name, list, slot);
  if (problem !== null) return { ok: false, message: problem };
  const identities = list.identities.map((e) => (e.slot === slot ? { slot, name } : e));
  return { ok: true, list: { ...list, identities } };
}

export function useInList(list: IdentityList, slot: number): ListChange {
  if (entryOf(list, slot) === undefined) return { ok: false, message: NO_SUCH };
  return { ok: true, list: { ...list, current: slot } };
}

/**
 * The list without `slot`. The last identity cannot go: the app would have nothing to open, and
 * removing it is better done by clearing the site's data or uninstalling, knowingly. When the
 * current one goes, the first remaining becomes current.
 */
export function removeFromList(list: IdentityList, slot: number): ListChange {
  if (entryOf(list, slot) === undefined) return { ok: false, message: NO_SUCH };
  if (list.identities.length === 1) {
    return {
      ok: false,
      message:
        'This is the only identity here, so it cannot be removed: add another first, or restore other words in its place from the lock screen.',
    };
  }
  const identities = list.identities.filter((e) => e.slot !== slot);
  const first = identities[0];
  const current = list.current === slot && first !== undefined ? first.slot : list.current;
  return { ok: true, list: { ...list, identities, current } };
}
