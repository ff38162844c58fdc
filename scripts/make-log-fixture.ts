// Writes test/fixtures/ledger-log-v1.bin: a version-1 ledger log holding three known records.
// The frames are encoded here by hand, from the format in docs/storage.md, and not by
// FileLogStore: the fixture is a second, independent statement of the format, so a change to
// the store's reading or writing that breaks old files fails test/storage/fileLog.test.ts.
//
// Run once, with `node scripts/make-log-fixture.ts`. It never replaces a fixture that differs:
// a format change needs a new version byte and a new fixture, not a rewritten old one.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';

const target = fileURLToPath(new URL('../test/fixtures/ledger-log-v1.bin', import.meta.url));

/** Keep in step with FIXTURE_RECORDS in test/storage/fileLog.test.ts. */
const records: Uint8Array[] = [
  new TextEncoder().encode('GPoW ledger fixture: record one'),
  Uint8Array.of(0x00, 0xff, 0x7f, 0x80),
  Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff),
];

function u32le(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

const header = Uint8Array.of(...new TextEncoder().encode('GPOWLOG'), 0x01);
const parts: Uint8Array[] = [header];
for (const record of records) parts.push(u32le(record.length), u32le(crc32(record)), record);
const bytes = Buffer.concat(parts);

if (existsSync(target)) {
  if (readFileSync(target).equals(bytes)) {
    console.log(`${target} is up to date (${bytes.length} bytes)`);
  } else {
    console.error(
      `${target} exists and differs from what this script writes; refusing to replace it. ` +
        `A format change needs a new version and a new fixture file.`,
    );
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, bytes);
  console.log(`wrote ${target} (${bytes.length} bytes)`);
}
