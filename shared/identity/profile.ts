// profile: a member's signed profile (docs/profiles.md). A display name, and optionally an
// avatar, a contact note and whether the directory may show the member's balance. It moves no
// money. The latest one of an identity, over all of its chains, is the one shown.
//
// Every check here is part of validity and so reads only the body, with fixed tables and byte
// comparisons (displayName.ts says why no Unicode database is used).
import * as v from 'valibot';
import { fromHex } from '../bytes.ts';
import type { CborValue } from '../codec/cbor.ts';
import { keyHexOf, txIdOf, type KeyHex, type TxId } from '../ids.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Tx } from '../tx/envelope.ts';
import { bytes32, uint } from '../tx/schema.ts';
import {
  indexCodec,
  NO_EFFECTS,
  restoreIndex,
  strictlyIncreasing,
  type IndexCodec,
  type IndexStore,
  type Restored,
  type TxTypeDef,
} from '../tx/types.ts';
import { codePoints, forbiddenCharacter, nameProblem } from './displayName.ts';

export const PROFILE_TYPE = 'profile';
export const MAX_AVATAR_BYTES = 16 * 1024;
export const MAX_NOTE_CHARS = 280;

export type AvatarType = 'image/png' | 'image/jpeg' | 'image/webp';

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0): boolean =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);

/** The image type by its magic number, or null: a file's name or a claimed type proves nothing. */
export function avatarTypeOf(bytes: Uint8Array): AvatarType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  // RIFF, a 4-byte size, then WEBP.
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8))
    return 'image/webp';
  return null;
}

/** Why avatar bytes are not acceptable, or null. */
export function avatarProblem(bytes: Uint8Array): string | null {
  if (bytes.length > MAX_AVATAR_BYTES)
    return `an avatar is at most ${MAX_AVATAR_BYTES / 1024} KiB, not ${bytes.length} bytes: make it smaller`;
  if (avatarTypeOf(bytes) === null)
    return 'an avatar must be a PNG, JPEG or WebP image (its first bytes say which)';
  return null;
}

/** Why a contact note is not acceptable, or null. One line break is allowed; nothing hidden. */
export function noteProblem(note: string): string | null {
  const length = codePoints(note);
  if (length > MAX_NOTE_CHARS)
    return `a contact note has at most ${MAX_NOTE_CHARS} characters, not ${length}`;
  const hidden = forbiddenCharacter(note, true);
  return hidden ? `this contact note cannot be used: ${hidden}` : null;
}

/** A check whose message is the problem the same function found: one sentence per cause. */
const rule = <T>(problem: (value: T) => string | null) =>
  v.check<T, (issue: v.CheckIssue<T>) => string>(
    (value) => problem(value) === null,
    (issue) => problem(issue.input) ?? 'not acceptable',
  );

export const profileSchema = v.strictObject(
  {
    name: v.pipe(v.string('the display name must be text'), rule(nameProblem)),
    avatar: v.optional(
      v.pipe(
        v.instance(Uint8Array, 'the avatar must be a byte string'),
        rule<Uint8Array<ArrayBuffer>>(avatarProblem),
      ),
    ),
    note: v.optional(v.pipe(v.string('the contact note must be text'), rule(noteProblem))),
    showBalance: v.optional(v.boolean('showBalance must be true or false')),
  },
  (issue) =>
    issue.expected === 'never'
      ? 'a profile holds only name, avatar, note and showBalance'
      : issue.input === undefined
        ? 'a profile needs a display name'
        : 'a profile body must be a map',
);

export type ProfileBody = v.InferOutput<typeof profileSchema>;

// ---- the index of profiles, per chain ----------------------------------------------------------

interface ProfileEntry {
  readonly id: TxId;
  readonly seq: number;
}

/** Every valid profile transaction, by the chain that signed it, highest seq first. */
export class ProfileIndex {
  readonly #byChain = new Map<KeyHex, ProfileEntry[]>();

  add(tx: Tx): void {
    let list = this.#byChain.get(tx.author);
    if (!list) this.#byChain.set(tx.author, (list = []));
    let at = 0;
    while (at < list.length && (list[at] as ProfileEntry).seq > tx.seq) at++;
    list.splice(at, 0, { id: tx.id, seq: tx.seq });
  }

  chain(author: KeyHex): readonly ProfileEntry[] {
    return this.#byChain.get(author) ?? [];
  }

  authors(): IterableIterator<KeyHex> {
    return this.#byChain.keys();
  }

  /** An index holding exactly these chains' entries, each list in the order given. */
  static of(chains: ReadonlyArray<readonly [KeyHex, readonly ProfileEntry[]]>): ProfileIndex {
    const index = new ProfileIndex();
    for (const [author, entries] of chains) index.#byChain.set(author, [...entries]);
    return index;
  }
}

export const PROFILE_INDEX_KEY = 'profile';

export const profilesOf = (indexes: IndexStore): ProfileIndex =>
  indexes.index(PROFILE_INDEX_KEY, () => new ProfileIndex());

// ---- the index as snapshot data (docs/snapshots.md) --------------------------------------------

/** Highest seq first, then the smaller id: the canonical order of one chain's entries. */
const entryOrder = (a: ProfileEntry, b: ProfileEntry): number =>
  b.seq - a.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Every chain's profiles, chains by key, each chain highest seq first. The live index orders
 * two profiles at one seq (a fork) newest arrival first; the snapshot orders them by id.
 */
export function snapshotProfiles(index: ProfileIndex): CborValue {
  return [...index.authors()]
    .sort()
    .map((author) => [
      fromHex(author),
      [...index.chain(author)].sort(entryOrder).map((e) => [fromHex(e.id), e.seq]),
    ]);
}

const profilesSchema = v.array(
  v.strictTuple([
    v.pipe(
      bytes32,
      v.transform((bytes) => keyHexOf(bytes)),
    ),
    v.pipe(
      v.array(
        v.strictTuple([
          v.pipe(
            bytes32,
            v.transform((bytes) => txIdOf(bytes)),
          ),
          uint,
        ]),
      ),
      v.minLength(1, 'a chain in the snapshot holds at least one profile'),
    ),
  ]),
  'a profile snapshot is a list of chains',
);

export function restoreProfiles(value: unknown): Restored<ProfileIndex> {
  return restoreIndex('the profile index', profilesSchema, value, (chains) => {
    if (!strictlyIncreasing(chains.map(([author]) => author)))
      return 'chains must be sorted by key, once each';
    const restored: [KeyHex, ProfileEntry[]][] = [];
    for (const [author, list] of chains) {
      const entries = list.map(([id, seq]) => ({ id, seq }));
      for (let i = 1; i < entries.length; i++) {
        if (entryOrder(entries[i - 1] as ProfileEntry, entries[i] as ProfileEntry) >= 0)
          return 'a chain lists its profiles highest seq first, then by id, once each';
      }
      restored.push([author, entries]);
    }
    return ProfileIndex.of(restored);
  });
}

export const profileIndexCodec: IndexCodec = indexCodec<ProfileIndex>({
  key: PROFILE_INDEX_KEY,
  empty: () => new ProfileIndex(),
  owns: (value): value is ProfileIndex => value instanceof ProfileIndex,
  snapshot: snapshotProfiles,
  restore: restoreProfiles,
});

export const profileType: TxTypeDef<ProfileBody> = {
  name: PROFILE_TYPE,
  schema: profileSchema,
  index: profileIndexCodec,
  effects: () => NO_EFFECTS,
  accepted(tx, ctx) {
    profilesOf(ctx.indexes).add(tx);
  },
};

// ---- which profile is an identity's ------------------------------------------------------------

export interface Profile {
  readonly id: TxId;
  /** The chain that signed it: the identity's own, or one of its devices. */
  readonly chain: KeyHex;
  readonly time: number;
  readonly body: ProfileBody;
}

/** A chain's latest profile that counts: the highest seq that is applied (not void). */
function latestOnChain(ledger: Ledger, chain: KeyHex): Profile | null {
  for (const entry of profilesOf(ledger.indexes).chain(chain)) {
    const state = ledger.status(entry.id).state;
    if (state !== 'final' && state !== 'pending') continue;
    const tx = ledger.get(entry.id) as Tx<ProfileBody>;
    return { id: tx.id, chain, time: tx.time, body: tx.body };
  }
  return null;
}

/**
 * The profile of the identity `key` acts for. Each chain's own order decides on that chain (the
 * highest seq); between chains of one identity, which share no order, the later claimed time
 * wins, then the larger id, so every peer picks the same. A chain closed by a final revocation
 * no longer speaks for the identity: a stolen device cannot leave its profile behind.
 */
export function latestProfile(ledger: Ledger, key: KeyHex): Profile | null {
  let best: Profile | null = null;
  for (const chain of ledger.chainsOf(key)) {
    if (ledger.revocationsOf(chain).some((r) => r.final)) continue;
    const found = latestOnChain(ledger, chain);
    if (!found) continue;
    if (!best || found.time > best.time || (found.time === best.time && found.id > best.id))
      best = found;
  }
  return best;
}
