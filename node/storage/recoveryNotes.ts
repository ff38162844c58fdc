// The sentences a repair of the file log reports (load()'s `recovery`, and onWarning). They go
// to the user as they are, so each says what happened, what was lost and what to do or expect,
// and claims no more than the store can know: a torn tail looks exactly like damage to the
// last record, so it is not called a crash with certainty.
import type { DamageNote, TornTailNote, UnreadableStretch } from '../../shared/storage/port.ts';
import type { BadStretch, ScanResult } from './logScanner.ts';

/** Stretches named one by one in a sentence; the rest are counted. */
const LISTED_STRETCHES = 3;
const COMES_BACK = 'Records lost this way come back from other members when this peer goes online.';

const count = (n: number): string => n.toLocaleString('en-US');
const bytes = (n: number): string => (n === 1 ? '1 byte' : `${count(n)} bytes`);
const stretchText = (s: BadStretch): string =>
  `${bytes(s.bytes)} from offset ${count(s.offset)}${s.abandoned ? ' to the end of the file' : ''}`;

function listOf(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

/** The log ended in bytes that are not whole records, and nothing good came after them. */
export function tornTailNote(logPath: string, tail: BadStretch): TornTailNote {
  return {
    kind: 'torn-tail',
    truncatedBytes: tail.bytes,
    reason:
      `The last ${bytes(tail.bytes)} of ${logPath}, from offset ${count(tail.offset)}, did not ` +
      `hold a whole record (${tail.why}), so they were cut off. This happens after a crash or ` +
      `power loss during a write. ${COMES_BACK}`,
  };
}

/** The file was created but a crash came before its header was complete. */
export function tornHeaderNote(logPath: string, have: number, of: number): TornTailNote {
  return {
    kind: 'torn-tail',
    truncatedBytes: have,
    reason:
      `${logPath} held only ${have} of the ${of} bytes of its header and no records, so the ` +
      `header was written again. This happens after a crash or power loss while the log is ` +
      `being created.`,
  };
}

/** Good records came after bad bytes: damage, removed, with the original kept at savedCopy. */
export function damageNote(logPath: string, scan: ScanResult, savedCopy: string): DamageNote {
  const { damaged, tail, recordsAfterDamage } = scan;
  const stretches: BadStretch[] = tail === undefined ? damaged : [...damaged, tail];
  const regions: UnreadableStretch[] = stretches.map(({ offset, bytes: n }) => ({
    offset,
    bytes: n,
  }));
  return {
    kind: 'damage',
    truncatedBytes: regions.reduce((sum, region) => sum + region.bytes, 0),
    regions,
    recordsKeptAfter: recordsAfterDamage,
    savedCopy,
    reason: [
      damagedSentence(logPath, damaged, recordsAfterDamage),
      abandonedSentence(damaged),
      tail === undefined ? '' : tailSentence(tail),
      `The damaged file was saved as ${savedCopy}.`,
      COMES_BACK,
    ]
      .filter((sentence) => sentence !== '')
      .join(' '),
  };
}

function damagedSentence(logPath: string, damaged: BadStretch[], keptAfter: number): string {
  const listed = damaged.slice(0, LISTED_STRETCHES).map(stretchText);
  const more = damaged.length - listed.length;
  if (more > 0) listed.push(`${count(more)} more stretches (see the saved copy)`);
  const where = damaged.length === 1 ? '' : ` in ${count(damaged.length)} places`;
  const lost = damaged.length === 1 ? 'there' : 'in each';
  const after = damaged.length === 1 ? 'them' : 'the first';
  const kept =
    keptAfter === 0
      ? `no record after ${after} could be read`
      : `the ${keptAfter === 1 ? '1 record' : `${count(keptAfter)} records`} after ${after} ` +
        `${keptAfter === 1 ? 'was' : 'were'} kept`;
  return (
    `${logPath} was damaged${where}: ${listOf(listed)} could not be read (at least one record ` +
    `was lost ${lost}); ${kept}.`
  );
}

function abandonedSentence(damaged: BadStretch[]): string {
  if (!damaged.some((stretch) => stretch.abandoned)) return '';
  return (
    'The search for intact records in the last of them is bounded and gave up, so it may hold ' +
    'records that were not recovered; the saved copy still has them.'
  );
}

function tailSentence(tail: BadStretch): string {
  return (
    `The last ${bytes(tail.bytes)}, from offset ${count(tail.offset)}, did not hold a whole ` +
    `record either (${tail.why}) and were cut off.`
  );
}
