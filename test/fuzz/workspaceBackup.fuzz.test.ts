// Fuzz target: the workspace backup (shared/wallet/workspaceBackup.ts). A backup is a file a
// person picks at restore: it may be anything (another file, a damaged copy, a crafted one).
// openWorkspace must never throw, must answer a workspace or one of its four codes with a short
// sentence, and a valid file changed in any way must be refused: the AEAD and its associated
// data let no change of the contents, the owner or the time through.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../shared/bytes.ts';
import { encodeCanonical } from '../../shared/codec/cbor.ts';
import { encodeAddress } from '../../shared/identity/address.ts';
import { identityFromSecret } from '../../shared/identity/keys.ts';
import {
  openWorkspace,
  sealWorkspace,
  type BoxOpener,
  type OpenedBackup,
} from '../../shared/wallet/workspaceBackup.ts';
import type { Workspace } from '../../shared/wallet/workspaceSchema.ts';
import { formatInvitation, generateJoinSecret } from '../../shared/net/invitation.ts';
import { openKey } from '../../shared/ssk/box.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { fuzz, Watchdog } from './harness.ts';

const watchdog = new Watchdog();
beforeAll(() => watchdog.install());
afterAll(() => watchdog.uninstall());

const MAX_ERROR_LENGTH = 500;
const CODES = ['not-backup', 'damaged', 'newer-version', 'wrong-identity'];
const random = deterministicRandom('workspace backup fuzz');
const me = identityFromSecret(new Uint8Array(32).fill(7));
const opener: BoxOpener = (box, ctx) => openKey(box, me.secretKey, ctx);

const workspaceArb: fc.Arbitrary<Workspace> = fc.record({
  networks: fc.array(
    fc.record(
      {
        invitation: fc.string({ maxLength: 20 }).map((name) =>
          formatInvitation({
            networkId: toHex(random.bytes(32)),
            secret: generateJoinSecret(random),
            relays: [],
            ...(name.trim() === name && name.length > 0 && !/\p{C}/u.test(name) ? { name } : {}),
          }),
        ),
        chats: fc.record({
          key: fc.uint8Array({ maxLength: 100 }),
          records: fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 4 }),
        }),
      },
      { requiredKeys: ['invitation'] },
    ),
    { maxLength: 3 },
  ),
  contacts: fc.array(
    fc.record({
      address: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(encodeAddress),
      label: fc.constantFrom('Bob', 'Ana María', '李', 'x'),
    }),
    { maxLength: 3 },
  ),
  settings: fc.constant({ relays: [], iceServers: [], theme: 'system', language: 'en' }),
});

function checkAnswer(opened: OpenedBackup): void {
  if (opened.ok) return;
  expect(CODES).toContain(opened.code);
  expect(opened.error.length).toBeGreaterThan(0);
  expect(opened.error.length).toBeLessThanOrEqual(MAX_ERROR_LENGTH);
}

describe('workspace backup fuzz', () => {
  it('answers any bytes with a workspace or a sentence', async () => {
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string().map(utf8),
      fc
        .dictionary(
          fc.constantFrom('f', 'v', 'me', 'at', 'box', 'n', 'ct'),
          fc.uint8Array({ maxLength: 40 }),
        )
        .map((fields) => encodeCanonical({ ...fields, f: 'gpow-workspace-backup' })),
    );
    await fuzz(
      'workspace backup any bytes',
      fc.asyncProperty(bytesArb, (bytes) =>
        watchdog.run('any bytes as a backup', () =>
          checkAnswer(openWorkspace(bytes, me.publicKey, opener)),
        ),
      ),
      2101,
      400,
    );
  });

  it('opens what it sealed, and refuses it changed in any byte', async () => {
    await fuzz(
      'workspace backup mutations',
      fc.asyncProperty(
        workspaceArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 3,
        }),
        (workspace, edits) =>
          watchdog.run('a changed backup', () => {
            const bytes = sealWorkspace(workspace, me.publicKey, 99, random);
            const opened = openWorkspace(bytes, me.publicKey, opener);
            expect(opened.ok).toBe(true);
            const changed = Uint8Array.from(bytes);
            for (const [at, xor] of edits) changed[at % changed.length]! ^= xor;
            const answer = openWorkspace(changed, me.publicKey, opener);
            checkAnswer(answer);
            // Two edits can cancel out; any other change is refused.
            if (toHex(changed) !== toHex(bytes)) expect(answer.ok).toBe(false);
          }),
      ),
      2102,
      150,
    );
  });
});
