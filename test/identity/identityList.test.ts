// The list of an install's identities (shared/identity/identityList.ts): what a missing or
// damaged list reads as, names, slots never reused, and the last identity kept.
import { describe, expect, it } from 'vitest';
import {
  addToList,
  FIRST_LIST,
  identityNameCode,
  MAX_IDENTITIES,
  readIdentityList,
  removeFromList,
  renameInList,
  useInList,
  writeIdentityList,
  type IdentityList,
  type ListChange,
} from '../../shared/identity/identityList.ts';

const ok = (change: ListChange): IdentityList => {
  if (!change.ok) throw new Error(change.message);
  return change.list;
};

describe('the identity list', () => {
  it('reads an install with no list as its one identity, "main", in slot 0', () => {
    expect(readIdentityList(null)).toEqual(FIRST_LIST);
    expect(FIRST_LIST).toMatchObject({ current: 0, identities: [{ slot: 0, name: 'main' }] });
  });

  it('reads a damaged or inconsistent list as the first list, never as another identity', () => {
    const two = ok(addToList(FIRST_LIST, 'work'));
    for (const text of [
      '{',
      '[]',
      JSON.stringify({ ...two, current: 7 }),
      JSON.stringify({ ...two, next: 1 }),
      JSON.stringify({ ...two, identities: [] }),
      JSON.stringify({ ...two, identities: [two.identities[0], { slot: 1, name: 'MAIN' }] }),
      JSON.stringify({ ...two, extra: true }),
    ]) {
      expect(readIdentityList(text)).toEqual(FIRST_LIST);
    }
    expect(readIdentityList(writeIdentityList(two))).toEqual(two);
  });

  it('gives each new identity a fresh slot, never reusing one', () => {
    const two = ok(addToList(FIRST_LIST, 'work'));
    expect(two.identities).toEqual([
      { slot: 0, name: 'main' },
      { slot: 1, name: 'work' },
    ]);
    const one = ok(removeFromList(two, 1));
    const again = ok(addToList(one, 'work'));
    expect(again.identities.at(-1)).toEqual({ slot: 2, name: 'work' });
  });

  it('refuses names that are empty, padded, too long, with control characters or taken', () => {
    expect(identityNameCode('', FIRST_LIST)).toBe('empty');
    expect(identityNameCode(' a', FIRST_LIST)).toBe('spaces');
    expect(identityNameCode('x'.repeat(49), FIRST_LIST)).toBe('long');
    expect(identityNameCode('a\u0007b', FIRST_LIST)).toBe('control');
    expect(identityNameCode('Main', FIRST_LIST)).toBe('taken');
    expect(identityNameCode('Main', FIRST_LIST, 0)).toBeNull();
    expect(addToList(FIRST_LIST, 'MAIN')).toEqual({
      ok: false,
      message: 'There is already an identity with this name here.',
    });
  });

  it('renames and switches only identities it has', () => {
    const two = ok(addToList(FIRST_LIST, 'work'));
    expect(ok(renameInList(two, 0, 'Home')).identities[0]).toEqual({ slot: 0, name: 'Home' });
    expect(renameInList(two, 0, 'work').ok).toBe(false);
    expect(renameInList(two, 5, 'x').ok).toBe(false);
    expect(ok(useInList(two, 1)).current).toBe(1);
    expect(useInList(two, 5).ok).toBe(false);
  });

  it('never removes the last identity, and makes the first left current when the current goes', () => {
    const refused = removeFromList(FIRST_LIST, 0);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.message).toMatch(/only identity here/);
    const two = ok(useInList(ok(addToList(FIRST_LIST, 'work')), 1));
    const left = ok(removeFromList(two, 1));
    expect(left).toMatchObject({ current: 0, identities: [{ slot: 0, name: 'main' }] });
    expect(ok(removeFromList(two, 0))).toMatchObject({ current: 1, next: 2 });
  });

  it('holds at most MAX_IDENTITIES', () => {
    let list = FIRST_LIST;
    for (let i = 1; i < MAX_IDENTITIES; i += 1) list = ok(addToList(list, `id ${i}`));
    expect(addToList(list, 'one more').ok).toBe(false);
  });
});
