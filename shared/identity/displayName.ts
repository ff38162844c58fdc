// Display names of member profiles (docs/profiles.md): the rule every peer applies to a name on
// the ledger, the author's side that tidies what a person typed, and the confusable "skeleton"
// that lets the directory tell apart names that only look alike.
//
// Two layers, on purpose:
// - `nameProblem` is part of a transaction's validity, so every peer must reach the same verdict
//   whatever Unicode version its JavaScript engine ships. It therefore uses no Unicode database:
//   only fixed code-point tables (below) and lengths in code points. A rule written with \p{Cf}
//   or String.normalize would accept a character newly assigned in Unicode 17 on one peer and
//   refuse it on another, and every later transaction of that author would split the network.
// - `authorNameProblem`, `tidyDisplayName`, `skeleton` and `scriptsOf` may use the engine's
//   Unicode tables: they decide what an author may sign and how a name is shown, never validity.
import unhomoglyph from 'unhomoglyph';

export const MAX_NAME_CHARS = 48;

/**
 * Code points no name or note may hold: every control (Cc), format (Cf: zero-width characters,
 * bidi embeddings, overrides and isolates, the BOM, tags), line and paragraph separator of
 * Unicode 17, the Hangul fillers and other blank letters that render as nothing, surrogates,
 * private use and noncharacters. Fixed here (not \p{…}) so that validity never depends on the
 * engine's Unicode version.
 */
const FORBIDDEN: ReadonlyArray<readonly [number, number]> = [
  [0x0000, 0x001f],
  [0x007f, 0x009f],
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x0600, 0x0605],
  [0x061c, 0x061c],
  [0x06dd, 0x06dd],
  [0x070f, 0x070f],
  [0x0890, 0x0891],
  [0x08e2, 0x08e2],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x2028, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xd800, 0xdfff],
  [0xe000, 0xf8ff],
  [0xfdd0, 0xfdef],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xfff9, 0xfffb],
  [0x110bd, 0x110bd],
  [0x110cd, 0x110cd],
  [0x13430, 0x1343f],
  [0x1bca0, 0x1bca3],
  [0x1d173, 0x1d17a],
  [0xe0000, 0xe0fff],
  [0xf0000, 0x10ffff],
];

/** Spaces other than U+0020: a name holds plain spaces only (tidying turns these into one). */
const OTHER_SPACES: ReadonlyArray<readonly [number, number]> = [
  [0x00a0, 0x00a0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
];

const inRanges = (cp: number, ranges: ReadonlyArray<readonly [number, number]>): boolean =>
  ranges.some(([low, high]) => cp >= low && cp <= high);

/** U+xxFFFE and U+xxFFFF are noncharacters in every plane. */
const isNoncharacter = (cp: number): boolean => (cp & 0xfffe) === 0xfffe;

const hex = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `text` holds a character no profile text may hold, or null. */
export function forbiddenCharacter(text: string, allowNewline = false): string | null {
  for (const char of text) {
    const cp = char.codePointAt(0) as number;
    if (allowNewline && cp === 0x0a) continue;
    if (inRanges(cp, FORBIDDEN) || isNoncharacter(cp))
      return `it holds an invisible or control character (${hex(cp)}), which could hide or reorder what others see`;
  }
  return null;
}

/** Length in code points: what the limits count (a UTF-16 length would count emoji twice). */
export const codePoints = (text: string): number => [...text].length;

/**
 * Why a display name on the ledger is not acceptable, or null: the validity rule. 1 to 48 code
 * points; no invisible, control or bidi character; plain spaces only, none leading, trailing or
 * doubled. Fixed tables only (see the file's header).
 */
export function nameProblem(name: string): string | null {
  const length = codePoints(name);
  if (length === 0) return 'a display name must not be empty';
  if (length > MAX_NAME_CHARS)
    return `a display name has at most ${MAX_NAME_CHARS} characters, not ${length}`;
  const hidden = forbiddenCharacter(name);
  if (hidden) return `this display name cannot be used: ${hidden}`;
  for (const char of name) {
    const cp = char.codePointAt(0) as number;
    if (inRanges(cp, OTHER_SPACES)) return `a display name uses plain spaces only, not ${hex(cp)}`;
  }
  if (name.startsWith(' ') || name.endsWith(' '))
    return 'a display name must not start or end with a space';
  if (name.includes('  ')) return 'a display name must not hold two spaces in a row';
  return null;
}

/**
 * What a person typed, as it would be signed: NFKC (fullwidth and other compatibility forms
 * become their plain letters), every run of whitespace one space, no space at either end.
 */
export function tidyDisplayName(input: string): string {
  return input.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/**
 * Why an author may not sign this name, or null: the validity rule, plus the name being in
 * NFKC form. The extra check needs the engine's Unicode tables, so it binds the author only;
 * readers show the NFKC form of whatever is on the ledger, so skipping it gains nothing.
 */
export function authorNameProblem(name: string): string | null {
  if (name.normalize('NFKC') !== name)
    return 'a display name must be in Unicode NFKC form (tidy it first: fullwidth or styled letters become plain ones)';
  return nameProblem(name);
}

/** How a name on the ledger is shown: its NFKC form, never longer than the limit. */
export function shownName(name: string): string {
  const normal = name.normalize('NFKC');
  const chars = [...normal];
  return chars.length <= MAX_NAME_CHARS ? normal : `${chars.slice(0, MAX_NAME_CHARS).join('')}…`;
}

// ---- confusables -------------------------------------------------------------------------------

const INVISIBLE_OR_MARK = /[\p{M}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}]/gu;
/** Bounds the fixed-point loop; real names settle in two rounds. */
const MAX_ROUNDS = 8;

/** One round of the skeleton: every step may expose work for another, so it is iterated. */
function skeletonRound(text: string): string {
  const bare = text.normalize('NFKC').normalize('NFD').replace(INVISIBLE_OR_MARK, '');
  const spaced = bare.replace(/\s+/gu, ' ').trim();
  // Unicode's confusables (UTS #39, through unhomoglyph) map Cyrillic а, Greek ο, 0, 1, I, rn…
  // to one prototype each; lower case around it makes case no disguise. Last, "i" joins "l":
  // the prototype of capital I is "l", and "ira" must meet "Ira" whichever case comes first.
  return unhomoglyph(unhomoglyph(spaced.toLowerCase()).toLowerCase()).replace(/[iı]/gu, 'l');
}

/**
 * The confusable skeleton of a name: two names with the same skeleton can look alike, and the
 * directory then shows a distinguishing suffix on both. Idempotent: skeleton(skeleton(x)) ===
 * skeleton(x) (iterated to a fixed point; a seeded property test holds it).
 */
export function skeleton(name: string): string {
  let current = name;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = skeletonRound(current);
    if (next === current) return current;
    current = next;
  }
  return current;
}

// ---- scripts -----------------------------------------------------------------------------------

/** The scripts a name is checked against; a letter of any other counts as "Other". */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Georgian',
  'Hangul',
  'Ethiopic',
  'Cherokee',
  'Khmer',
  'Mongolian',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
] as const;

const SCRIPT_TESTS = SCRIPTS.map((name) => ({
  name,
  test: new RegExp(`^\\p{Script=${name}}$`, 'u'),
}));

/** The scripts of a name's letters and digits, in first-seen order (Common and marks left out). */
export function scriptsOf(name: string): string[] {
  const found = new Set<string>();
  for (const char of name.normalize('NFKC')) {
    if (!/^[\p{L}\p{Nd}]$/u.test(char) || /^\p{Script=Common}$/u.test(char)) continue;
    found.add(SCRIPT_TESTS.find((s) => s.test.test(char))?.name ?? 'Other');
  }
  return [...found];
}

/** UTS #39's "highly restrictive" mixes: one script, or Latin with one East Asian writing. */
const ALLOWED_MIXES: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

/**
 * True when a name mixes scripts the way impersonation does ("Pаypal" with a Cyrillic а), by
 * UTS #39's highly restrictive level. The directory flags such a name and always shows its
 * suffix; it is not refused, since validity must not depend on Unicode tables.
 */
export function isMixedScript(name: string): boolean {
  const scripts = scriptsOf(name);
  if (scripts.length <= 1) return false;
  return !ALLOWED_MIXES.some((allowed) => scripts.every((s) => allowed.has(s)));
}
